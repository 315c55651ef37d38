"""What an import found: rows per edition, rows by quality flag, bands, countries, and each flagged row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from impactrank.engine.edition import Edition
from impactrank.io.published.assemble import Parsed
from impactrank.io.published.rows import RawRow


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

    def to_dict(self) -> dict:
        return dict(self.__dict__)


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
        total: Counter[str] = Counter()
        for e in self.editions:
            total.update(e.flags)
        return dict(sorted(total.items()))

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "rows": self.rows,
            "flags": self.flags,
            "editions": [e.to_dict() for e in self.editions],
        }


def edition_report(edition: Edition, rows: list[RawRow], parsed: list[Parsed]) -> EditionReport:
    flags: Counter[str] = Counter(f for p in parsed for f in p.flags)
    ranks: Counter[str] = Counter(
        (p.overall["band"] or "exact") if p.overall["rank_position"] is not None else "unparsed" for p in parsed
    )
    countries = edition.institutions["country"].drop_nulls().n_unique()
    unresolved = sorted(
        {r.country.strip() for r, p in zip(rows, parsed, strict=True) if "country_unresolved" in p.flags}
    )
    flagged = [
        {
            "row": r.row,
            "name": r.name,
            "flags": p.flags,
            "cells": {
                "rank": r.rank,
                "country": r.country,
                "overall": r.overall,
                "sdg17": r.sdg17,
                "pairs": [list(pair) for pair in (r.raw_pairs or r.pairs)],
            },
        }
        for r, p in zip(rows, parsed, strict=True)
        if p.flags
    ]
    return EditionReport(
        edition=edition.id,
        year=edition.year,
        rows=len(parsed),
        ok=len(parsed) - len(flagged),
        flags=dict(sorted(flags.items())),
        ranks=dict(ranks),
        countries=countries,
        unresolved_countries=unresolved,
        flagged=flagged,
    )
