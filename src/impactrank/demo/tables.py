"""The demo's data tables, read from the package's ``data/`` folder once per process.

The names, places, counts and fitted numbers live in files a reader can check without reading code; the
modules beside this one hold only the logic. Files are small and parsed with libyaml where available, so
reading them costs milliseconds.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
DATA = resources.files("impactrank.demo") / "data"


@cache
def read_yaml(name: str) -> Any:
    """The parsed YAML file ``data/<name>``; treat it as read-only (it is shared by every caller)."""
    return yaml.load(DATA.joinpath(name).read_text(encoding="utf-8"), Loader=_LOADER)


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """The rows of the CSV file ``data/<name>`` as dicts of strings, in file order."""
    return tuple(csv.DictReader(io.StringIO(DATA.joinpath(name).read_text(encoding="utf-8"))))
