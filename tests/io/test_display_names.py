"""Institution names per language: optional name_fr, name_es … columns of the institutions and aliases files,
kept beside the name of record (THE's English name stays the identity), said by French and Spanish texts."""

from __future__ import annotations

import json

import openpyxl
import polars as pl
import pytest

from impactrank.io.identity import institution_id, read_aliases
from impactrank.io.inputs import read_institutions
from impactrank.io.published import read_published
from impactrank.io.workspace import Workspace
from impactrank.report.report import report_context
from impactrank.report.summary import summarise
from the_workbooks import THE_TABLES

OVERALL = THE_TABLES / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx"


def test_institutions_file_reads_names_per_language(tmp_path):
    path = tmp_path / "institutions.csv"
    path.write_text(
        "institution_id,name,country,Name_FR,name_es\n"
        "su,Sorbonne University,FR,Sorbonne Université,Universidad de la Sorbona\n"
        "mu,Montpellier University,FR,Université de Montpellier,\n"
        "ox,University of Oxford,GB,,\n",
        encoding="utf-8",
    )
    frame = read_institutions(path)
    assert frame["name"].to_list() == ["Sorbonne University", "Montpellier University", "University of Oxford"]
    names = [None if v is None else json.loads(v) for v in frame["display_names"]]
    assert names == [
        {"fr": "Sorbonne Université", "es": "Universidad de la Sorbona"},
        {"fr": "Université de Montpellier"},
        None,
    ]


def test_aliases_file_reads_names_per_language(tmp_path):
    by_id = tmp_path / "by_id.csv"
    by_id.write_text("alias,institution_id,name_fr\nParis-Sorbonne,fr-sorbonne-university,Sorbonne Université\n")
    aliases = read_aliases(by_id)
    assert aliases.to_id == {"paris-sorbonne": "fr-sorbonne-university"}
    assert aliases.display_by_id == {"fr-sorbonne-university": {"fr": "Sorbonne Université"}}
    by_name = tmp_path / "by_name.csv"
    by_name.write_text("name,alias,name_es\nSorbonne University,Paris-Sorbonne,Universidad de la Sorbona\n")
    spanish = {"es": "Universidad de la Sorbona"}
    assert read_aliases(by_name).display_by_name == {"sorbonne-university": spanish, "paris-sorbonne": spanish}


def _french_2021_names() -> set[str]:
    """The names of the French rows of THE's 2021 overall table, read straight from the workbook."""
    sheet = openpyxl.load_workbook(OVERALL, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h).strip().lower() if h else "" for h in rows[0]]
    year, name, country = header.index("year"), header.index("university"), header.index("country")
    return {r[name] for r in rows[1:] if str(r[year]) == "2021" and r[country] == "France"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    if not OVERALL.is_file():
        pytest.skip("THE's table workbooks are absent (../shared)")
    folder = tmp_path_factory.mktemp("names")
    aliases = folder / "aliases.csv"
    aliases.write_text(
        "alias,institution_id,name_fr,name_es\n"
        "Paris-Sorbonne University,fr-sorbonne-university,Sorbonne Université,Universidad de la Sorbona\n",
        encoding="utf-8",
    )
    edition = read_published([OVERALL], edition="2021", aliases=aliases).editions[0]
    with Workspace(folder / "ws.duckdb") as ws:  # kept by the workspace like every other column
        ws.save(edition)
        return ws.load("2021")


def test_imported_names_per_language_in_summaries_and_reports(imported):
    assert "Sorbonne University" in _french_2021_names()  # the name of record, as THE publishes it
    sid = institution_id("Sorbonne University", "FR")
    row = imported.institutions.filter(pl.col("institution_id") == sid).row(0, named=True)
    assert row["name"] == "Sorbonne University"  # the identity is unchanged
    members = pl.DataFrame({"group": ["Sorbonne"], "institution_id": [sid]})
    french = summarise(imported, group="Sorbonne", members=members, lang="fr")
    text = french.to_markdown()
    assert "Sorbonne Université\u00a0:" in text and "Sorbonne University" not in text  # French colon spacing
    spanish = summarise(imported, group="Sorbonne", members=members, lang="es").to_markdown()
    assert "Universidad de la Sorbona:" in spanish and "Sorbonne University" not in spanish
    english = summarise(imported, group="Sorbonne", members=members, lang="en").to_markdown()
    assert "Sorbonne University:" in english  # no English display name: the name of record
    ctx = report_context(imported, group="Sorbonne", members=members, lang="fr")
    assert [r["name"] for r in ctx["selected"]] == ["Sorbonne Université"]
