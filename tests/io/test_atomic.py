"""Atomic outputs: a file replaced in one step; the files of a folder that belong together appearing together.
A process killed before any step of either (SIGKILL, in a real process) leaves the old or the new, never a
mixture, and nothing but temporary names, which the next write removes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from impactrank.io import atomic
from impactrank.io.atomic import atomic_folder, exchange_supported, is_temporary, remove_stale, write_bytes_atomic

NAMES = ("overall.csv", "sdg_scores.csv", "manifest.json")  # the manifest last, as the build writes it


def content(variant: str, name: str) -> bytes:
    return f"{variant}:{name}\n".encode() * 2000


def complete(variant: str) -> dict[str, bytes]:
    return {name: content(variant, name) for name in NAMES}


def write(folder: Path, variant: str) -> None:
    with atomic_folder(folder, NAMES) as staging:
        for name in NAMES:
            (staging / name).write_bytes(content(variant, name))


def visible(folder: Path) -> dict[str, bytes] | None:
    """The folder's files under final names (None: no folder)."""
    if not folder.exists():
        return None
    return {p.name: p.read_bytes() for p in folder.iterdir() if not is_temporary(p.name)}


def temporaries(*folders: Path) -> list[str]:
    return [p.name for f in folders if f.exists() for p in f.iterdir() if is_temporary(p.name)]


def test_a_new_folder_appears_whole_and_readable(tmp_path):
    out = tmp_path / "results" / "out"
    write(out, "a")
    assert visible(out) == complete("a")
    assert os.listdir(tmp_path / "results") == ["out"]  # no staging folder left beside it
    assert out.stat().st_mode & 0o055 == 0o055 and all(p.stat().st_mode & 0o044 == 0o044 for p in out.iterdir())


@pytest.mark.parametrize("can_exchange", [True, False], ids=["exchange", "two renames"])
def test_an_earlier_output_folder_is_replaced_whole(tmp_path, monkeypatch, can_exchange):
    if can_exchange and not exchange_supported(tmp_path):
        pytest.skip("this file system cannot exchange two names in one step")
    if not can_exchange:
        monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    out = tmp_path / "out"
    write(out, "a")
    inode = out.stat().st_ino
    write(out, "b")
    assert visible(out) == complete("b") and out.stat().st_ino != inode  # a new folder took the old one's place
    assert os.listdir(tmp_path) == ["out"]


def test_a_folder_holding_other_files_is_never_moved(tmp_path, monkeypatch):
    """`--out .` or a folder of the user's: the files go in one by one, the manifest last; the folder stays."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "notes.txt").write_text("mine")
    inode = shared.stat().st_ino
    write(shared, "a")
    write(shared, "b")
    assert visible(shared) == {"notes.txt": b"mine", **complete("b")} and shared.stat().st_ino == inode
    monkeypatch.chdir(shared)  # the current folder, even holding only outputs, is not swapped from under a shell
    (shared / "notes.txt").unlink()
    write(Path("."), "a")
    assert visible(shared) == complete("a") and shared.stat().st_ino == inode
    assert temporaries(tmp_path, shared) == []


def test_a_file_where_the_folder_should_be(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(NotADirectoryError):
        write(tmp_path / "out", "a")
    assert (tmp_path / "out").read_text() == "x" and temporaries(tmp_path) == []


def test_temporaries_of_ended_processes_are_removed_and_only_those(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(ended.stdout), os.getppid()
    out = tmp_path / "out"
    write(out, "a")
    left = {
        tmp_path / f".out.{dead}.abcdefgh.tmp": "folder",  # a staging folder of a killed build
        out / f".manifest.json.{dead}.abcdefgh.tmp": "file",  # a killed per-file write
        tmp_path / f".out.{alive}.abcdefgh.tmp": "folder",  # a running process's: kept
        tmp_path / f".other.{dead}.abcdefgh.tmp": "file",  # another target's: not ours to look at
    }
    for path, kind in left.items():
        path.mkdir() if kind == "folder" else path.write_text("partial")
    write(out, "b")
    assert sorted(temporaries(tmp_path, out)) == sorted([f".out.{alive}.abcdefgh.tmp", f".other.{dead}.abcdefgh.tmp"])
    assert visible(out) == complete("b")
    assert remove_stale(tmp_path / "other") == [tmp_path / f".other.{dead}.abcdefgh.tmp"]


CHILD = """
import os, signal, sys
from pathlib import Path
from impactrank.io import atomic

target, variant, step, can_exchange, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
count = 0


def killing(call):
    def at_a_step(*args, **kwargs):
        global count
        if count == step:
            os.kill(os.getpid(), signal.SIGKILL)
        count += 1
        return call(*args, **kwargs)

    return at_a_step


for name in ("mkdir", "rename", "replace", "unlink", "rmdir", "fsync", "chmod", "open"):
    setattr(os, name, killing(getattr(os, name)))
atomic.exchange = killing(atomic.exchange if can_exchange else (lambda a, b: False))
data = lambda name: f"{variant}:{name}\\n".encode() * 2000
if names == "-":
    atomic.write_bytes_atomic(target, data(Path(target).name))
