"""Static files, the offline API docs and Plotly's JavaScript (from the installed package)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from impactrank.apidocs import swagger_asset
from impactrank.headers import PAGE_HEADERS
from impactrank.report.charts import DRAWING_SCRIPT
from impactrank.web.middleware import with_inline_scripts

STATIC = Path(__file__).parent / "static"
# name → (file, type); the charts' drawing script is the report's, served here as app.js
STATIC_FILES = {
    "style.css": (STATIC / "style.css", "text/css; charset=utf-8"),
    "app.js": (DRAWING_SCRIPT, "application/javascript"),
}


def register(app: FastAPI) -> None:
    plotly_js: dict[str, bytes] = {}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="impactrank API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )
        html = page.body.decode("utf-8").replace("<html>", '<html lang="en">', 1)  # Swagger UI speaks English
        # Swagger UI starts from one inline script: allowed by its hash, on top of the dashboard's policy.
        policy = with_inline_scripts(PAGE_HEADERS["Content-Security-Policy"], html)
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})

    app.get("/static/swagger/{name}", include_in_schema=False)(swagger_asset)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name == "plotly.min.js":
            if not plotly_js:
                from plotly.offline import get_plotlyjs

                plotly_js["js"] = get_plotlyjs().encode("utf-8")
            return Response(
                plotly_js["js"], media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"}
            )
        if name in STATIC_FILES:
            path, media_type = STATIC_FILES[name]
            return Response(path.read_bytes(), media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
        raise StarletteHTTPException(404)
