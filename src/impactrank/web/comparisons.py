"""Edition-over-edition comparison, for a country or a group, with movement relative to the field's size."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import polars as pl
from fastapi import Query, Request

from impactrank.countries import country_key
from impactrank.i18n import gettext
from impactrank.pages import Pages, is_api
from impactrank.report import charts
from impactrank.report.names import in_language
from impactrank.web.common import (
    CountryParam,
    FormatParam,
    GroupParam,
    PageParam,
    PerPageParam,
    language,
    page_of,
    safe_name,
)
from impactrank.web.exports import export
from impactrank.web.store import EditionData, Store, TableQuery


def register(pages: Pages, store: Store) -> None:
    @pages.page(
        "/compare", "compare.html.j2", summary="Edition-over-edition comparison (movement relative to field size)"
    )
    def compare(
        request: Request,
        before: Annotated[str, Query(max_length=100)],
        after: Annotated[str, Query(max_length=100)],
        country: CountryParam = None,
        group: GroupParam = None,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
        format: FormatParam = "json",
    ):
        from impactrank.engine.views.compare import compare_editions

        b, a = store.get(before), store.get(after)
        country = country_key(country) if country else None
        ids = selection(a, b, country, group)
        if is_api(request) and format != "json":  # the names of record
            comp = compare_editions(b.edition, a.edition, institution_ids=ids)
            return export(comp.table, format, f"compare-{safe_name(before)}-{safe_name(after)}")
        lang = language(request)  # the table and the chart name institutions as the reader's language does
        comp = compare_editions(in_language(b.edition, lang), in_language(a.edition, lang), institution_ids=ids)
        query = TableQuery(country=country, group=group, page=page, per_page=per_page)
        params = {"before": before, "after": after} | query.params()
        base, api_url = "/compare", "/api/compare"
        spec = charts.movement_data(comp, lang=language(request)) if ids is not None else None
        shown = page_of(comp.table, query, comp.table.columns)
        return {
            "title": gettext("Comparison %(before)s → %(after)s", language(request))
            % {"before": before, "after": after},
            "before": before,
            "after": after,
            "field_from": comp.field_from,
            "field_to": comp.field_to,
            "counts": comp.counts(),
            "filters": params | {"page": page, "per_page": per_page},
            **shown,
            "links": {
                "html": f"{base}?{urlencode(params)}",
                "json": f"{api_url}?{urlencode(params)}",
                "csv": f"{api_url}?{urlencode(params | {'format': 'csv'})}",
                "xlsx": f"{api_url}?{urlencode(params | {'format': 'xlsx'})}",
                "prev": f"{base}?{urlencode(params | {'page': page - 1})}" if page > 1 else None,
                "next": f"{base}?{urlencode(params | {'page': page + 1})}" if page < shown["pages"] else None,
            },
            "chart": spec,
            "_figure": charts.figure_json(spec) if spec and spec["items"] else None,
            "_editions": [e["edition"] for e in store.editions() if e["overall_table"]],  # what compares
            "_countries": a.countries,
            "_groups": list(a.groups),
        }


def selection(a: EditionData, b: EditionData, country: str | None, group: str | None) -> list[str] | None:
    """Institution ids of a country or group in either edition; None when nothing is selected."""
    if not country and not group:
        return None
    ids: set[str] = set()
    for data in (a, b):  # in each edition: the country's institutions, the group's members, or both at once
        chosen: set[str] | None = None
        if country:
            chosen = set(data.institutions.filter(pl.col("country") == country)["institution_id"].to_list())
        if group:
            members = set(data.groups.get(group, []))
            chosen = members if chosen is None else chosen & members
        ids |= chosen or set()
    return sorted(ids)
