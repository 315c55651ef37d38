"""THE's tables as a scrape saved them in workbooks, one sheet each: the overall table (``Rank, Year,
University, Country, Best scores by rank, Overall``, the packed card in the fifth column) and one table per
SDG (``Rank, Year, University, Country, <goal name>, Overall``), the SDG named only by its header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from impactrank.countries import to_alpha2
from impactrank.errors import N_, InputError
from impactrank.io.published.parse import cell_text, parse_card
from impactrank.io.published.rows import RawRow
from impactrank.io.sheets import sheet_text
from impactrank.sdgs import sdg_from_name

_HEADER_SEARCH_ROWS = 20
_FIXED = ("rank", "year", "university", "country")
_CARD = "best scores by rank"
OVERALL = 0  # the table key of the overall table; SDG tables are keyed 1–17


@dataclass
class WorkbookTable:
    file: str
    table: int  # OVERALL or the SDG number
    header: str  # the fifth column's header, as written
    rows: list[RawRow]


def _fold(cell: object) -> str:
    return " ".join(cell_text(cell).casefold().split())


def layout(header: list[object], file: str) -> int | None:
    """OVERALL or the SDG of a sheet whose header has THE's layout; None for any other header. A fifth
    column that names no goal is an error naming it (the table cannot be placed)."""
    cells = [_fold(c) for c in header]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) != 6 or tuple(cells[:4]) != _FIXED or cells[5] != "overall":
        return None
    if cells[4] == _CARD:
        return OVERALL
    sdg = sdg_from_name(cell_text(header[4]))
    if sdg is None:
        raise InputError(
            N_(
                "the fifth column %(column)r names no SDG (expected a goal's name, e.g. 'Climate action', or "
                "%(overall)r for the overall table)"
            ),
            params={"column": cell_text(header[4]), "overall": _CARD.capitalize()},
            file=file,
            row=None,
            field=cell_text(header[4]),
        )
    return sdg


def sheet_grid(path: Path) -> list[list[str]]:
    """The first sheet's cells as text, one list per spreadsheet row (blank rows kept, so index + 1 is the row
    number a person sees)."""
    return [["" if c is None else c for c in row] for row in sheet_text(path).iter_rows()]


def find_layout(grid: list[list[str]], file: str) -> tuple[int, int] | None:
    """(header row index, table key) when one of the first rows is THE's layout."""
    for h in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        table = layout(grid[h], file)
        if table is not None:
            return h, table
    return None


def read_workbook(path: Path, grid: list[list[str]] | None = None) -> WorkbookTable:
    grid = sheet_grid(path) if grid is None else grid
    found = find_layout(grid, path.name)
    if found is None:
        raise InputError(
            N_(
                "not a THE table workbook: no 'Rank, Year, University, Country, <SDG or Best scores by rank>, "
                "Overall' header in the first %(rows)s rows"
            ),
            params={"rows": _HEADER_SEARCH_ROWS},
            file=path.name,
        )
    h, table = found
    rows = []
    for i in range(h + 1, len(grid)):
        cells = [c.strip() for c in (grid[i] + [""] * 6)[:6]]
        if not any(cells):
            continue
        rank, year, name, country, fifth, overall = cells
        row = RawRow(row=i + 1, rank=rank, name=name, country=country, overall=overall, sdg17="", pairs=[], year=year)
        if not country:
            _split_glued_country(row)
        else:
            _rejoin_split_country(row)
            _restore_name_end(row)
        if table == OVERALL:
            card = parse_card(fifth)
            row.pairs, row.sdg17 = list(card.pairs), card.sdg17
            row.flags.extend(card.flags)
            row.raw_pairs = [("card", fifth)]
        else:
            row.score = fifth
        rows.append(row)
    return WorkbookTable(file=path.name, table=table, header=cell_text(grid[h][4]), rows=rows)


_GLUED = re.compile(r"(?<=[A-Za-z.)])(?=[A-Z])")


def _split_glued_country(row: RawRow) -> None:
    """ "UBTKosovo" with an empty country cell → "UBT" in Kosovo, flagged: the scrape glued the country to the
    name. Only a country name written straight after a letter is split, never "University of Malta"."""
    for cut in (m.start() for m in _GLUED.finditer(row.name)):
        tail = row.name[cut:]
        if to_alpha2(tail) is not None:
            row.name_cell = row.name
            row.name, row.country = row.name[:cut].rstrip(), tail
            row.flags.append("country_split_from_name")
            return


_GLUED_LAST = re.compile(r"(?<=[a-z.)])[A-Z][a-z]+$")


def _rejoin_split_country(row: RawRow) -> None:
    """ "Ada Kent UniversityNorthern" in "Cyprus" → "Ada Kent University" in "Northern Cyprus", flagged: the scrape
    cut a two-word country after its first word and glued that word to the name."""
    glued = _GLUED_LAST.search(row.name)
    if glued and to_alpha2(f"{glued[0]} {row.country}") is not None:
        row.name_cell = row.name
        row.name, row.country = row.name[: glued.start()].rstrip(), f"{glued[0]} {row.country}"
        row.flags.append("country_rejoined_from_name")


_CUT_END = re.compile(r"\s(?:of|for|and|the|de|del|des|du|di|da|do|la|y|et)$", re.IGNORECASE)


def _restore_name_end(row: RawRow) -> None:
    """ "University of" in "Georgia" → "University of Georgia" in Georgia, flagged: the scrape took the country off
    the end of a name that ends with it ("Management Development Institute of", Singapore). No name ends in "of"."""
    if _CUT_END.search(row.name) and row.country:
        row.name_cell = row.name
        row.name = f"{row.name} {row.country}"
        row.flags.append("name_end_restored_from_country")
