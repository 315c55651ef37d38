"""Two commands on one workspace, through the real command line: the second waits for the first with a status
line on stderr, and goes on when it is released; with ``--wait 1`` it stops after a second with one line, exit
status 2, and nothing of DuckDB, of the other process or of the web in what it says."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from impactrank.cli import main  # registers every command
from impactrank.cli.common import app
from impactrank.io.build import build
from impactrank.io.workspace import Workspace
from workspace_holder import held

TABLE = """rank,name,country,overall,SDG17,SDG3,SDG5
1,Alpha University,France,90.0,80.0,90.0,100.0
2,Beta Institute,Germany,85.0,50.0,70.0,80.0
"""
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def impactrank(*args: str) -> list[str]:
    return [sys.executable, "-c", "from impactrank.cli import main; main()", *args]


@pytest.fixture
def workspace(tmp_path, mini_paths) -> Path:
    path = tmp_path / "ws.duckdb"
    build(mini_paths["institutions"], mini_paths["submissions"], methodology=mini_paths["methodology"], workspace=path)
    (tmp_path / "table.csv").write_text(TABLE, encoding="utf-8")
    return path


def test_a_writer_waits_with_a_status_line_then_succeeds(workspace, tmp_path):
    """`import` while another impactrank command holds the workspace: on a terminal, a live line counts the
    seconds on stderr; once the holder lets go (here: after the line has counted a second), the import goes on."""
    with held(workspace) as holder:
        main, secondary = pty.openpty()  # stderr on a terminal, as a person sees it
        proc = subprocess.Popen(
            impactrank("import", "table.csv", "--edition", "2020", "-w", "ws.duckdb"),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=secondary,
            env={**os.environ, "COLUMNS": "200", "TERM": "xterm"},
        )
        os.close(secondary)
        chunks: list[bytes] = []

        def drain() -> None:
            while True:
                try:
                    data = os.read(main, 4096)
                except OSError:  # the terminal's other end is closed
                    return
                if not data:
                    return
                chunks.append(data)

        def shown() -> str:
            return ANSI.sub("", b"".join(chunks).decode("utf-8", errors="replace"))

        reader = threading.Thread(target=drain)
        reader.start()
        deadline = time.monotonic() + 60
        while "another impactrank command… 1 s" not in shown() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        released = time.monotonic()
        holder.communicate("release\n", timeout=30)
        out, _ = proc.communicate(timeout=60)
        reader.join(timeout=10)
        os.close(main)
        terminal = shown()
        assert proc.returncode == 0, terminal
        assert "waiting for ws.duckdb, held by another impactrank command… 0 s" in terminal, terminal
        assert "waiting for ws.duckdb, held by another impactrank command… 1 s" in terminal, terminal
        assert "imported 1 edition(s)" in out.decode()
        assert time.monotonic() - released < 30  # it went on once released, well before its 30 s were up
        with Workspace(workspace, read_only=True) as ws:
            assert ws.editions()["edition"].to_list() == ["2020", "2021"]


COMMANDS = {
    "import": ("import", "table.csv", "--edition", "2020"),
    "build": ("build", "-i", "institutions.csv", "-s", "submissions.csv", "-m", "mini.yaml", "-o", "out"),
    "view": ("view", "overall", "--edition", "2021"),
}


def test_wait_runs_out_in_one_line(workspace, tmp_path, mini_paths, monkeypatch, capsys):
    """Another program (DuckDB itself) holds the workspace: DuckDB would name its executable, its pid and a web
    page. After --wait 1, each command (two that write, one that reads): one line naming the workspace and what
    to do, exit 2, nothing written."""
    for name in ("institutions", "submissions"):
        (tmp_path / f"{name}.csv").write_bytes(mini_paths[name].read_bytes())
    (tmp_path / "mini.yaml").write_bytes(mini_paths["methodology"].read_bytes())
    monkeypatch.chdir(tmp_path)
    with held(workspace, by="duckdb"):
        for command, args in COMMANDS.items():
            monkeypatch.setattr(sys, "argv", ["impactrank", *args, "-w", "ws.duckdb", "--wait", "1"])
            start = time.monotonic()
            with pytest.raises(SystemExit) as exc:
                main()
            elapsed = time.monotonic() - start
            err = capsys.readouterr().err
            assert exc.value.code == 2, (command, err)
            assert err.splitlines() == [
                "waiting for ws.duckdb, held by another program (up to 1 s)…",  # a log says why it paused
                "error: workspace ws.duckdb is still in use by another process after 1 s (a build, an import or a "
                "running server?): wait for it to finish, or use another --workspace",
            ], (command, err)
            for private in (sys.executable, "python", "PID", "http", "IO Error", "duckdb.org", "Conflicting lock"):
                assert private not in err, (command, private)
            assert 1 <= elapsed < 30, command
    assert not (tmp_path / "out").exists()
    with Workspace(workspace, read_only=True) as ws:
        assert ws.editions()["edition"].to_list() == ["2021"]


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


def test_every_command_that_opens_a_workspace_takes_wait():
    """--wait on every command with --workspace (serve: its store waits on each request instead), and on demo,
    which writes its own."""
    commands = _commands(typer.main.get_command(app))
    with_workspace = {name for name, c in commands.items() if any(p.name == "workspace" for p in c.params)}
    with_wait = {name for name, c in commands.items() if any(p.name == "wait" for p in c.params)}
    assert {"build", "import", "uncertainty", "demo"} <= with_wait
    assert with_workspace - with_wait == {"serve"}
    for name in with_wait:
        (option,) = (p for p in commands[name].params if p.name == "wait")
        assert option.opts == ["--wait"] and option.default == 30


def test_uncertainty_does_not_bring_back_an_edition_rebuilt_while_it_ran(workspace, tmp_path, mini_paths, monkeypatch):
    """The workspace is free while the runs go on: a build may replace the edition meanwhile. Saving the runs over
    it would put the old edition back; uncertainty refuses, and the rebuilt edition stays."""
    import impactrank.cli.analysis as analysis
    from impactrank.errors import InputError

    fewer = tmp_path / "fewer.csv"  # the same submissions but one: another edition under the same id
    fewer.write_text("".join(mini_paths["submissions"].read_text().splitlines(keepends=True)[:-1]))
    runs = analysis.run_uncertainty

    def a_build_meanwhile(*args, **kwargs):
        result = runs(*args, **kwargs)
        build(mini_paths["institutions"], fewer, methodology=mini_paths["methodology"], workspace=workspace)
        return result

    monkeypatch.setattr(analysis, "run_uncertainty", a_build_meanwhile)
    with pytest.raises(InputError, match=r"edition 2021 changed in .*ws\.duckdb while the uncertainty ran"):
        CliRunner().invoke(
            app, ["uncertainty", "-e", "2021", "-w", str(workspace), "--runs", "20"], catch_exceptions=False
        )
    with Workspace(workspace, read_only=True) as ws:
        after = ws.load("2021")
    assert after.manifest["inputs"][1]["file"] == "fewer.csv" and after.rank_uncertainty.height == 0
