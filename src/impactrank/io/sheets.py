"""A workbook's sheet as a grid of rows numbered as the spreadsheet numbers them: blank rows are kept (a sheet
starting with a blank row has its header on row 2), so a frame row's index + 1 is the row a person sees."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError


def sheet_text(path: Path, sheet: int | str = 0) -> pl.DataFrame:
    """Every cell of the sheet as text (an empty cell is null), one column per spreadsheet column."""
    return _load(path, sheet, "string")


def sheet_numbers(path: Path, columns: list[int], sheet: int | str = 0) -> pl.DataFrame:
    """The cells of ``columns`` (positions) as numbers at full precision, null where a cell is not a number; row
    for row as :func:`sheet_text`. The text of a number cell is rounded (calamine writes nine decimals)."""
    return _load(path, sheet, dict.fromkeys(columns, "float")).select(pl.nth(columns).cast(pl.Float64, strict=False))


def sheet_names(path: Path) -> list[str]:
    return list(_reader(path).sheet_names)


def _reader(path: Path):
    import fastexcel  # calamine: ten times faster than openpyxl

    try:
        return fastexcel.read_excel(path)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, fastexcel.FastExcelError) as exc:
        raise _unreadable(path, exc) from None


def _load(path: Path, sheet: int | str, dtypes) -> pl.DataFrame:
    import fastexcel

    reader = _reader(path)
    try:
        return reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes=dtypes).to_polars()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, fastexcel.FastExcelError) as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> InputError:
    reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return InputError(N_("not a readable XLSX workbook (%(reason)s)"), file=path.name, params={"reason": reason})
