"""Which reader a file needs, and reading it into raw rows; every unreadable file is an InputError."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError
from impactrank.io.delimited import check_header, read_text_table, to_point
from impactrank.io.published.rows import RawRow
from impactrank.io.published.scrape import is_scrape, read_scrape, score_columns
from impactrank.io.published.wide import is_ranking_header, map_header, read_wide
from impactrank.io.published.workbook import find_layout, layout, read_workbook, sheet_grid
from impactrank.io.sheets import sheet_names, sheet_text

FORMATS = ("auto", "the-workbook", "the-scrape", "clean-csv", "taiwan-json", "xlsx")
_BY_SUFFIX = {".json": "taiwan-json", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_HEADER_SEARCH_ROWS = 20


def read_rows(path: Path, fmt: str, decimal: str | None = None) -> tuple[list[RawRow], str, int | None]:
    """The rows of ``path``, the format they were read as and, for THE's workbooks, which table it is
    (``workbook.OVERALL`` or the SDG number; None for the other formats, which hold an overall table). A CSV's
    scores are read with its decimal mark (``decimal`` when given, else as its numbers say)."""
    if fmt not in FORMATS:
        raise InputError(
            N_("unknown format %(format)r (choose from %(choices)s)"), file=path.name,
            params={"format": fmt, "choices": ", ".join(FORMATS)},
        )  # fmt: skip
    if not path.is_file():
        raise InputError(N_("no such file"), file=str(path))
    grid = None
    if fmt == "auto":
        fmt = _BY_SUFFIX.get(path.suffix.casefold(), "csv")
        grid = sheet_grid(path) if fmt == "xlsx" else _workbook_as_csv(path) if fmt == "csv" else None
        if grid is not None and find_layout(grid, path.name) is not None:
            fmt = "the-workbook"
    if fmt == "the-workbook":
        if grid is None and _BY_SUFFIX.get(path.suffix.casefold()) != "xlsx":
            grid = _workbook_as_csv(path) or []  # [] : no layout, which read_workbook says
        table = read_workbook(path, grid)
        return table.rows, fmt, table.table
    if fmt == "taiwan-json":
        return _read_json(path), fmt, None
    if fmt == "xlsx":
        return _read_xlsx(path), fmt, None
    header, numbers, records = _read_csv(path, decimal)
    if fmt == "csv":
        fmt = "the-scrape" if is_scrape(header) else "clean-csv"
    if fmt == "the-scrape":
        if not is_scrape(header):
            raise InputError(N_("not a scraped THE table: no sdg-score-multi columns"), file=path.name)
        return read_scrape(records, header, path.name, numbers), fmt, None
    return read_wide(records, header, path.name, numbers), fmt, None


def _workbook_as_csv(path: Path) -> list[list[str]] | None:
    """One of THE's workbooks saved as CSV: its cells as the sheet's grid (index + 1 is the row number a person
    sees), so its cards and its SDG are read as the workbook's; None for any other CSV, judged by its header."""
    table = read_text_table(path)
    if layout(table.header, path.name) is None:
        return None
    return [[] for _ in range(table.header_row - 1)] + [cells for _, cells in table.rows()]


def _read_csv(path: Path, decimal: str | None) -> tuple[list[str], list[int], list[dict[str, str]]]:
    """The header, the row number of each record and the records (blank rows left out); scores written with a
    decimal comma come with a point, as the parsers of published scores read them."""
    table = read_text_table(path, decimal=decimal)
    header = table.header  # a file that is no ranking table says so before any of its rows is read
    if not (is_scrape(header) or is_ranking_header(header)):
        raise InputError(
            N_("not a ranking table: no rank, name and overall columns in the header (%(header)s)"),
            params={"header": ", ".join(header[:8])},
            file=path.name,
            row=table.header_row,
        )
    check_header(header, path.name, table.header_row)  # each row is read as a dict by column name
    numbers, records = [], []
    for number, row in table.records()[1]:
        numbers.append(number)
        records.append(dict(zip(header, row, strict=False)))
    if not records:
        raise InputError(N_("the file has a header but no data rows"), file=path.name)
    scores = list(dict.fromkeys(score_columns(header) if is_scrape(header) else _wide_scores(header)))
    if scores and records:
        cells = pl.DataFrame({c: [r.get(c) for r in records] for c in scores}, schema=dict.fromkeys(scores, pl.String))
        mark = table.decimal_mark(cells, numbers)
        if mark == ",":
            for r in records:
                for c in scores:
                    if c in r:
                        r[c] = to_point(r[c], mark)
    return header, numbers, records


def _wide_scores(header: list[str]) -> list[str]:
    fields, sdgs = map_header(header)
    return ([fields["overall"]] if "overall" in fields else []) + list(sdgs.values())


def _read_json(path: Path) -> list[RawRow]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(N_("not UTF-8 JSON (byte %(byte)s)"), file=path.name, params={"byte": exc.start}) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            N_("truncated or invalid JSON at line %(line)s column %(column)s: %(reason)s"), file=path.name,
            params={"line": exc.lineno, "column": exc.colno, "reason": exc.msg},
        ) from None  # fmt: skip
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        raise InputError(N_('not a ranking table: expected a list of records (or {"records": [...]})'), file=path.name)
    header = list(dict.fromkeys(key for rec in records for key in rec))
    return read_wide(records, header, path.name)


def _read_xlsx(path: Path) -> list[RawRow]:
    """The first sheet with a ranking header in one of its first rows; rows numbered as the spreadsheet does."""
    for sheet in sheet_names(path):
        grid = sheet_text(path, sheet)
        cells = [["" if c is None else c.strip() for c in row] for row in grid.head(_HEADER_SEARCH_ROWS).iter_rows()]
        for h, header in enumerate(cells):
            if is_ranking_header(header):
                kept = [
                    (h + 2 + i, row)  # the header's row is h + 1
                    for i, row in enumerate(grid.slice(h + 1).iter_rows())
                    if any(c is not None and c.strip() for c in row)
                ]
                records = [dict(zip(header, row, strict=False)) for _, row in kept]
                return read_wide(records, header, f"{path.name} [{sheet}]", [n for n, _ in kept])
    raise InputError(
        N_("no recognisable header (rank, name and overall columns) in the first %(rows)s rows of any sheet"),
        params={"rows": _HEADER_SEARCH_ROWS},
        file=path.name,
    )
