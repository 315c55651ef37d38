"""The fuzz tests' report: how many cases ran per reader and per command, and how long they took."""

from __future__ import annotations

from fuzzing import COUNTS, SECONDS


def pytest_terminal_summary(terminalreporter) -> None:
    if not COUNTS:
        return
    terminalreporter.section("fuzz cases run")
    width = max(map(len, COUNTS))
    for target in sorted(COUNTS):
        terminalreporter.write_line(f"{target:<{width}}  {COUNTS[target]:>6} cases  {SECONDS[target]:6.1f} s")
    total = sum(COUNTS.values())
    terminalreporter.write_line(f"{'total':<{width}}  {total:>6} cases  {sum(SECONDS.values()):6.1f} s")
