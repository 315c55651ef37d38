"""A process killed (SIGKILL) while it saves editions into the workspace, again and again: afterwards the
workspace opens, read-only and for writing, and holds the edition whole, as one save or the other left it,
table by table and row by row; never half of each. DuckDB keeps committed transactions only (its ``.wal`` is
replayed at the next open)."""

from __future__ import annotations

import dataclasses
import random
import signal
import subprocess
import sys
import time

from impactrank.engine.tables.edition import TABLES, Edition
from impactrank.io.workspace import Workspace

CHILD = """
import dataclasses, sys
from impactrank.io.workspace import Workspace

with Workspace(sys.argv[1], read_only=True) as source:
    a = source.load("2021", inputs=True)
    b = dataclasses.replace(source.load("2020", inputs=True), id="2021", year=2021)
with Workspace(sys.argv[2]) as ws:
    print("saving", flush=True)
    while True:
        ws.save(b)
        ws.save(a)
"""


def same(x: Edition, y: Edition) -> bool:
    meta = ("id", "year", "kind", "source", "manifest", "methodology")
    return all(getattr(x, m) == getattr(y, m) for m in meta) and all(
        getattr(x, name).equals(getattr(y, name)) for name in TABLES
    )


def test_saves_killed_mid_transaction_leave_one_whole_edition(demo_build, tmp_path):
    """The demo's 2021 edition (a) and its 2020 edition under the id 2021 (b), saved in turn, about 0.2 s each,
    by a process killed at random moments (fixed seed): every kill leaves a or b."""
    with Workspace(demo_build.workspace, read_only=True) as source:
        a = source.load("2021", inputs=True)
        b = dataclasses.replace(source.load("2020", inputs=True), id="2021", year=2021)
    target = tmp_path / "ws.duckdb"
    with Workspace(target) as ws:
        ws.save(a)
    rng = random.Random(13)
    found = []
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(demo_build.workspace), str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "saving", proc.stderr.read()
        time.sleep(rng.uniform(0.05, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        with Workspace(target, read_only=True, wait=0) as ws:  # as the next reader finds it
            assert ws.editions()["edition"].to_list() == ["2021"]
            stored = ws.load("2021", inputs=True)
        found.append("a" if same(stored, a) else "b" if same(stored, b) else "neither")
        assert found[-1] != "neither", found
    with Workspace(target) as ws:  # and it opens for writing: the next save goes through
        ws.save(a)
        named = {file for (file,) in ws.con.execute("SELECT file FROM table_files").fetchall()}
    assert not target.with_name("ws.duckdb.wal").exists() and not target.with_name("ws.duckdb.lock").exists()
    # the table files of the saves the kills cut short are gone: only the edition's own are left
    assert len(named) == 3 and {p.name for p in target.with_name("ws.duckdb.tables").iterdir()} == named
    with Workspace(target, read_only=True) as ws:
        assert same(ws.load("2021", inputs=True), a)
