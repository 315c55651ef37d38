"""Several published tables imported together, on small files written here: which files a folder gives, one
edition per year whatever the files, what each edition's manifest says of its sources, and the refusals."""

from __future__ import annotations

import gc
import hashlib
import json
from pathlib import Path

import pytest
import xlsxwriter

from impactrank.errors import InputError
from impactrank.io.identity import read_aliases
from impactrank.io.published import importable_files, read_published

HEADER = "Rank,Name,Country,Year,Overall,SDG 17,SDG 3,SDG 5,SDG 12\n"
CARDS = ["Rank", "Year", "University", "Country", "Best scores by rank", "Overall"]


def csv(path: Path, rows: str) -> Path:
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def workbook(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, row in enumerate([header, *rows]):
        for j, cell in enumerate(row):
            sheet.write_string(i, j, cell)
    book.close()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_folder_gives_its_tables_in_name_order(tmp_path):
    folder = tmp_path / "tables"
    (folder / "more.csv").mkdir(parents=True)  # a folder named like a table is not one
    for name in ("b.csv", "A.JSON", "c.xlsm", ".hidden.csv", "~$b.xlsx", "notes.txt"):
        (folder / name).write_text("x", encoding="utf-8")
    single = csv(tmp_path / "single.csv", "")
    assert [f.name for f in importable_files(folder)] == ["A.JSON", "b.csv", "c.xlsm"]
    assert importable_files(str(single)) == [single]
    assert [f.name for f in importable_files([single, folder])] == ["single.csv", "A.JSON", "b.csv", "c.xlsm"]


@pytest.mark.parametrize(
    ("given", "where", "said"),
    [
        (lambda d: [d / "absent.csv"], "absent.csv", "no such file or folder"),
        (lambda d: [], None, "no file to import"),
        (lambda d: [d / "a.csv", d / "sub" / ".." / "a.csv"], None, "the same file is given twice"),
        (lambda d: [d / "a.csv", d], None, "the same file is given twice"),
        (lambda d: [d / "sub"], None, "nothing to import in folder {d}/sub (no .csv, .json, .xlsx, .xlsm file)"),
    ],
)
def test_files_that_cannot_be_imported_are_refused(tmp_path, given, where, said):
    csv(tmp_path / "a.csv", "1,Alpha,France,2023,90.0,80.0,90.0,100.0,90.0\n")
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError) as err:
        read_published(given(tmp_path))
    assert err.value.file == (str(tmp_path / where) if where else None)
    assert err.value.message == said.format(d=tmp_path)


def test_one_edition_from_two_files_is_refused(tmp_path):
    a = csv(tmp_path / "a.csv", "1,Alpha,France,2023,90.0,80.0,90.0,100.0,90.0\n")
    b = csv(tmp_path / "b.csv", "1,Beta,Spain,2023,90.0,80.0,90.0,100.0,90.0\n")
    with pytest.raises(InputError) as err:
        read_published([a, b])
    assert err.value.message == (
        "edition 2023 comes from more than one file (a.csv, b.csv): import them separately, with --edition or "
        "--edition-suffix"
    )


def test_editions_of_several_files_come_in_year_order_with_their_manifest(tmp_path):
    late = csv(tmp_path / "a.csv", "1,Alpha,France,2023,90.0,80.0,90.0,100.0,90.0\n2,Beta,,2023,85.0,,,,\n")
    early = tmp_path / "b.json"
    early.write_text('[{"rank": 1, "name": "Gamma", "country": "TW", "year": 2021, "overall": 70}]', "utf-8")
    result = read_published([late, early], edition_suffix="x")
    assert [(e.id, e.year) for e in result.editions] == [("2021-x", 2021), ("2023-x", 2023)]
    assert [e.edition for e in result.report.editions] == ["2021-x", "2023-x"]
    assert (result.report.file, result.report.format) == ("2 files", "clean-csv, taiwan-json")
    flags = {"no_country": 1, "sdg17_missing": 1, "sdg_pairs_incomplete": 1}
    assert result.editions[1].manifest == {
        "source_file": "a.csv",
        "format": "clean-csv",
        "sha256": sha256(late),
        "rows": 2,
        "flags": flags,
    }
    assert result.report.editions[1].flags == flags
    assert result.editions[1].source == "a.csv (clean-csv)"
    assert result.report.editions[1].tables["overall"]["file"] == "a.csv"
    assert read_published(late).report.file == "a.csv"


