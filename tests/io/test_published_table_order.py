"""THE's 2019–2023 tables as the views list them, against the workbooks read with polars alone (never through
the importer): every SDG table has the file's rows (a card's SDG that its table does not list is no row of it,
in any view, size or chart), and in the listed order no row comes before a row with a smaller published rank,
nor a row the scrape saved without its rank before a published row above it in the file or after one below."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import polars as pl
import pytest

from the_workbooks import goal_of

TABLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published" / "the-impact-tables"
YEARS = (2019, 2020, 2021, 2022, 2023)
OVERALL = "Best scores by rank"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not TABLES.is_dir(), reason=f"THE's table workbooks not found at {TABLES} (../shared is absent)"
    ),
]


@pytest.fixture(scope="module")
def raw() -> dict[int | None, pl.DataFrame]:
    """Every workbook by its goal (None for the overall table), its score column renamed "Score"."""
    out = {}
    for path in sorted(TABLES.glob("*.xlsx")):
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
        header = frame.columns[4]
        score = "Overall" if header == OVERALL else header
        out[goal_of(header)] = frame.select(
            pl.col("Rank"),
            pl.col("Year").cast(pl.Int64),
            pl.col("University"),
            pl.col("Country"),
            pl.col(score).alias("Score"),
        )
    return out


@pytest.fixture(scope="module")
def editions(the_tables):
    return {e.year: e for e in the_tables.editions}


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _bounds(cell: str | None) -> tuple[float | None, float | None]:
    """A score cell's low and high ("87.9" → both 87.9, "77.5–85.2" → its ends), to one decimal."""
    parts = [float(p) for p in re.split(r"\s*[–-]\s*", _text(cell)) if p]
    return (round(min(parts), 1), round(max(parts), 1)) if parts else (None, None)


def _published(cell: str | None) -> int | None:
    """The first place a rank cell publishes: "=12" → 12, "101–200" → 101, "1001+" → 1001; "0" (a tie the
    scrape lost) → None."""
    m = re.match(r"=?(\d+)", _text(cell))
    return int(m.group(1)) or None if m else None


def _listed_file_rows(file: pl.DataFrame, listed: pl.DataFrame) -> list[int]:
    """The file row (0-based, file order) of each listed row, matched on score bounds and name as a file writes
    it: the name cell, or the name with its country glued on or taken off (one table of the year may glue them,
    another not); rows sharing both (unnamed rows) must share their rank cell too, so which is which does not
    matter."""
    countries = set(file["Country"].drop_nulls().to_list())
    where: dict[tuple, list[int]] = {}
    for i, (name, country, score) in enumerate(file.select("University", "Country", "Score").iter_rows()):
        name, country = _text(name), _text(country)
        names = {name, name + country} | {name[: -len(c)] for c in countries if not country and name.endswith(c)}
        for written in names:
            where.setdefault((written, *_bounds(score)), []).append(i)
    for rows in where.values():
        assert len({file["Rank"][i] for i in rows}) == 1 or len({file["University"][i] for i in rows}) > 1
    out, taken = [], set()
    for name, low, high in listed.select("name_original", "low", "high").iter_rows():
        key = (_text(name), *(None if v is None else round(v, 1) for v in (low, high)))
        free = [i for i in where.get(key, []) if i not in taken]
        assert free, f"listed row {key} is not a row of the file"
        taken.add(free[0])
        out.append(free[0])
    return out


