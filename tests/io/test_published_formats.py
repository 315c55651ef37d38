"""Each reader on small hand-made files: scattered scraper columns, JSON records, a spreadsheet whose header
is not on the first row, and messy rows that are kept and flagged rather than dropped."""

from __future__ import annotations

import json

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from impactrank.countries import to_alpha2
from impactrank.errors import InputError
from impactrank.io.identity import Aliases
from impactrank.io.published import read_published
from impactrank.io.published.assemble import build_edition
from impactrank.io.published.formats import read_rows
from impactrank.io.published.parse import parse_rank, parse_score
from impactrank.io.published.rows import RawRow

SCRAPE_HEADER = (
    "Rank,University Name,ranking-institution-title href,Location,"
    "sdg-score-multi__number,sdg-score-multi__value,sdg-score-multi__number 2,sdg-score-multi__value 2,"
    "sdg-score-multi__number 3,sdg-score-multi__value 3,sdg-score-multi__value 4,scores,"
    "sdg-score-multi__number 5,sdg-score-multi__value 5"
)


def test_scrape_pairs_wherever_they_were_scattered(tmp_path):
    path = tmp_path / "scrape.csv"
    path.write_text(
        SCRAPE_HEADER + "\n"
        "1,Alpha,,France,5,80.3,,,15,96.7,98.8,99.4,12,93.4\n"  # third pair in column pair 5
        "2,Beta,,Spain,,60.3–68.4,8,48.4,7,38.7,40.0,90.0,1,\n"  # one orphan score, one orphan number
        "3,Gamma,,Italy,7,11.1,16,,,1.5–45.2,22.1,80.0,5,\n"  # two orphan numbers, one orphan score
        "Reporter,Delta,,,4,50.0,,,,,,,,\n",  # not ranked, no country, two SDGs missing
        encoding="utf-8",
    )
    result = read_published(path, edition="2023")
    (ed,) = result.editions
    assert result.report.format == "the-scrape"
    assert ed.overall["top_sdgs"].to_list() == ["5;15;12", "8;7;1", "7;16;5", "4"]
    quality = ed.overall["quality"].to_list()
    assert quality[0] == "ok"
    assert quality[1] == "misaligned_columns"
    assert quality[2] == "misaligned_columns;sdg_score_unassigned;sdg_score_missing"
    assert quality[3] == "no_country;rank_unparsed;no_overall;sdg17_missing;sdg_pairs_incomplete"
    beta = ed.sdg_scores.filter(ed.sdg_scores["institution_id"] == "es-beta")
    assert beta.filter(beta["sdg"] == 1).select("score", "score_low", "score_high").row(0) == (
        None,
        60.3,
        68.4,
    )
    gamma16 = ed.sdg_scores.filter((ed.sdg_scores["institution_id"] == "it-gamma") & (ed.sdg_scores["sdg"] == 16))
    assert gamma16.select("score_low", "score_high").row(0) == (None, None)
    assert ed.overall["rank"][3] == "Reporter" and ed.overall["rank_position"][3] is None
    flagged = {f["name"]: f for f in result.report.editions[0].flagged}
    assert flagged["Gamma"]["cells"]["pairs"] == [["7", "11.1"], ["16", ""], ["", "1.5–45.2"], ["5", ""]]
    assert (flagged["Beta"]["row"], flagged["Gamma"]["row"]) == (3, 4)  # the header is row 1


def test_json_records_with_ror_and_open_band_in_a_complete_table(tmp_path):
    records = [
        {
            "rank": 1,
            "name": "Alpha",
            "country": "FR",
            "year": 2022,
            "overall": 90,
            "SDG17": 80,
            "SDG3": 91,
            "SDG4": 92,
            "SDG5": 93,
            "ror": "https://ror.org/000000001",
        },
        {
            "rank": "2+",
            "name": "Beta",
            "country": "DE",
            "year": 2022,
            "overall": "10.0-50.0",
            "SDG17": "1-2",
            "SDG3": 1,
            "SDG4": 2,
            "SDG5": "3.0-4.0",
        },
        {
            "rank": "2+",
            "name": "Beta",
            "country": "DE",
            "year": 2022,
            "overall": "10.0-50.0",
            "SDG17": "1-2",
            "SDG3": 1,
            "SDG4": 2,
            "SDG5": 3,
        },
    ]
    path = tmp_path / "table.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    (ed,) = read_published(path).editions
    assert (ed.id, ed.year) == ("2022", 2022)
    assert ed.institutions["ror"].to_list() == ["https://ror.org/000000001", None, None]
    assert ed.overall["rank_high"].to_list() == [1, 3, 3]  # the open band ends at the field size
    assert ed.institutions["institution_id"].to_list() == ["fr-alpha", "de-beta", "de-beta~2"]
    assert ed.overall["quality"][2] == "duplicate_institution"
    assert ed.overall["overall_display"][1] == "10.0-50.0"
    assert ed.overall.select("overall_low", "overall_high").row(1) == (10.0, 50.0)


