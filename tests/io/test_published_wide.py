"""Tables with one column per SDG (a cleaned CSV, a JSON compilation): which columns are read, a tie column, a
cleaning script's row status, local names, and the refusal of a table that lacks a ranking's columns."""

from __future__ import annotations

import json

import pytest

from impactrank.errors import InputError
from impactrank.io.published import read_published

# SDG 1 is the lowest goal; "SDG 18" names no goal; no SDG 17 column at all.
CSV = (
    "Rank,=,Name,name_local,Country,Overall,SDG 1,SDG 3,SDG 4,SDG 18,row_status\n"
    "=5,=,Alpha,Alpha locale,France,90.0,91.0,92.0,93.0,50.0,\n"
    "5,=,Beta,,France,90.0,81.0,82.0,83.0,,misaligned_scrape\n"
    "7,,Gamma,,Spain,80.0,71.0,72.0,73.0,,cleaned\n"
)


@pytest.fixture
def edition(tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text(CSV, encoding="utf-8")
    result = read_published(path, edition="2023")
    assert result.report.format == "clean-csv"
    (ed,) = result.editions
    return ed


def test_a_tie_column_marks_a_rank_once(edition):
    assert edition.overall["rank"].to_list() == ["=5", "=5", "7"]


def test_sdg_columns_are_goals_1_to_16_in_order_and_no_other(edition):
    assert edition.overall["top_sdgs"].to_list() == ["1;3;4"] * 3
    alpha = edition.sdg_scores.filter(edition.sdg_scores["institution_id"] == "fr-alpha")
    assert list(zip(alpha["sdg"], alpha["score"], strict=True)) == [(1, 91.0), (3, 92.0), (4, 93.0)]


def test_a_table_without_sdg_17_and_a_cleaning_scripts_status(edition):
    # "SDG 18" is no goal: not read, so not flagged as a wrong SDG number; "cleaned" says nothing
    assert edition.overall["quality"].to_list() == [
        "sdg17_missing",
        "misaligned_columns;sdg17_missing",
        "sdg17_missing",
    ]


def test_a_local_name_is_kept_as_an_alias(edition):
    assert edition.institutions["aliases"].to_list() == ["Alpha locale", None, None]


def test_json_records_without_rank_and_overall_are_refused_naming_both(tmp_path):
    path = tmp_path / "table.json"
    path.write_text(json.dumps([{"name": "Alpha", "country": "FR"}]), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_published(path, edition="2023")
    assert refused.value.file == "table.json"
    assert str(refused.value) == ("table.json: not a ranking table: no rank / overall column (columns: name, country)")


def test_a_csv_with_an_overall_column_but_no_rank_is_no_ranking_table(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("Name,Country,Overall\nAlpha,France,90.0\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_published(path, edition="2023")
    assert "no rank, name and overall columns in the header (Name, Country, Overall)" in str(refused.value)
