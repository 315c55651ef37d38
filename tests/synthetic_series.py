"""A synthetic series of published editions whose movement is known, for the forecast's tests: every year each
institution's SDG scores move by normal steps, SDG k's of spread ``spreads[k]`` times the year's factor, one
institution's steps correlated by ``together`` (a shared normal part); the overall score is THE's single-year
rule (0.22 × SDG 17 + 0.26 × the best three others) on scores each SDG table scales to themselves (an anchor
institution at 100 and one at 0 in every SDG table)."""

from __future__ import annotations

import numpy as np
import polars as pl

from impactrank.engine.forecast import NextRule
from impactrank.methodology.schema import Band, Banding

N, WIDTH = 1500, 100
YEARS = (2001, 2002, 2003, 2004, 2005)
SPREADS = {1: 2.0, 2: 4.0, 3: 6.0, 4: 8.0, 5: 10.0, 17: 3.0}
BANDING = Banding(
    individual_to=0,
    table_end="open_last_band",
    bands=[Band(start=s, end=s + WIDTH - 1) for s in range(1, N - WIDTH + 1, WIDTH)] + [Band(start=N - WIDTH + 1)],
)


def series(factors: list[float], together: float = 0.5, spreads: dict[int, float] = SPREADS, seed: int = 7):
    """Editions of N institutions, one per year of YEARS (as many as ``factors`` + 1), each with SDG 17 and three
    or four of SDGs 1–5, scores starting uniform on 20–90, shown to one decimal; overall banded by 100 ranks."""
    from impactrank.engine.tables.edition import Edition

    rng = np.random.default_rng(seed)
    others = [k for k in spreads if k != 17]
    chosen = np.zeros((N, len(others)), dtype=bool)
    for i in range(N):
        chosen[i, rng.choice(len(others), size=rng.integers(3, 5), replace=False)] = True
    sdgs = np.c_[chosen, np.ones(N, dtype=bool)]
    codes = [*others, 17]
    spread = np.array([spreads[k] for k in codes])
    score = rng.uniform(20, 90, (N, len(codes)))
    ids = [f"i{k:04d}" for k in range(N)]
    out = []
    for year, factor in zip(YEARS, [0.0, *factors], strict=False):
        if factor:
            step = np.sqrt(together) * rng.standard_normal((N, 1)) + np.sqrt(1 - together) * rng.standard_normal(
                (N, len(codes))
            )
            score = np.clip(score + factor * spread * step, 0, 100)
        shown = np.round(score, 1)
        best = np.sort(np.where(chosen, shown[:, :-1], -np.inf), axis=1)[:, -3:].sum(axis=1)
        overall = np.round(0.22 * shown[:, -1] + 0.26 * best, 1)
        order = np.argsort(-overall, kind="stable")
        position = np.empty(N, dtype=int)
        position[order] = np.arange(1, N + 1)
        start = (position - 1) // WIDTH * WIDTH + 1
        label = [f"{s}–{s + WIDTH - 1}" for s in start]
        table = pl.DataFrame(
            {
                "institution_id": ids,
                "rank": label,
                "rank_position": start,
                "band": label,
                "overall_score": overall,
                "overall_low": overall,
                "overall_high": overall,
            }
        )
        rows, cols = np.nonzero(sdgs)
        scores = pl.DataFrame(
            {
                "institution_id": [ids[r] for r in rows] + ["top"] * len(codes) + ["bottom"] * len(codes),
                "sdg": [codes[c] for c in cols] + codes + codes,
                "score": np.r_[shown[rows, cols], np.full(len(codes), 100.0), np.zeros(len(codes))],
            }
        ).with_columns(score_low=pl.col("score"), score_high=pl.col("score"))
        institutions = pl.DataFrame({"institution_id": [*ids, "top", "bottom"], "name": [*ids, "top", "bottom"]})
        manifest = {"sdg_tables": {str(k): int(sdgs[:, c].sum()) + 2 for c, k in enumerate(codes)}}
        out.append(Edition(str(year), year, "imported", "synthetic", institutions, table, scores, manifest=manifest))
    return out


def rules() -> dict[int, NextRule]:
    return {y: NextRule(y, "synthetic", (1.0,), BANDING, assumed=False) for y in (*YEARS, YEARS[-1] + 1)}
