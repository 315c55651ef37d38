"""What a reader of the command line meets first: ``--version``, help that names no type for a flag, and tables
that stay whole when the output goes to a pipe or a file."""

from __future__ import annotations

from importlib.metadata import version

import polars as pl
import pytest

from inprocess import _command, run_cli


def test_version_prints_the_package_version():
    r = run_cli("--version")
    assert (r.code, r.out, r.err) == (0, f"impactrank {version('impactrank')}\n", "")


def _commands(command, path: tuple[str, ...] = ()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_no_help_names_a_type_for_a_flag():
    paths = list(_commands(_command()))
    assert ("view", "country") in paths and len(paths) > 30
    for path in paths:
        r = run_cli(*path, "--help")
        assert r.code == 0, (path, r.err)
        assert "--help" in r.out and "Show this message" in r.out
        assert "<bool>" not in r.out, path
    sdgs = run_cli("view", "country", "--help").out
    line = next(x for x in sdgs.splitlines() if "--sdgs" in x)
    assert line.split("--sdgs")[1].split()[0] == "Show"  # the flag's help follows it, no type between


@pytest.mark.parametrize("columns", ["40", "200"])
def test_piped_tables_keep_each_row_on_one_line(demo_build, monkeypatch, columns):
    """Output that is not a terminal is never wrapped, whatever width the environment claims: every name of the
    country's institutions (from the generated inputs) is whole on the line of its row."""
    monkeypatch.setenv("COLUMNS", columns)
    names = demo_build.data.editions[2021].institutions.filter(pl.col("country") == "FR").get_column("name").to_list()
    r = run_cli("view", "country", "FR", "--edition", "2021", "-w", demo_build.workspace)
    assert r.code == 0, r.err
    rows = [line for line in r.out.splitlines() if line.startswith("│") and line.count("│") == 6]  # 5 columns
    ranked = [n for n in names if any(f"│ {n} " in line for line in rows)]
    assert len(ranked) == len(rows) > 10  # every row holds one whole name: none was cut or folded
    assert max(len(n) for n in ranked) > 30  # names longer than a narrow terminal's column
