"""The shipped names file of French institutions (examples/names/france.csv): each of its rows joins an
institution of THE's 2019–2023 tables by the importer's own matching, and French texts then say the name the
institution uses ("Sorbonne Université") where English ones keep THE's."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from impactrank.io.published import read_published
from impactrank.report.summary import summarise
from the_workbooks import THE_TABLES

NAMES = Path(__file__).resolve().parents[2] / "examples" / "names" / "france.csv"
OVERALL = THE_TABLES / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx"


def _rows() -> list[dict[str, str]]:
    with NAMES.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _french_names(year: int) -> set[str]:
    """The names of the French rows of THE's overall table of ``year``, read straight from the workbook."""
    sheet = openpyxl.load_workbook(OVERALL, read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows)]
    at, name, country = header.index("year"), header.index("university"), header.index("country")
    return {r[name] for r in rows if str(r[at]) == str(year) and r[country] == "France"}


@pytest.fixture(scope="module")
def editions():
    if not THE_TABLES.is_dir():
        pytest.skip("THE's table workbooks are absent (../shared)")
    return {e.id: e for e in read_published(THE_TABLES, aliases=NAMES).editions}


def test_every_row_names_an_institution_of_the_tables(editions):
    assert {"2019", "2020", "2021", "2022", "2023"} <= set(editions)
    found = {}
    for edition in editions.values():
        for row in edition.institutions.iter_rows(named=True):
            found.setdefault(row["institution_id"], row)
    rows = _rows()
    assert len(rows) == len({r["institution_id"] for r in rows})  # one row per institution
    for r in rows:
        assert r["institution_id"] in found, f"{r['alias']}: no institution of the tables has this id"
        institution = found[r["institution_id"]]
        assert (institution["name"], institution["country"]) == (r["alias"], "FR")  # THE's name stays the identity
        assert json.loads(institution["display_names"]) == {"fr": r["name_fr"], "es": r["name_es"]}
        assert r["name_fr"] != r["alias"]  # a row only where THE's name is not already the French one


def test_french_summary_of_france_2021_says_the_french_names(editions):
    published = _french_names(2021)
    assert {"Sorbonne University", "University of Bordeaux", "Montpellier University"} <= published
    french = summarise(editions["2021"], country="FR", lang="fr").to_markdown()
    english = summarise(editions["2021"], country="FR", lang="en").to_markdown()
    for r in _rows():
        if r["alias"] in published and r["alias"] in english:
            assert r["name_fr"] in french and r["alias"] not in french
            assert r["name_fr"] not in english
    assert "Sorbonne Université" in french and "Université de Bordeaux" in french
    assert "Sorbonne University" in english and "Sorbonne Université" not in english
