"""Table exports (CSV, JSON, XLSX, Parquet) with deterministic bytes and spreadsheet-formula neutralising.

A cell starting with "=", "+", "-", "@" (or a tab/carriage return) is run as a formula by spreadsheet
programs when a CSV or XLSX is opened ("CSV injection"): such text gets a leading apostrophe. Tied rank
displays ("=12", "=1") in rank columns are left readable — they are what the tables mean, and a bare
"=12" evaluates to the number 12, harmless. JSON and Parquet carry the values unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError
from impactrank.io.atomic import write_bytes_atomic

EXPORT_FORMATS = ("csv", "json", "jsonl", "xlsx", "parquet")
_SUFFIX = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
_TIED_RANK = r"^=\d+$"
_FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)


def is_rank_column(name: str) -> bool:
    """Columns showing a displayed rank: rank, national_rank, rank_from, rank_to, sdg13_rank, …"""
    return re.fullmatch(r"(.*_)?rank(_(from|to|display))?", name) is not None


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix "'" to text cells a spreadsheet would run as a formula; tied ranks in rank columns stay."""
    risky = r"^[=+\-@\t\r]"
    bad = {}
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        col = pl.col(name)
        bad[name] = col.str.contains(risky)
        if is_rank_column(name):
            bad[name] = bad[name] & ~col.str.contains(_TIED_RANK)
    if not bad:
        return frame
    # only columns holding such a cell are rewritten: copying millions of safe cells costs more than looking
    found = frame.select([b.any().alias(name) for name, b in bad.items()]).row(0, named=True)
    exprs = [
        pl.when(bad[name]).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, hit in found.items()
        if hit
    ]
    return frame.with_columns(exprs) if exprs else frame


def _csv(frame: pl.DataFrame) -> bytes:
    return neutralise_formulas(frame).write_csv(line_terminator="\n").encode("utf-8")


def _json(frame: pl.DataFrame) -> bytes:
    rows = frame.to_dicts()
    return (json.dumps(rows, ensure_ascii=False, indent=1, default=str, allow_nan=False) + "\n").encode("utf-8")


def _jsonl(frame: pl.DataFrame) -> bytes:
    """One JSON object per line, for tools that stream records."""
    lines = (json.dumps(r, ensure_ascii=False, default=str, allow_nan=False) for r in frame.to_dicts())
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def _xlsx(frame: pl.DataFrame) -> bytes:
    """Written cell by cell with xlsxwriter, with a fixed creation date so equal tables give equal bytes."""
    import xlsxwriter

    frame = neutralise_formulas(frame)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            # Only worksheet.write() reads these three, and cells here go through write_string/number/boolean:
            # they guard a later write() call, so mutating them changes nothing a test could see.
            "strings_to_formulas": False,  # pragma: no mutate
            "strings_to_numbers": False,  # pragma: no mutate
            "strings_to_urls": False,  # pragma: no mutate
        },
    )
    book.set_properties({"created": _FIXED_TIME})
    sheet = book.add_worksheet("table")
    bold = book.add_format({"bold": True})
    for j, name in enumerate(frame.columns):
        sheet.write_string(0, j, name, bold)
    for j, series in enumerate(frame.iter_columns()):
        for i, value in enumerate(series.to_list(), start=1):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(i, j, value)
            elif isinstance(value, (int, float)):
                if value == value and abs(value) != float("inf"):
                    sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))
    book.close()
    return buf.getvalue()


def _parquet(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf, statistics=False)
    return buf.getvalue()


_WRITERS = {"csv": _csv, "json": _json, "jsonl": _jsonl, "xlsx": _xlsx, "parquet": _parquet}


def table_bytes(frame: pl.DataFrame, fmt: str) -> bytes:
    if fmt not in _WRITERS:
        raise InputError(
            N_("unknown export format %(format)r (use %(formats)s)"),
            field="format",
            params={"format": fmt, "formats": ", ".join(EXPORT_FORMATS)},
        )
    return _WRITERS[fmt](frame)


def export_table(frame: pl.DataFrame, path_or_format: str | Path) -> bytes | Path:
    """A format name ("csv", "json", "jsonl", "xlsx", "parquet") returns the bytes; a path writes the file
    atomically (format from its suffix) and returns the path."""
    if isinstance(path_or_format, str) and path_or_format.lower() in EXPORT_FORMATS:
        return table_bytes(frame, path_or_format.lower())
    path = Path(path_or_format)
    fmt = _SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            N_("cannot tell the export format from %(name)r: use .csv, .json, .jsonl, .xlsx or .parquet"),
            params={"name": path.name},
            file=path.name,
        )
    write_bytes_atomic(path, table_bytes(frame, fmt))
    return path
