"""Counts read straight from THE's table workbooks with openpyxl (not the importer), for tests to expect: rows
per table and year, and per country."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

THE_TABLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "published" / "the-impact-tables"

# a word of each goal's name, as the workbooks' fifth header spells it ("Reducing inequalities", "Industry,
# Innovation, and Infrastructure"); the overall table's fifth header is "Best scores by rank"
GOAL_WORDS = {
    "poverty": 1,
    "hunger": 2,
    "health": 3,
    "education": 4,
    "gender": 5,
    "sanitation": 6,
    "energy": 7,
    "decent work": 8,
    "industry": 9,
    "inequalities": 10,
    "cities": 11,
    "consumption": 12,
    "climate": 13,
    "below water": 14,
    "on land": 15,
    "peace": 16,
    "partnerships": 17,
}


def goal_of(header: str) -> int | None:
    """The SDG a workbook's fifth header names; None for the overall table's ("Best scores by rank")."""
    header = header.casefold()
    if header.startswith("best scores"):
        return None
    return next(n for word, n in GOAL_WORDS.items() if word in header)


@cache
def table_rows(folder: Path = THE_TABLES) -> tuple[Counter, Counter]:
    """(table, year) → rows and (table, year, country) → rows, where table is "overall" or an SDG number."""
    import openpyxl

    rows: Counter = Counter()
    by_country: Counter = Counter()
    for path in sorted(folder.glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [str(h or "") for h in next(lines)]
        table = goal_of(header[4]) or "overall"
        year, country = header.index("Year"), header.index("Country")
        for line in lines:
            if line and line[year] is not None:
                rows[table, int(line[year])] += 1
                by_country[table, int(line[year]), line[country]] += 1
    return rows, by_country


def sdgs_of(year: int, folder: Path = THE_TABLES) -> list[int]:
    """The SDGs whose table has rows of the year."""
    rows, _ = table_rows(folder)
    return sorted(t for t, y in rows if y == year and t != "overall")