@pytest.fixture
def books(tmp_path: Path) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    workbook(
        folder / "a-overall.xlsx",
        CARDS,
        [
            ["1", "2021", "Alpha University", "France", "13 90.0  9 80.0  4 70.0  17 95.0", "90.0"],
            ["2", "2021", "Beta Institute", "Spain", "13 85.0  5 80.0  4 60.0  17 90.0", "85.0"],
            ["1", "2020", "Alpha University", "France", "13 80.0  9 70.0  4 60.0  17 90.0", "88.0"],
        ],
    )
    workbook(
        folder / "b-partnerships.xlsx",
        ["Rank", "Year", "University", "Country", "Partnerships for the Goals", "Overall"],
        [["1", "2021", "Alpha University", "France", "95.0", "90.0"]],
    )
    workbook(
        folder / "c-climate.xlsx",
        ["Rank", "Year", "University", "Country", "Climate Action", "Overall"],
        [
            ["1", "2021", "Alpha University", "France", "90.0", "90.0"],
            ["2", "2021", "Beta Institute", "Spain", "85.0", "85.0"],
            ["1", "2019", "Alpha University", "France", "70.0", "-"],
        ],
    )
    return folder


def test_a_years_workbooks_make_one_edition_whose_manifest_lists_them(books):
    result = read_published(books)
    assert [e.id for e in result.editions] == ["2019", "2020", "2021"]
    assert result.report.format == "the-workbook"
    ed = result.editions[2]
    assert ed.source == "a-overall.xlsx + 2 SDG tables (the-workbook)"
    assert result.editions[0].source == "1 SDG tables (the-workbook)"
    sources = [
        {"file": "a-overall.xlsx", "sha256": sha256(books / "a-overall.xlsx"), "table": "overall", "rows": 2},
        {"file": "c-climate.xlsx", "sha256": sha256(books / "c-climate.xlsx"), "table": "sdg13", "rows": 2},
        {"file": "b-partnerships.xlsx", "sha256": sha256(books / "b-partnerships.xlsx"), "table": "sdg17", "rows": 1},
    ]
    assert {k: ed.manifest[k] for k in ("format", "rows", "sources")} == {
        "format": "the-workbook",
        "rows": 2,
        "sources": sources,
    }
    assert ed.manifest["flags"] == result.report.editions[2].flags
    assert {k: v["file"] for k, v in result.report.editions[2].tables.items()} == {
        "overall": "a-overall.xlsx",
        "sdg13": "c-climate.xlsx",
        "sdg17": "b-partnerships.xlsx",
    }


def test_a_year_of_the_workbooks_chosen_named_or_suffixed(books):
    (ed,) = read_published(books, edition=" 2021b ").editions
    assert (ed.id, ed.year, ed.overall.height) == ("2021b", 2021, 2)
    assert [e.id for e in read_published(books, edition_suffix="the").editions] == ["2019-the", "2020-the", "2021-the"]
    with pytest.raises(InputError) as err:
        read_published(books, edition="2018")
    assert err.value.message == "edition '2018' names no year of the workbooks (years: 2019, 2020, 2021)"
    with pytest.raises(InputError) as err:
        read_published(books, edition="latest")
    assert err.value.message == "edition 'latest' names no year of the workbooks (years: 2019, 2020, 2021)"


def test_two_overall_tables_of_one_year_are_refused_naming_both(books, tmp_path):
    copy = tmp_path / "z-overall.xlsx"
    copy.write_bytes((books / "a-overall.xlsx").read_bytes())
    with pytest.raises(InputError) as err:
        read_published([books, copy])
    assert (err.value.file, err.value.message) == (
        "z-overall.xlsx",
        "two overall tables for 2020: a-overall.xlsx and z-overall.xlsx",
    )


