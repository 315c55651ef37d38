"""impactrank: open, reproducible university impact rankings against the UN Sustainable Development Goals.

The Python API mirrors the command line; names load on first use so that ``import impactrank`` stays light.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("impactrank")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

_API = {
    "build": "impactrank.io.build",
    "load_methodology": "impactrank.methodology",
    "Workspace": "impactrank.io.workspace",
    "Edition": "impactrank.engine.tables.edition",
    "explain_institution": "impactrank.engine.views.explain",
    "read_published": "impactrank.io.published",
    "audit_edition": "impactrank.engine.published.audit",
    "overall_view": "impactrank.engine.views.lists",
    "sdg_view": "impactrank.engine.views.lists",
    "country_view": "impactrank.engine.views.lists",
    "group_view": "impactrank.engine.views.lists",
    "compare_editions": "impactrank.engine.views.compare",
    "summarise": "impactrank.report.summary",
    "read_groups": "impactrank.io.groups",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'impactrank' has no attribute {name!r}")
