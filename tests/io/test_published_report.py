"""The import report on small tables written here: counts by flag, rank kind and country, each flagged row with
its cells as the file shows them, each table's file, and the figures summed over editions."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from impactrank.io.published import read_published

# Beta's country is no country, Delta has none and no SDG 17 score, Epsilon's rank is no rank.
CSV = """Rank,Name,Country,Overall,SDG 3,SDG 4,SDG 5,SDG 17
1,Alpha,France,90.0,91.0,92.0,93.0,94.0
=2,Beta,Narnia,80.0,81.0,82.0,83.0,84.0
=2,Gamma,Spain,80.0,81.0,82.0,83.0,84.0
4–5,Delta,,70.0,71.0,72.0,73.0,
two,Epsilon,Spain,60.0,61.0,62.0,63.0,64.0
"""
FLAGS = [("country_unresolved", 1), ("no_country", 1), ("rank_unparsed", 1), ("sdg17_missing", 1)]
PAIRS = {k: [["3", f"{k}1.0"], ["4", f"{k}2.0"], ["5", f"{k}3.0"]] for k in (6, 7, 8)}


def workbook(path: Path, header: list[str], rows: list[list[str]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, row in enumerate([header, *rows]):
        for j, cell in enumerate(row):
            sheet.write_string(i, j, cell)
    book.close()


def test_an_editions_counts_and_flagged_rows(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text(CSV, encoding="utf-8")
    report = read_published(path, edition="2023").report.to_dict()
    assert (report["file"], report["format"], report["rows"]) == ("table.csv", "clean-csv", 5)
    assert list(report["flags"].items()) == FLAGS  # sorted by name
    (ed,) = report["editions"]
    assert (ed["edition"], ed["year"], ed["rows"], ed["ok"]) == ("2023", 2023, 5, 2)
    assert list(ed["flags"].items()) == FLAGS
    assert list(ed["ranks"].items()) == [("exact", 3), ("4–5", 1), ("unparsed", 1)]  # in table order
    assert (ed["countries"], ed["unresolved_countries"]) == (2, ["Narnia"])
    assert ed["flagged"] == [
        {
            "table": "overall",
            "row": 3,  # the header is row 1
            "name": "Beta",
            "flags": ["country_unresolved"],
            "cells": {
                "rank": "=2",
                "country": "Narnia",
                "overall": "80.0",
                "score": "",
                "sdg17": "84.0",
                "pairs": PAIRS[8],
            },
        },
        {
            "table": "overall",
            "row": 5,
            "name": "Delta",
            "flags": ["no_country", "sdg17_missing"],
            "cells": {"rank": "4–5", "country": "", "overall": "70.0", "score": "", "sdg17": "", "pairs": PAIRS[7]},
        },
        {
            "table": "overall",
            "row": 6,
            "name": "Epsilon",
            "flags": ["rank_unparsed"],
            "cells": {
                "rank": "two",
                "country": "Spain",
                "overall": "60.0",
                "score": "",
                "sdg17": "64.0",
                "pairs": PAIRS[6],
            },
        },
    ]
    assert ed["tables"] == {"overall": {"file": "table.csv", "rows": 5, "ok": 2, "flags": dict(FLAGS)}}
    assert ed["country_suggestions"] == []


def test_unresolved_countries_of_the_overall_and_an_sdg_table_and_each_tables_file(tmp_path):
    overall = ["Rank", "Year", "University", "Country", "Best scores by rank", "Overall"]
    card = "13 85.0  5 80.0  4 60.0  17 90.0  SDG Descriptions"
    workbook(
        tmp_path / "overall.xlsx",
        overall,
        [["1", "2021", "Alpha University", "France", card, "90.0"], ["2", "2021", "Beta", "Atlantis", card, "85.0"]],
    )
    climate = [*overall[:4], "Climate Action", "Overall"]
    workbook(
        tmp_path / "climate.xlsx",
        climate,
        [["1", "2021", "Alpha University", "France", "85.0", "90.0"], ["2", "2021", "Gamma", "Narnia", "80.0", "85.0"]],
    )
    report = read_published(tmp_path).report
    (ed,) = report.editions
    assert ed.unresolved_countries == ["Atlantis", "Narnia"]
    assert [(f["table"], f["name"], f["flags"]) for f in ed.flagged] == [
        ("overall", "Beta", ["country_unresolved", "not_in_sdg_table"]),
        ("sdg13", "Gamma", ["country_unresolved", "overall_not_found"]),
    ]
    assert ed.flagged[1]["cells"]["score"] == "80.0"
    assert {k: (t["file"], t["rows"], t["ok"]) for k, t in ed.tables.items()} == {
        "overall": ("overall.xlsx", 2, 1),
        "sdg13": ("climate.xlsx", 2, 1),
    }
    # an SDG table alone: no overall table to count
    (tmp_path / "overall.xlsx").unlink()
    (alone,) = read_published(tmp_path).report.editions
    assert alone.tables == {"sdg13": {"file": "climate.xlsx", "rows": 2, "ok": 1, "flags": {"country_unresolved": 1}}}


def test_the_figures_of_a_file_of_two_years_are_summed(tmp_path):
    path = tmp_path / "years.csv"
    path.write_text(
        "Rank,Name,Country,Year,Overall\n1,Alpha,France,2022,90.0\n2,Beta,,2022,80.0\n1,Alpha,France,2023,91.0\n",
        encoding="utf-8",
    )
    report = read_published(path).report
    assert [(e.edition, e.rows) for e in report.editions] == [("2022", 2), ("2023", 1)]
    assert report.rows == 3
    assert list(report.flags.items()) == [("no_country", 1), ("sdg17_missing", 3), ("sdg_pairs_incomplete", 3)]
    assert report.to_dict()["editions"] == [e.to_dict() for e in report.editions]