else:
    with atomic.atomic_folder(Path(target), names.split(",")) as staging:
        for name in names.split(","):
            (staging / name).write_bytes(data(name))
print(count)
"""


def child(target: Path, variant: str, step: int, can_exchange: bool, names: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(target), variant, str(step), "1" if can_exchange else "0", names],
        capture_output=True,
        text=True,
    )


SCENARIOS = ["new folder", "replace by exchange", "replace by two renames", "shared folder", "one file"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_killed_before_any_step_leaves_old_or_new(tmp_path, scenario):
    """Every file-system call of a write (make, rename, exchange, remove, flush, chmod, open) is a moment to kill
    it; after each kill the output is the old one or the new one (or, without an exchange, briefly none), and
    the next write leaves nothing but the output."""
    can_exchange = scenario != "replace by two renames"
    if scenario == "replace by exchange" and not exchange_supported(tmp_path):
        pytest.skip("this file system cannot exchange two names in one step")
    target = tmp_path / ("out.csv" if scenario == "one file" else "out")
    names = "-" if scenario == "one file" else ",".join(NAMES)

    def prepare(keep_leftovers: bool = False) -> None:
        """The state before the write; without the last kill's leftovers, so that step k is the same moment
        every time (cleaning them up would add steps); with them, for the clean-up check."""
        for path in tmp_path.iterdir() if not keep_leftovers else []:
            if is_temporary(path.name):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        if target.is_dir():
            shutil.rmtree(target)
        if scenario == "one file":
            target.write_bytes(content("a", target.name))
        elif scenario != "new folder":
            write(target, "a")
        if scenario == "shared folder":
            (target / "notes.txt").write_text("mine")

    prepare()
    clean = child(target, "b", -1, can_exchange, names)
    steps = int(clean.stdout)
    assert clean.returncode == 0 and steps > 4, clean.stderr
    outcomes, leaving = set(), []
    for step in range(steps):
        prepare()
        killed = child(target, "b", step, can_exchange, names)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        if temporaries(tmp_path, target if target.is_dir() else tmp_path):
            leaving.append(step)
        if scenario == "one file":
            state = target.read_bytes()
            assert state in (content("a", target.name), content("b", target.name)), step
            outcomes.add(state[:1].decode())
            assert [p.name for p in tmp_path.iterdir() if not is_temporary(p.name)] == ["out.csv"], step
            continue
        files = visible(target)
        assert [p.name for p in tmp_path.iterdir() if not is_temporary(p.name)] == (
            ["out"] if files is not None else []
        )
        if scenario == "shared folder":
            assert files.pop("notes.txt") == b"mine"
            if "manifest.json" in files:  # the manifest comes last: present only beside complete files
                variant = files["manifest.json"][:1].decode()
                assert files == complete(variant), step
                outcomes.add(variant)
            else:
                assert all(files[name] in (content("a", name), content("b", name)) for name in files), step
                outcomes.add("no manifest")
            continue
        allowed = [complete("b")] + ([None] if scenario == "new folder" or not can_exchange else [complete("a")])
        if scenario == "replace by two renames":
            allowed.append(complete("a"))
        assert files in allowed, (step, None if files is None else sorted(files))
        outcomes.add("none" if files is None else files["manifest.json"][:1].decode())
    # the kills reached every outcome there is, and the next write cleans up after them
    expected = {
        "new folder": {"none", "b"},
        "replace by exchange": {"a", "b"},
        "replace by two renames": {"a", "none", "b"},
        "shared folder": {"a", "no manifest", "b"},
        "one file": {"a", "b"},
    }[scenario]
    assert outcomes == expected
    assert leaving  # some kills left temporary names: the next write removes them
    prepare()
    assert child(target, "b", leaving[len(leaving) // 2], can_exchange, names).returncode == -signal.SIGKILL
    assert temporaries(tmp_path, target if target.is_dir() else tmp_path)
    prepare(keep_leftovers=True)
    assert child(target, "b", -1, can_exchange, names).returncode == 0
    assert temporaries(tmp_path, target if target.is_dir() else tmp_path) == []
    if scenario == "one file":
        assert target.read_bytes() == content("b", target.name)
    else:
        assert visible(target) == ({"notes.txt": b"mine"} if scenario == "shared folder" else {}) | complete("b")


def test_write_bytes_atomic_leaves_no_temporary(tmp_path):
    write_bytes_atomic(tmp_path / "a" / "report.json", b"{}")
    assert os.listdir(tmp_path / "a") == ["report.json"]


def test_an_error_names_the_file_a_temporary_stands_for(tmp_path):
    staged = Path(tempfile.mkdtemp(prefix=atomic.temp_prefix("report.pdf"), suffix=atomic.TEMP_SUFFIX, dir=tmp_path))
    assert atomic.target_of(staged) == tmp_path / "report.pdf"
    inside = tmp_path / f"{atomic.temp_prefix(atomic.STAGING)}x1y2{atomic.TEMP_SUFFIX}"
    assert atomic.target_of(inside) == tmp_path
    assert atomic.target_of(inside / "overall.csv") == tmp_path / "overall.csv"  # a file staged in a folder
    assert atomic.target_of(tmp_path / "out.csv") == tmp_path / "out.csv"
