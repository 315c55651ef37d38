"""Whole table or one-country subset: an open last band ends at the table's size only when the file holds the
whole table, which it does exactly when no band starts past its last row."""

from __future__ import annotations

import pytest

from impactrank.errors import InputError
from impactrank.io.identity import Aliases
from impactrank.io.published import read_published
from impactrank.io.published.assemble import build_edition
from impactrank.io.published.rows import RawRow

HEADER = "Rank,Name,Country,Year,Overall\n"


def imported(tmp_path, rows: str):
    path = tmp_path / "table.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    (ed,) = read_published(path).editions
    return ed.overall


def test_an_open_band_holding_only_the_last_row_ends_at_that_row(tmp_path):
    # three rows, the open band starts at the third: the file is the whole table, so "3+" is position 3 exactly
    overall = imported(tmp_path, "1,Alpha,France,2023,90.0\n2,Beta,Spain,2023,80.0\n3+,Gamma,Italy,2023,10.0–50.0\n")
    assert overall["rank_low"].to_list() == [1, 2, 3]
    assert overall["rank_high"].to_list() == [1, 2, 3]
    assert "field_size_unknown" not in overall["quality"][2].split(";")


def test_a_band_starting_past_the_last_row_marks_a_one_country_subset(tmp_path):
    # two rows, the open band starts at the third: someone else holds position 2, so the table's size is unknown
    overall = imported(tmp_path, "1,Alpha,France,2023,90.0\n3+,Gamma,France,2023,10.0–50.0\n")
    assert overall["rank_high"].to_list() == [1, None]
    assert "field_size_unknown" in overall["quality"][1].split(";")


def editions(tmp_path, header: str, rows: str, **options) -> list[tuple[str, int, list[float]]]:
    path = tmp_path / "years.csv"
    path.write_text(header + rows, encoding="utf-8")
    return [(e.id, e.year, e.overall["overall_score"].to_list()) for e in read_published(path, **options).editions]


def refusal(tmp_path, header: str, rows: str, **options) -> tuple[str | None, str]:
    with pytest.raises(InputError) as exc:
        editions(tmp_path, header, rows, **options)
    return exc.value.file, exc.value.text()


TWO_YEARS = "1,Alpha,France,2022,90.0\n1,Beta,Spain,2023.0,80.0\n2,Gamma,Italy,2023,70.0\n"


def test_a_file_of_two_years_is_one_edition_a_year_or_the_one_asked_for(tmp_path):
    assert editions(tmp_path, HEADER, TWO_YEARS) == [("2022", 2022, [90.0]), ("2023", 2023, [80.0, 70.0])]
    assert editions(tmp_path, HEADER, TWO_YEARS, edition_suffix="tw") == [
        ("2022-tw", 2022, [90.0]),
        ("2023-tw", 2023, [80.0, 70.0]),
    ]
    assert editions(tmp_path, HEADER, TWO_YEARS, edition=" 2023-taiwan ") == [("2023-taiwan", 2023, [80.0, 70.0])]
    assert refusal(tmp_path, HEADER, TWO_YEARS, edition="2021") == (
        "years.csv",
        "years.csv: edition '2021' names no year of the file (years: 2022, 2023)",
    )
    assert refusal(tmp_path, HEADER, TWO_YEARS, edition="latest") == (
        "years.csv",
        "years.csv: edition 'latest' names no year of the file (years: 2022, 2023)",
    )


def test_a_file_of_one_year_takes_any_edition_name_and_keeps_its_year(tmp_path):
    one = "1,Alpha,France,2023,90.0\n"
    assert editions(tmp_path, HEADER, one, edition="latest") == [("latest", 2023, [90.0])]


def test_a_file_without_years_needs_an_edition_with_one(tmp_path):
    header, rows = "Rank,Name,Country,Overall\n", "1,Alpha,France,90.0\n"
    assert editions(tmp_path, header, rows, edition=" 2021b ") == [("2021b", 2021, [90.0])]
    needs = "years.csv: the file has no year column: pass --edition YEAR (e.g. --edition 2023)"
    assert refusal(tmp_path, header, rows) == ("years.csv", needs)
    assert refusal(tmp_path, header, rows, edition="latest") == ("years.csv", needs)
    assert refusal(tmp_path, header, rows, edition="20215") == ("years.csv", needs)
    assert refusal(tmp_path, header, rows, edition="2021", edition_suffix="x") == (
        None,
        "give either --edition or --edition-suffix, not both",
    )


def test_a_year_that_is_not_one_is_refused_by_file_row_and_field(tmp_path):
    rows = "1,Alpha,France,2023,90.0\n2,Beta,Spain,twenty,80.0\n"
    assert refusal(tmp_path, HEADER, rows) == ("years.csv", "years.csv, row 3, field 'year': 'twenty' is not a year")


def test_an_sdg_number_between_separator_characters_is_read_not_a_crash():
    """Python counts the information separators (\\x1c-\\x1f) as whitespace when stripping, int() does not."""
    row = RawRow(row=2, rank="1", name="Alpha", country="France", overall="90.0", sdg17="80.0",
                 pairs=[("3\x1f", "70.0"), ("\x1c0", "60.0")])  # fmt: skip
    ed = build_edition("2021", 2021, [row], "test", Aliases(), {}).edition
    assert ed.sdg_scores.filter(ed.sdg_scores["sdg"] == 3)["score"].to_list() == [70.0]
    assert "sdg_number_invalid" in ed.overall["quality"][0].split(";")
