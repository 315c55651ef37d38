"""A corrections file: what a person decided the source got wrong, applied to the rows as they are read.

Columns ``edition,name,field,value`` and, optionally, ``country`` (the country the source gives, to pick one of
two institutions of the same name). ``field`` is ``country`` or ``name``; an empty edition (or ``*``) means every
edition. Every row of every table of the edition with that name (compared as ``name_key`` does) takes the
value, and is flagged ``country_corrected`` or ``name_corrected``: the quality column keeps what was changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from impactrank.countries import country_name, to_alpha2
from impactrank.errors import N_, InputError
from impactrank.io.delimited import read_text_table
from impactrank.io.identity import name_key
from impactrank.io.published.report import ImportReport
from impactrank.io.published.rows import RawRow

FIELDS = ("country", "name")
COLUMNS = ("edition", "name", "field", "value")
NOT_A_COUNTRY = N_("%(value)s is not a country name or code")


@dataclass
class Correction:
    row: int  # the file's row, for errors
    edition: str  # "" for every edition
    name: str
    country: str | None  # the source's country (a code), when the file narrows by it
    field: str
    value: str
    used: bool = False


@dataclass
class Corrections:
    file: str
    items: list[Correction]

    def apply(self, edition: str, rows: list[RawRow]) -> None:
        """Correct the edition's rows in place."""
        wanted = [c for c in self.items if c.edition in ("", edition)]
        if not wanted:
            return
        by_key: dict[str, list[Correction]] = {}
        for c in wanted:
            by_key.setdefault(name_key(c.name), []).append(c)
        for r in rows:
            for c in by_key.get(name_key(r.name), ()):
                if c.country is None or to_alpha2(r.country) == c.country:
                    c.used = True
                    setattr(r, c.field, c.value)
                    r.flags.append(f"{c.field}_corrected")

    def check_used(self, editions: list[str]) -> None:
        """A correction for an edition read here that matched no row is an error (a misspelt name)."""
        for c in self.items:
            if not c.used and (c.edition == "" or c.edition in editions):
                raise InputError(
                    N_("no row of edition %(edition)s is named %(name)r")
                    if c.edition
                    else N_("no row of any edition is named %(name)r"),
                    file=self.file,
                    row=c.row,
                    field="name",
                    params={"edition": c.edition, "name": c.name},
                )


def read_corrections(path: str | Path) -> Corrections:
    table = read_text_table(path)
    header, rows = table.records()
    header = [h.strip().casefold() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise table.error(
            N_("a corrections file needs the columns %(columns)s (and optionally country); missing: %(missing)s"),
            row=table.header_row,
            params={"columns": ",".join(COLUMNS), "missing": list(missing)},
        )
    items = []
    seen: dict[tuple, int] = {}  # (edition, name, country, field) → the row correcting it
    for number, row in rows:
        cells = dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=False))
        if not any(cells.values()):
            continue
        field = cells["field"].casefold()
        if field not in FIELDS:
            raise table.error(
                N_("field %(field)s cannot be corrected (one of: %(allowed)s)"),
                number,
                "field",
                params={"field": repr(cells["field"]), "allowed": FIELDS},
            )
        for column in ("name", "value"):
            if not cells[column]:
                raise table.error(N_("%(column)s is empty"), number, column, params={"column": column})
        if field == "country" and to_alpha2(cells["value"]) is None:
            raise table.error(NOT_A_COUNTRY, number, "value", params={"value": repr(cells["value"])})
        country = None
        if cells.get("country"):
            country = to_alpha2(cells["country"])
            if country is None:
                raise table.error(NOT_A_COUNTRY, number, "country", params={"value": repr(cells["country"])})
        edition = "" if cells["edition"] in ("", "*") else cells["edition"]
        key = (edition, name_key(cells["name"]), country, field)
        if key in seen:  # which of the two would the reader mean? (the last one won)
            raise table.error(
                N_("the %(field)s of %(name)r is corrected on row %(first)s already"),
                number,
                "name",
                params={"field": field, "name": cells["name"], "first": seen[key]},
            )
        seen[key] = number
        items.append(Correction(number, edition, cells["name"], country, field, cells["value"]))
    return Corrections(table.name, items)


def suggested_corrections(report: ImportReport) -> pl.DataFrame:
    """The import's country suggestions as a corrections file, with the evidence beside each (ignored when read
    back): a person keeps the rows they accept."""
    rows = [
        {
            "edition": e.edition,
            "name": s["name"],
            "field": "country",
            "value": country_name(s["suggested"]),
            "country": country_name(s["country"]),
            "evidence": s["evidence"],
        }
        for e in report.editions
        for s in e.country_suggestions
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys([*COLUMNS, "country", "evidence"], pl.String))