def test_corrections_reach_every_table_of_a_workbook_year(books, tmp_path):
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("edition,name,field,value\n2021,Beta Institute,name,Beta Institute of Technology\n", "utf-8")
    ed = read_published(books, corrections=fixes).editions[2]
    beta = ed.institutions.filter(ed.institutions["name"] == "Beta Institute of Technology")["institution_id"]
    assert beta.to_list() == ["es-beta-institute-of-technology"]
    climate = ed.sdg_scores.filter((ed.sdg_scores["sdg"] == 13) & (ed.sdg_scores["institution_id"] == beta[0]))
    assert climate.select("rank", "score", "quality").rows() == [("2", 85.0, "name_corrected")]


def test_the_cycle_collector_is_left_as_it_was(tmp_path):
    path = csv(tmp_path / "a.csv", "1,Alpha,France,2023,90.0,80.0,90.0,100.0,90.0\n")
    assert gc.isenabled()
    read_published(path)
    assert gc.isenabled()
    gc.disable()
    try:
        read_published(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_two_tables_of_one_sdg_and_year_are_refused_naming_both(books, tmp_path):
    copy = tmp_path / "z-climate.xlsx"
    copy.write_bytes((books / "c-climate.xlsx").read_bytes())
    with pytest.raises(InputError) as err:
        read_published([books, copy])
    assert (err.value.file, err.value.message) == (
        "z-climate.xlsx",
        "two SDG 13 tables for 2019: c-climate.xlsx and z-climate.xlsx",
    )


def test_a_workbook_year_that_is_not_one_names_its_file(tmp_path):
    rows = [["1", "2021", "Alpha", "France", "90.0", "-"], ["2", "twenty", "Beta", "France", "80.0", "-"]]
    path = workbook(
        tmp_path / "bad-year.xlsx", ["Rank", "Year", "University", "Country", "Climate action", "Overall"], rows
    )
    with pytest.raises(InputError) as err:
        read_published(path)
    assert (err.value.file, err.value.row, err.value.field) == ("bad-year.xlsx", 3, "year")
    assert err.value.message == "'twenty' is not a year"


def test_aliases_given_as_a_file_its_path_or_read_join_a_name_to_its_institution(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Rank,Name,Country,Year,Overall\n1,Université Alpha,France,2023,90.0\n", encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,alias\nAlpha University,Université Alpha\n", encoding="utf-8")
    for given in (aliases, str(aliases), read_aliases(aliases)):
        (ed,) = read_published(path, aliases=given).editions
        assert ed.institutions.select("institution_id", "name").rows() == [("fr-alpha-university", "Université Alpha")]
    assert read_published(path).editions[0].institutions["institution_id"].to_list() == ["fr-universite-alpha"]


def test_names_in_other_languages_from_the_aliases_are_kept_for_display(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Rank,Name,Country,Year,Overall\n1,Université Alpha,France,2023,90.0\n2,Beta,Spain,2023,80.0\n")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(
        "alias,institution_id,name_fr,name_es\nUniversité Alpha,fr-alpha,Université d'Alpha,Universidad Alfa\n",
        encoding="utf-8",
    )
    (ed,) = read_published(path, aliases=aliases).editions
    names = dict(ed.institutions.select("institution_id", "display_names").rows())
    assert names["es-beta"] is None
    assert json.loads(names["fr-alpha"]) == {"fr": "Université d'Alpha", "es": "Universidad Alfa"}


def test_names_in_other_languages_reach_a_row_published_under_the_alias(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Rank,Name,Country,Year,Overall\n1,Université Alpha,France,2023,90.0\n", encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,alias,name_es\nAlpha University,Université Alpha,Universidad Alfa\n", encoding="utf-8")
    (ed,) = read_published(path, aliases=aliases).editions
    ((iid, names),) = ed.institutions.select("institution_id", "display_names").rows()
    assert (iid, json.loads(names)) == ("fr-alpha-university", {"es": "Universidad Alfa"})


def test_a_decimal_mark_other_than_point_or_comma_is_refused_whatever_the_file(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('[{"rank": 1, "name": "Alpha", "country": "FR", "year": 2022, "overall": 90}]', "utf-8")
    with pytest.raises(InputError) as err:
        read_published(path, decimal=";")
    assert (err.value.field, err.value.message) == ("decimal", "--decimal takes '.' or ',', not ';'")