def _order_breaks(file: pl.DataFrame, at: list[int]) -> list[str]:
    """Pairs listed against the published order: a published rank after a larger one, and a row saved as 0
    listed before a published row above its tie group (equal scores) in the file or after one below it."""
    n = file.height
    published = [_published(r) for r in file["Rank"]]
    place = {row: k for k, row in enumerate(at)}
    breaks = []
    ranked = sorted((place[i], published[i], i) for i in range(n) if published[i])
    for (_, p, i), (_, q, j) in itertools.pairwise(ranked):
        if q < p:
            breaks.append(f"{file.row(i)} listed before {file.row(j)}")
    last_above, first_below = [-1] * (n + 1), [n] * (n + 1)  # latest place of a published row before i / from i
    for i in range(n):
        last_above[i + 1] = max(last_above[i], place[i] if published[i] else -1)
    for i in reversed(range(n)):
        first_below[i] = min(first_below[i + 1], place[i] if published[i] else n)
    scores, start = file["Score"].to_list(), 0
    for end in range(1, n + 1):
        if end < n and scores[end] == scores[start]:
            continue
        for z in range(start, end):
            if not published[z] and not last_above[start] < place[z] < first_below[end]:
                breaks.append(f"{file.row(z)} listed out of its published neighbours")
        start = end
    return breaks


def _names(edition) -> pl.DataFrame:
    return edition.institutions.select("institution_id", "name_original")


def test_every_sdg_table_has_the_files_rows_in_published_order(raw, editions):
    from impactrank.engine.views.lists import sdg_view

    checked = 0
    for year in YEARS:
        ed = editions[year]
        sizes = ed.sdg_table_sizes()
        for sdg, frame in sorted((k, f) for k, f in raw.items() if k is not None):
            file = frame.filter(pl.col("Year") == year)
            if file.height == 0:
                assert sdg not in sizes, (year, sdg)
                continue
            view = sdg_view(ed, sdg)
            assert sizes[sdg] == view.height == file.height, (year, sdg)
            stored = ed.sdg_table(sdg).select("institution_id", low="score_low", high="score_high")
            listed = view.select("institution_id").join(stored, on="institution_id", how="left", maintain_order="left")
            at = _listed_file_rows(file, listed.join(_names(ed), on="institution_id", maintain_order="left"))
            assert sorted(at) == list(range(file.height)), (year, sdg)
            assert _order_breaks(file, at) == [], (year, sdg)
            checked += 1
    assert checked == 10 + 4 * 17  # 2019 has ten SDG tables, 2020–2023 all seventeen


def test_the_overall_tables_in_published_order(raw, editions):
    from impactrank.engine.views.lists import overall_view

    for year in YEARS[1:]:
        ed = editions[year]
        file = raw[None].filter(pl.col("Year") == year)
        view = overall_view(ed)
        assert view.height == ed.field_size == file.height, year
        stored = ed.overall.select("institution_id", low="overall_low", high="overall_high")
        listed = view.select("institution_id").join(stored, on="institution_id", how="left", maintain_order="left")
        at = _listed_file_rows(file, listed.join(_names(ed), on="institution_id", maintain_order="left"))
        assert _order_breaks(file, at) == [], year


def test_a_card_sdg_its_table_does_not_list_is_no_row_of_that_table(raw, editions):
    """2021's SDG 17, 4, 9 and 3 tables, whose sizes THE's files give, with a card's SDG outside each: the views,
    the participation chart and a comparison's field all count the file's rows, and the card's score is kept."""
    from impactrank.engine.views.compare import compare_editions
    from impactrank.engine.views.lists import sdg_positions
    from impactrank.report.charts.data import participation_data

    ed = editions[2021]
    chart = {b["sdg"]: b["count"] for b in participation_data(ed)["participants"]}
    for sdg in (17, 4, 9, 3):
        size = raw[sdg].filter(pl.col("Year") == 2021).height
        outside = ed.sdg_scores.filter((pl.col("sdg") == sdg) & (pl.col("quality") == "not_in_sdg_table"))
        assert outside.height >= 1 and outside["score_low"].null_count() == 0, sdg
        assert ed.sdg_table_sizes()[sdg] == chart[sdg] == size, sdg
        assert compare_editions(editions[2020], ed, sdg=sdg).field_to == size, sdg
        assert sdg_positions(ed, outside["institution_id"].to_list()).filter(pl.col("sdg") == sdg).height == 0
    assert {s: raw[s].filter(pl.col("Year") == 2021).height for s in (17, 4, 9, 3)} == {
        17: 1154,
        4: 965,
        9: 680,
        3: 871,
    }
