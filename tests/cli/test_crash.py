"""`build`, `import` and `uncertainty` killed with SIGKILL at random moments, in the short form of
bench/bench_crash.py (three kills each: one at a moment of the whole run, two in its writing phase; make
test-slow: 5 + 10 over a larger field; the bench: 20 + 20): the workspace opens, the edition is complete or
absent, every output complete or absent, and the next run leaves nothing behind. Prints the counts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_crash.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_crash", BENCH)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    return bench


def kill_and_check(root: Path, kills: int, write_kills: int, size: int) -> None:
    bench = load_bench()
    tallies = bench.run(
        kills=kills, write_kills=write_kills, seed=0, size=size, runs=64, commands=bench.COMMANDS, root=root
    )
    table = bench.render(tallies)
    print(f"\n{table}")
    assert not any(t.failures for t in tallies), table
    assert [t.command for t in tallies] == ["build", "import", "uncertainty"]
    for t in tallies:
        assert t.kills == {"run": kills, "writes": write_kills} and t.survived == t.kills, table


def test_commands_killed_at_random_moments_leave_whole_editions_and_outputs(tmp_path, capsys):
    with capsys.disabled():
        kill_and_check(tmp_path / "crash", kills=1, write_kills=2, size=300)


@pytest.mark.slow
def test_commands_killed_at_many_moments_over_a_larger_field(tmp_path, capsys):
    with capsys.disabled():
        kill_and_check(tmp_path / "crash", kills=5, write_kills=10, size=1500)
