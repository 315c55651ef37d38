"""A build writes its output files and the workspace at the same time: a failure of either stops the command
with one clear line and leaves neither changed (no output folder, no new edition, no file of the failed save)."""

import os
from pathlib import Path

from impactrank.io.workspace import Workspace
from inprocess import run_cli


def build(tmp_path: Path, mini_paths, out: str = "out"):
    return run_cli(
        "build",
        "-i",
        str(mini_paths["institutions"]),
        "-s",
        str(mini_paths["submissions"]),
        "-m",
        str(mini_paths["methodology"]),
        "--out",
        out,
        "--workspace",
        "ws.duckdb",
        cwd=tmp_path,
    )


def left_behind(folder: Path) -> list[str]:
    """Everything in the folder, temporary names (hidden) included."""
    return sorted(os.listdir(folder))


def test_outputs_that_cannot_be_written_leave_the_workspace_as_it_was(tmp_path, mini_paths):
    assert build(tmp_path, mini_paths).code == 0
    with Workspace(tmp_path / "ws.duckdb", read_only=True) as ws:
        revisions = ws.revisions()
    tables = left_behind(tmp_path / "ws.duckdb.tables")
    assert len(tables) == 3  # metric scores, SDG scores, submissions
    (tmp_path / "report.txt").write_text("not a folder\n")
    result = build(tmp_path, mini_paths, out="report.txt")
    assert result.code == 2 and "Traceback" not in result.err
    assert "--out report.txt" in result.err and "name a folder" in result.err
    with Workspace(tmp_path / "ws.duckdb", read_only=True) as ws:
        assert ws.revisions() == revisions  # the edition was not saved again
    assert left_behind(tmp_path / "ws.duckdb.tables") == tables  # the new save's Parquet files are gone
    assert left_behind(tmp_path) == ["out", "report.txt", "ws.duckdb", "ws.duckdb.tables"]


def test_a_workspace_that_cannot_be_saved_leaves_no_output(tmp_path, mini_paths):
    (tmp_path / "ws.duckdb.tables").write_text("a file where the workspace keeps its tables' folder\n")
    result = build(tmp_path, mini_paths)
    assert result.code == 2 and "Traceback" not in result.err
    assert " ".join(result.err.split()) == "error: File exists (ws.duckdb.tables)"
    assert not (tmp_path / "out").exists()  # its files were written meanwhile, and never put in place
    # the workspace this first build made goes with it; the file in its tables' place is the user's
    assert left_behind(tmp_path) == ["ws.duckdb.tables"]
