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
import json
from functools import lru_cache

import polars as pl
from jinja2 import Environment, PackageLoader

from impactrank.countries import country_key, country_name
from impactrank.engine.edition import Edition
from impactrank.engine.shown import decimals, visible
from impactrank.engine.views import in_published_order
from impactrank.errors import InputError
from impactrank.i18n import templates as i18n_templates
from impactrank.report import charts

MAX_PROFILES = 12  # SDG profile charts drawn; the table lists every selected institution
MAX_TABLE = 200

LABELS = {
    "en": {
        "report": "Impact rankings report",
        "edition": "Edition",
        "selection": "Selection",
        "all": "whole table",
        "summary": "Summary",
        "distribution": "Distribution of overall scores",
        "distribution_note": "Bars count institutions by overall score; dotted lines mark the lowest score in each "
        "rank group (band boundaries); diamonds mark the selected institutions.",
        "selected": "Selected institutions",
        "rank": "Rank",
        "institution": "Institution",
        "country": "Country",
        "overall": "Overall",
        "best": "SDGs counted",
        "profiles": "SDG profiles",
        "profiles_note": "Coloured bars counted in the overall score (SDG 17 and the best other SDGs after "
        "rescaling); grey bars did not.",
        "profiles_more": "profiles shown of",
        "member_sdgs": "SDG positions of each member",
        "member_sdgs_note": "Every SDG table a member is ranked in, best first, against the table's size; "
        "the previous edition's position in the same SDG table and the movement relative to both tables' sizes.",
        "participation": "Participation and positions per SDG",
        "participation_note": "Bars: institutions in each SDG table. Markers: the selected institutions' positions "
        "as top % of each table.",
        "movement": "Movement between editions",
        "movement_note": "Positions are shown as top % of the overall table, so growth of the field is taken "
        "into account; movement compares those intervals.",
        "methodology": "Methodology and manifest",
        "rules": "Overall rules",
        "manifest": "Manifest",
        "none_selected": "No selection: the whole table is shown.",
        "not_ranked": "not in the overall table",
        "movement_col": "Movement",
        "field": "field",
        "facts": "Facts",
        "sdg": "SDG",
        "position": "Position",
        "no_previous": "No previous edition given (use --compare).",
    },
    "fr": {
        "report": "Rapport de classement d'impact",
        "edition": "Édition",
        "selection": "Sélection",
        "all": "classement complet",
        "summary": "Synthèse",
        "distribution": "Distribution des scores globaux",
        "distribution_note": "Les barres comptent les établissements par score global ; les lignes pointillées "
        "marquent le score le plus bas de chaque tranche ; les losanges marquent la "
        "sélection.",
        "selected": "Établissements sélectionnés",
        "rank": "Rang",
        "institution": "Établissement",
        "country": "Pays",
        "overall": "Score global",
        "best": "ODD retenus",
        "profiles": "Profils ODD",
        "profiles_note": "Les barres colorées comptent dans le score global (ODD 17 et les meilleurs autres ODD "
        "après remise à l'échelle) ; les barres grises non.",
        "profiles_more": "profils affichés sur",
        "member_sdgs": "Classements par ODD de chaque membre",
        "member_sdgs_note": "Chaque classement par ODD où figure un membre, le meilleur d'abord, rapporté à la "
        "taille du classement ; la position de l'édition précédente dans le même ODD et l'évolution rapportée "
        "aux tailles des deux classements.",
        "participation": "Participation et positions par ODD",
        "participation_note": "Barres : établissements classés dans chaque ODD. Marqueurs : position de la "
        "sélection en % du haut de chaque classement.",
        "movement": "Évolution entre éditions",
        "movement_note": "Les positions sont exprimées en % du haut du classement global, pour tenir compte "
        "de la croissance du nombre d'établissements classés.",
        "methodology": "Méthodologie et manifeste",
        "rules": "Règles du score global",
        "manifest": "Manifeste",
        "none_selected": "Aucune sélection : le classement complet est présenté.",
        "not_ranked": "absent du classement global",
        "movement_col": "Évolution",
        "field": "classés",
        "facts": "Faits",
        "sdg": "ODD",
        "position": "Position",
        "no_previous": "Aucune édition précédente (option --compare).",
    },
}


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
    env.filters["num"] = lambda v, d=1: "–" if v is None else (f"{v:.{d}f}" if isinstance(v, float) else str(v))
    env.filters["country_name"] = country_name  # a selected country is named, not coded, in the reader's language
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
            raise InputError(f"no institution from country {country!r} in edition {edition.id}", field="country")
    if group:
        from impactrank.engine.views import group_members, groups_from_institutions

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
) -> dict:
    """Everything the report shows, as plain data (the JSON twin of the report)."""
    from impactrank.report.summary import summarise

    if lang not in LABELS:
        raise InputError(f"language must be one of {', '.join(LABELS)}", field="lang")
    country = country_key(country) if country else None
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
        from impactrank.engine.compare import compare_editions

        comp = compare_editions(previous, edition, institution_ids=ids if ids else None)
        table = comp.table
        if not ids:
            table = table.filter(pl.col("status") == "both").head(20)
        comparison_rows = table.head(MAX_TABLE).to_dicts()
        movement = charts.movement_data(comp if ids else dataclasses.replace(comp, table=table), lang=lang)
        movement["counts"] = comp.counts()
    return {
        "lang": lang,
        "labels": LABELS[lang],
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
        "manifest": edition.manifest,
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
                L=ctx["labels"],
                figs=_figures(ctx, static),
                static=static,
                plotly_js=None if static else _plotly_js(),
                manifest_json=json.dumps(ctx["manifest"], indent=1, sort_keys=True, ensure_ascii=False),
                rules_json=json.dumps(ctx["rules"], indent=1, sort_keys=True, ensure_ascii=False),
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
