"""Raw published rows → imported Editions: every row kept, each defect named in its ``quality`` flags."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from impactrank.countries import to_alpha2
from impactrank.engine.tables.edition import (
    INSTITUTIONS_SCHEMA,
    NOT_IN_SDG_TABLE,
    OVERALL_SCHEMA,
    SDG_SCORES_SCHEMA,
    Edition,
)
from impactrank.errors import N_, InputError
from impactrank.io.identity import Aliases, normalise_name
from impactrank.io.published.consistency import check_countries
from impactrank.io.published.parse import Rank, parse_rank, parse_score
from impactrank.io.published.rows import RawRow

TOP_SDGS = 3
_YEAR = re.compile(r"(\d{4})(?:\.0)?")
_EDITION_YEAR = re.compile(r"(\d{4})(?!\d).*")


@dataclass
class Parsed:
    """One row interpreted, ready for the three edition tables."""

    institution: dict
    overall: dict
    sdg_scores: list[dict]
    flags: list[str] = field(default_factory=list)
    row: RawRow | None = None


def split_editions(
    rows: list[RawRow], file: str, edition: str | None, suffix: str | None
) -> list[tuple[str, int, list[RawRow]]]:
    """(edition id, year, rows) per edition: the file's year column if it has one, else ``edition``; never both
    ``edition`` and ``suffix`` (read_published refuses that before reading a file)."""
    wanted = None
    if edition is not None:
        m = _EDITION_YEAR.fullmatch(edition.strip())
        wanted = int(m.group(1)) if m else None
    if not any(r.year for r in rows):
        if wanted is None:
            raise InputError(N_("the file has no year column: pass --edition YEAR (e.g. --edition 2023)"), file=file)
        return [(edition.strip(), wanted, rows)]
    by_year: dict[int, list[RawRow]] = {}
    years: dict[str, int] = {}
    for r in rows:
        if r.year not in years:
            m = _YEAR.fullmatch(r.year.strip())
            if not m:
                raise InputError(
                    N_("%(year)r is not a year"), file=file, row=r.row, field="year", params={"year": r.year}
                )
            years[r.year] = int(m.group(1))
        by_year.setdefault(years[r.year], []).append(r)
    if edition is not None:
        if len(by_year) == 1 and wanted is None:
            ((year, only),) = by_year.items()
            return [(edition.strip(), year, only)]
        if wanted not in by_year:
            raise InputError(
                N_("edition %(edition)r names no year of the file (years: %(years)s)"),
                file=file,
                params={"edition": edition, "years": ", ".join(map(str, sorted(by_year)))},
            )
        return [(edition.strip(), wanted, by_year[wanted])]
    return [(f"{y}-{suffix}" if suffix else str(y), y, by_year[y]) for y in sorted(by_year)]


def _interval(score, prefix: str) -> dict:
    return {
        f"{prefix}_score": score.exact if score else None,
        f"{prefix}_low": score.low if score else None,
        f"{prefix}_high": score.high if score else None,
    }


def parse_row(r: RawRow, field_size: int, subset: bool, aliases: Aliases) -> Parsed:
    name, country, place_flags = _place(r.name, r.country)
    flags = [*r.flags, *place_flags]
    rank, high = _rank(r, flags, None if subset else field_size)

    overall = parse_score(r.overall)
    if overall is None:
        flags.append("no_overall" if not r.overall.strip() else "overall_unparsed")
    sdg17 = parse_score(r.sdg17)
    if sdg17 is None:
        flags.append("sdg17_missing" if not r.sdg17 else "sdg17_unparsed")

    iid = aliases.resolve(name, country) if name else f"xx-row-{r.row}"
    scores, top = [], []
    for number, value in r.pairs:
        sdg = int(number.strip()) if re.fullmatch(r"\s*[0-9]+\s*", number) else None  # \s matches \x1c-\x1f, int() not
        if sdg is None or not 1 <= sdg <= 16:
            flags.append("sdg_number_invalid")
            continue
        if sdg in top:
            flags.append("sdg_number_repeated")
            continue
        score = parse_score(value)
        if score is None:
            flags.append("sdg_score_missing" if not value else "sdg_score_unparsed")
        top.append(sdg)
        scores.append(_sdg_row(iid, sdg, score))
    if len(top) < TOP_SDGS:
        flags.append("sdg_pairs_incomplete")
    elif len(top) > TOP_SDGS:
        flags.append("sdg_pairs_extra")
    if r.sdg17:
        scores.append(_sdg_row(iid, 17, sdg17))

    return Parsed(
        institution={
            "institution_id": iid,
            "name": name,
            "name_original": r.name_cell or r.name,
            "country": country,
            "aliases": r.aliases or None,
            "ror": r.ror or None,
        },
        overall={
            "institution_id": iid,
            **_rank_fields(r, rank, high),
            **_interval(overall, "overall"),
            "overall_display": r.overall.strip() or None,
            **_interval(sdg17, "sdg17"),
            "top_sdgs": ";".join(map(str, top)) or None,
        },
        sdg_scores=scores,
        flags=list(dict.fromkeys(flags)),
        row=r,
    )


def _rank_fields(r: RawRow, rank: Rank | None, high: int | None) -> dict:
    """A ranked row's display rank, position, interval and band (the cell as read when it did not parse)."""
    return {
        "rank": rank.display if rank else (r.rank.strip() or None),
        "rank_position": rank.low if rank else None,
        "rank_low": rank.low if rank else None,
        "rank_high": high,
        "band": rank.display if rank and rank.banded else None,
    }


