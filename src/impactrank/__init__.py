"""impactrank: open, reproducible university impact rankings against the UN Sustainable Development Goals."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("impactrank")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
