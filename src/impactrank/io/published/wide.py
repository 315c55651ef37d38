"""Tables with one column per SDG (a cleaned CSV, the Taiwan JSON compilation, spreadsheets): header names
in English or in the Taiwan compilation's Chinese are mapped onto the fields of a published row."""

from __future__ import annotations

import re
from collections.abc import Sequence

from impactrank.errors import N_, InputError
from impactrank.io.published.parse import cell_text
from impactrank.io.published.rows import RawRow

_FIELDS = {
    "rank": {"rank", "world rank", "ranking", "排名"},
    "tie": {"="},
    "name": {"name", "university name", "university", "institution", "institution name", "英文名"},
    "aliases": {"name_local", "local name", "學校"},
    "country": {"country", "location", "國別"},
    "year": {"year", "edition", "年度"},
    "overall": {"overall", "overall_score", "overall score", "scores", "score"},
    "ror": {"ror", "ror_id", "ror id"},
    "status": {"row_status"},
}
_SDG = re.compile(r"sdg\s*_?\s*(\d{1,2})(?:[ _]score)?")
# Statuses a cleaning script wrote that the cells themselves no longer show.
_STATUS_FLAGS = {"misaligned_scrape": "misaligned_columns"}


def map_header(header: list[str]) -> tuple[dict[str, str], dict[int, str]]:
    """Field → column and SDG number → column; unknown columns (midpoints, serial numbers) are ignored."""
    fields: dict[str, str] = {}
    sdgs: dict[int, str] = {}
    for col in header:
        key = " ".join(str(col).strip().casefold().split())
        if m := _SDG.fullmatch(key):
            if 1 <= int(m.group(1)) <= 17:
                sdgs.setdefault(int(m.group(1)), col)
            continue
        for name, spellings in _FIELDS.items():
            if key in spellings:
                fields.setdefault(name, col)
    return fields, sdgs


def is_ranking_header(header: list[str]) -> bool:
    fields, _ = map_header(header)
    return {"rank", "name"} <= fields.keys() and ("overall" in fields or "tie" in fields)


def read_wide(records: list[dict], header: list[str], file: str, numbers: Sequence[int] | None = None) -> list[RawRow]:
    """One RawRow per record; ``numbers`` are their rows as the file shows them (by default from 1: a JSON
    record's position)."""
    fields, sdgs = map_header(header)
    missing = [f for f in ("rank", "name", "overall") if f not in fields]
    if missing:
        raise InputError(
            N_("not a ranking table: no %(missing)s column (columns: %(columns)s)"),
            params={"missing": " / ".join(missing), "columns": ", ".join(map(str, header))},
            file=file,
        )

    def get(rec: dict, name: str) -> str:
        return cell_text(rec.get(fields[name])) if name in fields else ""

    rows = []
    for i, rec in zip(numbers if numbers is not None else range(1, len(records) + 1), records, strict=True):
        rank = get(rec, "rank")
        if get(rec, "tie") == "=" and not rank.startswith("="):
            rank = "=" + rank
        pairs = [
            (str(k), cell_text(rec.get(col))) for k, col in sorted(sdgs.items()) if k != 17 and cell_text(rec.get(col))
        ]
        status = get(rec, "status")
        rows.append(
            RawRow(
                row=i,
                rank=rank,
                name=get(rec, "name"),
                country=get(rec, "country"),
                overall=get(rec, "overall"),
                sdg17=cell_text(rec.get(sdgs[17])) if 17 in sdgs else "",
                pairs=pairs,
                year=get(rec, "year"),
                ror=get(rec, "ror"),
                aliases=get(rec, "aliases"),
                flags=[_STATUS_FLAGS[status]] if status in _STATUS_FLAGS else [],
            )
        )
    return rows