def _rank(r: RawRow, flags: list[str], table_size: int | None) -> tuple[Rank | None, int | None]:
    """The row's rank (a repaired one first) and its worst position: an open band ends at the table's size,
    unknown for a one-country compilation."""
    rank = r.rank_fixed or parse_rank(r.rank)
    if rank is None:
        flags.append("no_rank" if not r.rank.strip() else "rank_unparsed")
        return None, None
    if rank.high is not None:
        return rank, rank.high
    if table_size is None:
        flags.append("field_size_unknown")
        return rank, None
    return rank, max(table_size, rank.low)


def _sdg_row(iid: str, sdg: int, score) -> dict:
    return {
        "institution_id": iid,
        "sdg": sdg,
        "score": score.exact if score else None,
        "score_low": score.low if score else None,
        "score_high": score.high if score else None,
        "counted": True,
    }


@dataclass
class SDGParsed:
    """One row of an SDG table interpreted."""

    row: RawRow
    institution: dict
    record: dict  # the edition's sdg_scores row
    flags: list[str]
    claims_overall: bool  # its Overall cell shows a score: the institution says it is in the overall table


@dataclass
class Assembled:
    edition: Edition
    overall: list[Parsed]
    sdg_tables: dict[int, list[SDGParsed]]
    country_suggestions: list[dict]  # rows whose country looks wrong, with the country suggested (consistency)


def build_edition(
    edition_id: str,
    year: int,
    rows: list[RawRow],
    source: str,
    aliases: Aliases,
    manifest: dict,
    sdg_tables: dict[int, list[RawRow]] | None = None,
) -> Assembled:
    """One edition from its overall table's rows and, when given, its SDG tables' rows: the same institution
    is one institution across them (normalised name and country). An open band ends at the table's size,
    known only when the file holds the whole table (a one-country compilation has fewer rows than its bands
    start at)."""
    starts = [rk.low for r in rows if (rk := parse_rank(r.rank)) is not None]
    subset = bool(starts) and max(starts) > len(rows)
    parsed = [parse_row(r, len(rows), subset, aliases) for r in rows]
    for p, new in zip(parsed, _unique([p.institution["institution_id"] for p in parsed]), strict=True):
        if new != p.institution["institution_id"]:  # ids are unique within an edition; a repeat is kept, flagged
            p.flags.append("duplicate_institution")
            for rec in (p.institution, p.overall, *p.sdg_scores):
                rec["institution_id"] = new
    tables = {k: _sdg_table(k, table_rows, aliases) for k, table_rows in sorted((sdg_tables or {}).items())}
    in_overall = {p.institution["institution_id"] for p in parsed}
    for table in tables.values() if rows else ():  # without the overall table nothing can be cross-checked
        for t in table:
            iid = t.record["institution_id"]
            if t.claims_overall and iid not in in_overall:
                t.flags.append("overall_not_found")
            elif not t.claims_overall and iid in in_overall:
                t.flags.append("overall_not_shown")
    sdg_rows = _merge_cards(parsed, tables)
    suggestions = check_countries(
        [(p.institution["name"], p.institution["country"], p.flags) for p in parsed]
        + [(t.institution["name"], t.institution["country"], t.flags) for table in tables.values() for t in table]
    )
    if suggestions:
        manifest = {**manifest, "country_suggestions": suggestions}
    for p in parsed:
        p.flags = list(dict.fromkeys(p.flags))
        p.overall["quality"] = ";".join(p.flags) or "ok"
    institutions = [p.institution for p in parsed]
    known = set(in_overall)
    for table in tables.values():
        for t in table:
            t.record["quality"] = ";".join(dict.fromkeys(t.flags)) or "ok"
            if t.record["institution_id"] not in known:
                known.add(t.record["institution_id"])
                institutions.append(t.institution)
    if sdg_tables is not None:
        manifest = {**manifest, "overall_table": bool(rows), "sdg_tables": {str(k): len(v) for k, v in tables.items()}}
    edition = Edition(
        id=edition_id,
        year=year,
        kind="imported",
        source=source,
        institutions=_frame(institutions, INSTITUTIONS_SCHEMA),
        overall=_frame([p.overall for p in parsed], OVERALL_SCHEMA),
        sdg_scores=_frame(sdg_rows, SDG_SCORES_SCHEMA),
        manifest=manifest,
    )
    return Assembled(edition, parsed, tables, suggestions)


