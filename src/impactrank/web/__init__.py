"""The read-only dashboard and JSON API over a workspace (``impactrank serve``)."""

from impactrank.web.app import create_app

__all__ = ["create_app"]
