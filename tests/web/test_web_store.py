"""The store's choice of the edition to compare with: the same series only."""

from __future__ import annotations

import dataclasses

from web_workspace import build_mini

from impactrank.io.workspace import Workspace
from impactrank.web.store import Store


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
