"""`impactrank publish` of THE's real 2019–2023 editions in French and English (target ≤ 60 s on two cores):
files, megabytes and pages per second of the static site. Run by ``make bench``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench_published import PUBLISHED

TABLES = PUBLISHED / "the-impact-tables"
TARGET_S = 60.0


def main() -> int:
    if not TABLES.is_dir():
        print(f"bench_publish: skipped, no workbooks at {TABLES}")
        return 0
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
        f"{done.pages / done.seconds:.0f} pages/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
