"""Dashboard tables name institutions as the summaries do: in French, under the names the shipped names file
gives ("Sorbonne Université"); in English, in the API and in downloads, under THE's names of record."""

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
GROUP = ["fr-sorbonne-university", "fr-university-of-bordeaux", "fr-imt-atlantique"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    if not THE_TABLES.is_dir():
        pytest.skip("THE's table workbooks are absent (../shared)")
    folder = tmp_path_factory.mktemp("names")
    with Workspace(folder / "ws.duckdb") as ws:
        for year in ("2020", "2021"):
            ws.save_many(read_published(THE_TABLES, edition=year, aliases=NAMES).editions)
    groups = folder / "groups.csv"
    groups.write_text("group,institution_id\n" + "".join(f"Sud,{iid}\n" for iid in GROUP), encoding="utf-8")
    return TestClient(create_app(folder / "ws.duckdb", groups=groups), raise_server_exceptions=True)


def _names() -> dict[str, dict[str, str]]:
    with NAMES.open(encoding="utf-8", newline="") as fh:
        return {r["institution_id"]: r for r in csv.DictReader(fh)}


def _check(client, page: str, api: str) -> int:
    """The page's named institutions in French and English, against the API's rows (English, names of record)."""
    names = _names()
    body = client.get(api).json()
    rows = body.get("table") or body.get("rows") or body.get("ranked")
    assert rows
    shown = [names[r["institution_id"]] for r in rows if r["institution_id"] in names]
    assert all(r["name"] == names[r["institution_id"]]["alias"] for r in rows if r["institution_id"] in names)
    sep = "&" if "?" in page else "?"
    french, english = client.get(f"{page}{sep}lang=fr").text, client.get(f"{page}{sep}lang=en").text
    for r in shown:
        assert r["name_fr"] in french and r["alias"] not in french, (page, r["alias"])
        assert r["alias"] in english, (page, r["alias"])
    return len(shown)


def test_country_page_names(client):
    assert _check(client, "/editions/2021/countries/FR", "/api/editions/2021/countries/FR") >= 8
    download = client.get("/api/editions/2021/countries/FR?format=csv").text
    assert "Sorbonne University" in download and "Sorbonne Université" not in download


def test_overall_and_sdg_tables_names(client):
    assert _check(client, "/editions/2021?country=FR", "/api/editions/2021?country=FR") >= 8
    assert _check(client, "/editions/2021/sdgs/8?country=FR", "/api/editions/2021/sdgs/8?country=FR") >= 3


def test_group_page_names(client):
    assert _check(client, "/editions/2021/groups/Sud", "/api/editions/2021/groups/Sud") == 2


def test_comparison_names(client):
    page, api = "/compare?before=2020&after=2021&country=FR", "/api/compare?before=2020&after=2021&country=FR"
    assert _check(client, page, api) >= 8


def test_institution_page_heading_and_chart(client):
    french = client.get("/editions/2021/institutions/fr-sorbonne-university?lang=fr").text
    english = client.get("/editions/2021/institutions/fr-sorbonne-university?lang=en").text
    assert '<h1 id="institution-name">Sorbonne Université</h1>' in french and "Sorbonne University" not in french
    assert '<h1 id="institution-name">Sorbonne University</h1>' in english and "Sorbonne Université" not in english
    api = client.get("/api/editions/2021/institutions/fr-sorbonne-university").json()
    assert api["institution"]["name"] == "Sorbonne University"
