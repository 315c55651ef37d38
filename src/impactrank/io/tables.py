"""Reading a user's table (CSV, Parquet or XLSX) as text columns, with row numbers for error messages.

Row numbers are what a person sees: in a CSV or a spreadsheet the header is row 1 (or the first row that is not
blank), the first data row the one below it, and blank rows count though they are not read; in Parquet, which
has no header row, the first data row is row 1. A CSV's encoding, delimiter and decimal mark are found by
:mod:`impactrank.io.delimited`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import polars.selectors as cs

from impactrank.errors import N_, InputError
from impactrank.io.delimited import (
    check_header,
    decimal_mark,
    name_columns,
    parse_numbers,
    read_text_table,
)
from impactrank.io.sheets import sheet_numbers, sheet_text

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx"}


@dataclass(frozen=True)
class UserTable:
    name: str  # file name as the user knows it (no directories)
    frame: pl.DataFrame  # every column as text (numeric columns as Float64); null = empty cell
    rows: pl.Series  # the row number of each frame row, as the file shows it

    def row(self, index: int) -> int:
        return int(self.rows[index])

    def error(
        self,
        message: str,
        index: int | None = None,
        field: str | None = None,
        more: int = 0,
        params: dict | None = None,
    ) -> InputError:
        row = None if index is None else self.row(index)
        return InputError(message, file=self.name, row=row, field=field, more=more, params=params)


def read_user_table(
    path: str | Path,
    numeric: Sequence[str] = (),
    *,
    decimal: str | None = None,
    typed: Mapping[str, pl.DataType] | None = None,
) -> UserTable:
    """Read a table; ``numeric`` columns (when present) come back as Float64, text columns as String. Numbers
    written as text are read with the file's decimal mark (``decimal`` when given, else as the numbers say).
    A CSV file's ``typed`` columns come as their type when every cell is one (:meth:`TextTable.frame`), else
    as text."""
    path = Path(path)
    name = path.name
    if path.is_dir():
        raise InputError(N_("is a directory, not a file"), file=str(path))
    if not path.is_file():
        raise InputError(N_("file not found"), file=str(path))
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            N_("unsupported file type %(suffix)r: use .csv, .parquet or .xlsx"), file=name,
            params={"suffix": path.suffix or "(none)"},
        )  # fmt: skip
    if path.stat().st_size == 0:
        raise InputError(N_("the file is empty"), file=name)
    exact: dict[str, pl.Series] = {}
    delimiter = None
    if kind == "csv":
        text = read_text_table(path, decimal=decimal)
        frame, rows = text.frame(numeric, typed)
        delimiter = text.delimiter
    elif kind == "parquet":
        frame = _read_parquet(path)
        rows = pl.Series("row", range(1, frame.height + 1), dtype=pl.Int64)
    else:
        frame, rows, exact = _read_xlsx(path, numeric)
    written = [c.strip().lower() for c in frame.columns]
    repeated = sorted({n for n in written if written.count(n) > 1})
    if repeated:
        raise InputError(
            N_("the header names column %(name)r more than once"), file=name, field=repeated[0],
            params={"name": repeated[0]},
        )  # fmt: skip
    frame = frame.rename(dict(zip(frame.columns, written, strict=True)))
    # identifiers and names are text even where a Parquet or XLSX file stored them as numbers
    frame = frame.with_columns(
        [
            pl.col(c).cast(pl.String)
            for c, t in frame.schema.items()
            if c not in numeric and t != pl.String and (typed or {}).get(c) != t
        ]
    )
    if frame.height == 0:
        raise InputError(N_("the file has a header but no data rows"), file=name)
    table = UserTable(name, frame, rows)
    columns = [c for c in numeric if c in frame.columns]
    return UserTable(name, _coerce_numbers(table, columns, exact, delimiter, decimal), rows)


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several kinds for a file that is not Parquet
        raise InputError(
            N_("cannot read as Parquet: %(reason)s"), file=path.name, params={"reason": _first_line(exc)}
        ) from None
    return frame.with_columns((~cs.numeric()).cast(pl.String))


def _read_xlsx(path: Path, numeric: Sequence[str]) -> tuple[pl.DataFrame, pl.Series, dict[str, pl.Series]]:
    """The first sheet: its header is its first row that is not blank; the cells of numeric columns that are
    numbers come at full precision in the third value (by lower-case column name)."""
    grid = sheet_text(path)
    grid = grid.with_columns(pl.all().cast(pl.String).str.strip_chars().replace("", None))
    filled = (
        grid.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
        if grid.width
        else pl.Series([], dtype=pl.Boolean)
    )
    if not filled.any():
        raise InputError(N_("the first sheet is empty"), file=path.name)
    h = int(filled.arg_true()[0])
    header = ["" if c is None else c for c in grid.row(h)]
    check_header(header, path.name, h + 1)
    body = grid.slice(h + 1)
    rows = pl.Series("row", range(h + 2, h + 2 + body.height), dtype=pl.Int64)
    frame = name_columns(body, header, rows, path.name)
    wanted = {i: n.lower() for i, n in enumerate(header) if n.lower() in numeric}
    numbers = sheet_numbers(path, list(wanted)).slice(h + 1) if wanted else pl.DataFrame()
    keep = filled.slice(h + 1)
    exact = {wanted[i]: numbers[:, k].filter(keep) for k, i in enumerate(wanted)}
    return frame.filter(keep), rows.filter(keep), exact


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def require_columns(table: UserTable, required: list[str]) -> None:
    missing = [c for c in required if c not in table.frame.columns]
    if missing:
        raise InputError(
            N_("missing column %(columns)s (found: %(found)s)")
            if len(missing) == 1
            else N_("missing columns %(columns)s (found: %(found)s)"),
            params={"columns": ", ".join(missing), "found": ", ".join(table.frame.columns)},
            file=table.name,
            field=missing[0],
        )


def first_bad(
    table: UserTable, bad: pl.Series, message: str, field: str | None = None, params: dict | None = None
) -> None:
    """Raise for the first row where ``bad`` is true, saying how many other rows share the problem. ``message``
    is a catalog entry (``N_``) filled from ``params``, so the reader sees it in their language."""
    hits = bad.fill_null(False).arg_true()
    if hits.len():
        raise table.error(message, int(hits[0]), field, more=hits.len() - 1, params=params)


def _coerce_numbers(
    table: UserTable, columns: list[str], exact: dict[str, pl.Series], delimiter: str | None, decimal: str | None
) -> pl.DataFrame:
    """Cast columns to floats; a non-empty cell that is not a finite number is an error naming its row. Numbers
    written as text are read with one decimal mark for the whole table (see ``delimited.decimal_mark``);
    ``exact`` holds the cells a spreadsheet stored as numbers."""
    frame = table.frame
    stored = [c for c in columns if frame[c].dtype.is_numeric()]
    if stored:  # every column looked at in one pass (in parallel); only one holding a bad cell is searched
        frame = frame.with_columns(pl.col(stored).cast(pl.Float64))
        for col, bad in zip(stored, frame.select((~pl.col(stored).is_finite()).any()).row(0), strict=True):
            if bad:
                first_bad(table, ~frame[col].is_finite(), N_("not a finite number"), col)
    written = [c for c in columns if c not in stored]
    if not written:
        return frame
    texts = pl.DataFrame(
        {c: _written(frame[c], exact.get(c)) for c in written}, schema=dict.fromkeys(written, pl.String)
    )
    mark = decimal_mark(texts, table.rows, file=table.name, delimiter=delimiter, given=decimal)
    for col in written:
        text = texts[col]
        number = parse_numbers(text, mark)
        if col in exact:  # a cell the spreadsheet stored as a number, at full precision
            number = number.zip_with(text.is_not_null(), exact[col])
        bad = text.is_not_null() & (number.is_null() | number.is_nan() | number.is_infinite())
        if bad.any():
            cell = text.filter(bad)[0]
            other = "," if mark == "." else "."
            message = _MARKS[mark] if other in cell else N_("%(cell)s is not a number")
            first_bad(table, bad, message, col, params={"cell": repr(cell)})
        frame = frame.with_columns(number.alias(col))
    return frame


_MARKS = {  # a cell with the other mark: say how the file's numbers are read
    ".": N_("%(cell)s is not a number (numbers in this file are read with a decimal point)"),
    ",": N_("%(cell)s is not a number (numbers in this file are read with a decimal comma)"),
}


def _written(cells: pl.Series, stored: pl.Series | None) -> pl.Series:
    """The cells to read as written numbers: all of them, or in a spreadsheet those it did not store as numbers
    (TRUE and FALSE it stores as 1 and 0: they stay text, and are no number)."""
    text = cells.str.strip_chars().replace("", None)
    if stored is None:
        return text
    kept = stored.is_null() | text.str.to_lowercase().is_in(["true", "false"])
    return text.zip_with(kept.fill_null(True), pl.Series([None] * len(text), dtype=pl.String))
