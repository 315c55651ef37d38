"""Reading a user's table (CSV, Parquet or XLSX) as text columns, with row numbers for error messages.

Row numbers are what a person sees: in a CSV or a spreadsheet the header is row 1, so the first data row
is row 2; in Parquet, which has no header row, the first data row is row 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import polars.selectors as cs

from impactrank.errors import InputError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx"}


@dataclass(frozen=True)
class UserTable:
    name: str  # file name as the user knows it (no directories)
    frame: pl.DataFrame  # every column as text; null = empty cell
    first_row: int  # row number of frame row 0

    def row(self, index: int) -> int:
        return self.first_row + index

    def error(self, message: str, index: int | None = None, field: str | None = None) -> InputError:
        return InputError(message, file=self.name, row=None if index is None else self.row(index), field=field)


def read_user_table(path: str | Path, numeric: list[str] | tuple[str, ...] = ()) -> UserTable:
    """Read a table; ``numeric`` columns (when present) come back as Float64, text columns as String.

    A CSV is first read with the numeric columns typed (fast); only when that fails is it re-read as text
    to find the first cell that is not a number, so errors still name their row.
    """
    path = Path(path)
    name = path.name
    if path.is_dir():
        raise InputError("is a directory, not a file", file=str(path))
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"unsupported file type {path.suffix or '(none)'!r}: use .csv, .parquet or .xlsx", file=name)
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=name)
    frame, header = None, []
    if kind == "csv":
        first = 2
        header = _csv_header(path)
        typed = {c: pl.Float64 for c in header if c.strip().lower() in numeric}
        if typed:
            try:
                frame = _read_csv(path, typed)
            except _NotNumeric:
                frame = None
        if frame is None:
            frame = _read_csv(path, {})
    elif kind == "parquet":
        frame, first = _read_parquet(path), 1
    else:
        frame, first = _read_xlsx(path), 2
    written = [c.strip().lower() for c in (header if kind == "csv" else frame.columns)]
    repeated = sorted({n for n in written if written.count(n) > 1})
    names = [c.strip().lower() for c in frame.columns]
    if repeated:
        raise InputError(f"the header names column {repeated[0]!r} more than once", file=name, field=repeated[0])
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    # identifiers and names are text even where a Parquet or XLSX file stored them as numbers
    frame = frame.with_columns(
        [pl.col(c).cast(pl.String) for c, t in frame.schema.items() if c not in numeric and t != pl.String]
    )
    if kind == "csv":  # blank lines at the end of a CSV are not rows
        filled = ~frame.select(pl.all_horizontal(pl.all().is_null())).to_series()
        last = filled.arg_true().max() if filled.any() else -1
        frame = frame.head(int(last) + 1)
    if frame.height == 0:
        raise InputError("the file has a header but no data rows", file=name)
    table = UserTable(name, frame, first)
    return UserTable(name, _coerce_numbers(table, [c for c in numeric if c in frame.columns]), first)


class _NotNumeric(Exception):
    """A typed CSV read met a cell that is not a number; re-read as text to say where."""


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as fh:
        line = fh.readline()
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _encoding_error(path) from None
    return [c.strip().strip('"') for c in text.rstrip("\r\n").split(",")]


def _read_csv(path: Path, typed: dict[str, pl.DataType]) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema=False, schema_overrides=typed or None, encoding="utf8")
    except pl.exceptions.NoDataError:
        raise InputError("the file is empty", file=path.name) from None
    except pl.exceptions.ComputeError as exc:
        text = str(exc).lower()
        if "utf-8" in text or "utf8" in text:
            raise _encoding_error(path) from None
        if typed and "could not parse" in text:
            raise _NotNumeric from None
        raise InputError(f"cannot parse as CSV: {_first_line(exc)}", file=path.name) from None


def _encoding_error(path: Path) -> InputError:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8", file=path.name, row=line
        )
    return InputError("not UTF-8 text; save the file as UTF-8", file=path.name)


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several kinds for a file that is not Parquet
        raise InputError(f"cannot read as Parquet: {_first_line(exc)}", file=path.name) from None
    return frame.with_columns((~cs.numeric()).cast(pl.String))


def _read_xlsx(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0)
    except Exception as exc:  # the Excel engine raises its own error types for corrupt files
        raise InputError(f"cannot read as XLSX: {_first_line(exc)}", file=path.name) from None
    return frame.with_columns(pl.all().cast(pl.String).str.strip_chars().replace("", None))


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def require_columns(table: UserTable, required: list[str]) -> None:
    missing = [c for c in required if c not in table.frame.columns]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(found: {', '.join(table.frame.columns)})",
            file=table.name,
            field=missing[0],
        )


def first_bad(table: UserTable, bad: pl.Series, message: str, field: str | None = None) -> None:
    """Raise for the first row where ``bad`` is true, saying how many other rows share the problem."""
    hits = bad.fill_null(False).arg_true()
    if hits.len():
        more = hits.len() - 1
        suffix = f" ({more} more row{'s' if more > 1 else ''} like this)" if more else ""
        raise table.error(message + suffix, int(hits[0]), field)


def _coerce_numbers(table: UserTable, columns: list[str]) -> pl.DataFrame:
    """Cast columns to floats; a non-empty cell that is not a finite number is an error naming its row."""
    frame = table.frame
    for col in columns:
        if frame[col].dtype == pl.Float64:
            bad = frame[col].is_nan() | frame[col].is_infinite()
            if bad.any():
                first_bad(table, bad, "not a finite number", col)
            continue
        text = frame[col].cast(pl.String).str.strip_chars()
        number = text.cast(pl.Float64, strict=False)
        bad = (text.is_not_null() & (text != "")) & (number.is_null() | number.is_nan() | number.is_infinite())
        if bad.any():
            first_bad(table, bad, f"{text.filter(bad)[0]!r} is not a number", col)
        frame = frame.with_columns(number.alias(col))
    return frame
