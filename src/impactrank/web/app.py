"""The dashboard: a read-only FastAPI application over a workspace.

Every HTML page has a JSON twin under ``/api`` built from the same context dictionary (datasette's
pattern), and every table view exports as CSV or XLSX with ``format=csv|xlsx`` on its ``/api`` twin.
Templates autoescape everything; data embedded in ``<script>`` is JSON with ``<``, ``>`` and ``&``
escaped; parameters are validated so bad input is a 4xx with a message, never a 500.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import polars as pl
import swagger_ui_bundle
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from impactrank.errors import InputError
from impactrank.report import charts
from impactrank.web.store import (
    OVERALL_COLUMNS,
    OVERALL_SORTS,
    SDG_COLUMNS,
    SDG_SORTS,
    EditionData,
    Store,
    TableQuery,
    filter_table,
)

PER_PAGE_MAX = 500
EXPORT_MAX = 200_000
CountryParam = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code")]
QParam = Annotated[str | None, Query(max_length=200, description="Text in the institution name, or an exact id")]
GroupParam = Annotated[str | None, Query(max_length=200, description="Group name (from institutions' groups)")]
SdgParam = Annotated[int | None, Query(ge=1, le=17, description="Only institutions in this SDG table")]
PageParam = Annotated[int, Query(ge=1, le=1_000_000)]
PerPageParam = Annotated[int, Query(ge=1, le=PER_PAGE_MAX)]
OrderParam = Annotated[Literal["asc", "desc"], Query()]
FormatParam = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, or export the whole view")]
LangParam = Annotated[Literal["en", "fr"], Query()]
ReportEdition = Annotated[str, Query(max_length=100, description="Edition id")]
ReportCompare = Annotated[str | None, Query(max_length=100, description="Earlier edition to compare with")]


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("impactrank.web", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["num"] = _num
    env.globals["SDG_COLOURS"] = charts.SDG_COLOURS
    return env


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def jsonable(value: Any) -> Any:
    """Plain JSON values from view objects: dataclasses, polars frames, NaN → null (primitives first: hot)."""
    t = type(value)
    if value is None or t is str or t is int or t is bool:
        return value
    if t is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if t is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [jsonable(v) for v in value]
    if isinstance(value, pl.DataFrame):
        return [jsonable(r) for r in value.to_dicts()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _export(frame: pl.DataFrame, fmt: str, filename: str) -> Response:
    """The whole view as CSV or XLSX, formula-like text neutralised by the io layer."""
    from impactrank.io.exports import export_table

    if frame.height > EXPORT_MAX:
        raise InputError(
            f"export is limited to {EXPORT_MAX} rows; this view has {frame.height} — filter it first", field="format"
        )
    data = export_table(frame, fmt)  # neutralises formula-like text (keeps "=12" ranks)
    media = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    return Response(
        content=data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    )


def _page(frame: pl.DataFrame, query: TableQuery, columns: list[str]) -> dict:
    total = frame.height
    pages = max(1, math.ceil(total / query.per_page))
    start = (query.page - 1) * query.per_page
    rows = frame.slice(start, query.per_page).select([c for c in columns if c in frame.columns]).to_dicts()
    return {"total": total, "page": query.page, "per_page": query.per_page, "pages": pages, "rows": jsonable(rows)}


def _links(base: str, api: str, query: TableQuery) -> dict:
    params = query.params()

    def url(path: str, **extra: Any) -> str:
        p = dict(params, **extra)
        return path + ("?" + urlencode(p) if p else "")

    return {
        "html": url(base),
        "json": url(api),
        "csv": url(api, format="csv"),
        "xlsx": url(api, format="xlsx"),
        "prev": url(base, page=query.page - 1, per_page=query.per_page) if query.page > 1 else None,
        "next": url(base, page=query.page + 1, per_page=query.per_page),
    }


WORKSPACE_ENV = "IMPACTRANK_WORKSPACE"
GROUPS_ENV = "IMPACTRANK_GROUPS"


def app_from_environment() -> FastAPI:
    """The app for each worker process of a multi-worker server (uvicorn imports it by name)."""
    return create_app(
        os.environ[WORKSPACE_ENV],
        preload=True,
        cache=os.environ.get("IMPACTRANK_CACHE", "1") == "1",
        groups=os.environ.get(GROUPS_ENV) or None,
    )


def create_app(
    workspace_path: str | Path, preload: bool = False, cache: bool = True, groups: str | Path | None = None
) -> FastAPI:
    """The dashboard over a workspace file, opened read-only; ``cache`` keeps rendered GET responses;
    ``groups`` is a groups file whose groups replace the institutions' groups columns."""
    store = Store(workspace_path, groups)
    if preload:
        store.preload()
    env = _env()
    app = FastAPI(
        title="impactrank dashboard",
        version="1",
        docs_url=None,  # served below from the bundled Swagger UI, so the docs work offline too
        description="Read-only views of the editions in an impactrank workspace. Every HTML page "
        "has a JSON twin under /api; table views export with format=csv|xlsx.",
    )
    app.state.store = store
    app.add_middleware(DropEmptyParams)
    if cache:
        app.add_middleware(ResponseCache)
    plotly_js: dict[str, bytes] = {}

    def render(request: Request, template: str, ctx: dict, status: int = 200) -> HTMLResponse:
        body = env.get_template(template).render(request_path=request.url.path, **ctx)
        return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api")

    def error(request: Request, status: int, message: str, detail: Any = None) -> Response:
        if is_api(request):
            return JSONResponse({"error": message, "status": status, "detail": jsonable(detail)}, status_code=status)
        return render(
            request, "error.html.j2", {"title": f"Error {status}", "status": status, "message": message}, status
        )

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> Response:
        status = 404 if exc.field in {"edition", "institution", "group", "country", "sdg"} else 400
        return error(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path"))
            parts.append(f"parameter '{loc}': {e.get('msg')}")
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        return error(request, 422, "invalid request: " + "; ".join(parts), detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = f"no page at {request.url.path}" if exc.status_code == 404 else str(exc.detail)
        return error(request, exc.status_code, message)

    def respond(request: Request, template: str, ctx: dict, api: bool) -> Response:
        if api:
            return JSONResponse(jsonable({k: v for k, v in ctx.items() if not k.startswith("_")}))
        return render(request, template, ctx)

    # ----------------------------------------------------------------- editions
    def editions_ctx() -> dict:
        eds = store.editions()
        return {
            "title": "Editions",
            "editions": [
                dict(e, links={"html": f"/editions/{e['edition']}", "json": f"/api/editions/{e['edition']}"})
                for e in eds
            ],
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request) -> Response:
        return respond(request, "editions.html.j2", editions_ctx(), False)

    @app.get("/editions", response_class=HTMLResponse, include_in_schema=False)
    async def editions_page(request: Request) -> Response:
        return respond(request, "editions.html.j2", editions_ctx(), False)

    @app.get("/api/editions", summary="Editions in the workspace")
    async def editions_api(request: Request) -> Response:
        return respond(request, "", editions_ctx(), True)

    # ----------------------------------------------------------------- overall table
    def overall_ctx(data: EditionData, query: TableQuery) -> tuple[dict, pl.DataFrame]:
        if query.sort not in OVERALL_SORTS:
            raise InputError(f"sort must be one of {', '.join(OVERALL_SORTS)}", field="sort")
        frame = filter_table(data, None, query, OVERALL_SORTS)
        e = data.edition
        base, api = f"/editions/{e.id}", f"/api/editions/{e.id}"
        ctx = {
            "title": f"Overall table {e.id}",
            "edition": _edition_info(store, data),
            "filters": query.params() | {"page": query.page, "per_page": query.per_page},
            **_page(frame, query, OVERALL_COLUMNS),
            "links": _links(base, api, query) | _report_links(store, data, query),
            "_countries": data.countries,
            "_groups": list(data.groups),
            "_sorts": list(OVERALL_SORTS),
        }
        return ctx, frame

    def overall_route(api: bool):
        async def handler(
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
        ) -> Response:
            data = store.get(edition)
            query = TableQuery(
                q=q,
                country=country,
                group=group,
                sdg=sdg,
                sort=sort,
                order=order,
                page=page,
                per_page=per_page,
            )
            ctx, frame = overall_ctx(data, query)
            if api and format != "json":
                return _export(
                    frame.select([c for c in OVERALL_COLUMNS if c in frame.columns]),
                    format,
                    f"overall-{_safe_name(edition)}",
                )
            return respond(request, "overall.html.j2", ctx, api)

        return handler

    app.get("/editions/{edition}", response_class=HTMLResponse, include_in_schema=False)(overall_route(False))
    app.get("/api/editions/{edition}", summary="Overall table (filter, sort, paginate; format=csv|xlsx exports)")(
        overall_route(True)
    )

    # ----------------------------------------------------------------- SDG table
    def sdg_route(api: bool):
        async def handler(
            request: Request,
            edition: str,
            sdg: Annotated[int, _sdg_path()],
            q: QParam = None,
            country: CountryParam = None,
            group: GroupParam = None,
            sort: Literal["rank", "name", "country", "score"] = "rank",
            order: OrderParam = "asc",
            page: PageParam = 1,
            per_page: PerPageParam = 50,
            format: FormatParam = "json",
        ) -> Response:
            data = store.get(edition)
            query = TableQuery(
                q=q,
                country=country,
                group=group,
                sort=sort,
                order=order,
                page=page,
                per_page=per_page,
            )
            frame = filter_table(data, data.sdg_table(sdg), query, SDG_SORTS)
            if api and format != "json":
                return _export(
                    frame.select([c for c in SDG_COLUMNS if c in frame.columns]),
                    format,
                    f"sdg{sdg}-{_safe_name(edition)}",
                )
            e = data.edition
            base, api_url = f"/editions/{e.id}/sdgs/{sdg}", f"/api/editions/{e.id}/sdgs/{sdg}"
            ctx = {
                "title": f"SDG {sdg} table {e.id}",
                "edition": _edition_info(store, data),
                "sdg": sdg,
                "filters": query.params() | {"page": page, "per_page": per_page},
                **_page(frame, query, SDG_COLUMNS),
                "links": _links(base, api_url, query),
                "_countries": data.countries,
                "_groups": list(data.groups),
                "_sorts": list(SDG_SORTS),
            }
            return respond(request, "sdg.html.j2", ctx, api)

        return handler

    app.get("/editions/{edition}/sdgs/{sdg}", response_class=HTMLResponse, include_in_schema=False)(sdg_route(False))
    app.get("/api/editions/{edition}/sdgs/{sdg}", summary="One SDG table (filter, sort, paginate, export)")(
        sdg_route(True)
    )

    # ----------------------------------------------------------------- institution
    def institution_ctx(data: EditionData, iid: str) -> dict:
        from impactrank.engine.explain import explain_institution

        info = data.institution(iid)
        if info is None:
            raise InputError(f"no institution {iid!r} in edition {data.edition.id}", field="institution")
        e = data.edition
        slim = _slim_edition(data, iid)
        ex = explain_institution(slim, iid)
        overall = data.overall_row(iid)
        history = []
        sdg_history: dict[int, dict[str, dict]] = {}
        for ed in store.editions():
            other = store.get(ed["edition"])
            row = other.overall_row(iid)
            inst = other.institution(iid)
            sizes = other.edition.sdg_table_sizes()
            for r in other.institution_rows(iid).iter_rows(named=True):
                sdg_history.setdefault(r["sdg"], {})[ed["edition"]] = {
                    "rank": r["rank"],
                    "table_size": sizes.get(r["sdg"]),
                    "score": r["score"],
                    "score_low": r["score_low"],
                    "score_high": r["score_high"],
                    "counted": r["counted"],
                }
            history.append(
                {
                    "edition": ed["edition"],
                    "year": ed["year"],
                    "field_size": other.edition.field_size,
                    "in_edition": inst is not None,
                    "rank": row["rank"] if row else None,
                    "rank_interval": row["rank_interval"] if row else None,
                    "band": row["band"] if row else None,
                    "overall_display": row["overall_display"] if row else None,
                    "overall_score": row["overall_score"] if row else None,
                    "top_percent_low": _pct(row and row["rank_low"], other.edition.field_size),
                    "top_percent_high": _pct(
                        row and (row["rank_high"] or other.edition.field_size), other.edition.field_size
                    ),
                    "link": f"/editions/{ed['edition']}/institutions/{iid}" if inst is not None else None,
                }
            )
        profile = charts.profile_from_rows(slim.sdg_scores.to_dicts(), iid, info["name"])
        sdgs = []
        for part in ex.sdgs:
            sdgs.append(
                {
                    "sdg": part.sdg,
                    "score": part.score,
                    "scaled": part.scaled,
                    "counted": part.counted,
                    "rank": part.rank,
                    "scale_min": part.scale_min,
                    "scale_max": part.scale_max,
                    "metrics": part.metrics.to_dicts(),
                }
            )
        unc = slim.rank_uncertainty.to_dicts()
        return {
            "title": info["name"] or iid,
            "edition": _edition_info(store, data),
            "institution": {
                "institution_id": iid,
                "name": info["name"],
                "country": info["country"],
                "groups": [g for g in (info["groups"] or "").split(";") if g],
            },
            "overall": None
            if overall is None
            else {
                k: overall.get(k)
                for k in (
                    "rank",
                    "rank_interval",
                    "rank_position",
                    "band",
                    "overall_score",
                    "overall_display",
                    "sdg17_score",
                    "top_sdgs",
                    "quality",
                )
            },
            "formula": _formula(ex),
            "rules": ex.rules,
            "sdgs": sdgs,
            "history": history,
            "sdg_history": [
                {"sdg": k, "editions": sdg_history[k]} for k in sorted(sdg_history)
            ],  # every SDG table the institution is in, in every edition (rank, table size, score)
            "rank_uncertainty": unc,
            "chart": profile,
            "links": {
                "html": f"/editions/{e.id}/institutions/{iid}",
                "json": f"/api/editions/{e.id}/institutions/{iid}",
            },
            "_figure": charts.figure_json(profile),
            "_svg": charts.svg(profile),
        }

    def institution_route(api: bool):
        async def handler(request: Request, edition: str, institution_id: Annotated[str, _id_path()]) -> Response:
            data = store.get(edition)
            return respond(request, "institution.html.j2", institution_ctx(data, institution_id), api)

        return handler

    app.get("/editions/{edition}/institutions/{institution_id}", response_class=HTMLResponse, include_in_schema=False)(
        institution_route(False)
    )
    app.get(
        "/api/editions/{edition}/institutions/{institution_id}",
        summary="An institution: scores, ranks, bands across editions, and how its overall score arises",
    )(institution_route(True))

    # ----------------------------------------------------------------- what-if on a published edition
    def whatif_ctx(data: EditionData, iid: str, request: Request) -> dict:
        from impactrank.engine.edition import previous_ids
        from impactrank.engine.whatif_published import whatif_published

        e = data.edition
        if e.kind != "imported":
            raise InputError(
                f"edition {e.id} is built: its what-if changes metric values (impactrank whatif --set)",
                field="edition",
            )
        settings: dict[int, float] = {}
        for k in range(1, 18):
            text = (request.query_params.get(f"s{k}") or "").strip()
            if text:
                try:
                    settings[k] = float(text.replace(",", "."))
                except ValueError:
                    raise InputError(f"parameter 's{k}': {text!r} is not a score", field="set-sdg") from None
        prev = (previous_ids(e.id) or [None])[0]
        previous = store.get(prev).edition if prev in store.edition_ids() else None
        result = whatif_published(e, iid, settings, previous)
        return {
            "title": f"What if: {result.name or iid} in {e.id}",
            "edition": _edition_info(store, data),
            "institution_id": iid,
            "settings": {str(k): v for k, v in settings.items()},
            "result": result.to_dict(),
            "links": {
                "institution": f"/editions/{e.id}/institutions/{iid}",
                "json": f"/api/editions/{e.id}/institutions/{iid}/whatif",
            },
        }

    def whatif_route(api: bool):
        async def handler(request: Request, edition: str, institution_id: Annotated[str, _id_path()]) -> Response:
            return respond(request, "whatif.html.j2", whatif_ctx(store.get(edition), institution_id, request), api)

        return handler

    app.get(
        "/editions/{edition}/institutions/{institution_id}/whatif", response_class=HTMLResponse, include_in_schema=False
    )(whatif_route(False))
    app.get(
        "/api/editions/{edition}/institutions/{institution_id}/whatif",
        summary="A published edition: the institution's overall score and place recomputed from SDG scores "
        "s1…s17 (query parameters), by the edition's reproduced rule",
    )(whatif_route(True))

    # ----------------------------------------------------------------- country
    def country_ctx(data: EditionData, code: str, lang: str) -> dict:
        from impactrank.engine.views import country_view

        code = code.upper()
        if code not in data.countries:
            raise InputError(f"no institution from country {code!r} in edition {data.edition.id}", field="country")
        view = country_view(data.edition, code)
        summary = _summary(store, data, country=code, lang=lang)
        e = data.edition
        return {
            "title": f"{code} in {e.id}",
            "edition": _edition_info(store, data),
            "country": code,
            "count": view.count,
            "field_size": view.field_size,
            "leaders": view.leaders,
            "table": jsonable(view.table),
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

    def country_route(api: bool):
        async def handler(
            request: Request,
            edition: str,
            country: Annotated[str, _country_path()],
            lang: LangParam = "en",
            format: FormatParam = "json",
        ) -> Response:
            data = store.get(edition)
            if api and format != "json":
                from impactrank.engine.views import country_view

                if country.upper() not in data.countries:
                    raise InputError(f"no institution from country {country.upper()!r}", field="country")
                table = country_view(data.edition, country.upper()).table
                return _export(table, format, f"{_safe_name(country.upper())}-{_safe_name(edition)}")
            return respond(request, "country.html.j2", country_ctx(data, country, lang), api)

        return handler

    app.get("/editions/{edition}/countries/{country}", response_class=HTMLResponse, include_in_schema=False)(
        country_route(False)
    )
    app.get("/api/editions/{edition}/countries/{country}", summary="A country's institutions and national ranks")(
        country_route(True)
    )

    # ----------------------------------------------------------------- group
    def group_ctx(data: EditionData, group: str, lang: str) -> dict:
        from impactrank.engine.views import group_view

        if group not in data.groups:
            known = ", ".join(data.groups) or "none"
            raise InputError(f"no group {group!r} in edition {data.edition.id} (groups: {known})", field="group")
        members = data.members
        view = group_view(data.edition, members, group)
        summary = _summary(store, data, group=group, members=members, lang=lang)
        e = data.edition
        q = urlencode({"group": group})
        return {
            "title": f"{group} in {e.id}",
            "edition": _edition_info(store, data),
            "group": view.group,
            "members": view.members,
            "ranked": jsonable(view.ranked),
            "absent": jsonable(view.absent),
            "sdg_positions": jsonable(view.sdg_positions),
            "summary": summary,
            "links": {
                "html": f"/editions/{e.id}/groups/{_quote(group)}",
                "json": f"/api/editions/{e.id}/groups/{_quote(group)}",
                "csv": f"/api/editions/{e.id}/groups/{_quote(group)}?format=csv",
                "xlsx": f"/api/editions/{e.id}/groups/{_quote(group)}?format=xlsx",
                "table": f"/editions/{e.id}?{q}",
                "report": f"/report?edition={e.id}&{q}&lang={lang}",
            },
        }

    def group_route(api: bool):
        async def handler(
            request: Request,
            edition: str,
            group: Annotated[str, _group_path()],
            lang: LangParam = "en",
            format: FormatParam = "json",
        ) -> Response:
            ctx = group_ctx(store.get(edition), group, lang)
            if api and format != "json":
                return _export(pl.DataFrame(ctx["ranked"]), format, f"group-{_safe_name(group)}-{_safe_name(edition)}")
            return respond(request, "group.html.j2", ctx, api)

        return handler

    app.get("/editions/{edition}/groups/{group:path}", response_class=HTMLResponse, include_in_schema=False)(
        group_route(False)
    )
    app.get("/api/editions/{edition}/groups/{group:path}", summary="A group's members, ranked and absent")(
        group_route(True)
    )

    # ----------------------------------------------------------------- comparison
    def compare_route(api: bool):
        async def handler(
            request: Request,
            before: Annotated[str, Query(max_length=100)],
            after: Annotated[str, Query(max_length=100)],
            country: CountryParam = None,
            group: GroupParam = None,
            page: PageParam = 1,
            per_page: PerPageParam = 50,
            format: FormatParam = "json",
        ) -> Response:
            from impactrank.engine.compare import compare_editions

            b, a = store.get(before), store.get(after)
            ids = _selection(a, b, country.upper() if country else None, group)
            comp = compare_editions(b.edition, a.edition, institution_ids=ids)
            if api and format != "json":
                return _export(comp.table, format, f"compare-{_safe_name(before)}-{_safe_name(after)}")
            query = TableQuery(country=country, group=group, page=page, per_page=per_page)
            params = {"before": before, "after": after} | query.params()
            base, api_url = "/compare", "/api/compare"
            spec = charts.movement_data(comp) if ids is not None else None
            ctx = {
                "title": f"Comparison {before} → {after}",
                "before": before,
                "after": after,
                "field_from": comp.field_from,
                "field_to": comp.field_to,
                "counts": comp.counts(),
                "filters": params | {"page": page, "per_page": per_page},
                **_page(comp.table, query, comp.table.columns),
                "links": {
                    "html": f"{base}?{urlencode(params)}",
                    "json": f"{api_url}?{urlencode(params)}",
                    "csv": f"{api_url}?{urlencode(params | {'format': 'csv'})}",
                    "xlsx": f"{api_url}?{urlencode(params | {'format': 'xlsx'})}",
                    "prev": f"{base}?{urlencode(params | {'page': page - 1})}" if page > 1 else None,
                    "next": f"{base}?{urlencode(params | {'page': page + 1})}",
                },
                "chart": spec,
                "_figure": charts.figure_json(spec) if spec and spec["items"] else None,
                "_editions": store.edition_ids(),
                "_countries": a.countries,
                "_groups": list(a.groups),
            }
            return respond(request, "compare.html.j2", ctx, api)

        return handler

    app.get("/compare", response_class=HTMLResponse, include_in_schema=False)(compare_route(False))
    app.get("/api/compare", summary="Edition-over-edition comparison (movement relative to field size)")(
        compare_route(True)
    )

    # ----------------------------------------------------------------- report
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
    async def report_page(
        edition: ReportEdition,
        compare: ReportCompare = None,
        country: CountryParam = None,
        group: GroupParam = None,
        lang: LangParam = "en",
    ) -> Response:
        from impactrank.report.report import render_html

        return HTMLResponse(render_html(**report_args(edition, compare, country, group), lang=lang))

    @app.get("/report.pdf", include_in_schema=False)
    async def report_pdf(
        edition: ReportEdition,
        compare: ReportCompare = None,
        country: CountryParam = None,
        group: GroupParam = None,
        lang: LangParam = "en",
    ) -> Response:
        from impactrank.report.report import render_pdf

        pdf = render_pdf(**report_args(edition, compare, country, group), lang=lang)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="report-{_safe_name(edition)}.pdf"'},
        )

    @app.get("/api/report", summary="The report's data: summary, chart data, selection")
    async def report_api(
        edition: ReportEdition,
        compare: ReportCompare = None,
        country: CountryParam = None,
        group: GroupParam = None,
        lang: LangParam = "en",
    ) -> Response:
        from impactrank.report.report import report_context

        ctx = report_context(**report_args(edition, compare, country, group), lang=lang)
        return JSONResponse(jsonable({k: v for k, v in ctx.items() if not k.startswith("_")}))

    # ----------------------------------------------------------------- API docs (offline)
    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="impactrank API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    @app.get("/static/swagger/{name}", include_in_schema=False)
    async def swagger_asset(name: str) -> Response:
        if name not in SWAGGER_FILES:
            raise StarletteHTTPException(404)
        path = Path(swagger_ui_bundle.swagger_ui_path) / name
        return Response(
            path.read_bytes(), media_type=SWAGGER_FILES[name], headers={"Cache-Control": "public, max-age=86400"}
        )

    # ----------------------------------------------------------------- static
    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name == "plotly.min.js":
            if not plotly_js:
                from plotly.offline import get_plotlyjs

                plotly_js["js"] = get_plotlyjs().encode("utf-8")
            return Response(
                plotly_js["js"], media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"}
            )
        if name in STATIC_FILES:
            path = Path(__file__).parent / "static" / name
            return Response(
                path.read_bytes(), media_type=STATIC_FILES[name], headers={"Cache-Control": "public, max-age=3600"}
            )
        raise StarletteHTTPException(404)

    return app


SWAGGER_FILES = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


class ResponseCache:
    """Keep successful GET responses in memory, keyed by path and query string.

    Sound because the server is read-only and an edition, once loaded, stays as loaded while it runs: the
    same URL always renders the same bytes (the edition list, which may grow, is not kept). Exports, the
    report and the PDF are not kept (large, rarely repeated); neither are errors. Bounded by entry count
    and total bytes (oldest dropped first).
    """

    SKIP_PREFIXES = ("/report", "/static/plotly")
    SKIP_PATHS = frozenset({"/", "/editions", "/api/editions"})  # the edition list may grow while serving

    def __init__(
        self, app: Any, max_entries: int = 20_000, max_bytes: int = 256 * 2**20, max_body: int = 512 * 2**10
    ) -> None:
        from collections import OrderedDict

        self.app = app
        self.entries: OrderedDict[tuple[str, bytes], tuple[int, list, bytes]] = OrderedDict()
        self.size = 0
        self.max_entries, self.max_bytes, self.max_body = max_entries, max_bytes, max_body
        self.hits = self.misses = 0

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"].startswith(self.SKIP_PREFIXES)
            or scope["path"] in self.SKIP_PATHS
            or b"format=" in scope.get("query_string", b"")
        ):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""))
        hit = self.entries.get(key)
        if hit is not None:
            self.hits += 1
            self.entries.move_to_end(key)
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        self.misses += 1
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._store(key, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[str, bytes], start: dict, body: bytes) -> None:
        if start.get("status") != 200 or len(body) > self.max_body:
            return
        self.entries[key] = (200, list(start.get("headers", [])), body)
        self.size += len(body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, (_, _, old) = self.entries.popitem(last=False)
            self.size -= len(old)


class DropEmptyParams:
    """Treat an empty query parameter as absent: HTML filter forms submit "sdg=&group=" for "any"."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            parts = [p for p in scope["query_string"].split(b"&") if p and not p.endswith(b"=")]
            scope = dict(scope, query_string=b"&".join(parts))
        await self.app(scope, receive, send)


# Dashboard pages run only the server's own scripts: even if escaping failed somewhere, an injected inline
# script would not execute. (The self-contained report inlines its scripts and is served without this.)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

STATIC_FILES = {"style.css": "text/css; charset=utf-8", "app.js": "application/javascript"}


def _sdg_path():
    from fastapi import Path as P

    return P(ge=1, le=17, description="SDG number 1–17")


def _id_path():
    from fastapi import Path as P

    return P(max_length=200, description="institution_id")


def _country_path():
    from fastapi import Path as P

    return P(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code")


def _group_path():
    from fastapi import Path as P

    return P(max_length=200, description="group name")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _report_links(store: Store, data: EditionData, query: TableQuery) -> dict:
    """The report for the table's selection (country, group), against the previous edition when there is one."""
    params = {"edition": data.edition.id}
    previous = store.previous(data.edition.id)
    if previous:
        params["compare"] = previous
    params |= {k: v for k, v in (("country", query.country), ("group", query.group)) if v}
    return {"report": "/report?" + urlencode(params), "report_pdf": "/report.pdf?" + urlencode(params)}


def _formula(ex: Any) -> str | None:
    """The explanation's formula, or None when the edition lacks scaled scores (imported tables)."""
    try:
        return ex.formula
    except (TypeError, KeyError, ValueError):
        return None


def _pct(rank: int | None, field: int) -> float | None:
    """A rank as 'top x %' of the field (the words and arithmetic of the comparison)."""
    return round(100.0 * rank / field, 1) if rank and field else None


def _safe_name(text: str) -> str:
    return "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in text)[:60]


def _edition_info(store: Store, data: EditionData) -> dict:
    e = data.edition
    return {
        "id": e.id,
        "year": e.year,
        "kind": e.kind,
        "source": e.source,
        "field_size": e.field_size,
        "rows": e.overall.height,
        "participants": e.participants,
        "previous": store.previous(e.id),
    }


def _selection(a: EditionData, b: EditionData, country: str | None, group: str | None) -> list[str] | None:
    """Institution ids of a country or group in either edition; None when nothing is selected."""
    if not country and not group:
        return None
    ids: set[str] = set()
    for data in (a, b):
        inst = data.institutions
        if country:
            ids |= set(inst.filter(pl.col("country") == country)["institution_id"].to_list())
        if group:
            ids |= set(data.groups.get(group, []))
    if country and group:
        keep: set[str] = set()
        for data in (a, b):
            keep |= set(data.groups.get(group, [])) & set(
                data.institutions.filter(pl.col("country") == country)["institution_id"].to_list()
            )
        ids = keep
    return sorted(ids)


def _slim_edition(data: EditionData, iid: str):
    """The edition restricted to one institution's rows (scaling and manifest kept), so explaining an
    institution costs binary searches, not scans of a 100,000-institution edition. The slices come from the
    edition's own conformed tables, so they are assigned as they are (no second conform pass)."""
    from impactrank.engine.edition import Edition

    e = data.edition
    slim = object.__new__(Edition)
    slim.__dict__.update(
        id=e.id,
        year=e.year,
        kind=e.kind,
        source=e.source,
        manifest=e.manifest,
        sdg_scaling=e.sdg_scaling,
        institutions=data.institution_frame(iid),
        overall=data.overall_frame(iid),
        sdg_scores=data.institution_rows(iid),
        metric_scores=data.metric_rows(iid),
        rank_uncertainty=data.uncertainty_rows(iid),
        previous_scores=e.previous_scores.filter(pl.col("institution_id") == iid),
    )
    return slim


def _summary(
    store: Store,
    data: EditionData,
    country: str | None = None,
    group: str | None = None,
    members: pl.DataFrame | None = None,
    lang: str = "en",
) -> dict | None:
    """The narrative summary from the report layer, as a dict."""
    from impactrank.report.summary import summarise

    prev_id = store.previous(data.edition.id)
    previous = store.get(prev_id).edition if prev_id else None
    s = summarise(data.edition, previous=previous, country=country, group=group, members=members, lang=lang)
    return jsonable(s.to_dict())
