"""THE's overall table as saved by a point-and-click web scraper: column names are the site's CSS classes
and the (SDG, score) pairs of the top SDGs are scattered over numbered column pairs by position."""

from __future__ import annotations

import re
from collections.abc import Sequence

from impactrank.errors import N_, InputError
from impactrank.io.published.rows import RawRow

_NUMBER = re.compile(r"sdg-score-multi__number(?: (\d+))?")
_VALUE = re.compile(r"sdg-score-multi__value(?: (\d+))?")
REQUIRED = ("Rank", "University Name", "Location", "scores")


def is_scrape(header: list[str]) -> bool:
    return any(_VALUE.fullmatch(h.strip()) for h in header)


def _slots(header: list[str], file: str) -> tuple[list[tuple[str, str]], str]:
    """Pairs of (number column, value column) by suffix, and the lone value column, which holds SDG 17."""
    numbers, values = {}, {}
    for h in header:
        if m := _NUMBER.fullmatch(h.strip()):
            numbers[int(m.group(1) or 1)] = h
        elif m := _VALUE.fullmatch(h.strip()):
            values[int(m.group(1) or 1)] = h
    lone = sorted(set(values) - set(numbers))
    if len(lone) != 1 or set(numbers) - set(values):
        raise InputError(N_("scraped SDG columns do not leave exactly one value column for SDG 17"), file=file)
    return [(numbers[k], values[k]) for k in sorted(numbers)], values[lone[0]]


def score_columns(header: list[str]) -> list[str]:
    """The columns holding scores: the SDG value columns and the overall ``scores``."""
    return [h for h in header if _VALUE.fullmatch(h.strip()) or h.strip() == "scores"]


def read_scrape(records: list[dict[str, str]], header: list[str], file: str, numbers: Sequence[int]) -> list[RawRow]:
    """One RawRow per record; ``numbers`` are their rows as the file shows them. A record lacks the cells a
    short row does not reach."""
    stripped = {h.strip(): h for h in header}
    missing = [c for c in REQUIRED if c not in stripped]
    if missing:
        raise InputError(N_("missing column(s) %(columns)s"), file=file, params={"columns": ", ".join(missing)})
    slots, sdg17_col = _slots(header, file)
    col = {c: stripped[c] for c in REQUIRED}
    rows = []
    for i, rec in zip(numbers, records, strict=True):
        cells = [(rec.get(n, "").strip(), rec.get(v, "").strip()) for n, v in slots]
        pairs, flags = _gather(cells)
        rows.append(
            RawRow(
                row=i,
                rank=rec.get(col["Rank"], ""),
                name=rec.get(col["University Name"], ""),
                country=rec.get(col["Location"], ""),
                overall=rec.get(col["scores"], ""),
                sdg17=rec.get(sdg17_col, "").strip(),
                pairs=pairs,
                flags=flags,
                raw_pairs=[(n, v) for n, v in cells if n or v],
            )
        )
    return rows


def _gather(cells: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """Complete pairs in column order. A number and a score in different columns (the scraper's slip) make
    the row misaligned: one orphan of each is paired, otherwise an orphan number keeps no score and an
    orphan score is left out of the pairs (the import report lists the raw cells)."""
    pairs = [(n, v) for n, v in cells if n and v]
    numbers = [n for n, v in cells if n and not v]
    values = [v for n, v in cells if v and not n]
    if not numbers and not values:
        return pairs, []
    if len(numbers) == 1 and len(values) == 1:
        return [*pairs, (numbers[0], values[0])], ["misaligned_columns"]
    flags = ["misaligned_columns", "sdg_score_unassigned"] if values else ["misaligned_columns"]
    return [*pairs, *((n, "") for n in numbers)], flags
