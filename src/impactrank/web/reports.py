"""The report for any selection of an edition: interactive HTML, PDF, and its data as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.responses import HTMLResponse, Response

from impactrank.errors import N_, InputError
from impactrank.pages import Pages, jsonable
from impactrank.web.common import CompareQuery, CountryParam, EditionQuery, GroupParam, LangParam, safe_name
from impactrank.web.middleware import REPORT_POLICY, with_inline_scripts
from impactrank.web.store import Store


@dataclass
class Selection:
    """The report's query: an edition, optionally compared with an earlier one, for a country or a group."""

    edition: EditionQuery
    compare: CompareQuery = None
    country: CountryParam = None
    group: GroupParam = None
    lang: LangParam = "en"


SelectionQuery = Annotated[Selection, Depends()]


def register(pages: Pages, store: Store) -> None:
    app = pages.app

    def arguments(q: Selection) -> dict:
        data = store.get(q.edition)
        prev = store.get(q.compare) if q.compare else None
        if q.group and q.group not in data.groups:
            raise InputError(
                N_("no group %(group)s in edition %(edition)s"),
                field="group",
                params={"group": repr(q.group), "edition": q.edition},
            )
        return {
            "edition": data.edition,
            "previous": prev.edition if prev else None,
            "country": q.country or None,  # a code or a name: the report resolves it
            "group": q.group or None,
            "members": data.members if q.group else None,
            "lang": q.lang,
        }

    @app.get("/report", response_class=HTMLResponse, include_in_schema=False)
    def report_page(selection: SelectionQuery) -> Response:
        from impactrank.report.report import render_html

        html = render_html(**arguments(selection))
        return HTMLResponse(html, headers={"Content-Security-Policy": with_inline_scripts(REPORT_POLICY, html)})

    @app.get("/report.pdf", include_in_schema=False)
    def report_pdf(selection: SelectionQuery) -> Response:
        from impactrank.report.report import render_pdf

        return Response(
            render_pdf(**arguments(selection)),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="report-{safe_name(selection.edition)}.pdf"'},
        )

    @app.get("/api/report", summary="The report's data: summary, chart data, selection")
    def report_api(selection: SelectionQuery) -> Response:
        from impactrank.report.report import report_context

        return pages.json(jsonable(report_context(**arguments(selection))))