def test_xlsx_header_below_title_rows_and_tie_column(tmp_path):
    path = tmp_path / "table.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("ranking")
    rows = [
        ["Impact ranking, compiled by hand"],
        [],
        ["Rank", "=", "Name", "Country", "Year", "Overall", "SDG 17", "SDG 1", "SDG 2", "SDG 3"],
        [1, None, "Alpha", "Taiwan", 2024, 95.5, 90, 91, 92, 93],
        [1, "=", "Beta", "Taiwan", 2024, 95.5, 90, 91, 92, 93],
        ["101-200", None, "Gamma", "Taiwan", 2025, "80.1-85.0", "70.0-80.0", 80, 81, 82],
    ]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if isinstance(cell, str):
                sheet.write_string(i, j, cell)  # "=" would otherwise be written as a formula
            elif cell is not None:
                sheet.write_number(i, j, cell)
    book.close()
    result = read_published(path, edition_suffix="x")
    assert [(e.id, e.overall.height) for e in result.editions] == [("2024-x", 2), ("2025-x", 1)]
    assert result.editions[0].overall["rank"].to_list() == ["1", "=1"]
    assert result.editions[1].overall["band"].to_list() == ["101–200"]
    assert result.editions[1].overall["rank_high"].to_list() == [200]


@settings(max_examples=200, deadline=None)
@given(
    rank=st.text(max_size=12),
    country=st.text(max_size=12),
    overall=st.text(max_size=12),
    sdg17=st.text(max_size=12),
    pairs=st.lists(st.tuples(st.text(max_size=3), st.text(max_size=10)), max_size=5),
)
def test_any_row_is_kept_and_either_parses_or_is_flagged(rank, country, overall, sdg17, pairs):
    row = RawRow(row=1, rank=rank, name="Some University", country=country, overall=overall, sdg17=sdg17, pairs=pairs)
    ed = build_edition("2021", 2021, [row], "test", Aliases(), {}).edition
    rec = ed.overall.row(0, named=True)
    flags = set(rec["quality"].split(";"))
    assert ed.overall.height == ed.institutions.height == 1
    assert (parse_rank(rank) is None) == bool(flags & {"no_rank", "rank_unparsed"})
    assert (parse_score(overall) is None) == bool(flags & {"no_overall", "overall_unparsed"})
    assert (to_alpha2(country) is None) == bool(flags & {"no_country", "country_unresolved"})
    assert (rec["quality"] == "ok") == (flags == {"ok"})


CLEAN = (
    "Rank,Name,Country,Year,Overall,SDG 17,SDG 3,SDG 5\n"
    '1,"Alpha, Paris",France,2023,90.5,80.1,91.0,70.2\n'
    "2,Beta,Spain,2023,85.0,70.0,60.5,55.5\n"
    "\n"
    "101–200,Gamma,Italy,2023,77.5–85.2,60.0–70.0,50.0,40.0\n"
    "=3,Delta,,2023,80.0,,,\n"
)


def test_a_published_table_saved_by_a_french_spreadsheet(tmp_path):
    """Semicolons, decimal commas (ranges too), UTF-8 with BOM: the same edition as the comma file; rows flagged
    with the row numbers the file shows (the blank row counts)."""
    (tmp_path / "t.csv").write_text(CLEAN, encoding="utf-8")
    french = CLEAN.replace(",", ";").replace("; Paris", ", Paris").replace(".", ",").replace("\n", "\r\n")
    assert "77,5–85,2" in french
    (tmp_path / "t_fr.csv").write_bytes("\ufeff".encode() + french.encode())
    comma, semi = (read_published(tmp_path / name) for name in ("t.csv", "t_fr.csv"))
    (a,), (b,) = comma.editions, semi.editions
    for table in ("institutions", "overall", "sdg_scores"):
        assert getattr(a, table).equals(getattr(b, table)), table
    assert a.overall.select("overall_low", "overall_high").row(2) == (77.5, 85.2)
    assert [f["row"] for f in semi.report.editions[0].flagged] == [f["row"] for f in comma.report.editions[0].flagged]
    assert {f["name"]: f["row"] for f in comma.report.editions[0].flagged}["Delta"] == 6  # header 1, blank row 4


