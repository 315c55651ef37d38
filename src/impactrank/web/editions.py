"""The editions in the workspace: the dashboard's home page."""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import urlencode

from fastapi import Request

from impactrank.i18n import gettext
from impactrank.pages import Pages
from impactrank.web.common import language
from impactrank.web.store import Store


def register(pages: Pages, store: Store) -> None:
    def edition_row(e: dict) -> dict:
        """An edition with what it holds: links to its overall table only when it has one, and its SDG tables."""
        overall = e["overall_table"]
        links = {"html": f"/editions/{e['edition']}", "json": f"/api/editions/{e['edition']}"} if overall else {}
        return dict(e, sdgs=store.get(e["edition"]).sdgs, links=links)

    def editions_ctx(lang: str) -> dict:
        rows = [edition_row(e) for e in store.editions()]
        with_overall = [e["edition"] for e in rows if e["overall_table"]]
        return {
            "title": gettext("Editions", lang),
            "editions": rows,
            "comparisons": [
                {"before": b, "after": a, "html": "/compare?" + urlencode({"before": b, "after": a})}
                for b, a in pairwise(with_overall)
            ],
        }

    @pages.page("/editions", "editions.html.j2", summary="Editions in the workspace")
    def editions(request: Request) -> dict:
        return editions_ctx(language(request))

    @pages.app.get("/", include_in_schema=False)
    def home(request: Request):
        return pages.html(request, "editions.html.j2", editions_ctx(language(request)))
