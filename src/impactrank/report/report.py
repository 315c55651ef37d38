"""The edition report: one self-contained HTML file (Plotly's JavaScript and the CSS inlined, so it opens
offline) or a PDF drawn by WeasyPrint from the same page with static SVG charts.

The report's content is one context dictionary (also served as JSON by the dashboard): the narrative
summary, the score distribution with band boundaries and the selection marked, an SDG profile per selected
institution, per-SDG participation and positions, movement against a previous edition relative to field
size, and a methodology and manifest appendix. No timestamps: the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import dataclasses
from functools import lru_cache

import polars as pl
from jinja2 import Environment, PackageLoader

from impactrank.countries import country_key
from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import decimals, visible
from impactrank.engine.views.lists import in_published_order
from impactrank.errors import N_, InputError
from impactrank.i18n import LOCALES
from impactrank.i18n import templates as i18n_templates
from impactrank.report import charts
from impactrank.report import typography as ty
from impactrank.report.methodology import manifest_tables, rules_text
from impactrank.report.names import in_language

MAX_PROFILES = 12  # SDG profile charts drawn; the table lists every selected institution
MAX_TABLE = 200


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("impactrank.report", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    i18n_templates.install(env)
    env.filters["percent_range"] = lambda low, high: ty.percent_range(low, high, i18n_templates.current())
    return env


def selection(
    edition: Edition, country: str | None = None, group: str | None = None, members: pl.DataFrame | None = None
) -> tuple[list[str], pl.DataFrame | None]:
    """Ids of the selected institutions (a country, a group, or both) and the group members used."""
    if not country and not group:
        return [], members
    ids = edition.institutions
    if country:
        ids = ids.filter(pl.col("country") == country.upper())
        if ids.height == 0:
            raise InputError(
                N_("no institution from country %(country)s in edition %(edition)s"),
                field="country",
                params={"country": repr(country), "edition": edition.id},
            )
    if group:
        from impactrank.engine.views.lists import group_members, groups_from_institutions

        if members is None:
            members = groups_from_institutions(edition)
        wanted = group_members(members, group)["institution_id"].to_list()
        ids = ids.filter(pl.col("institution_id").is_in(wanted))
    return ids["institution_id"].to_list(), members


def report_context(
    edition: Edition,
    previous: Edition | None = None,
    country: str | None = None,
    group: str | None = None,
    lang: str = "en",
    members: pl.DataFrame | None = None,
    institution: str | None = None,
) -> dict:
    """Everything the report shows, as plain data (the JSON twin of the report). ``institution``: one
    institution's report, its press summary in place of the edition's (shown as a selection of one, by name)."""
    from impactrank.report.summary import summarise

    if lang not in LOCALES:
        raise InputError(
            N_("--lang must be one of %(languages)s, not %(lang)s"),
            field="lang",
            params={"languages": ", ".join(LOCALES), "lang": repr(lang)},
        )
    country = country_key(country) if country else None
    edition = in_language(edition, lang)  # institutions under the names they use in the reader's language
    previous = None if previous is None else in_language(previous, lang)
    if institution is not None:
        from impactrank.report.institution import institution_facts
        from impactrank.report.press import press_summary

        if country or group:
            raise InputError(N_("select an institution, or a country or group, not both"), field="institution")
        facts = institution_facts(edition, previous, institution)
        summary = press_summary(facts, lang)
        ids, group = [institution], facts["institution"]["name"]
    else:
        ids, members = selection(edition, country, group, members)
        summary = summarise(edition, previous=previous, country=country, group=group, members=members, lang=lang)
    names = edition.institutions.select("institution_id", "name", "country")
    selected = visible(  # what the table shows: a band's members by name, with no position or score behind it
        in_published_order(
            edition.overall.filter(pl.col("institution_id").is_in(ids)).join(names, on="institution_id", how="left"),
            pl.col("overall_score"),
            decimals(edition),
        )
    )
    ranked_ids = selected["institution_id"].to_list()
    unranked = names.filter(pl.col("institution_id").is_in(ids) & ~pl.col("institution_id").is_in(ranked_ids))
    profile_ids = (ranked_ids + sorted(unranked["institution_id"].to_list()))[:MAX_PROFILES]
    name_of = dict(names.select("institution_id", "name").iter_rows())
    dist = charts.distribution_data(edition, ranked_ids, lang=lang)
    part = charts.participation_data(edition, profile_ids[:6], lang=lang)
    profiles = [charts.profile_data(edition, iid, name_of.get(iid), lang=lang) for iid in profile_ids]
    movement = None
    comparison_rows: list[dict] = []
    if previous is not None:
        from impactrank.engine.views.compare import compare_editions

        comp = compare_editions(previous, edition, institution_ids=ids if ids else None)
        table = comp.table
        if not ids:
            table = table.filter(pl.col("status") == "both").head(20)
        comparison_rows = table.head(MAX_TABLE).to_dicts()
        movement = charts.movement_data(comp if ids else dataclasses.replace(comp, table=table), lang=lang)
        movement["counts"] = comp.counts()
    return {
        "lang": lang,
        "edition": {
            "id": edition.id,
            "year": edition.year,
            "kind": edition.kind,
            "source": edition.source,
            "field_size": edition.field_size,
            "participants": edition.participants,
        },
        "previous": None
        if previous is None
        else {"id": previous.id, "year": previous.year, "field_size": previous.field_size},
        "selection": {"country": country, "group": group, "institutions": len(ids), "ranked": len(ranked_ids)},
        "summary": summary.to_dict(),
        "selected": selected.head(MAX_TABLE)
        .select(
            "institution_id", "name", "country", "rank", "rank_position", "overall_display", "overall_score", "top_sdgs"
        )
        .to_dicts(),
        "unranked": unranked.sort("name").head(MAX_TABLE).to_dicts(),
        "charts": {"distribution": dist, "participation": part, "profiles": profiles, "movement": movement},
        "comparison": comparison_rows,
        "rules": edition.manifest.get("overall_rules", {}),
        "rules_text": rules_text(edition.manifest.get("overall_rules", {}), edition.kind, lang),
        "manifest": edition.manifest,
        "manifest_tables": manifest_tables(edition.manifest, lang),
    }


def _figures(ctx: dict, static: bool) -> list[dict]:
    """Chart blocks in document order, each with a stable id, its Plotly JSON and its SVG twin."""
    c = ctx["charts"]
    specs = [("distribution", c["distribution"])] + [(f"profile-{i}", p) for i, p in enumerate(c["profiles"])]
    specs.append(("participation", c["participation"]))
    if c["movement"] and c["movement"]["items"]:
        specs.append(("movement", c["movement"]))
    out = {}
    for key, spec in specs:
        svg = charts.svg(spec)
        out[key] = {
            "id": f"chart-{key}",
            "title": spec["title"],
            "svg": svg,
            "img": "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
            "json": None if static else charts.figure_json(spec),
        }
    return out


def _render(ctx: dict, static: bool) -> str:
    with i18n_templates.rendering(ctx["lang"]):
        return (
            _env()
            .get_template("report.html.j2")
            .render(
                c=ctx,
                figs=_figures(ctx, static),
                static=static,
                plotly_js=None if static else _plotly_js(),
                drawing_script=None if static else charts.DRAWING_SCRIPT.read_text(encoding="utf-8"),
            )
        )


def render_html(*selection, **options) -> str:
    """The interactive, self-contained HTML report of a selection (the arguments of :func:`report_context`)."""
    return _render(report_context(*selection, **options), static=False)


def render_pdf(*selection, **options) -> bytes:
    """The PDF report: the same page with static SVG charts, laid out by WeasyPrint."""
    from weasyprint import HTML

    html = _render(report_context(*selection, **options), static=True)
    return HTML(string=html, base_url=None).write_pdf()
