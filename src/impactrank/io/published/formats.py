"""Which reader a file needs, and reading it into raw rows; every unreadable file is an InputError."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from impactrank.errors import InputError
from impactrank.io.published.rows import RawRow
from impactrank.io.published.scrape import is_scrape, read_scrape
from impactrank.io.published.wide import is_ranking_header, read_wide
from impactrank.io.published.workbook import find_layout, read_workbook, sheet_grid

FORMATS = ("auto", "the-workbook", "the-scrape", "clean-csv", "taiwan-json", "xlsx")
_BY_SUFFIX = {".json": "taiwan-json", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_HEADER_SEARCH_ROWS = 20


def read_rows(path: Path, fmt: str) -> tuple[list[RawRow], str, int | None]:
    """The rows of ``path``, the format they were read as and, for THE's workbooks, which table it is
    (``workbook.OVERALL`` or the SDG number; None for the other formats, which hold an overall table)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", file=path.name)
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    if fmt == "auto":
        fmt = _BY_SUFFIX.get(path.suffix.casefold(), "csv")
        if fmt == "xlsx":
            grid = sheet_grid(path)
            if find_layout(grid, path.name) is not None:
                table = read_workbook(path, grid)
                return table.rows, "the-workbook", table.table
    if fmt == "the-workbook":
        table = read_workbook(path)
        return table.rows, fmt, table.table
    if fmt == "taiwan-json":
        return _read_json(path), fmt, None
    if fmt == "xlsx":
        return _read_xlsx(path), fmt, None
    header, records = _read_csv(path)
    if fmt == "csv":
        fmt = "the-scrape" if is_scrape(header) else "clean-csv"
    if fmt == "the-scrape":
        if not is_scrape(header):
            raise InputError("not a scraped THE table: no sdg-score-multi columns", file=path.name)
        return read_scrape(records, header, path.name), fmt, None
    return read_wide(records, header, path.name), fmt, None


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not a UTF-8 text table (byte {exc.start})", file=path.name) from None
    if "\x00" in text:
        raise InputError("not a text table (binary content)", file=path.name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"unreadable CSV: {exc}", file=path.name, row=reader.line_num) from None
    if not rows:
        raise InputError("empty file", file=path.name)
    header = rows[0]
    if not (is_scrape(header) or is_ranking_header(header)):
        raise InputError(
            f"not a ranking table: no rank, name and overall columns in the header ({', '.join(header[:8])})",
            file=path.name,
            row=1,
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError(f"{len(row)} cells for {len(header)} columns", file=path.name, row=number)
        records.append(dict(zip(header, row, strict=False)))
    return header, records


def _read_json(path: Path) -> list[RawRow]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 JSON (byte {exc.start})", file=path.name) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"truncated or invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=path.name
        ) from None
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        raise InputError('not a ranking table: expected a list of records (or {"records": [...]})', file=path.name)
    header = list(dict.fromkeys(key for rec in records for key in rec))
    return read_wide(records, header, path.name)


def _read_xlsx(path: Path) -> list[RawRow]:
    import openpyxl  # only spreadsheets need it; keeps CSV imports fast

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"not a readable XLSX workbook: {exc}", file=path.name) from None
    try:
        for sheet in book.worksheets:
            grid = [list(r) for r in sheet.iter_rows(values_only=True)]
            for h in range(min(_HEADER_SEARCH_ROWS, len(grid))):
                header = ["" if c is None else str(c).strip() for c in grid[h]]
                if is_ranking_header(header):
                    records = [
                        dict(zip(header, r, strict=False)) for r in grid[h + 1 :] if any(c not in (None, "") for c in r)
                    ]
                    return read_wide(records, header, f"{path.name} [{sheet.title}]", first_row=1)
    finally:
        book.close()
    raise InputError(
        f"no recognisable header (rank, name and overall columns) in the first {_HEADER_SEARCH_ROWS} rows of any sheet",
        file=path.name,
    )
