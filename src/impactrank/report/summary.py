"""Press-ready summaries of an edition, in English, French or Spanish, where every number comes from the data.

The facts are gathered first into ``Summary.data`` (plain numbers, names and ranks); the Jinja2 templates
``templates/summary_{en,fr,es}.md.j2`` only word them. A sentence whose facts are missing is left out:
no previous edition → no growth, no first entries, no movements; no SDG ranks (imported editions) → no SDG
positions. A shared first place is always worded as a tie. Movements use the words of
:mod:`impactrank.engine.views.compare` and nothing else, so a "maintained" move is never called progress.

"New in the table" means absent from the previous edition given (after following renamings recorded as
aliases) — not a claim about every earlier edition.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from impactrank.countries import country_name, to_alpha2
from impactrank.engine.forecast import Forecast
from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.compare import Comparison, compare_editions, compare_sdg_tables
from impactrank.engine.views.lists import (
    country_view,
    group_members,
    group_view,
    groups_from_institutions,
    sdg_positions,
    with_national_ranks,
)
from impactrank.errors import N_, InputError
from impactrank.i18n import check_locale, shown
from impactrank.i18n import templates as i18n_templates
from impactrank.report import articles as ar
from impactrank.report import typography as ty
from impactrank.report.forecast_words import summary_facts
from impactrank.report.names import in_language
from impactrank.sdgs import SDG_NAMES

TEMPLATES = Path(__file__).parent / "templates"
MAX_NAMED = 6  # longer lists of names are cut, with "and N others"


@dataclass
class Summary:
    """A paragraph, its facts as bullets, and every number they use (``data``)."""

    lang: str
    title: str
    paragraph: str
    facts: list[str]
    data: dict[str, Any] = field(default_factory=dict)

    def to_markdown(self) -> str:
        bullets = "".join(f"- {f}\n" for f in self.facts)
        return f"## {self.title}\n\n{self.paragraph}\n\n{bullets}"

    def to_text(self) -> str:
        bullets = "".join(f"  * {f}\n" for f in self.facts)
        return f"{self.title}\n\n{self.paragraph}\n\n{bullets}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "title": self.title,
            "paragraph": self.paragraph,
            "facts": list(self.facts),
            "data": self.data,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------------------
# facts


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    """The plain facts of one ranked row a sentence may use."""
    return {
        "institution_id": row["institution_id"],
        "name": row["name"] or row["institution_id"],
        "rank": row["rank"],
        "banded": bool(row.get("band")),
        "national_rank": row.get("national_rank"),
        "national_position": row.get("national_position"),
        "national_tied": bool(row.get("national_tied")),
    }


def _leaders(table: pl.DataFrame, first_ids: list[str]) -> dict[str, Any] | None:
    """Who holds national position 1, members of ``first_ids`` named first. None when nobody is ranked."""
    top = table.filter(pl.col("national_position") == 1)
    if top.height == 0:
        return None
    rows = [_entry(r) for r in top.iter_rows(named=True)]
    rows.sort(key=lambda r: (r["institution_id"] not in first_ids, r["name"]))
    return {
        "tied": len(rows) > 1,
        "names": [r["name"] for r in rows],
        "rank": rows[0]["rank"],
        "banded": rows[0]["banded"],
        "count": len(rows),
        "ids": [r["institution_id"] for r in rows],
    }


MEMBER_SDGS = 5  # SDG positions stated per group member, best first (the data keep them all)


def _sdg_positions(edition: Edition, ids: list[str]) -> pl.DataFrame:
    """The institutions' ranked SDG-table positions in tables of known size, best first per institution: a
    smaller worst-case share of the table first (a band "101–200 of 1,154" only guarantees the 200th
    place, so "55th of 566" is the better position), then the smaller best-case share. Shares are of what the
    table shows (engine.tables.shown): a band's first and last place, never the position behind it."""
    return (
        sdg_positions(edition, ids)
        .filter(pl.col("rank_low").is_not_null() & pl.col("table_size").is_not_null())
        .with_columns(share_high=pl.col("percentile_high") / 100.0, share_low=pl.col("percentile") / 100.0)
        .sort(["institution_id", "share_high", "share_low", "sdg"])
    )


def _position(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "sdg": int(r["sdg"]),
        "rank": r["rank"],
        "rank_position": r["rank_position"],  # None in a band: the table shows no position there
        "banded": bool(r["band"]),
        "table_size": int(r["table_size"]),
        "percentile": round(100.0 * r["share_low"], 2),
        "percentile_high": round(100.0 * r["share_high"], 2),
    }


