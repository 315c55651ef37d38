"""Swagger UI for the API docs of the dashboard and the portal, served by the apps themselves so the docs work
offline: version 5 (it reads OpenAPI 3.1, which FastAPI writes), from the fastapi-offline package."""

from __future__ import annotations

from importlib.resources import files

from fastapi.responses import Response
from starlette.exceptions import HTTPException

SWAGGER_FILES = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}


def swagger_asset(name: str) -> Response:
    """One of Swagger UI's files, or a 404 for any other name."""
    if name not in SWAGGER_FILES:
        raise HTTPException(404)
    data = files("fastapi_offline").joinpath("static", name).read_bytes()
    return Response(data, media_type=SWAGGER_FILES[name], headers={"Cache-Control": "public, max-age=86400"})
