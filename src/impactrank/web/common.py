"""What the dashboard's pages share: their query and path parameters, pagination and links, an edition's
header, and the narrative summary from the report layer."""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

import polars as pl
from fastapi import Path, Query, Request

from impactrank.errors import N_, InputError
from impactrank.i18n import DEFAULT, LOCALES, ngettext, number, request_locale
from impactrank.pages import Encoded, is_api, jsonable, plain_rows
from impactrank.web.store import EditionData, Store, TableQuery

PER_PAGE_MAX = 500
COUNTRY = r"^\p{L}[\p{L} .,'’()&-]+$"  # a code or a name: letters, and the punctuation of names ("Côte d'Ivoire")
CountryParam = Annotated[
    str | None, Query(pattern=COUNTRY, max_length=100, description="ISO 3166-1 code or English country name")
]
QParam = Annotated[str | None, Query(max_length=200, description="Text in the institution name, or an exact id")]
GroupParam = Annotated[str | None, Query(max_length=200, description="Group name (from institutions' groups)")]
SdgParam = Annotated[int | None, Query(ge=1, le=17, description="Only institutions in this SDG table")]
PageParam = Annotated[int, Query(ge=1, le=1_000_000)]
PerPageParam = Annotated[int, Query(ge=1, le=PER_PAGE_MAX)]
OrderParam = Annotated[Literal["asc", "desc"], Query()]
FormatParam = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, or export the whole view")]
LangParam = Annotated[Literal[LOCALES], Query()]
EditionQuery = Annotated[str, Query(max_length=100, description="Edition id")]
CompareQuery = Annotated[str | None, Query(max_length=100, description="Earlier edition to compare with")]
SdgPath = Annotated[int, Path(ge=1, le=17, description="SDG number 1–17")]
IdPath = Annotated[str, Path(max_length=200, description="institution_id")]
CountryPath = Annotated[
    str, Path(pattern=COUNTRY, max_length=100, description="ISO 3166-1 alpha-2 code (a name redirects to it)")
]
GroupPath = Annotated[str, Path(max_length=200, description="group name")]


def language(request: Request) -> str:
    """The language of a response's words: the reader's on a page, English in the API (its fields are English)."""
    return DEFAULT if is_api(request) else request_locale(request)


def page_of(frame: pl.DataFrame, query: TableQuery, columns: list[str], encoded: list[bytes] | None = None) -> dict:
    """One page of a table; a page past the end is no page (a 404), while an empty table has its one empty page.
    With ``encoded`` (each row's JSON text by the table's ``_row``), the rows are their JSON text (:class:`Encoded`)."""
    total = frame.height
    pages = max(1, math.ceil(total / query.per_page))
    if query.page > pages:
        raise InputError(
            N_("no page %(page)s: %(total)s rows make %(pages)s page(s) of %(per_page)s"),
            field="page",
            params={"page": query.page, "total": f"{total:,}", "pages": f"{pages:,}", "per_page": query.per_page},
        )
    start = (query.page - 1) * query.per_page
    if encoded is not None:
        rows = Encoded([encoded[i] for i in frame["_row"].slice(start, query.per_page).to_list()])
        return {"total": total, "page": query.page, "per_page": query.per_page, "pages": pages, "rows": rows}
    present = set(frame.columns)
    rows = frame.slice(start, query.per_page)[[c for c in columns if c in present]]  # no lazy plan
    return {"total": total, "page": query.page, "per_page": query.per_page, "pages": pages, "rows": plain_rows(rows)}


def links(base: str, api: str, query: TableQuery, pages: int) -> dict:
    """The page's own addresses, and the previous and next pages' where there are such pages."""
    shared = urlencode(query.params())  # params never hold format, page or per_page: the extras come after them

    def url(path: str, **extra: int | str) -> str:  # the extras, numbers and format names, need no quoting
        p = "&".join(t for t in (shared, *(f"{k}={v}" for k, v in extra.items())) if t)
        return path + ("?" + p if p else "")

    return {
        "html": url(base),
        "json": url(api),
        "csv": url(api, format="csv"),
        "xlsx": url(api, format="xlsx"),
        "prev": url(base, page=query.page - 1, per_page=query.per_page) if query.page > 1 else None,
        "next": url(base, page=query.page + 1, per_page=query.per_page) if query.page < pages else None,
    }


def quoted(text: str) -> str:
    return quote(text, safe="")


def safe_name(text: str) -> str:
    return "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in text)[:60]


def edition_info(store: Store, data: EditionData) -> dict:
    e = data.edition
    return {
        "id": e.id,
        "year": e.year,
        "kind": e.kind,
        "source": e.source,
        "field_size": data.field_size,
        "rows": e.overall.height,
        "participants": e.participants,
        "previous": store.previous(e.id),
        "overall_table": e.has_overall_table,
        "sdgs": data.sdgs,
    }


def summary_of(
    store: Store,
    data: EditionData,
    country: str | None = None,
    group: str | None = None,
    members: pl.DataFrame | None = None,
    lang: str = "en",
) -> dict | None:
    """The narrative summary from the report layer, against the series' previous edition, as a dict."""
    from impactrank.report.summary import summarise

    if not data.edition.has_overall_table:  # the summary tells the overall table
        return None
    prev_id = store.previous(data.edition.id)
    previous = store.get(prev_id).edition if prev_id else None
    s = summarise(data.edition, previous=previous, country=country, group=group, members=members, lang=lang)
    return jsonable(s.to_dict())


_SDG_TABLES = re.compile(r"(\d+) SDG tables \(the-workbook\)")


def source_words(source: str, lang: str) -> str:
    """An imported edition's source as the importer stores it ("….xlsx + 17 SDG tables (the-workbook)"), its
    words in the reader's language; file names stay as they are."""
    return _SDG_TABLES.sub(
        lambda m: (
            ngettext("%(count)s SDG table (THE workbook)", "%(count)s SDG tables (THE workbooks)", int(m[1]), lang)
            % {"count": number(int(m[1]), lang)}
        ),
        source,
    )
