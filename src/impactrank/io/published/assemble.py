"""Raw published rows → imported Editions: every row kept, each defect named in its ``quality`` flags."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from impactrank.engine.edition import INSTITUTIONS_SCHEMA, OVERALL_SCHEMA, SDG_SCORES_SCHEMA, Edition
from impactrank.errors import InputError
from impactrank.io.countries import to_alpha2
from impactrank.io.identity import Aliases, normalise_name
from impactrank.io.published.parse import parse_rank, parse_score
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


def split_editions(
    rows: list[RawRow], file: str, edition: str | None, suffix: str | None
) -> list[tuple[str, int, list[RawRow]]]:
    """(edition id, year, rows) per edition: the file's year column if it has one, else ``edition``."""
    if edition and suffix:
        raise InputError("give either --edition or --edition-suffix, not both", file=file)
    wanted = None
    if edition is not None:
        m = _EDITION_YEAR.fullmatch(edition.strip())
        wanted = int(m.group(1)) if m else None
    if not any(r.year for r in rows):
        if wanted is None:
            raise InputError("the file has no year column: pass --edition YEAR (e.g. --edition 2023)", file=file)
        return [(edition.strip(), wanted, rows)]
    by_year: dict[int, list[RawRow]] = {}
    for r in rows:
        m = _YEAR.fullmatch(r.year.strip())
        if not m:
            raise InputError(f"year {r.year!r} is not a year", file=file, row=r.row, field="year")
        by_year.setdefault(int(m.group(1)), []).append(r)
    if edition is not None:
        if len(by_year) == 1 and wanted is None:
            ((year, only),) = by_year.items()
            return [(edition.strip(), year, only)]
        if wanted not in by_year:
            raise InputError(
                f"edition {edition!r} names no year of the file (years: {', '.join(map(str, sorted(by_year)))})",
                file=file,
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
    flags = list(r.flags)
    name = normalise_name(r.name)
    if not name:
        flags.append("no_name")
    country = to_alpha2(r.country)
    if not r.country.strip():
        flags.append("no_country")
    elif country is None:
        flags.append("country_unresolved")

    rank = parse_rank(r.rank)
    if rank is None:
        flags.append("no_rank" if not r.rank.strip() else "rank_unparsed")
    high = None
    if rank is not None:
        high = rank.high
        if rank.high is None and not subset:
            high = max(field_size, rank.low)
        elif rank.high is None:
            flags.append("field_size_unknown")

    overall = parse_score(r.overall)
    if overall is None:
        flags.append("no_overall" if not r.overall.strip() else "overall_unparsed")
    sdg17 = parse_score(r.sdg17)
    if sdg17 is None:
        flags.append("sdg17_missing" if not r.sdg17 else "sdg17_unparsed")

    iid = aliases.resolve(name, country) if name else f"xx-row-{r.row}"
    scores, top = [], []
    for number, value in r.pairs:
        sdg = int(number) if re.fullmatch(r"\s*[0-9]+\s*", number) else None
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

    flags = list(dict.fromkeys(flags))
    return Parsed(
        institution={
            "institution_id": iid,
            "name": name,
            "name_original": r.name,
            "country": country,
            "aliases": r.aliases or None,
            "ror": r.ror or None,
        },
        overall={
            "institution_id": iid,
            "rank": rank.display if rank else (r.rank.strip() or None),
            "rank_position": rank.low if rank else None,
            "rank_low": rank.low if rank else None,
            "rank_high": high,
            "band": rank.display if rank and rank.banded else None,
            **_interval(overall, "overall"),
            "overall_display": r.overall.strip() or None,
            **_interval(sdg17, "sdg17"),
            "top_sdgs": ";".join(map(str, top)) or None,
            "quality": ";".join(flags) or "ok",
        },
        sdg_scores=scores,
        flags=flags,
    )


def _sdg_row(iid: str, sdg: int, score) -> dict:
    return {
        "institution_id": iid,
        "sdg": sdg,
        "score": score.exact if score else None,
        "score_low": score.low if score else None,
        "score_high": score.high if score else None,
        "counted": True,
    }


def build_edition(
    edition_id: str, year: int, rows: list[RawRow], source: str, aliases: Aliases, manifest: dict
) -> tuple[Edition, list[Parsed]]:
    """An open band ends at the field size, known only when the file holds the whole table (a one-country
    compilation has fewer rows than its bands start at)."""
    starts = [rk.low for r in rows if (rk := parse_rank(r.rank)) is not None]
    subset = bool(starts) and max(starts) > len(rows)
    parsed = [parse_row(r, len(rows), subset, aliases) for r in rows]
    seen: Counter[str] = Counter()
    for p in parsed:  # ids must be unique within an edition; a repeat is kept and flagged
        iid = p.institution["institution_id"]
        seen[iid] += 1
        if seen[iid] > 1:
            new = f"{iid}~{seen[iid]}"
            p.flags.append("duplicate_institution")
            p.overall["quality"] = ";".join(p.flags)
            for rec in (p.institution, p.overall, *p.sdg_scores):
                rec["institution_id"] = new
    edition = Edition(
        id=edition_id,
        year=year,
        kind="imported",
        source=source,
        institutions=_frame([p.institution for p in parsed], INSTITUTIONS_SCHEMA),
        overall=_frame([p.overall for p in parsed], OVERALL_SCHEMA),
        sdg_scores=_frame([s for p in parsed for s in p.sdg_scores], SDG_SCORES_SCHEMA),
        manifest=manifest,
    )
    return edition, parsed


def _frame(records: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    subset = {k: v for k, v in schema.items() if not records or k in records[0]}
    return pl.DataFrame(records, schema=subset) if records else pl.DataFrame(schema=schema)
