"""The report for any selection of an edition: interactive HTML, PDF, and its data as JSON."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from impactrank.errors import InputError
from impactrank.pages import Pages, jsonable
from impactrank.web.common import CompareQuery, CountryParam, EditionQuery, GroupParam, LangParam, safe_name
from impactrank.web.store import Store

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def report_policy(html: str) -> str:
    """The self-contained report runs its own inline scripts (Plotly and the figures' set-up) and loads nothing:
    only those scripts, by hash, may run; nothing may be fetched, framed or posted."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(m.encode('utf-8')).digest()).decode('ascii')}'"
        for m in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src {hashes or chr(39) + 'none' + chr(39)}; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def register(pages: Pages, store: Store) -> None:
    app = pages.app

    def report_args(edition: str, compare: str | None, country: str | None, group: str | None) -> dict:
        data = store.get(edition)
        prev = store.get(compare) if compare else None
        if group and group not in data.groups:
            raise InputError(f"no group {group!r} in edition {edition}", field="group")
        return {
            "edition": data.edition,
            "previous": prev.edition if prev else None,
            "country": country.upper() if country else None,
            "group": group or None,
            "members": data.members if group else None,
        }

    @app.get("/report", response_class=HTMLResponse, include_in_schema=False)
    def report_page(
        edition: EditionQuery,
        compare: CompareQuery = None,
        country: CountryParam = None,
        group: GroupParam = None,
        lang: LangParam = "en",
    ) -> Response:
        from impactrank.report.report import render_html

        html = render_html(**report_args(edition, compare, country, group), lang=lang)
        return HTMLResponse(html, headers={"Content-Security-Policy": report_policy(html)})

    @app.get("/report.pdf", include_in_schema=False)
    def report_pdf(
        edition: EditionQuery,
        compare: CompareQuery = None,
        country: CountryParam = None,
        group: GroupParam = None,
        lang: LangParam = "en",
    ) -> Response:
        from impactrank.report.report import render_pdf

        return Response(
            render_pdf(**report_args(edition, compare, country, group), lang=lang),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="report-{safe_name(edition)}.pdf"'},
        )

    @app.get("/api/report", summary="The report's data: summary, chart data, selection")
    def report_api(
        request: Request,
        edition: EditionQuery,
        compare: CompareQuery = None,
        country: CountryParam = None,
        group: GroupParam = None,
        lang: LangParam = "en",
    ) -> Response:
        from impactrank.report.report import report_context

        return pages.json(jsonable(report_context(**report_args(edition, compare, country, group), lang=lang)))