def _unique(ids: list[str]) -> list[str]:
    """The k-th repeat of an id becomes "id~k", so repeats in different tables pair up in table order."""
    seen: Counter[str] = Counter()
    out = []
    for iid in ids:
        seen[iid] += 1
        out.append(iid if seen[iid] == 1 else f"{iid}~{seen[iid]}")
    return out


def _sdg_table(sdg: int, rows: list[RawRow], aliases: Aliases) -> list[SDGParsed]:
    """Every row of one SDG table: rank (an open band ends at the table's size), score and identity."""
    out = []
    for r in rows:
        flags = list(r.flags)
        name, country, place_flags = _place(r.name, r.country)
        flags.extend(place_flags)
        rank, high = _rank(r, flags, len(rows))
        score = parse_score(r.score)
        if score is None:
            flags.append("sdg_score_missing" if not r.score.strip() else "sdg_score_unparsed")
        iid = aliases.resolve(name, country) if name else f"xx-sdg{sdg}-row-{r.row}"
        record = {
            **_sdg_row(iid, sdg, score),
            "counted": False,
            **_rank_fields(r, rank, high),
        }
        institution = {
            "institution_id": iid,
            "name": name,
            "name_original": r.name_cell or r.name,
            "country": country,
            "aliases": None,
            "ror": None,
        }
        out.append(SDGParsed(r, institution, record, flags, r.overall.strip() not in ("", "-")))
    for t, new in zip(out, _unique([t.record["institution_id"] for t in out]), strict=True):
        if new != t.record["institution_id"]:
            t.flags.append("duplicate_institution")
            t.record["institution_id"] = t.institution["institution_id"] = new
    return out


@lru_cache(maxsize=65536)
def _place(name: str, country: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Display name, country code and their flags (the same institution recurs in every SDG table)."""
    flags = () if normalise_name(name) else ("no_name",)
    code = to_alpha2(country)
    if not country.strip():
        flags += ("no_country",)
    elif code is None:
        flags += ("country_unresolved",)
    return normalise_name(name), code, flags


def _merge_cards(parsed: list[Parsed], tables: dict[int, list[SDGParsed]]) -> list[dict]:
    """The SDG tables' rows, marked ``counted`` where the institution's card names the SDG; a card's SDG that
    its table does not list is kept from the card and flagged ``not_in_sdg_table``; a card score the table
    contradicts flags the overall row ``card_differs_from_sdg_table``. SDGs without a table keep the card's
    rows as they are."""
    by_key = {(t.record["institution_id"], k): t for k, table in tables.items() for t in table}
    rows = []
    for p in parsed:
        for card in p.sdg_scores:
            sdg = card["sdg"]
            if sdg not in tables:
                rows.append({**card, "quality": "ok"})
                continue
            t = by_key.get((card["institution_id"], sdg))
            if t is None:
                rows.append({**card, "quality": NOT_IN_SDG_TABLE})
                p.flags.append(NOT_IN_SDG_TABLE)
                continue
            t.record["counted"] = True
            if card["score_low"] is not None and (card["score_low"], card["score_high"]) != (
                t.record["score_low"],
                t.record["score_high"],
            ):
                p.flags.append("card_differs_from_sdg_table")
    for table in tables.values():
        rows.extend(t.record for t in table)
    return rows


def _frame(records: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    keys = set().union(*records) if records else set(schema)
    return (
        pl.DataFrame(records, schema={k: v for k, v in schema.items() if k in keys})
        if records
        else pl.DataFrame(schema=schema)
    )
