"""``impactrank demo`` end to end: inputs, both editions built into a workspace, identical on a rerun."""

from pathlib import Path

from typer.testing import CliRunner

import impactrank.cli.demo  # noqa: F401  (registers the command)
from impactrank.cli.common import app
from impactrank.io.workspace import Workspace

EXPECTED = {
    "inputs/institutions_2020.csv",
    "inputs/submissions_2020.csv",
    "inputs/institutions_2021.csv",
    "inputs/submissions_2021.csv",
    "inputs/groups.csv",
    *(
        f"{year}/{name}"
        for year in (2020, 2021)
        for name in ("overall.csv", "sdg_scores.csv", "metric_scores.csv", "manifest.json")
    ),
}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).parts[0].startswith("impactrank.duckdb")  # the workspace
    }


def test_demo_builds_both_editions_reproducibly(tmp_path):
    runner = CliRunner()
    first, second = tmp_path / "a", tmp_path / "b"
    result = runner.invoke(app, ["demo", "--out", str(first)])
    assert result.exit_code == 0, result.output
    assert set(_files(first)) == EXPECTED
    assert "1,115" in result.output and "766" in result.output
    assert f"--workspace {first / 'impactrank.duckdb'}" in result.output.replace("\n", " ")
    with Workspace(first / "impactrank.duckdb", read_only=True) as ws:
        assert ws.load("2021").overall.height == 1115
        assert ws.load("2020").overall.height == 766

    assert runner.invoke(app, ["demo", "--out", str(second)]).exit_code == 0
    assert _files(first) == _files(second)
