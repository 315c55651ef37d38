"""Views, comparison and summaries on a 100,000-institution edition against a 90,000-institution one.

Targets: ``compare_editions`` ≤ 1 s and ``summarise`` (with a previous edition) ≤ 1 s each. The editions
are built from :func:`impactrank.demo.generate_field` (realistic tables, ~15 s each to build) or, with
``--numpy`` or when the generator is missing, constructed directly with numpy (seconds). Prints figures;
never fails on a target.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.compare import compare_editions
from impactrank.engine.views.lists import country_view, group_view, overall_view, sdg_positions
from impactrank.report.summary import summarise

N_AFTER, N_BEFORE = 100_000, 90_000
COUNTRIES = np.array(["FR", "DE", "GB", "US", "JP", "TW", "BR", "IN", "RU", "TR", "ES", "IT"])
BANDS = [(101, 200), (201, 300), (301, 400), (401, 600), (601, 800), (801, 1000)]


def numpy_edition(edition_id: str, n: int, seed: int) -> Edition:
    """Scores → competition ranks (one decimal), exact to 100, bands after; SDG ranks for 4 SDGs each."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("inst", np.char.zfill(np.arange(n).astype(str), 6))
    if edition_id == "after":  # 10,000 newcomers replace 0…9,999 of the earlier edition's ids
        ids = np.concatenate([ids[: n - 10_000], np.char.add("new", np.arange(10_000).astype(str))])
    score = np.round(rng.beta(5, 2, n) * 100, 1)
    keys = -np.floor(score * 10 + 0.5)
    order = np.sort(keys)
    pos = np.searchsorted(order, keys, side="left") + 1
    tied = (np.searchsorted(order, keys, side="right") - (pos - 1)) > 1
    starts = np.array([b[0] for b in BANDS] + [1001])
    ends = np.array([b[1] for b in BANDS] + [n])
    k = np.searchsorted(starts, pos, side="right") - 1
    banded = pos > 100
    low = np.where(banded, starts[np.maximum(k, 0)], pos)
    high = np.where(banded, ends[np.maximum(k, 0)], pos)
    labels = np.array([f"{a}–{b}" for a, b in BANDS] + ["1001+"])
    band = pl.Series("band", np.where(banded, labels[np.maximum(k, 0)], "")).replace("", None)
    rank = np.where(
        banded, labels[np.maximum(k, 0)], np.where(tied, np.char.add("=", pos.astype(str)), pos.astype(str))
    )
    country = COUNTRIES[rng.integers(0, len(COUNTRIES), n)]
    groups = pl.Series("groups", np.where((country == "FR") & (np.arange(n) % 50 == 0), "Network", ""))
    groups = groups.replace("", None)
    inst = pl.DataFrame(
        {
            "institution_id": ids,
            "name": np.char.add("Institution ", ids),
            "country": country,
            "groups": groups,
        }
    )
    overall = pl.DataFrame(
        {
            "institution_id": ids,
            "rank": rank,
            "rank_position": pos,
            "rank_low": low,
            "rank_high": high,
            "band": band,
            "overall_score": score,
        }
    )
    sdg_ids = np.repeat(ids, 4)
    three = np.argsort(rng.random((n, 16)), axis=1)[:, :3] + 1  # three distinct SDGs of 1–16 each
    sdg = np.column_stack([three, np.full(n, 17)]).reshape(-1)
    sdg_score = rng.uniform(0, 100, len(sdg_ids))
    sdg_frame = (
        pl.DataFrame({"institution_id": sdg_ids, "sdg": sdg, "score": sdg_score})
        .with_columns(rank_position=pl.col("score").rank("min", descending=True).over("sdg").cast(pl.Int64))
        .with_columns(
            rank=pl.col("rank_position").cast(pl.String),
            rank_low=pl.col("rank_position"),
            rank_high=pl.col("rank_position"),
        )
    )
    return Edition(
        id=edition_id,
        year=2021 if edition_id == "after" else 2020,
        kind="built",
        source="numpy",
        institutions=inst,
        overall=overall,
        sdg_scores=sdg_frame,
    )


def synthetic_editions() -> tuple[Edition, Edition]:
    from impactrank.demo import generate_field
    from impactrank.engine.build import build_edition
    from impactrank.methodology import load_methodology

    editions = []
    for edition_id, year, n, seed in (("before", 2020, N_BEFORE, 7), ("after", 2021, N_AFTER, 8)):
        methodology = load_methodology(f"the-{year}")
        t = time.perf_counter()
        fld = generate_field(methodology, n, seed)
        inst = fld.institutions
        if "groups" in inst.columns:  # a network of one French institution in 50
            inst = inst.with_columns(
                groups=pl.when((pl.col("country") == "FR") & (pl.int_range(pl.len()) % 50 == 0))
                .then(pl.lit("Network"))
                .otherwise(pl.col("groups"))
            )
        ed = build_edition(methodology, inst, fld.submissions, edition_id=edition_id)
        print(
            f"built {edition_id}: {n:,} participants, {ed.field_size:,} ranked in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        editions.append(ed)
    return editions[0], editions[1]


def timed(label: str, fn, repeat: int = 5, target: float | None = None) -> None:
    fn()  # warm-up (template compilation, polars thread pool)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    verdict = (
        ""
        if target is None
        else (f"  ✓ target ≤ {target:.1f} s" if min(times) <= target else f"  ✗ over target {target:.1f} s")
    )
    print(
        f"{label:>44}: min {min(times):6.3f} s | median {statistics.median(times):6.3f} s{verdict}",
        flush=True,
    )


def main() -> None:
    use_numpy = "--numpy" in sys.argv
    if not use_numpy:
        try:
            before, after = synthetic_editions()
        except ImportError:
            use_numpy = True
    if use_numpy:
        before, after = numpy_edition("before", N_BEFORE, 1), numpy_edition("after", N_AFTER, 2)
        print(f"numpy editions: {before.field_size:,} → {after.field_size:,} ranked", flush=True)
    members = after.institutions.filter(pl.col("groups") == "Network").select(
        pl.lit("Network").alias("group"), "institution_id"
    )
    print(
        f"group 'Network': {members.height} members; French institutions ranked: {country_view(after, 'FR').count:,}",
        flush=True,
    )
    timed("compare_editions (whole table)", lambda: compare_editions(before, after), target=1.0)
    timed(
        "compare_editions (group members)",
        lambda: compare_editions(before, after, institution_ids=members["institution_id"].to_list()),
    )
    timed(
        "summarise en, country FR, previous",
        lambda: summarise(after, previous=before, country="FR"),
        target=1.0,
    )
    timed(
        "summarise fr, group, previous",
        lambda: summarise(after, previous=before, group="Network", members=members, lang="fr"),
        target=1.0,
    )
    timed("summarise en, whole table, previous", lambda: summarise(after, previous=before), target=1.0)
    timed("country_view FR", lambda: country_view(after, "FR"))
    timed("group_view", lambda: group_view(after, members, "Network"))
    timed("overall_view", lambda: overall_view(after))
    timed(
        "sdg_positions (1,000 institutions)",
        lambda: sdg_positions(after, after.overall["institution_id"].head(1000).to_list()),
    )


if __name__ == "__main__":
    main()
