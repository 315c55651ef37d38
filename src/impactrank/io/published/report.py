"""What an import found: rows per edition, rows by quality flag, bands, countries, and each flagged row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from impactrank.io.published.assemble import Assembled


@dataclass
class EditionReport:
    edition: str
    year: int
    rows: int
    ok: int
    flags: dict[str, int]  # rows carrying each flag (a row may carry several)
    ranks: dict[str, int]  # "exact" and each band label, in table order
    countries: int
    unresolved_countries: list[str]
    flagged: list[dict] = field(default_factory=list)  # row, name, flags and the raw cells of each flagged row
    tables: dict[str, dict] = field(default_factory=dict)  # "overall", "sdg1" … → rows, flags, source file
    country_suggestions: list[dict] = field(default_factory=list)  # name, country, suggested, flags, evidence

    @property
    def sdg_tables(self) -> dict:
        """The SDG tables together, as ``tables`` counts one: rows, rows with no flag, rows by flag."""
        sdg = [t for name, t in self.tables.items() if name != "overall"]
        flags: Counter[str] = Counter()
        for t in sdg:
            flags.update(t["flags"])
        return {
            "tables": len(sdg),
            "rows": sum(t["rows"] for t in sdg),
            "ok": sum(t["ok"] for t in sdg),
            "flags": dict(sorted(flags.items())),
        }

    def to_dict(self) -> dict:
        return {**self.__dict__, "sdg_tables": self.sdg_tables}


@dataclass
class ImportReport:
    file: str
    format: str
    editions: list[EditionReport]

    @property
    def rows(self) -> int:
        return sum(e.rows for e in self.editions)

    @property
    def flags(self) -> dict[str, int]:
        """The overall tables' rows by flag (``sdg_tables`` has the SDG tables')."""
        total: Counter[str] = Counter()
        for e in self.editions:
            total.update(e.flags)
        return dict(sorted(total.items()))

    def to_dict(self) -> dict:
        sdg: Counter[str] = Counter()
        for e in self.editions:
            sdg.update(e.sdg_tables["flags"])
        return {
            "file": self.file,
            "format": self.format,
            "rows": self.rows,
            "flags": self.flags,
            "sdg_tables": {
                "rows": sum(e.sdg_tables["rows"] for e in self.editions),
                "flags": dict(sorted(sdg.items())),
            },
            "editions": [e.to_dict() for e in self.editions],
        }


def edition_report(assembled: Assembled, files: dict[str, str] | None = None) -> EditionReport:
    """Counts for the overall table (``rows``, ``flags``, ``ranks``) and for every table (``tables``); each
    flagged row with its raw cells. ``files`` names the file each table ("overall", "sdg13") came from."""
    edition, parsed = assembled.edition, assembled.overall
    files = files or {}
    flags: Counter[str] = Counter(f for p in parsed for f in p.flags)
    ranks: Counter[str] = Counter(
        (p.overall["band"] or "exact") if p.overall["rank_position"] is not None else "unparsed" for p in parsed
    )
    countries = edition.institutions["country"].drop_nulls().n_unique()
    raw = [(p.row, p.institution["name_original"], p.flags) for p in parsed]
    sdg_raw = [(t.row, t.flags, k) for k, table in assembled.sdg_tables.items() for t in table]
    unresolved = sorted(
        {r.country.strip() for r, _, f in raw if "country_unresolved" in f}
        | {r.country.strip() for r, f, _ in sdg_raw if "country_unresolved" in f}
    )
    flagged = [_flagged(r, f, "overall") for r, _, f in raw if f]
    flagged += [_flagged(r, f, f"sdg{k}") for r, f, k in sdg_raw if f]
    tables = {}
    if parsed or not assembled.sdg_tables:
        tables["overall"] = _table_counts([p.flags for p in parsed], files.get("overall"))
    for k, table in assembled.sdg_tables.items():
        tables[f"sdg{k}"] = _table_counts([t.flags for t in table], files.get(f"sdg{k}"))
    return EditionReport(
        edition=edition.id,
        year=edition.year,
        rows=len(parsed),
        ok=sum(not p.flags for p in parsed),
        flags=dict(sorted(flags.items())),
        ranks=dict(ranks),
        countries=countries,
        unresolved_countries=unresolved,
        flagged=flagged,
        tables=tables,
        country_suggestions=assembled.country_suggestions,
    )


def _table_counts(flags: list[list[str]], file: str | None) -> dict:
    counts: Counter[str] = Counter(f for fl in flags for f in dict.fromkeys(fl))
    return {"file": file, "rows": len(flags), "ok": sum(not f for f in flags), "flags": dict(sorted(counts.items()))}


def _flagged(r, flags: list[str], table: str) -> dict:
    return {
        "table": table,
        "row": r.row,
        "name": r.name_cell or r.name,
        "flags": list(dict.fromkeys(flags)),
        "cells": {
            "rank": r.rank,
            "country": r.country,
            "overall": r.overall,
            "score": r.score,
            "sdg17": r.sdg17,
            "pairs": [list(pair) for pair in (r.raw_pairs or r.pairs)],
        },
    }
