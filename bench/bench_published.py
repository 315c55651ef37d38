"""Published tables: time to import the real 2023 table (target ≤ 1 s) and the Taiwan files, to save them in a
workspace, and to audit the 2023 table. A plain script printing figures; run by ``make bench``."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "published"
SCRAPE = PUBLISHED / "the_impact_2023_overall__tuwaiq-ds-ml-bootcamp_data_the.csv"
TARGET_S = 1.0


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """First call (cold caches) and the median of the following calls, in seconds."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs) if runs else first, result


def main() -> int:
    if not PUBLISHED.is_dir():
        print(f"bench_published: skipped, no published tables at {PUBLISHED}")
        return 0
    start = time.perf_counter()
    from impactrank.engine.published.audit import audit_edition
    from impactrank.io.published import read_published
    from impactrank.io.workspace import Workspace

    print(f"published: library import {time.perf_counter() - start:.3f} s")
    first, median, result = timed(lambda: read_published(SCRAPE, edition="2023"), repeat=5)
    verdict = "met" if first <= TARGET_S else "MISSED"
    print(
        f"published: import 2023 table ({result.report.rows} rows): "
        f"first {first:.3f} s, median {median:.3f} s "
        f"(target ≤ {TARGET_S:.0f} s: {verdict})"
    )
    for name, kwargs in [
        ("the_impact_taiwan_2019-2026__chiaowen_data.json", {}),
        ("the_impact_taiwan_2019-2026__chiaowen_the_data.xlsm", {"edition_suffix": "taiwan"}),
    ]:
        first, median, r = timed(lambda n=name, k=kwargs: read_published(PUBLISHED / n, **k), repeat=3)
        print(
            f"published: import {name} ({r.report.rows} rows, {len(r.editions)} editions): "
            f"first {first:.3f} s, median {median:.3f} s"
        )
    with tempfile.TemporaryDirectory() as tmp:

        def save() -> None:
            with Workspace(Path(tmp) / "ws.duckdb") as ws:
                ws.save_many(result.editions)

        first, median, _ = timed(save, repeat=3)
        print(f"published: save 2023 edition in a workspace: first {first:.3f} s, median {median:.3f} s")
    edition = result.editions[0]
    first, median, report = timed(lambda: audit_edition(edition), repeat=5)
    f = report.formula
    print(
        f"published: audit 2023 ({f['exact_rows']} exact, {f['interval_rows']} banded rows, "
        f"{len(f['models'])} models): first {first:.3f} s, median {median:.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
