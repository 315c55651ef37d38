"""``impactrank report`` and ``impactrank serve`` through the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from impactrank.cli.common import app
from inprocess import run_cli


def test_report_html_and_pdf(ws_path, tmp_path):
    out = tmp_path / "r.html"
    r = run_cli("report", "-e", "2021", "--compare", "2020", "--country", "FR", "-w", str(ws_path), "--out", str(out))
    assert r.code == 0, r.err
    text = out.read_text(encoding="utf-8")
    assert 'id="chart-movement"' in text and "Alpha University" in text
    pdf = tmp_path / "r.pdf"
    r = run_cli("report", "-e", "2021", "--group", "Network", "--lang", "fr", "-w", str(ws_path), "--out", str(pdf))
    assert r.code == 0, r.err
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "r.txt"], "writes .html, .pdf, not"),
        (["--out", "r.html", "--lang", "de"], "--lang must be one of en, fr, es, not 'de'"),
        (["--out", "r.html", "--country", "ZZ"], "no institution from country 'ZZ'"),
        (["--out", "r.html", "--compare", "1999"], "no edition '1999'"),
    ],
)
def test_report_errors_are_one_line_without_output(ws_path, tmp_path, args, message):
    args = [a if not a.startswith("r.") else str(tmp_path / a) for a in args]
    r = run_cli("report", "-e", "2021", "-w", str(ws_path), *args)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err
    assert list(tmp_path.iterdir()) == []


def test_serve_binds_loopback_by_default(ws_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: calls.update(kw, app=application))
    result = CliRunner().invoke(app, ["serve", "-w", str(ws_path), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert (calls["host"], calls["port"]) == ("127.0.0.1", 8123)
    assert calls["app"].state.store.edition_ids() == ["2020", "2021"]


def test_serving_beyond_loopback_warns(ws_path, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: None)
    quiet = run_cli("serve", "-w", str(ws_path), "--host", "::1")
    loud = run_cli("serve", "-w", str(ws_path), "--host", "0.0.0.0")
    assert quiet.code == loud.code == 0 and quiet.err == ""
    assert "serving on 0.0.0.0, reachable from other machines: the dashboard is read-only but has no" in " ".join(
        loud.err.split()
    )


def test_serve_missing_workspace_is_an_input_error(tmp_path):
    r = run_cli("serve", "-w", str(tmp_path / "none.duckdb"), "--port", "8124")
    assert r.code == 2 and "no workspace at" in r.err


def test_serve_with_several_workers_answers(ws_path):
    """Two server processes behind one port, each loading the workspace itself."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from impactrank.cli import main; main()",
            "serve",
            "-w",
            str(ws_path),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/editions", timeout=5) as response:
                    body = response.read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert '"2021"' in body and '"2020"' in body
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_report_and_serve_take_a_groups_file(ws_path, tmp_path):
    """A group written in a file by name and country (one member through an alias, one not in the editions)
    replaces the institutions' groups column, in the report and on the dashboard."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    groups = tmp_path / "groups.csv"
    groups.write_text(
        "group,name,country,aliases\n"
        "Pair,Alpha University,France,\n"
        "Pair,Gamma Coll.,France,Gamma College\n"
        "Pair,Omega Institute,France,\n",
        encoding="utf-8",
    )
    out = tmp_path / "pair.html"
    r = run_cli(
        "report", "-e", "2021", "--group", "Pair", "--groups", str(groups), "-w", str(ws_path), "--out", str(out)
    )
    assert r.code == 0, r.err
    text = out.read_text(encoding="utf-8")
    assert "Alpha University" in text and "Gamma College" in text and "Omega Institute" in text
    assert "Beta Institute" not in text.split('id="selected"')[1].split("</table>")[0]  # a Network member, not Pair

    import uvicorn

    calls = {}
    uvicorn_run = uvicorn.run
    try:
        uvicorn.run = lambda application, **kw: calls.update(app=application)
        result = CliRunner().invoke(app, ["serve", "-w", str(ws_path), "--groups", str(groups)])
    finally:
        uvicorn.run = uvicorn_run
    assert result.exit_code == 0, result.output
    body = TestClient(calls["app"]).get("/api/editions/2021/groups/Pair").json()
    assert [m["name"] for m in body["ranked"]] == ["Alpha University", "Gamma College"]
    assert [m["name"] for m in body["absent"]] == ["Omega Institute"]
    bad = tmp_path / "bad.csv"
    bad.write_text("group,name,country\nPair,Alpha University,Atlantis\n", encoding="utf-8")
    r = run_cli("serve", "-w", str(ws_path), "--groups", str(bad), "--port", "8125")
    assert r.code == 2 and "bad.csv, row 2, field 'country'" in r.err