def test_a_published_table_whose_decimal_mark_cannot_be_told(tmp_path):
    (tmp_path / "t.csv").write_text('Rank,Name,Country,Year,Overall\n1,Alpha,France,2023,"1,234"\n', encoding="utf-8")
    with pytest.raises(InputError, match="--decimal") as info:
        read_published(tmp_path / "t.csv")
    assert (info.value.row, info.value.field) == (2, "Overall")
    (ed,) = read_published(tmp_path / "t.csv", decimal=",").editions
    assert ed.overall["overall_score"].to_list() == [1.234]


def test_xlsx_rows_are_spreadsheet_rows(tmp_path):
    path = tmp_path / "table.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("ranking")
    rows = [
        [],
        ["Rank", "Name", "Country", "Year", "Overall"],
        ["1", "Alpha", "France", 2024, 95.5],
        [],
        ["2", "", "", 2024, "x"],
    ]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            sheet.write(i, j, cell)
    book.close()
    result = read_published(path)
    assert {f["name"]: f["row"] for f in result.report.editions[0].flagged} == {"Alpha": 3, "": 5}


def sheets(path, books: dict[str, list[list]]):
    book = xlsxwriter.Workbook(str(path))
    for name, rows in books.items():
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                sheet.write_string(i, j, cell)  # "=" would otherwise be written as a formula
    book.close()
    return path


CHOICES = "auto, the-workbook, the-scrape, clean-csv, taiwan-json, xlsx"
NO_RECORDS = 'not a ranking table: expected a list of records (or {"records": [...]})'


@pytest.mark.parametrize(
    ("name", "content", "fmt", "where", "said"),
    [
        ("t.csv", CLEAN, "ods", ("t.csv", None), f"unknown format 'ods' (choose from {CHOICES})"),
        ("t.csv", CLEAN, "the-scrape", ("t.csv", None), "not a scraped THE table: no sdg-score-multi columns"),
        (
            "t.csv",
            "\n\na,b,c,d,e,f,g,h,Rank\n1,2,3,4,5,6,7,8,9\n",
            "auto",
            ("t.csv", 3),
            "not a ranking table: no rank, name and overall columns in the header (a, b, c, d, e, f, g, h)",
        ),
        (
            "t.csv",
            "Rank,Name,Overall\n1,Alpha,90.0\n2,Beta,80.0,x\n",
            "auto",
            ("t.csv", 3),
            "4 cells where the header has 3",
        ),
        (
            "t.csv",
            "Rank,Name,Name,Overall\n1,Alpha,France,90.0\n",
            "auto",
            ("t.csv", 1),
            "the header names column 'Name' more than once",
        ),
        ("t.csv", "Rank,Year,Name,Overall\n", "auto", ("t.csv", None), "the file has a header but no data rows"),
        (
            "t.csv",
            "Rank,University Name,sdg-score-multi__value,scores\n1,Alpha,90.0,80.0\n",
            "auto",
            ("t.csv", None),
            "missing column(s) Location",
        ),
        (
            "t.csv",
            "Rank,=,Name,Country\n1,,Alpha,France\n",
            "clean-csv",
            ("t.csv", None),
            "not a ranking table: no overall column (columns: Rank, =, Name, Country)",
        ),
        ("t.json", b'[{"name": "Caf\xe9"}]', "auto", ("t.json", None), "not UTF-8 JSON (byte 14)"),
        (
            "t.json",
            '[{"rank": 1,\n "name": ',
            "taiwan-json",
            ("t.json", None),
            "truncated or invalid JSON at line 2 column 10: Expecting value",
        ),
        ("t.json", "[]", "auto", ("t.json", None), NO_RECORDS),
        ("t.json", "5", "auto", ("t.json", None), NO_RECORDS),
        ("t.json", '{"rows": [{"rank": 1}]}', "auto", ("t.json", None), NO_RECORDS),
        ("t.json", '[{"rank": 1, "name": "A", "overall": 9}, 2]', "auto", ("t.json", None), NO_RECORDS),
        (
            "T.JSON",
            '{"records": [{"rank": 1, "name": "Alpha"}]}',
            "auto",
            ("T.JSON", None),
            "not a ranking table: no overall column (columns: rank, name)",
        ),
    ],
)
def test_an_unreadable_table_is_refused_naming_its_file_and_row(tmp_path, name, content, fmt, where, said):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as err:
        read_published(path, format=fmt)
    assert (err.value.file, err.value.row, err.value.message) == (*where, said)


