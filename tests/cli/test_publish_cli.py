"""`impactrank publish` from the command line: the site written with its figures on one line, an earlier site
replaced whole, and bad options, a folder of other files or an embargoed edition refused with one line, exit
status 2 and nothing written."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inprocess import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from web_workspace import make_workspace  # the dashboard's test workspace: 2020 and 2021


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("publishws"), "normal")


def test_publish_writes_the_site_and_replaces_an_earlier_one(workspace, tmp_path):
    out = tmp_path / "site"
    args = ("publish", "--workspace", workspace, "--out", out, "--editions", "2020")
    first = run_cli(*args, "--lang", "en")
    assert first.code == 0, first.err
    files = json.loads((out / "manifest.json").read_text())["files"]
    institutions = {n for n in files if n.startswith("en/editions/2020/institutions/")}
    assert len(institutions) == len({n for n in files if n.startswith("api/editions/2020/institutions/")})
    from impactrank.io.workspace import Workspace

    with Workspace(workspace, read_only=True) as ws:
        ids = ws.load("2020").institutions["institution_id"].to_list()
    assert institutions == {f"en/editions/2020/institutions/{i}.html" for i in ids}
    assert f"{len(files) + 1:,} files" in first.out and "pages/s" in first.out
    second = run_cli(*args, "--lang", "fr")
    assert second.code == 0, second.err
    assert not (out / "en").exists() and (out / "fr/index.html").is_file()  # the earlier site replaced whole
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left beside it


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--lang", "fr,de"), "--lang must list languages among en, fr, es once each, not 'fr,de'"),
        (("--editions", "2020,1999"), "no edition 1999 in the workspace"),
        (("--base-url", "example.org"), "--base-url must be an http(s) address, not 'example.org'"),
    ],
)
def test_bad_options_are_refused_in_one_line(workspace, tmp_path, options, message):
    run = run_cli("publish", "--workspace", workspace, "--out", tmp_path / "site", *options)
    assert run.code == 2
    assert message in run.message and "Traceback" not in run.err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_of_other_files_is_not_replaced(workspace, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = run_cli("publish", "--workspace", workspace, "--out", tmp_path, "--editions", "2020")
    assert run.code == 2
    assert "holds files but no manifest.json" in run.message
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_an_embargoed_edition_is_refused_by_name_and_time(workspace, tmp_path):
    from impactrank.io.workspace import Workspace

    ws = tmp_path / "ws.duckdb"
    shutil.copyfile(workspace, ws)
    shutil.copytree(workspace.with_name(workspace.name + ".tables"), tmp_path / "ws.duckdb.tables")  # its large tables
    when = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    with Workspace(ws) as w:
        w.set_public_time("2021", when)
    run = run_cli("publish", "--workspace", ws, "--out", tmp_path / "site", "--editions", "2020,2021")
    assert run.code == 2
    assert f"edition 2021 is under embargo until {when:%Y-%m-%d %H:%M} UTC" in run.message
    assert not (tmp_path / "site").exists()
