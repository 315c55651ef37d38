"""THE's own tables (the overall table and the 17 SDG tables of 2019–2023, as a scrape saved them in 18
workbooks), imported together and checked against values this test derives from the raw workbooks with
polars alone (never through the importer)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

TABLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published" / "the-impact-tables"
OVERALL = TABLES / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx"
CLIMATE = TABLES / "THE_Impact_climate_action_2019_2025.xlsx"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not TABLES.is_dir(), reason=f"THE's table workbooks not found at {TABLES} (../shared is absent)"
    ),
]
YEARS = (2019, 2020, 2021, 2022, 2023)
EXACT = re.compile(r"=?\d+")


def _raw(path: Path) -> pl.DataFrame:
    return pl.read_excel(path, engine="calamine", infer_schema_length=0).with_columns(pl.col("Year").cast(pl.Int64))


@pytest.fixture(scope="module")
def raw() -> dict[str, pl.DataFrame]:
    """Every workbook by the header of its fifth column ("Best scores by rank" for the overall table)."""
    return {(frame := _raw(p)).columns[4]: frame for p in sorted(TABLES.glob("*.xlsx"))}


@pytest.fixture(scope="module")
def imported(the_tables):
    return the_tables, {e.year: e for e in the_tables.editions}


def test_one_edition_per_year_with_its_overall_and_sdg_tables(imported, raw):
    result, eds = imported
    assert sorted(eds) == list(YEARS) and result.report.format == "the-workbook"
    overall = raw["Best scores by rank"]
    for year in YEARS:
        ed = eds[year]
        assert ed.overall.height == overall.filter(pl.col("Year") == year).height
        sizes = {
            header: frame.filter(pl.col("Year") == year).height
            for header, frame in raw.items()
            if header != "Best scores by rank"
        }
        assert sorted(ed.sdg_table_sizes().values()) == sorted(n for n in sizes.values() if n)
        report = next(e for e in result.report.editions if e.year == year)
        assert sum(t["rows"] for k, t in report.tables.items() if k != "overall") == sum(sizes.values())
    assert eds[2019].overall.height == 0 and eds[2019].field_size is None and len(eds[2019].sdg_table_sizes()) == 10
    assert (eds[2020].field_size, eds[2021].field_size) == (768, 1117)
    # every table is keyed by its goal: the climate action workbook is SDG 13
    climate = _raw(CLIMATE)
    assert eds[2021].sdg_table_sizes()[13] == climate.filter(pl.col("Year") == 2021).height == 566


def test_institutions_are_one_across_the_tables_of_an_edition(imported, raw):
    """Institutions = distinct (name, country) over all tables of the year, once a country glued to the end of
    a name with an empty country cell is split off; every unnamed row is kept as its own institution."""
    _, eds = imported
    rows = pl.concat([f.select("Year", "University", "Country") for f in raw.values()])
    countries = set(rows["Country"].drop_nulls())

    def split(name: str, country: str | None) -> tuple[str, str]:
        if country:
            return name, country
        for c in sorted(countries, key=len, reverse=True):
            if name.endswith(c) and len(name) > len(c) and name[-len(c) - 1].isalpha():
                return name[: -len(c)], c
        return name, ""

    for year in YEARS:
        named, unnamed = set(), 0
        for _, name, country in rows.filter(pl.col("Year") == year).iter_rows():
            if not name:
                unnamed += 1
                continue
            n, c = split(name, country)
            named.add((" ".join(n.split()).casefold(), c.casefold()))
        assert eds[year].institutions.height == len(named) + unnamed, year


def test_lost_ties_are_rebuilt_as_published_sources_give_them(imported, raw):
    """THE's 2020 and 2021 top ranks as others reported them (reference/the-methodology.md §1.4–1.5): Leeds and
    Newcastle joint 11th in 2020; Wollongong 6th and Arizona State 9th in 2021 — all saved as 0 by the scrape."""
    _, eds = imported

    def rank(year: int, name: str) -> str:
        ed = eds[year]
        iid = ed.institutions.filter(pl.col("name") == name)["institution_id"][0]
        return ed.overall.filter(pl.col("institution_id") == iid)["rank"][0]

    overall = raw["Best scores by rank"]
    for year, name in (
        (2020, "University of Leeds"),
        (2020, "Newcastle University"),
        (2021, "Arizona State University (Tempe)"),
    ):
        assert overall.filter((pl.col("Year") == year) & (pl.col("University") == name))["Rank"][0] == "0"
    assert rank(2020, "University of Leeds") == rank(2020, "Newcastle University") == "=11"
    assert rank(2021, "University of Wollongong") == "=6"
    assert rank(2021, "Arizona State University (Tempe)") == "=9"


def _neighbour_ranks(rows: list[tuple[str, str]]) -> dict[int, tuple[int, int]]:
    """The test's own reading of THE's rule for each row saved as 0: the rank of its tie group continues the
    nearest published group above and must meet the nearest one below (both ends given), and stays after the
    published rank above and before the one below (level with them when they leave no rank between)."""
    ranks = [int(r.lstrip("=")) for r, _ in rows]
    groups, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][1] != rows[start][1]:
            groups.append((start, i))
            start = i
    known = {g: {ranks[k] for k in range(a, b) if ranks[k]} for g, (a, b) in enumerate(groups)}
    known = {g: v.pop() for g, v in known.items() if len(v) == 1}
    out = {}
    for g, (a, b) in enumerate(groups):
        up = [h for h in known if h < g]
        down = [h for h in known if h > g]
        low = known[up[-1]] + a - groups[up[-1]][0] if up else a + 1
        high = known[down[0]] - (groups[down[0]][0] - a) if down else low
        after = known[up[-1]] + 1 if up else 1
        before = known[down[0]] - 1 if down else max(low, high)
        if after > before:
            after, before = after - 1, before + 1
        ends = sorted(min(max(v, after), before) for v in (low, high))
        for k in range(a, b):
            if not ranks[k]:
                out[k] = (known[g], known[g]) if g in known else tuple(ends)
    return out


def test_every_lost_tie_of_the_overall_tables(imported, raw):
    result, eds = imported
    overall = raw["Best scores by rank"]
    for year in (2020, 2021, 2022, 2023):
        table = overall.filter(pl.col("Year") == year).with_row_index()
        top = table.filter(pl.col("Rank").str.contains(r"^=?\d+$"))
        expected = _neighbour_ranks(list(zip(top["Rank"], top["Overall"], strict=True)))
        got = eds[year].overall.with_row_index().filter(pl.col("index").is_in(top["index"].implode()))
        zeros = top.filter(pl.col("Rank") == "0").height
        assert len(expected) == zeros
        report = next(e for e in result.report.editions if e.year == year)
        assert report.tables["overall"]["flags"]["rank_reconstructed"] == zeros
        for k, (low, high) in expected.items():
            rec = got.row(k, named=True)
            assert (rec["rank_low"], rec["rank_high"]) == (low, high)
            assert rec["rank"] == (f"={low}" if low == high else f"={low}–{high}")
            assert "rank_reconstructed" in rec["quality"]
    # 2021: score order disagrees with 4 of the 45 published top-100 ranks; they are kept and flagged
    top = overall.filter((pl.col("Year") == 2021) & pl.col("Rank").str.contains(r"^\d+$") & (pl.col("Rank") != "0"))
    scores = overall.filter((pl.col("Year") == 2021) & pl.col("Rank").str.contains(r"^=?\d+$"))["Overall"].cast(
        pl.Float64
    )
    off = [
        r for r, s in zip(top["Rank"], top["Overall"].cast(pl.Float64), strict=True) if int(r) != 1 + (scores > s).sum()
    ]
    assert (top.height, len(off)) == (45, 4)
    flagged = eds[2021].overall.filter(pl.col("quality").str.contains("rank_off_score_order"))
    assert sorted(flagged["rank"].str.strip_chars_start("=").to_list()) == sorted(off)


def test_flags_by_kind_match_the_raw_cells(imported, raw):
    result, _ = imported
    overall = raw["Best scores by rank"]

    def hides_a_score(card: str) -> bool:  # the card's pairs are two-space groups; "16 4 75.2" lost a score
        return any(len(g.split()) == 3 for g in re.split(r"\s{2,}", card))

    for year in (2020, 2021, 2022, 2023):
        t = overall.filter(pl.col("Year") == year)
        report = next(e for e in result.report.editions if e.year == year).tables["overall"]["flags"]
        assert report.get("no_name", 0) == t["University"].is_null().sum()
        assert (
            report.get("country_split_from_name", 0) == (t["Country"].is_null() & t["University"].is_not_null()).sum()
        )
        # "Ada Kent UniversityNorthern" in "Cyprus": Northern Cyprus cut after its first word, put back together
        cut = t["University"].str.contains(r"[a-z]Northern$") & (t["Country"] == "Cyprus")
        assert report.get("country_rejoined_from_name", 0) == cut.sum()
        hidden = sum(hides_a_score(c) for c in t["Best scores by rank"])
        assert report.get("sdg_score_missing", 0) == hidden
    assert (
        next(e for e in result.report.editions if e.year == 2022).tables["overall"]["flags"]["sdg_score_missing"] == 33
    )


def test_cards_agree_with_the_sdg_tables(imported):
    """The card's SDG scores are the SDG tables' own: no overall row is flagged as contradicting them, and
    each card SDG is marked counted in its table."""
    result, eds = imported
    for e in result.report.editions:
        assert "card_differs_from_sdg_table" not in e.flags
    ed = eds[2021]
    counted = ed.sdg_scores.filter(pl.col("counted"))
    per_row = counted.group_by("institution_id").len()
    assert per_row["len"].max() == 4  # three best SDGs and SDG 17


def test_france_2021_three_way_shared_first_and_imt_atlantique_sdg13(imported, raw):
    from impactrank.engine.views.lists import country_view, sdg_positions

    _, eds = imported
    overall = raw["Best scores by rank"]
    french = overall.filter((pl.col("Year") == 2021) & (pl.col("Country") == "France"))
    best_band = min(french["Rank"], key=lambda r: int(r.split("–")[0]))
    firsts = sorted(french.filter(pl.col("Rank") == best_band)["University"])
    cv = country_view(eds[2021], "FR")
    assert cv.count == french.height == 18
    assert sorted(cv.leaders) == firsts and len(firsts) == 3 and best_band == "101–200"
    assert "IMT Atlantique" in firsts and "Nantes Université" in firsts
    climate = _raw(CLIMATE).filter(pl.col("Year") == 2021)
    raw_rank = climate.filter(pl.col("University") == "IMT Atlantique")["Rank"][0]
    pos = sdg_positions(eds[2021], ["fr-imt-atlantique"]).filter(pl.col("sdg") == 13).row(0, named=True)
    assert (pos["rank"], pos["table_size"]) == (raw_rank, climate.height) == ("55", 566)


def test_reimport_replaces_and_the_report_counts_tables(tmp_path, imported):
    from impactrank.io.workspace import Workspace

    result, _ = imported
    ws_path = tmp_path / "ws.duckdb"
    for _ in range(2):
        with Workspace(ws_path) as ws:
            ws.save_many(result.editions)
    with Workspace(ws_path, read_only=True) as ws:
        assert ws.editions()["edition"].to_list() == ["2019", "2020", "2021", "2022", "2023"]
        ed = ws.load("2021")
    assert ed.sdg_scores.height == result.editions[2].sdg_scores.height
    assert ed.sdg_table_sizes() == result.editions[2].sdg_table_sizes()
    tables = next(e for e in result.report.editions if e.year == 2021).tables
    assert list(tables) == ["overall", *(f"sdg{k}" for k in range(1, 18))]
    assert all(t["file"].endswith(".xlsx") for t in tables.values())


def test_a_two_word_country_cut_after_its_first_word_is_put_back(imported, raw):
    """The workbooks write "Ada Kent UniversityNorthern" in "Cyprus" (Northern Cyprus cut in two): every such
    name is read without the glued word, its original kept, in Cyprus."""
    _, eds = imported
    overall, seen = raw["Best scores by rank"], 0
    for year in (2020, 2021, 2022, 2023):
        rows = overall.filter((pl.col("Year") == year) & pl.col("University").str.contains(r"[a-z]Northern$"))
        seen += rows.height
        assert set(rows["Country"]) <= {"Cyprus"}
        names = eds[year].institutions.filter(pl.col("name_original").is_in(rows["University"].implode()))
        assert names.height == rows.height
        expected = sorted(n.removesuffix("Northern") for n in rows["University"])
        assert sorted(names["name"]) == expected and set(names["country"]) <= {"CY"}
    assert seen > 0


def test_a_name_whose_end_the_scrape_took_for_its_country_is_made_whole(imported, raw):
    """ "University of" in "Georgia": the scrape cut the country off the end of a name ending with it. The
    name is made whole ("University of Georgia", in Georgia), flagged; its original cell kept."""
    result, eds = imported
    for year in YEARS:
        cut = {
            (f"{name} {country}", country)
            for frame in raw.values()
            for name, country in frame.filter(pl.col("Year") == year).select("University", "Country").iter_rows()
            if name and country and re.search(r"\s(of|for|and|de)$", name.strip())
        }
        names = set(eds[year].institutions["name"].to_list())
        assert {name for name, _ in cut} <= names and not any(re.search(r"\sof$", n or "") for n in names)
        report = next(e for e in result.report.editions if e.year == year)
        flag = "name_end_restored_from_country"
        flagged = report.flags.get(flag, 0) + report.sdg_tables["flags"].get(flag, 0)  # the overall table, the SDG's
        assert report.to_dict()["sdg_tables"] == report.sdg_tables
        assert flagged == sum(
            frame.filter((pl.col("Year") == year) & pl.col("University").str.contains(r"\s(of|for|and|de)$")).height
            for frame in raw.values()
        )
    assert ("University of Georgia", "Georgia") in cut  # 2023's: Tbilisi's University of Georgia


def test_workbooks_saved_as_csv_read_as_the_workbooks(tmp_path):
    """THE's overall and climate workbooks saved as CSV (polars writes them here) are read as THE's workbooks:
    the same 2021 edition, cards and SDG 13 table included, as from the workbooks themselves (they were read as a
    plain ranking table: an SDG table became an overall table and the cards were dropped)."""
    from impactrank.io.published import read_published

    csvs = []
    for path in (OVERALL, CLIMATE):
        csvs.append(tmp_path / f"{path.stem}.csv")
        _raw(path).with_columns(pl.col("Year").cast(pl.String)).write_csv(csvs[-1])
    from_csv = read_published(csvs, edition="2021")
    (ed,) = from_csv.editions
    (expected,) = read_published([OVERALL, CLIMATE], edition="2021").editions
    assert from_csv.report.format == "the-workbook"
    for name in ("overall", "sdg_scores", "institutions"):
        assert getattr(ed, name).equals(getattr(expected, name)), name
    assert ed.sdg_scores.filter(pl.col("sdg") == 13).height == _raw(CLIMATE).filter(pl.col("Year") == 2021).height
