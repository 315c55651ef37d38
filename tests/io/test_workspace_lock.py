"""Workspace locking: one writer or any number of readers. A workspace held by another process is waited for
(``wait`` seconds, a status on the way), then refused with one line that names the workspace and what to do,
and nothing of DuckDB, of the other process or of the web. The lock file goes when its last holder does."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from impactrank.errors import InputError
from impactrank.io.build import build
from impactrank.io.lock import LockFile, lock_path
from impactrank.io.workspace import Waiting, Workspace, WorkspaceBusy
from workspace_holder import held


@pytest.fixture
def workspace(mini_paths, tmp_path) -> Path:
    path = tmp_path / "ws.duckdb"
    build(mini_paths["institutions"], mini_paths["submissions"], methodology=mini_paths["methodology"], workspace=path)
    return path


def test_lock_file_one_writer_or_many_readers(tmp_path):
    """flock belongs to the open file, so two holders in one process exclude each other as two processes do."""
    target = tmp_path / "ws.duckdb"
    reader, other_reader = LockFile(target, exclusive=False), LockFile(target, exclusive=False)
    writer = LockFile(target, exclusive=True)
    assert reader.acquire() and other_reader.acquire()
    assert not writer.acquire()  # readers hold it
    reader.release()
    assert not writer.acquire() and lock_path(target).exists()  # one reader still does: the file stays
    other_reader.release()
    assert not lock_path(target).exists()  # the last one out removed it
    assert writer.acquire()
    assert not LockFile(target, exclusive=False).acquire() and not LockFile(target, exclusive=True).acquire()
    writer.release()
    assert not lock_path(target).exists()


def test_a_lock_file_left_by_a_killed_holder_is_taken_and_removed(tmp_path):
    target = tmp_path / "ws.duckdb"
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom impactrank.io.lock import LockFile\n"
        f"assert LockFile(Path({str(target)!r}), exclusive=True).acquire()\nprint('held', flush=True)\ntime.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    assert not LockFile(target, exclusive=False).acquire()
    proc.kill()  # SIGKILL: the kernel drops the lock, the file stays
    proc.wait()
    assert lock_path(target).exists()
    lock = LockFile(target, exclusive=True)
    assert lock.acquire()
    lock.release()
    assert not lock_path(target).exists()


def test_a_writer_waits_for_another_then_opens(workspace):
    """In-process: the holder lets go after 0.5 s; the waiter hears how long it has waited, then the end."""
    heard: list[Waiting | None] = []
    holder = Workspace(workspace)
    threading.Timer(0.5, holder.close).start()
    start = time.monotonic()
    with Workspace(workspace, wait=10, on_wait=heard.append) as ws:
        assert ws.has("2021")
    assert 0.4 < time.monotonic() - start < 20  # (a bound for a busy machine; it opens at once when free)
    assert heard[-1] is None and len(heard) >= 2
    waits = [w for w in heard if w is not None]
    assert all(w.path == workspace and w.holder == "another impactrank command" and w.limit == 10 for w in waits)
    assert waits[-1].waited >= 0.3 and waits[0].line().startswith(f"waiting for {workspace}, held by another")


def test_readers_share_and_exclude_writers(workspace):
    with Workspace(workspace, read_only=True) as a, Workspace(workspace, read_only=True, wait=0) as b:
        assert a.has("2021") and b.has("2021")
        with pytest.raises(WorkspaceBusy):
            Workspace(workspace, wait=0.3)
    with Workspace(workspace), pytest.raises(WorkspaceBusy):
        Workspace(workspace, read_only=True, wait=0.3)
    with Workspace(workspace) as ws:  # and once they are gone, a writer opens at once
        assert ws.has("2021")


@pytest.mark.parametrize(
    ("by", "holder_reads", "we_read"),
    [
        ("impactrank", False, False),  # a writer waits for a writer,
        ("impactrank", False, True),  # a reader for a writer,
        ("impactrank", True, False),  # a writer for a reader;
        ("duckdb", True, False),  # and for another program's (writers: tests/cli/test_workspace_lock_cli.py)
    ],
)
def test_another_process_holding_it_is_refused_in_one_clean_line(workspace, by, holder_reads, we_read):
    """A second process, ours or another program: after ``wait`` seconds, one line naming the workspace and what
    to do; never DuckDB's message with the other process's executable, its pid or a web link."""
    heard: list[Waiting | None] = []
    with held(workspace, by, read_only=holder_reads):
        start = time.monotonic()
        with pytest.raises(WorkspaceBusy) as exc:
            Workspace(workspace, read_only=we_read, wait=0.5, on_wait=heard.append)
        assert 0.45 < time.monotonic() - start < 20
    message = str(exc.value)
    assert message == (
        f"workspace {workspace} is still in use by another process after 0.5 s (a build, an import or a running "
        "server?): wait for it to finish, or use another --workspace"
    )
    assert "\n" not in message and sys.executable not in message and "PID" not in message and "http" not in message
    who = "another impactrank command" if by == "impactrank" else "another program"
    assert {w.holder for w in heard if w is not None} == {who} and heard[-1] is None


def test_a_reader_does_not_wait_for_another_programs_reader(workspace):
    with held(workspace, "duckdb", read_only=True), Workspace(workspace, read_only=True, wait=0) as ws:
        assert ws.has("2021")


def test_no_wait_means_at_once(workspace):
    with Workspace(workspace):
        start = time.monotonic()
        with pytest.raises(WorkspaceBusy, match="is in use by another process"):
            Workspace(workspace, wait=0)
        assert time.monotonic() - start < 5


def test_a_creation_cut_short_holds_nothing(tmp_path, mini_paths):
    """A crash between DuckDB creating the file and writing its headers leaves an empty file or part of the
    headers: a reader finds no workspace, a writer starts afresh. A short file that is not DuckDB's stays."""
    full = tmp_path / "full.duckdb"
    Workspace(full).close()
    header = full.read_bytes()[:4096]
    for name, content in (("empty.duckdb", b""), ("headers.duckdb", header), ("two.duckdb", header * 2)):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputError, match="no workspace at"):
            Workspace(path, read_only=True)
        with Workspace(path) as ws:
            assert ws.editions().height == 0
        with Workspace(path, read_only=True) as ws:
            assert ws.editions().height == 0
    text = tmp_path / "notes.duckdb"
    text.write_bytes(b"institution_id,name\n")
    with pytest.raises(InputError, match="not an impactrank workspace"):
        Workspace(text)
    assert text.read_bytes() == b"institution_id,name\n"


def test_a_workspace_without_tables_reads_as_empty(tmp_path):
    """DuckDB's file made but the tables not yet (they come in one transaction): no editions, no error."""
    import duckdb

    path = tmp_path / "bare.duckdb"
    duckdb.connect(str(path)).close()
    with Workspace(path, read_only=True) as ws:
        assert ws.editions().columns[:2] == ["edition", "year"] and ws.editions().height == 0
        assert not ws.has("2021") and ws.revisions() == {}
        with pytest.raises(InputError, match=r"no edition '2021' in workspace bare.duckdb \(editions: none\)"):
            ws.load("2021")
