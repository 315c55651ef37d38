"""A country's institutions in an edition: national ranks, counts by band, SDG positions, a summary."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from impactrank.countries import country_code, country_key, country_name, to_alpha2
from impactrank.errors import N_, InputError
from impactrank.i18n import gettext
from impactrank.pages import Pages, is_api, jsonable
from impactrank.web.common import CountryPath, FormatParam, edition_info, language, safe_name, summary_of
from impactrank.web.exports import export
from impactrank.web.store import EditionData, Store, named


def register(pages: Pages, store: Store) -> None:
    last: list = [None]  # the last country's view, with its edition's data: its pages and downloads share it

    def view_of(data: EditionData, code: str):
        from impactrank.engine.views.lists import country_view

        held = last[0]
        if held is None or held[0] is not data or held[1] != code:
            held = (data, code, country_view(data.edition, code))
            last[0] = held
        return held[2]

    def country_ctx(data: EditionData, code: str, lang: str) -> dict:
        data.edition.require_overall()
        if code not in data.countries:
            raise InputError(
                N_("no institution from country %(country)s in edition %(edition)s"),
                field="country",
                params={"country": repr(code), "edition": data.edition.id},
            )
        view = view_of(data, code)
        summary = summary_of(store, data, country=code, lang=lang)
        e = data.edition
        return {
            "title": gettext("%(country)s in edition %(edition)s", lang)
            % {"country": country_name(code, lang), "edition": e.id},
            "edition": edition_info(store, data),
            "country": code,
            "country_name": country_name(code, lang),
            "count": view.count,
            "field_size": view.field_size,
            "leaders": view.leaders,
            "flagged": view.flagged,
            "table": named(jsonable(view.table), data, lang),
            "bands": jsonable(view.bands),
            "sdg_positions": jsonable(view.sdg_positions),
            "summary": summary,
            "links": {
                "html": f"/editions/{e.id}/countries/{code}",
                "json": f"/api/editions/{e.id}/countries/{code}",
                "csv": f"/api/editions/{e.id}/countries/{code}?format=csv",
                "xlsx": f"/api/editions/{e.id}/countries/{code}?format=xlsx",
                "table": f"/editions/{e.id}?country={code}",
                "report": f"/report?edition={e.id}&country={code}&lang={lang}",
            },
        }

    @pages.page(
        "/editions/{edition}/countries/{country}",
        "country.html.j2",
        summary="A country's institutions and national ranks",
    )
    def country(request: Request, edition: str, country: CountryPath, format: FormatParam = "json"):
        code = country_key(country)
        if country != code and to_alpha2(country) is not None:  # a name, or a lower-case code: one address per country
            path = f"{'/api' if is_api(request) else ''}/editions/{quote(edition, safe='')}/countries/{code}"
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(path + query, status_code=308)
        data = store.get(edition)
        if code not in data.countries:
            country_code(country)  # text naming no country is refused as such ("'Narnia' is not a country name …")
        if is_api(request) and format != "json":
            if code not in data.countries:
                raise InputError(
                    N_("no institution from country %(country)s in edition %(edition)s"),
                    field="country",
                    params={"country": repr(code), "edition": edition},
                )
            return export(view_of(data, code).table, format, f"{safe_name(code)}-{safe_name(edition)}")
        return country_ctx(data, code, language(request))
