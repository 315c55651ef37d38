"""Whole table or one-country subset: an open last band ends at the table's size only when the file holds the
whole table, which it does exactly when no band starts past its last row."""

from __future__ import annotations

from impactrank.io.published import read_published

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
