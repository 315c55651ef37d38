"""THE's table workbooks made here by hand: the layouts recognised, a year's overall table and SDG tables
assembled into one edition, and every row kept (a glued country split, an unknown header refused)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from impactrank.errors import InputError
from impactrank.io.published import read_published

OVERALL = ["Rank", "Year", "University", "Country", "Best scores by rank", "Overall"]


def workbook(path: Path, header: list[str], rows: list[list[str]], blank_rows: int = 0) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for j, h in enumerate(header):
        sheet.write_string(blank_rows, j, h)
    for i, row in enumerate(rows, start=blank_rows + 1):
        for j, cell in enumerate(row):
            if cell != "":
                sheet.write_string(i, j, cell)
    book.close()
    return path


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    folder = tmp_path / "tables"
    folder.mkdir()
    workbook(
        folder / "overall.xlsx",
        OVERALL,
        [
            ["1", "2021", "Alpha University", "France", "13 90.0  9 80.0  4 70.0  17 95.0  SDG Descriptions", "90.0"],
            ["0", "2021", "Beta Institute", "Spain", "13 85.0  5 80.0  4 60.0  17 90.0  SDG Descriptions", "85.0"],
            ["0", "2021", "Gamma College", "Spain", "13 85.0  5 75.0  9 60.0  17 80.0  SDG Descriptions", "85.0"],
            ["4", "2021", "Delta UniversityKosovo", "", "16 4 60.0  9 55.0  17 50.0  SDG Descriptions", "80.0"],
            ["1", "2020", "Alpha University", "France", "13 80.0  9 70.0  4 60.0  17 90.0  SDG Descriptions", "88.0"],
        ],
    )
    workbook(
        folder / "climate.xlsx",
        ["Rank", "Year", "University", "Country", "Climate Action", "Overall"],
        [
            ["1", "2021", "Alpha University", "France", "90.0", "90.0"],
            ["0", "2021", "Beta Institute", "Spain", "85.0", "85.0"],
            ["0", "2021", "Gamma College", "Spain", "85.0", "85.0"],
            ["4", "2021", "Epsilon School", "Chile", "70.0", "-"],
            ["1", "2020", "Alpha University", "France", "80.0", "88.0"],
        ],
    )
    workbook(
        folder / "partnerships.xlsx",
        ["Rank", "Year", "University", "Country", "Partnerships for the Goals", "Overall"],
        [
            ["1", "2021", "Alpha University", "France", "95.0", "90.0"],
            ["2", "2021", "Beta Institute", "Spain", "90.0", "85.0"],
            ["3", "2021", "Gamma College", "Spain", "80.0", "85.0"],
            ["4", "2021", "Delta University", "Kosovo", "50.0", "80.0"],
            ["5", "2021", "Zeta Academy", "Chile", "40.0", "75.0"],
        ],
        blank_rows=2,
    )
    (folder / "README.md").write_text("not a table\n", encoding="utf-8")
    return folder


def test_a_year_becomes_one_edition_with_its_sdg_tables(tables):
    result = read_published(tables)
    assert [e.id for e in result.editions] == ["2020", "2021"]
    ed = result.editions[1]
    assert ed.sdg_table_sizes() == {13: 4, 17: 5} and ed.field_size == 4
    iid = dict(zip(ed.institutions["name"], ed.institutions["institution_id"], strict=True))
    # one institution across the tables: Alpha's overall row, SDG 13 row and SDG 17 row share its id
    alpha = ed.sdg_scores.filter(pl.col("institution_id") == iid["Alpha University"]).sort("sdg")
    assert alpha.select("sdg", "rank", "counted").rows() == [
        (4, None, True),
        (9, None, True),
        (13, "1", True),
        (17, "1", True),
    ]
    # an SDG-table-only institution is kept, ranked in its table, absent from the overall table
    assert "Epsilon School" in iid and iid["Epsilon School"] not in set(ed.overall["institution_id"])
    epsilon = ed.sdg_scores.filter(pl.col("institution_id") == iid["Epsilon School"]).row(0, named=True)
    assert (epsilon["rank"], epsilon["counted"], epsilon["quality"]) == ("4", False, "ok")
    # Zeta claims an overall score in the SDG 17 table but the overall table has no such row: flagged
    zeta = ed.sdg_scores.filter(pl.col("institution_id") == iid["Zeta Academy"]).row(0, named=True)
    assert zeta["quality"] == "overall_not_found"


def test_lost_ties_glued_countries_and_hidden_scores(tables):
    ed = read_published(tables, edition="2021").editions[0]
    overall = ed.overall.join(ed.institutions, on="institution_id")
    rows = {r["name"]: r for r in overall.iter_rows(named=True)}
    assert rows["Beta Institute"]["rank"] == rows["Gamma College"]["rank"] == "=2"
    assert "rank_reconstructed" in rows["Beta Institute"]["quality"]
    delta = rows["Delta University"]
    assert (delta["country"], delta["name_original"]) == ("XK", "Delta UniversityKosovo")
    assert "country_split_from_name" in delta["quality"] and "sdg_score_missing" in delta["quality"]
    # the split name is the SDG 17 table's institution: one id, its card SDG 17 marked counted there
    s17 = ed.sdg_scores.filter((pl.col("institution_id") == delta["institution_id"]) & (pl.col("sdg") == 17))
    assert s17.select("rank", "counted").row(0) == ("4", True)
    climate = ed.sdg_scores.filter(pl.col("sdg") == 13).sort("rank_position")
    assert climate["rank"].to_list() == ["1", "=2", "=2", "4"]


def test_row_numbers_are_the_spreadsheets(tables):
    result = read_published(tables, edition="2021")
    report = result.report.editions[0]
    delta = next(f for f in report.flagged if f["table"] == "overall" and f["name"] == "Delta UniversityKosovo")
    assert delta["row"] == 5  # header on row 1, Delta on the 4th data row
    assert delta["cells"]["pairs"] == [["card", "16 4 60.0  9 55.0  17 50.0  SDG Descriptions"]]  # the cell as read
    zeta = next(f for f in report.flagged if f["table"] == "sdg17")
    assert zeta["row"] == 8  # two blank rows, the header, then the 5th data row


def test_the_same_table_twice_is_refused(tables, tmp_path):
    copy = tmp_path / "climate-copy.xlsx"
    copy.write_bytes((tables / "climate.xlsx").read_bytes())
    with pytest.raises(InputError, match=re.escape("two SDG 13 tables for 2020: climate-copy.xlsx and climate.xlsx")):
        read_published([copy, tables / "climate.xlsx"])


def test_a_fifth_column_that_names_no_goal_is_an_error_naming_it(tmp_path):
    path = workbook(tmp_path / "odd.xlsx", ["Rank", "Year", "University", "Country", "Banana", "Overall"], [])
    with pytest.raises(InputError, match="'Banana' names no SDG") as exc:
        read_published(path)
    assert exc.value.file == "odd.xlsx"


def test_a_year_that_is_not_a_year(tmp_path):
    path = workbook(
        tmp_path / "bad-year.xlsx",
        ["Rank", "Year", "University", "Country", "Climate action", "Overall"],
        [["1", "2021", "Alpha", "France", "90.0", "-"], ["2", "twenty", "Beta", "France", "80.0", "-"]],
    )
    with pytest.raises(InputError) as exc:
        read_published(path)
    assert (exc.value.row, exc.value.field) == (3, "year") and "'twenty' is not a year" in str(exc.value)


def test_a_folder_with_nothing_to_import(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="nothing to import in folder"):
        read_published(tmp_path)


def test_cards_and_sdg_tables_that_disagree_are_flagged_row_by_row(tmp_path):
    workbook(
        tmp_path / "overall.xlsx",
        OVERALL,
        [
            ["1", "2022", "Alpha University", "France", "13 90.0  9 80.0  4 70.0  5 60.0  17 95.0", "90.0"],
            ["2", "2022", "Beta Institute", "Spain", "13 85.0  13 80.0  4 60.0  17 90.0", "85.0"],
            ["3", "2022", "Delta College", "Chile", "13 70.0  9 60.0  4 50.0  17 40.0", "80.0"],
        ],
    )
    workbook(
        tmp_path / "climate.xlsx",
        ["Rank", "Year", "University", "Country", "Climate Action", "Overall"],
        [
            ["1", "2022", "Alpha University", "France", "88.0", "90.0"],
            ["2", "2022", "Gamma College", "Spain", "80.0", ""],  # no overall score claimed, as "-"
            ["3", "2022", "Delta College", "Chile", "70.0", "-"],
            ["4", "2022", "", "Chile", "60.0", "-"],
            ["5", "2022", "Gamma College", "Spain", "50.0", "-"],
        ],
    )
    ed = read_published(tmp_path).editions[0]
    overall = ed.overall.join(ed.institutions, on="institution_id")
    # four pairs where three are shown; SDG 13 twice (the second dropped, two pairs left); the cards' SDG 13
    # score against the SDG 13 table: Alpha's 90.0 is 88.0 there, Beta is not in it, Delta's 70.0 agrees
    assert sorted(overall.select("name", "quality").rows()) == [
        ("Alpha University", "sdg_pairs_extra;card_differs_from_sdg_table"),
        ("Beta Institute", "sdg_number_repeated;sdg_pairs_incomplete;not_in_sdg_table"),
        ("Delta College", "ok"),
    ]
    climate = ed.sdg_scores.filter(pl.col("sdg") == 13).sort("institution_id")
    assert climate.select("institution_id", "score", "rank", "counted", "quality").rows() == [
        ("cl-delta-college", 70.0, "3", True, "overall_not_shown"),  # in the overall table, its row says "-"
        ("es-beta-institute", 85.0, None, True, "not_in_sdg_table"),  # kept from its card
        ("es-gamma-college", 80.0, "2", False, "ok"),
        ("es-gamma-college~2", 50.0, "5", False, "duplicate_institution"),
        ("fr-alpha-university", 88.0, "1", True, "ok"),
        ("xx-sdg13-row-5", 60.0, "4", False, "no_name"),  # the spreadsheet's row 5
    ]


def test_an_sdg_table_alone_keeps_every_row_with_what_it_could_not_read(tmp_path):
    workbook(
        tmp_path / "climate.xlsx",
        ["Rank", "Year", "University", "Country", "Climate Action", "Overall"],
        [
            ["1", "2022", "Alpha University", "France", "88.0", "90.0"],
            ["two", "2022", "Beta Institute", "Spain", "", "-"],
            ["3", "2022", "Gamma College", "Spain", "n/a", ""],
            ["", "2022", "Zeta AcademyChile", "", "60.0", "-"],
            ["5+", "2022", "Eta School", "Chile", "10.0–20.0", "-"],
            ["5+", "2022", "Eta School", "Chile", "10.0–20.0", "-"],
            ["5+", "2022", "Theta School", "Chile", "10.0–20.0", "-"],
        ],
    )
    ed = read_published(tmp_path).editions[0]
    columns = ["institution_id", "score", "score_low", "score_high", "rank", "rank_low", "rank_high", "band", "quality"]
    rows = ed.sdg_scores.sort("institution_id").select(columns).rows()
    assert rows == [
        ("cl-eta-school", None, 10.0, 20.0, "5+", 5, 7, "5+", "ok"),  # the open band ends at the table's 7 rows
        ("cl-eta-school~2", None, 10.0, 20.0, "5+", 5, 7, "5+", "duplicate_institution"),
        ("cl-theta-school", None, 10.0, 20.0, "5+", 5, 7, "5+", "ok"),
        ("cl-zeta-academy", 60.0, 60.0, 60.0, None, None, None, None, "country_split_from_name;no_rank"),
        ("es-beta-institute", None, None, None, "two", None, None, None, "rank_unparsed;sdg_score_missing"),
        ("es-gamma-college", None, None, None, "3", 3, 3, None, "sdg_score_unparsed"),
        ("fr-alpha-university", 88.0, 88.0, 88.0, "1", 1, 1, None, "ok"),
    ]
    institutions = ed.institutions.sort("institution_id").select("institution_id", "name", "name_original", "ror")
    assert institutions.rows() == [
        ("cl-eta-school", "Eta School", "Eta School", None),
        ("cl-eta-school~2", "Eta School", "Eta School", None),
        ("cl-theta-school", "Theta School", "Theta School", None),
        ("cl-zeta-academy", "Zeta Academy", "Zeta AcademyChile", None),  # the cell as it was
        ("es-beta-institute", "Beta Institute", "Beta Institute", None),
        ("es-gamma-college", "Gamma College", "Gamma College", None),
        ("fr-alpha-university", "Alpha University", "Alpha University", None),
    ]
    assert ed.institutions["aliases"].null_count() == 7


def test_a_workbook_read_as_thes_format_by_name(tmp_path):
    header = ["Rank", "Year", "University", "Country", "Climate Action", "Overall"]
    rows = [
        ["1", "2022", "Alpha University", "France", "88.0", "90.0"],
        [""] * 6,
        ["2", "2022", "Beta", "Spain", "80.0", "-"],
    ]
    good = workbook(tmp_path / "climate.xlsx", header, rows)
    ed = read_published(good, format="the-workbook").editions[0]
    assert ed.sdg_scores.sort("rank_position").select("score", "rank").rows() == [
        (88.0, "1"),
        (80.0, "2"),
    ]  # past a blank row
    bad = workbook(tmp_path / "position.xlsx", ["Position", *header[1:]], rows)
    with pytest.raises(InputError) as exc:
        read_published(bad, format="the-workbook")
    assert (exc.value.file, exc.value.text()) == (
        "position.xlsx",
        "position.xlsx: not a THE table workbook: no 'Rank, Year, University, Country, "
        "<SDG or Best scores by rank>, Overall' header in the first 20 rows",
    )
    odd = workbook(tmp_path / "odd.xlsx", [*header[:4], "Banana", "Overall"], rows)
    with pytest.raises(InputError) as exc:
        read_published(odd)
    assert (exc.value.file, exc.value.row, exc.value.field, exc.value.text()) == (
        "odd.xlsx",
        None,
        "Banana",
        "odd.xlsx, field 'Banana': the fifth column 'Banana' names no SDG (expected a goal's name, e.g. "
        "'Climate action', or 'Best scores by rank' for the overall table)",
    )
