"""THE's table workbooks (the overall table and 17 SDG tables, 2019–2023, in 18 files): time to import them
all into a new workspace (target ≤ 2 s), and to run `summary` and `view country` on the imported 2023
edition (target ≤ 0.5 s each, loading the edition from the workspace included); the audit of an edition with its
SDG tables (target ≤ 1 s) and a what-if on a published edition (target ≤ 0.2 s). Run by ``make bench``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench_published import PUBLISHED, timed

TABLES = PUBLISHED / "the-impact-tables"
IMPORT_TARGET_S, VIEW_TARGET_S, AUDIT_TARGET_S, WHATIF_TARGET_S = 2.0, 0.5, 1.0, 0.2


def verdict(seconds: float, target: float) -> str:
    return f"target ≤ {target:g} s: {'met' if seconds <= target else 'MISSED'}"


def main() -> int:
    if not TABLES.is_dir():
        print(f"bench_published_tables: skipped, no workbooks at {TABLES}")
        return 0
    from impactrank.engine.published.audit import audit_edition
    from impactrank.engine.scenarios.advise_published import advise_published
    from impactrank.engine.scenarios.whatif_published import whatif_published
    from impactrank.engine.views.lists import country_view
    from impactrank.io.published import read_published
    from impactrank.io.workspace import Workspace
    from impactrank.report.summary import summarise

    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(100))

        def import_all():
            result = read_published(TABLES)
            with Workspace(Path(tmp) / f"ws{next(counter)}.duckdb") as ws:  # a new workspace each time
                ws.save_many(result.editions)
            return result

        first, median, result = timed(import_all, repeat=5)
        rows = sum(e.sdg_scores.height for e in result.editions)
        print(
            f"published tables: read 18 workbooks and save {len(result.editions)} editions ({result.report.rows:,} "
            f"overall rows, {rows:,} SDG scores from SDG tables and cards): first {first:.3f} s, median {median:.3f} s "
            f"({verdict(median, IMPORT_TARGET_S)})"
        )
        ws_path = Path(tmp) / "ws0.duckdb"

        def load(edition: str):
            with Workspace(ws_path, read_only=True) as ws:
                return ws.load(edition)

        def summary():
            return summarise(load("2023"), previous=load("2022"), country="FR", lang="fr")

        def view():
            return country_view(load("2023"), "FR")

        for name, fn in (("summary --edition 2023 --compare 2022 --country FR", summary), ("view country FR", view)):
            first, median, _ = timed(fn, repeat=7)
            print(
                f"published tables: {name} on the imported 2023 edition (loading included): first {first:.3f} s, "
                f"median {median:.3f} s ({verdict(median, VIEW_TARGET_S)})"
            )
        eds = {e.year: e for e in result.editions}
        for year in (2021, 2023):
            first, median, report = timed(lambda y=year: audit_edition(eds[y], eds[y - 1]), repeat=5)
            f = report.formula
            print(
                f"published tables: audit {year} with its SDG tables ({f['exact_rows']} exact, {f['interval_rows']} "
                f"banded rows, {len(f['models'])} models, best {f['best_model']}): first {first:.3f} s, median "
                f"{median:.3f} s ({verdict(median, AUDIT_TARGET_S)})"
            )
        card = {8: 77.5, 7: 76.8, 12: 80.3, 17: 87.8, 13: 90.0}
        for year, settings in ((2021, {13: 80.0, 9: 86.0, 8: 65.0, 17: 70.0}), (2023, card)):
            first, median, r = timed(
                lambda y=year, s=settings: whatif_published(eds[y], "fr-imt-atlantique", s, eds[y - 1]), repeat=7
            )
            print(
                f"published tables: whatif {year} IMT Atlantique {r.rank} ({r.overall_low:.2f}–{r.overall_high:.2f}): "
                f"first {first:.3f} s, median {median:.3f} s ({verdict(median, WHATIF_TARGET_S)})"
            )
        first, median, _ = timed(lambda: advise_published(eds[2021], "fr-ecole-des-mines-de-saint-etienne"), repeat=5)
        print(
            f"published tables: advise 2021 (17 SDGs × 1,001 candidate scores): first {first:.3f} s, "
            f"median {median:.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
