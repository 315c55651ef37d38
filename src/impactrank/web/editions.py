"""The editions in the workspace: the dashboard's home page."""

from __future__ import annotations

from fastapi import Request

from impactrank.pages import Pages
from impactrank.web.store import Store


def register(pages: Pages, store: Store) -> None:
    def editions_ctx() -> dict:
        return {
            "title": "Editions",
            "editions": [
                dict(e, links={"html": f"/editions/{e['edition']}", "json": f"/api/editions/{e['edition']}"})
                for e in store.editions()
            ],
        }

    @pages.page("/editions", "editions.html.j2", summary="Editions in the workspace")
    def editions(request: Request) -> dict:
        return editions_ctx()

    @pages.app.get("/", include_in_schema=False)
    def home(request: Request):
        return pages.html(request, "editions.html.j2", editions_ctx())
