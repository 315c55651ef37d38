"""The dashboard follows its workspace while it runs: an edition imported by another process appears, one
rebuilt shows its new content (cached pages included), one removed is gone — without a restart."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time

import httpx
import polars as pl
import pytest
from web_workspace import make_workspace

from impactrank.io.workspace import Workspace
from served import served as running
from workspace_holder import held

TABLE = (
    "rank,name,country,overall,sdg17,sdg3\n"
    "1,Live University,France,91.2,88.0,93.1\n"
    "2,Second School,Spain,80.4,71.5,84.0\n"
)


def cli(*args) -> None:
    """The command as a user runs it: another process, writing the file the server reads."""
    done = subprocess.run(
        [sys.executable, "-c", "from impactrank.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def served(tmp_path):
    """A workspace (2020, 2021) served by uvicorn on a free loopback port, with the page cache on."""
    from impactrank.web.app import create_app

    path = make_workspace(tmp_path, "normal")
    app = create_app(path, preload=True)
    with running(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield path, client, app.state.store


def ids(client) -> list[str]:
    return [e["edition"] for e in client.get("/api/editions").json()["editions"]]


def test_imported_rebuilt_and_removed_editions_show_without_a_restart(served, tmp_path):
    path, client, _ = served
    assert ids(client) == ["2020", "2021"]
    before = client.get("/api/editions/2021/institutions/A").json()["institution"]["name"]
    assert client.get("/editions/2021").status_code == 200  # now in the page cache

    table = tmp_path / "live.csv"
    table.write_text(TABLE, encoding="utf-8")
    cli("import", table, "--edition", "2022-live", "-w", path)
    assert ids(client) == ["2020", "2021", "2022-live"]
    rows = client.get("/api/editions/2022-live").json()["rows"]
    assert [(r["name"], r["rank"]) for r in rows] == [("Live University", "1"), ("Second School", "2")]
    assert "2022-live" in client.get("/editions").text

    with Workspace(path) as ws:  # the edition rebuilt with a renamed institution, as a later build would
        ed = ws.load("2021")
        renamed = ed.institutions.with_columns(
            name=pl.when(pl.col("institution_id") == "A").then(pl.lit("Alpha Renamed")).otherwise(pl.col("name"))
        )
        ws.save(dataclasses.replace(ed, institutions=renamed))
    assert before != "Alpha Renamed"
    assert client.get("/api/editions/2021/institutions/A").json()["institution"]["name"] == "Alpha Renamed"
    assert "Alpha Renamed" in client.get("/editions/2021").text  # the cached page was dropped

    cli("editions", "remove", "2020", "-w", path)
    assert ids(client) == ["2021", "2022-live"]
    gone = client.get("/api/editions/2020")
    assert gone.status_code == 404 and "no edition '2020'" in gone.json()["error"]


def test_files_touched_without_a_change_keep_the_loaded_editions(served):
    path, client, store = served
    loaded = store.get("2021")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert store.stale()
    assert ids(client) == ["2020", "2021"]
    assert not store.stale() and store.version == 0 and store.get("2021") is loaded


def test_a_changed_edition_is_loaded_again_and_the_others_are_kept(served):
    path, client, store = served
    kept, changed = store.get("2020"), store.get("2021")
    with Workspace(path) as ws:
        ed = ws.load("2021")
        ws.save(ed)  # saved again: a new revision, whatever the content
    assert ids(client) == ["2020", "2021"] and store.version == 1
    assert store.get("2020") is kept and store.get("2021") is not changed


def test_while_a_command_writes_loaded_editions_serve_and_others_answer_503(tmp_path, monkeypatch):
    import warnings

    from impactrank.web import store as store_module
    from impactrank.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    path = make_workspace(tmp_path, "normal")
    client = TestClient(create_app(path))  # nothing loaded until asked for
    assert client.get("/api/editions/2021").status_code == 200
    monkeypatch.setattr(store_module, "LOAD_WAIT", 0.3)
    with held(path) as holder:
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # the files look changed: it looks again
        assert client.get("/api/editions/2021").status_code == 200  # loaded: served from memory
        busy = client.get("/api/editions/2020")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        assert "being written by another command" in busy.json()["error"] and "duckdb" not in busy.text.lower()
        page = client.get("/editions/2020")
        assert page.status_code == 503 and "try again in a moment" in page.text
        holder.communicate("release\n", timeout=30)
    assert client.get("/api/editions/2020").status_code == 200
