"""The portal's routes, one module per area, each with its ``register(app, portal)``; the order sets the
order of the operations in the API's documentation."""

from __future__ import annotations

from fastapi import FastAPI

from impactrank.portal.http import Portal
from impactrank.portal.routes import account, auth, operator, records, results, review, team

AREAS = (auth, account, records, team, review, operator, results)


def register(app: FastAPI, portal: Portal) -> None:
    """Add every area's routes to the application."""
    for area in AREAS:
        area.register(app, portal)
