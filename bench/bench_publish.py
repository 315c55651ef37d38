"""`impactrank publish` of THE's real 2019–2023 editions in French and English (target ≤ 60 s on two cores):
files, megabytes and pages per second of the static site. Then its scaling: the site of one synthetic edition of
1,000, 10,000 and 100,000 institutions (the build bench's fields) in French, written to
``bench/results/publish.json`` for ``bench/plot_scaling.py``; the largest site is some 115,000 pages and 4.4 GB in
a temporary folder. Run by ``make bench``."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from bench_build import SIZES
from bench_published import PUBLISHED

TABLES = PUBLISHED / "the-impact-tables"
TARGET_S = 60.0
RESULTS = Path(__file__).resolve().parent / "results" / "publish.json"
LANG = "fr"  # the scaling series' one language: each more adds its own pages


def real_tables() -> None:
    if not TABLES.is_dir():
        print(f"bench_publish: skipped THE's tables, no workbooks at {TABLES}")
        return
    from impactrank.io.published import read_published
    from impactrank.io.workspace import Workspace
    from impactrank.web.publish.site import publish

    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws.duckdb"
        with Workspace(ws) as w:
            w.save_many(read_published(TABLES).editions)
        done = publish(ws, Path(tmp) / "site", ["fr", "en"])
    verdict = "met" if done.seconds <= TARGET_S else "MISSED"
    print(
        f"publish THE 2019–2023, fr+en: {done.seconds:.1f} s (target ≤ {TARGET_S:g} s: {verdict}); "
        f"{done.files:,} files, {done.bytes / 1e6:.0f} MB, {done.pages:,} HTML pages, "
        f"{done.pages / done.seconds:.0f} pages/s",
        flush=True,
    )


def scaling() -> list[dict]:
    """The site of one built edition of each size, in one language: seconds, pages, files and bytes."""
    from impactrank.demo import generate_field
    from impactrank.io.build import build
    from impactrank.methodology import load_methodology
    from impactrank.web.publish.site import publish

    methodology = load_methodology("the-2021")
    series = []
    for n in SIZES:
        with tempfile.TemporaryDirectory(prefix="impactrank-bench-") as tmp:
            root = Path(tmp)
            field = generate_field(methodology, n, seed=7)
            inst, subs, ws = root / "institutions.csv", root / "submissions.csv", root / "ws.duckdb"
            field.institutions.write_csv(inst)
            field.submissions.write_csv(subs)
            del field
            build(inst, subs, methodology=methodology, workspace=ws)
            done = publish(ws, root / "site", [LANG])
        r = {"institutions": n, "seconds": done.seconds, "pages": done.pages, "files": done.files, "bytes": done.bytes}
        series.append(r)
        print(
            f"{n:>9,} institutions, publish in {LANG}: {r['seconds']:6.1f} s | {r['pages']:,} HTML pages, "
            f"{r['files']:,} files, {r['bytes'] / 1e9:.2f} GB | {r['pages'] / r['seconds']:.0f} pages/s",
            flush=True,
        )
    return series


def main() -> int:
    real_tables()
    series = scaling()
    load = os.getloadavg()
    print(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    print("| what | now | floor | target |\n|---|---|---|---|")
    for r in series:
        print(
            f"| scaling: publish, {r['institutions']:,} institutions, in {LANG} | {r['seconds']:.1f} s, "
            f"{r['seconds'] / r['institutions'] * 1e6:,.0f} µs per institution, {r['pages']:,} pages | — | linear |"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"load_average": load, "series": series}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
