"""The overall table and each SDG table: filter, sort, paginate, export."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import Request

from impactrank.errors import N_, InputError
from impactrank.i18n import gettext, sdg_label
from impactrank.pages import Pages, is_api
from impactrank.web.common import (
    CountryParam,
    FormatParam,
    GroupParam,
    OrderParam,
    PageParam,
    PerPageParam,
    QParam,
    SdgParam,
    SdgPath,
    edition_info,
    language,
    links,
    page_of,
    safe_name,
)
from impactrank.web.exports import export
from impactrank.web.store import (
    OVERALL_COLUMNS,
    OVERALL_SORTS,
    SDG_COLUMNS,
    SDG_SORTS,
    EditionData,
    Store,
    TableQuery,
    filter_table,
    named,
)


def report_links(store: Store, data: EditionData, query: TableQuery) -> dict:
    """The report for the table's selection (country, group), against the previous edition when there is one."""
    params = {"edition": data.edition.id}
    previous = store.previous(data.edition.id)
    if previous:
        params["compare"] = previous
    params |= {k: v for k, v in (("country", query.country), ("group", query.group)) if v}
    return {"report": "/report?" + urlencode(params), "report_pdf": "/report.pdf?" + urlencode(params)}


def register(pages: Pages, store: Store) -> None:
    def quick(a: dict) -> bool:
        """A page of the table in rank order, at most filtered by country, of an edition in memory: a few dict
        look-ups and the encoded rows of one slice (sorting, searching or exporting the table is not)."""
        plain = a["q"] is None and a["group"] is None and a["sdg"] is None and a["format"] == "json"
        return plain and a["sort"] == "rank" and a["order"] == "asc" and store.loaded(a["edition"])

    @pages.page(
        "/editions/{edition}",
        "overall.html.j2",
        quick=quick,
        summary="Overall table (filter, sort, paginate; format=csv|xlsx exports)",
    )
    def overall(
        request: Request,
        edition: str,
        q: QParam = None,
        country: CountryParam = None,
        group: GroupParam = None,
        sdg: SdgParam = None,
        sort: Literal["rank", "name", "country", "score", "sdg17"] = "rank",
        order: OrderParam = "asc",
        page: PageParam = 1,
        per_page: PerPageParam = 50,
        format: FormatParam = "json",
    ):
        data = store.get(edition)
        data.edition.require_overall()
        query = TableQuery(
            q=q, country=country, group=group, sdg=sdg, sort=sort, order=order, page=page, per_page=per_page
        )
        if query.sort not in OVERALL_SORTS:
            raise InputError(
                N_("sort must be one of %(sorts)s"), field="sort", params={"sorts": ", ".join(OVERALL_SORTS)}
            )
        frame = filter_table(data, None, query, OVERALL_SORTS)
        if is_api(request) and format != "json":
            return export(
                frame.select([c for c in OVERALL_COLUMNS if c in frame.columns]),
                format,
                f"overall-{safe_name(edition)}",
            )
        e = data.edition
        if is_api(request):  # the rows in English, encoded when the edition was loaded
            shown = page_of(frame, query, OVERALL_COLUMNS, data.overall_json)
        else:
            shown = page_of(frame, query, OVERALL_COLUMNS)
            shown["rows"] = named(shown["rows"], data, language(request))
        return {
            "title": gettext("Overall table %(edition)s", language(request)) % {"edition": e.id},
            "edition": edition_info(store, data),
            "filters": query.params() | {"page": query.page, "per_page": query.per_page},
            **shown,
            "links": links(f"/editions/{e.id}", f"/api/editions/{e.id}", query, shown["pages"])
            | report_links(store, data, query),
            "_countries": data.countries,
            "_groups": list(data.groups),
            "_sorts": list(OVERALL_SORTS),
        }

    @pages.page(
        "/editions/{edition}/sdgs/{sdg}", "sdg.html.j2", summary="One SDG table (filter, sort, paginate, export)"
    )
    def sdg_table(
        request: Request,
        edition: str,
        sdg: SdgPath,
        q: QParam = None,
        country: CountryParam = None,
        group: GroupParam = None,
        sort: Literal["rank", "name", "country", "score"] = "rank",
        order: OrderParam = "asc",
        page: PageParam = 1,
        per_page: PerPageParam = 50,
        format: FormatParam = "json",
    ):
        data = store.get(edition)
        query = TableQuery(q=q, country=country, group=group, sort=sort, order=order, page=page, per_page=per_page)
        frame = filter_table(data, data.sdg_table(sdg), query, SDG_SORTS)
        if is_api(request) and format != "json":
            return export(
                frame.select([c for c in SDG_COLUMNS if c in frame.columns]), format, f"sdg{sdg}-{safe_name(edition)}"
            )
        e = data.edition
        shown = page_of(frame, query, SDG_COLUMNS)
        shown["rows"] = named(shown["rows"], data, language(request))
        return {
            "title": gettext("%(sdg)s table %(edition)s", language(request))
            % {"sdg": sdg_label(sdg, language(request)), "edition": e.id},
            "edition": edition_info(store, data),
            "sdg": sdg,
            "filters": query.params() | {"page": page, "per_page": per_page},
            **shown,
            "links": links(f"/editions/{e.id}/sdgs/{sdg}", f"/api/editions/{e.id}/sdgs/{sdg}", query, shown["pages"]),
            "_countries": data.countries,
            "_groups": list(data.groups),
            "_sorts": list(SDG_SORTS),
        }
