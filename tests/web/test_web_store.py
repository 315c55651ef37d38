"""The store: the edition to compare with (the same series only), and which editions hold an institution."""

from __future__ import annotations

import dataclasses
import warnings

import polars as pl
from web_workspace import build_mini

from impactrank.io.workspace import Workspace
from impactrank.web.app import create_app
from impactrank.web.store import Store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_previous_edition_stays_in_its_series(tmp_path):
    mini = build_mini(tmp_path)
    path = tmp_path / "series.duckdb"
    with Workspace(path) as ws:
        ws.save(mini)  # built 2021
        ws.save(dataclasses.replace(mini, id="2020", year=2020))  # built 2020
        ws.save(dataclasses.replace(mini, id="2019-taiwan", year=2019, kind="imported"))
        ws.save(dataclasses.replace(mini, id="2020-taiwan", year=2020, kind="imported"))
        ws.save(dataclasses.replace(mini, id="2021-taiwan", year=2021, kind="imported"))
    store = Store(path)
    assert store.previous("2021") == "2020"
    assert store.previous("2020") is None  # 2019-taiwan is another series
    assert store.previous("2021-taiwan") == "2020-taiwan"
    assert store.previous("2019-taiwan") is None


def test_an_institution_page_tells_which_editions_hold_it(tmp_path):
    """The history's in_edition and link come from each edition's institutions table (EditionData.has)."""
    mini = build_mini(tmp_path)
    gone = mini.institutions["institution_id"][0]
    path = tmp_path / "two.duckdb"
    with Workspace(path) as ws:
        ws.save(mini)  # built 2021
        without = mini.institutions.filter(pl.col("institution_id") != gone)
        ws.save(dataclasses.replace(mini, id="2020", year=2020, institutions=without))
    store = Store(path)
    assert store.get("2021").has(gone) and not store.get("2020").has(gone)
    assert not store.get("2021").has("no such institution")
    client = TestClient(create_app(path, preload=True, cache=False))
    history = {h["edition"]: h for h in client.get(f"/api/editions/2021/institutions/{gone}").json()["history"]}
    assert (history["2020"]["in_edition"], history["2020"]["link"]) == (False, None)
    assert (history["2021"]["in_edition"], history["2021"]["link"]) == (True, f"/api/editions/2021/institutions/{gone}")
