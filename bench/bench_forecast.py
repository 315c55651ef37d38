"""Forecast: time to forecast next year's band for every institution of THE's 2023 edition (target ≤ 5 s, the
series 2020–2023 already imported), and the back-test per year. A plain script printing figures; run by
``make bench``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

THE_TABLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "published" / "the-impact-tables"
TARGET_S = 5.0


def main() -> int:
    if not THE_TABLES.is_dir():
        print(f"bench_forecast: skipped, no published tables at {THE_TABLES}")
        return 0
    from impactrank.engine.forecast import backtest, forecast_edition, rules_for
    from impactrank.io.published import read_published

    editions = sorted(read_published(THE_TABLES).editions, key=lambda e: e.year)
    series = [e for e in editions if e.has_overall_table]
    participants = {e.year: e.participants for e in editions}
    start, cpu = time.perf_counter(), time.process_time()
    rules = rules_for([*(e.year for e in series), series[-1].year + 1])
    fc = forecast_edition(series, rules, participants)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    verdict = "met" if took <= TARGET_S else "MISSED"
    print(
        f"forecast: every institution of 2023 ({fc.table.height:,}, {fc.field_sizes[0]:,}–{fc.field_sizes[1]:,} "
        f"simulated in 2024, 2,000 runs): {took:.2f} s, {cpu:.2f} s of CPU, load average "
        f"{os.getloadavg()[0]:.1f} (target ≤ {TARGET_S:.0f} s: {verdict})"
    )
    start = time.perf_counter()
    result = backtest(series, rules, participants)
    print(f"forecast: back-test of {result.years.height} editions: {time.perf_counter() - start:.2f} s")
    for r in result.years.iter_rows(named=True):
        print(
            f"forecast: {r['year']}: {r['institutions']:,} institutions, 80 % interval came true "
            f"{100 * r['coverage']:.1f} % (nominal 80 %, holding {100 * r['interval_probability']:.1f} %), most "
            f"likely band "
            f"{100 * r['exact']:.1f} % (forecast {100 * r['exact_probability']:.1f} %), same band as the year "
            f"before {100 * r['naive']:.1f} %"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
