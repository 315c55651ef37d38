"""Names an institution uses in the reader's language ("Sorbonne Université" for THE's "Sorbonne University"),
read from the optional ``name_fr``, ``name_es`` … columns of an institutions or aliases file and kept in the
institutions table's ``display_names`` column as JSON ({"fr": "Sorbonne Université"}). The name of record
(THE's English one) stays the identity: ids, matching and aliases never use a display name."""

from __future__ import annotations

import json

import polars as pl

from impactrank.i18n import LOCALES

COLUMNS = {f"name_{locale}": locale for locale in LOCALES}


def from_cells(header: list[str], cells: list[str]) -> dict[str, str]:
    """The display names of one row of a file whose (case-folded) header may hold ``name_<lang>`` columns."""
    return {
        COLUMNS[column]: cell.strip()
        for column, cell in zip(header, cells, strict=False)
        if column in COLUMNS and cell and cell.strip()
    }


def encode(names: dict[str, str]) -> str | None:
    return json.dumps(names, ensure_ascii=False, sort_keys=True) if names else None


def column(frame: pl.DataFrame) -> pl.Series:
    """The ``display_names`` column of an institutions file's frame, from its ``name_<lang>`` columns."""
    present = [c for c in frame.columns if c.casefold() in COLUMNS]
    if not present:  # the common case: no row to look at one by one
        return pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("display_names")
    rows = frame.select(present).iter_rows()
    header = [c.casefold() for c in present]
    return pl.Series("display_names", [encode(from_cells(header, list(r))) for r in rows], dtype=pl.String)


def apply(institutions: pl.DataFrame, by_id: dict[str, dict[str, str]]) -> pl.DataFrame:
    """The institutions with the display names given by institution id (an aliases file's), kept where none."""
    if not by_id:
        return institutions
    given = pl.col("institution_id").replace_strict(
        {iid: encode(names) for iid, names in by_id.items()}, default=None, return_dtype=pl.String
    )
    return institutions.with_columns(display_names=pl.coalesce(given, pl.col("display_names")))