def _best_sdgs(edition: Edition, ids: list[str]) -> list[dict[str, Any]]:
    """Each institution's best SDG-table position, best first. Empty when the edition holds no SDG table
    whole (an overall table imported on its own)."""
    best = _sdg_positions(edition, ids).unique("institution_id", keep="first", maintain_order=True)
    best = best.sort(["share_high", "share_low", "rank_low", "sdg", "name"])
    return [
        {"institution_id": r["institution_id"], "name": r["name"], **_position(r)} for r in best.iter_rows(named=True)
    ]


def _member_sdgs(
    edition: Edition, previous: Edition | None, ids: list[str], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Every SDG-table position of each member, best first, with last edition's position in that table and
    the movement (the rules of :mod:`impactrank.engine.views.compare`, on that SDG table's sizes)."""
    positions = _sdg_positions(edition, ids)
    before: dict[tuple[str, int], dict] = {}
    if previous is not None and positions.height:
        for r in compare_sdg_tables(previous, edition, ids).iter_rows(named=True):
            before[(r["institution_id"], r["sdg"])] = r
    by_member = positions.partition_by("institution_id", as_dict=True, maintain_order=True)
    out = []
    for iid in ids:
        rows = by_member.get((iid,))
        if rows is None:
            continue
        entries = []
        for r in rows.iter_rows(named=True):
            entry = _position(r)
            b = before.get((iid, entry["sdg"]))
            entry["rank_from"] = b["rank_from"] if b else None
            entry["table_from"] = b["table_from"] if b else None
            entry["movement"] = b["movement"] if b else None
            entries.append(entry)
        out.append({"institution_id": iid, "name": names.get(iid) or rows["name"][0] or iid, "positions": entries})
    return out


def _movement_rows(table: pl.DataFrame) -> list[dict[str, Any]]:
    """Plain per-institution comparison facts (a group's members, or a country's new entries: small)."""
    return table.select(
        "institution_id",
        "name",
        "status",
        "movement",
        "rank_change",
        "rank_from",
        "rank_to",
        pct_from=pl.when(pl.col("pct_low_from").is_not_null()).then(
            pl.concat_list(pl.col("pct_low_from").round(1), pl.col("pct_high_from").round(1))
        ),
        pct_to=pl.when(pl.col("pct_low_to").is_not_null()).then(
            pl.concat_list(pl.col("pct_low_to").round(1), pl.col("pct_high_to").round(1))
        ),
        significant=pl.col("significant"),
        renamed_from=pl.col("renamed_from"),
        name_from=pl.col("name_from"),
    ).to_dicts()


def _comparison_facts(comp: Comparison, detail: bool) -> dict[str, Any]:
    """Counts always; every row only with ``detail`` (a group); new entries named unless the scope is the
    whole table (where they are thousands)."""
    t = comp.table
    counts = comp.counts()
    in_both = counts["progressed"] + counts["maintained"] + counts["declined"]
    unclassified = t.filter((pl.col("status") == "both") & pl.col("movement").is_null()).height
    return {
        "edition_from": comp.edition_from,
        "field_from": comp.field_from,
        "field_to": comp.field_to,
        "basis": t["basis"][0] if t.height else None,
        "counts": counts,
        "in_both": in_both + unclassified,
        "classified": in_both,
        "rows": _movement_rows(t) if detail else [],
        "new": _movement_rows(t.filter(pl.col("status") == "new")) if detail is not None else [],
        "left": _movement_rows(t.filter(pl.col("status") == "left")) if detail is not None else [],
        "renamed": _movement_rows(t.filter(pl.col("renamed_from").is_not_null()).head(MAX_NAMED)),
    }


def _named_from(absent: pl.DataFrame, previous: Edition | None) -> pl.DataFrame:
    """Absent members keep the name and country the previous edition knew them by."""
    if previous is None or absent.height == 0:
        return absent
    known = previous.institutions.select("institution_id", _n=pl.col("name"), _c=pl.col("country")).unique(
        "institution_id", keep="first"
    )
    return (
        absent.join(known, on="institution_id", how="left", maintain_order="left")
        .with_columns(name=pl.coalesce("name", "_n"), country=pl.coalesce("country", "_c"))
        .drop("_n", "_c")
    )


def _whole_comparison(previous: Edition, edition: Edition) -> Comparison:
    """The two editions' whole comparison, made once per pair and kept with the edition: each country's summary
    reads its rows."""
    made = edition.derived(("comparison", id(previous)), lambda: (previous, compare_editions(previous, edition)))
    return made[1] if made[0] is previous else compare_editions(previous, edition)


def gather(
    edition: Edition, previous: Edition | None, country: str | None, group: str | None, members: pl.DataFrame | None
) -> dict[str, Any]:
    """Every fact a summary may state, as plain JSON-ready values. Sections are None when unknown."""
    data: dict[str, Any] = {"edition": edition.id, "year": edition.year, "kind": edition.kind}
    n = edition.field_size
    data["field_size"] = n
    data["previous"] = None
    if previous is not None:
        n0 = previous.field_size
        data["previous"] = {
            "edition": previous.id,
            "year": previous.year,
            "field_size": n0,
            "growth": (n - n0) if n is not None and n0 is not None else None,
            "growth_pct": round(100.0 * (n - n0) / n0, 1) if n is not None and n0 else None,
        }

    member_ids: list[str] = []
    group_data = None
    if group is not None:
        if members is None:
            members = groups_from_institutions(edition)
            if previous is not None:
                members = pl.concat([members, groups_from_institutions(previous)]).unique(
                    ["group", "institution_id"], keep="first", maintain_order=True
                )
        rows = group_members(members, group)
        member_ids = rows["institution_id"].to_list()
        gv = group_view(edition, members, group)
        ranked = [_entry(r) for r in gv.ranked.iter_rows(named=True)]
        group_data = {
            "name": gv.group,
            "listed": gv.members,
            "ranked_count": len(ranked),
            "ranked": ranked,
            "absent": _named_from(gv.absent, previous).to_dicts(),
            "countries": sorted({r["country"] for r in gv.ranked.iter_rows(named=True) if r["country"]}),
        }
        if country is None and len(group_data["countries"]) == 1:
            country = group_data["countries"][0]  # a national group: speak about its country
    data["group"] = group_data

    country_data = None
    if country is not None:
        code = to_alpha2(country) or country.strip().upper()
        cv = country_view(edition, code)
        in_country = set(cv.table["institution_id"].to_list())
        country_data = {
            "code": code,
            "count": cv.count,
            "bands": [
                {
                    "band": b["band"],
                    "count": int(b["count"]),
                    "field_count": None if b["field_count"] is None else int(b["field_count"]),
                }
                for b in cv.bands.iter_rows(named=True)
            ],
            "leaders": _leaders(cv.table, member_ids),
            "previous_count": None,
        }
        if previous is not None:
            country_data["previous_count"] = int(
                previous.overall.join(previous.institutions.select("institution_id", "country"), on="institution_id")
                .filter(pl.col("country") == code)
                .height
            )
        if group_data is not None:
            in_c = [r for r in group_data["ranked"] if r["institution_id"] in in_country]
            group_data["ranked_in_country"] = len(in_c)
            group_data["best"] = in_c[0] if in_c else None
            group_data["leads_country"] = bool(
                country_data["leaders"] and set(country_data["leaders"]["ids"]) & set(member_ids)
            )
    data["country"] = country_data

    if group_data is None and country_data is None:
        leaders = with_national_ranks(
            edition.overall.join(
                edition.institutions.select("institution_id", "name"), on="institution_id", how="left"
            ).with_columns(country=pl.lit("*"))
        )
        data["world_leaders"] = _leaders(leaders, [])
    else:
        data["world_leaders"] = None

    # the subject: the group's members, else the country's institutions, else the whole table
    if group_data is not None:
        subject_ids = member_ids
    elif country_data is not None:
        subject_ids = None  # filled from both editions below
    else:
        subject_ids = []
    data["comparison"] = None
    if previous is not None:
        if country_data is not None and group_data is None:
            whole = _whole_comparison(previous, edition)
            comp = replace(whole, table=whole.table.filter(pl.col("country") == country_data["code"]))
        elif group_data is not None:
            comp = compare_editions(previous, edition, institution_ids=member_ids)
        else:
            comp = compare_editions(previous, edition)
        # detail: every row for a group; new/left entries for a country; counts only for the whole table
        detail = True if group_data is not None else (False if country_data is not None else None)
        data["comparison"] = _comparison_facts(comp, detail)
    if subject_ids is None:
        subject_ids = cv.table["institution_id"].to_list()
    data["best_sdgs"] = _best_sdgs(edition, subject_ids) if subject_ids else []
    data["member_sdgs"] = None
    if group_data is not None:
        order = [r["institution_id"] for r in group_data["ranked"]]
        order += [i for i in member_ids if i not in order]
        names = {r["institution_id"]: r["name"] for r in group_data["ranked"] + group_data["absent"]}
        data["member_sdgs"] = _member_sdgs(edition, previous, order, names)
    return data


# ---------------------------------------------------------------------------------------------------------
# wording


@lru_cache(maxsize=4)
def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # markdown and plain text; the web layer escapes for HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    i18n_templates.install(env)
    env.filters.update(
        num=lambda v, d=0: ty.number(v, lang, d),
        pct=lambda v, d=1: ty.percent(v, lang, d),
        pct_range=lambda low, high: ty.percent_range(low, high, lang),
        rank=lambda v: shown(v, lang),
        signed_pct=lambda v, d=0: ty.signed_percent(v, lang, d),
        ordinal=lambda v: ty.ordinal(int(v), lang),
        rankp=lambda v, feminine=False: ty.rank_phrase(v, lang, feminine),
        place=lambda v: ty.place(v, lang),
        names=lambda v: _names(v, lang),
        sdg_name=lambda v: SDG_NAMES[lang][int(v)],
        # institution names in running text: "l'Université PSL", "L'Université PSL" at a sentence's start
        the=lambda v: ar.the(v, lang),
        The=lambda v: ar.the(v, lang, capital=True),
        of=lambda v: ar.of(v, lang),
        the_names=lambda v: _names(v, lang, article=True),
        The_names=lambda v: _names(v, lang, article=True, capital=True),
        feminine=lambda v: ar.feminine(v, lang),
    )
    return env


def _names(names: list[str], lang: str, article: bool = False, capital: bool = False) -> str:
    """A list as a sentence writes it, the names past ``MAX_NAMED`` counted; ``article``: each name with the
    article it takes in running text (:mod:`impactrank.report.articles`)."""
    names = list(names)
    other = []
    if len(names) > MAX_NAMED:
        rest = len(names) - (MAX_NAMED - 1)
        other = [{"fr": f"{rest} autres", "es": f"{rest} más"}.get(lang, f"{rest} others")]
        names = names[: MAX_NAMED - 1]
    if article:
        names = ar.the_all(names, lang, capital)
    return ty.join_names([*names, *other], lang)


def _lines(text: str) -> list[str]:
    """Non-empty lines with runs of ASCII blanks collapsed (no-break spaces are typography: kept)."""
    lines = (re.sub(r"[ \t]+", " ", line).strip(" \t") for line in text.split("\n"))
    return [line for line in lines if line]


def summarise(
    edition: Edition,
    *,
    previous: Edition | None = None,
    country: str | None = None,
    group: str | None = None,
    members: pl.DataFrame | None = None,
    lang: str = "en",
    forecast: Forecast | None = None,
) -> Summary:
    """A press-ready paragraph and its facts for an edition, a country and/or a group, optionally against a
    previous edition. ``members`` (group, institution_id) defaults to the institutions' ``groups`` column;
    ``forecast`` (of the edition) adds next year's band of the subject's best-placed institution."""
    check_locale(lang)
    edition.require_overall()  # the summary tells the overall table (a previous one: compare_editions checks)
    if previous is not None and previous.id == edition.id:
        raise InputError(N_("compare with a different edition"), field="compare")
    edition = in_language(edition, lang)  # institutions under the names they use in the reader's language
    previous = None if previous is None else in_language(previous, lang)
    data = gather(edition, previous, country, group, members)
    data["lang"] = lang
    ctx = dict(data, member_sdgs_shown=MEMBER_SDGS)
    if data["country"] is not None:
        code = data["country"]["code"]
        ctx["country_name"] = country_name(code, lang)
        ctx["institutions_of"] = ty.institutions_of(code, ctx["country_name"], lang)
        ctx["institution_of"] = ty.institution_of(code, ctx["country_name"], lang)
    template = _environment(lang).get_template(f"summary_{lang}.md.j2")
    with i18n_templates.rendering(lang):
        module = template.make_module({"d": ctx})
        paragraph = ty.punctuate(" ".join(_lines(str(module.paragraph()))), lang)
        facts = [ty.punctuate(f, lang) for f in _lines(str(module.facts()))]
        title = ty.punctuate(" ".join(_lines(str(module.title()))), lang)
    if forecast is not None:
        lines, data["forecast"] = summary_facts(forecast, data, lang)
        facts += [ty.punctuate(f, lang) for f in lines]
    return Summary(lang=lang, title=title, paragraph=paragraph, facts=facts, data=data)
