"""A country page names its institutions as its summary does: in French, under the names the shipped names
file gives ("Sorbonne Université"); in English, and in the page's downloads, under THE's names of record."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from impactrank.io.published import read_published
from impactrank.io.workspace import Workspace
from impactrank.web.app import create_app
from the_workbooks import THE_TABLES

NAMES = Path(__file__).resolve().parents[2] / "examples" / "names" / "france.csv"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    if not THE_TABLES.is_dir():
        pytest.skip("THE's table workbooks are absent (../shared)")
    path = tmp_path_factory.mktemp("names") / "ws.duckdb"
    with Workspace(path) as ws:
        ws.save_many(read_published(THE_TABLES, edition="2021", aliases=NAMES).editions)
    return TestClient(create_app(path), raise_server_exceptions=True)


def _names() -> dict[str, str]:
    with NAMES.open(encoding="utf-8", newline="") as fh:
        return {r["institution_id"]: r for r in csv.DictReader(fh)}


def test_country_table_under_the_names_of_the_reader_language(client):
    names = _names()
    table = client.get("/api/editions/2021/countries/FR").json()["table"]  # the API speaks English
    shown = [names[r["institution_id"]] for r in table if r["institution_id"] in names]
    assert all(names[r["institution_id"]]["alias"] == r["name"] for r in table if r["institution_id"] in names)
    assert "Sorbonne University" in [r["alias"] for r in shown] and len(shown) >= 8
    french = client.get("/editions/2021/countries/FR?lang=fr").text
    english = client.get("/editions/2021/countries/FR?lang=en").text
    for r in shown:
        assert r["name_fr"] in french and r["alias"] not in french
        assert r["alias"] in english
    download = client.get("/api/editions/2021/countries/FR?format=csv").text
    assert "Sorbonne University" in download and "Sorbonne Université" not in download
