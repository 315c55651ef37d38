"""Reading a user's table (CSV, Parquet or XLSX) as text columns, with row numbers for error messages.

Row numbers are what a person sees: in a CSV or a spreadsheet the header is row 1, so the first data row
is row 2; in Parquet, which has no header row, the first data row is row 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

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


def read_user_table(path: str | Path) -> UserTable:
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"unsupported file type {path.suffix or '(none)'!r}: use .csv, .parquet or .xlsx", file=name)
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=name)
    if kind == "csv":
        frame, first = _read_csv(path), 2
    elif kind == "parquet":
        frame, first = _read_parquet(path), 1
    else:
        frame, first = _read_xlsx(path), 2
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    if frame.height == 0:
        raise InputError("the file has a header but no data rows", file=name)
    return UserTable(name, frame, first)


def _read_csv(path: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except pl.exceptions.NoDataError:
        raise InputError("the file is empty", file=path.name) from None
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            raise _encoding_error(path) from None
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
    return frame.with_columns(pl.all().cast(pl.String))


def _read_xlsx(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0)
    except Exception as exc:  # the Excel engine raises its own error types for corrupt files
        raise InputError(f"cannot read as XLSX: {_first_line(exc)}", file=path.name) from None
    return frame.with_columns(pl.all().cast(pl.String))


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


def parse_numbers(table: UserTable, columns: list[str]) -> pl.DataFrame:
    """Cast text columns to floats; a non-empty cell that is not a number is an error naming its row."""
    frame = table.frame
    for col in columns:
        if col not in frame.columns:
            continue
        number = frame[col].cast(pl.Float64, strict=False)
        bad = frame[col].is_not_null() & (number.is_null() | number.is_nan() | number.is_infinite())
        if bad.any():
            index = int(bad.arg_true()[0])
            first_bad(table, bad, f"{frame[col][index]!r} is not a number", col)
    return frame.with_columns([pl.col(c).cast(pl.Float64, strict=False) for c in columns if c in frame.columns])