def test_a_file_that_is_not_there_is_named_by_its_path(tmp_path):
    path = tmp_path / "gone.csv"
    with pytest.raises(InputError) as err:
        read_rows(path, "auto")
    assert (err.value.file, err.value.message) == (str(path), "no such file")


def test_json_records_under_a_key_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "t.json"
    records = [{"rank": 1, "name": "Alpha", "country": "FR", "year": 2022, "overall": 90}]
    path.write_bytes("\ufeff".encode() + json.dumps({"records": records}).encode())
    result = read_published(path)
    assert result.report.format == "taiwan-json"
    assert result.editions[0].institutions["name"].to_list() == ["Alpha"]


def test_each_format_read_is_named_in_the_report(tmp_path):
    (tmp_path / "clean.csv").write_text(CLEAN, encoding="utf-8")
    assert read_published(tmp_path / "clean.csv").report.format == "clean-csv"
    book = [["Rank", "Year", "University", "Country", "Best scores by rank", "Overall"]]
    book.append(["1", "2021", "Alpha University", "France", "13 90.0  9 80.0  4 70.0  17 95.0", "90.0"])
    sheets(tmp_path / "the.xlsx", {"Sheet1": book})
    assert read_published(tmp_path / "the.xlsx").report.format == "the-workbook"


def test_short_rows_and_blank_cells_past_the_header_are_kept(tmp_path):
    """A row with fewer cells than the header, or blank cells after its last column, is read as it stands."""
    path = tmp_path / "t.csv"
    path.write_text("Rank,Name,Country,Year,Overall,SDG 3\n1,Alpha,France,2023,90.0\n2,Beta,Spain,2023,80.0,70.0,,\n")
    (ed,) = read_published(path).editions
    assert ed.overall["overall_score"].to_list() == [90.0, 80.0]
    assert ed.sdg_scores.filter(ed.sdg_scores["sdg"] == 3).select("institution_id", "score").rows() == [
        ("es-beta", 70.0)
    ]


def test_a_scrape_saved_with_decimal_commas(tmp_path):
    """Semicolons and decimal commas in a scrape: its SDG value columns are read with a point, as its overall."""
    path = tmp_path / "scrape.csv"
    path.write_text(
        "Rank;University Name;Location;sdg-score-multi__number;sdg-score-multi__value;sdg-score-multi__value 2;"
        "scores\n1;Alpha;France;5;80,3;96,7;99,4\n",
        encoding="utf-8",
    )
    (ed,) = read_published(path, edition="2023").editions
    assert ed.overall.select("overall_score", "sdg17_score").row(0) == (99.4, 96.7)
    assert ed.sdg_scores.filter(ed.sdg_scores["sdg"] == 5)["score"].to_list() == [80.3]


def test_xlsx_header_found_on_a_later_sheet_within_the_first_twenty_rows(tmp_path):
    header = ["Rank", "=", "Name", "Country", "Year"]
    path = sheets(tmp_path / "t.xlsx", {"notes": [["compiled by hand"]], "ranking": [[]] * 19 + [header]})
    with pytest.raises(InputError) as err:
        read_published(path)
    assert (err.value.file, err.value.message) == (
        "t.xlsx [ranking]",
        "not a ranking table: no overall column (columns: Rank, =, Name, Country, Year)",
    )
    path = sheets(tmp_path / "u.xlsx", {"ranking": [[]] * 20 + [header]})
    with pytest.raises(InputError) as err:
        read_published(path)
    assert (err.value.file, err.value.message) == (
        "u.xlsx",
        "no recognisable header (rank, name and overall columns) in the first 20 rows of any sheet",
    )
