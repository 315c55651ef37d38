"""The back-test on a synthetic series whose movement is known: every year each institution's score moves by a
normal step of known spread. Forecast from the years before, the 80 % interval must come true as often as the
forecast says, and so must the most likely band; a last year that moves twice as much must show up as an
interval that comes true less often than it says."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from impactrank.engine.forecast import NextRule, backtest
from impactrank.engine.tables.edition import Edition
from impactrank.methodology.schema import Band, Banding

N, YEARS, WIDTH = 1500, (2001, 2002, 2003, 2004, 2005), 100
BANDING = Banding(
    individual_to=0,
    table_end="open_last_band",
    bands=[Band(start=s, end=s + WIDTH - 1) for s in range(1, N - WIDTH + 1, WIDTH)] + [Band(start=N - WIDTH + 1)],
)


def series(spreads: list[float], seed: int = 7) -> list[Edition]:
    """Editions of N institutions, one decimal shown, banded by 100 ranks; scores start uniform on 20–90 and
    move by a normal step of the year's spread."""
    rng = np.random.default_rng(seed)
    score = rng.uniform(20, 90, N)
    ids = [f"i{k:04d}" for k in range(N)]
    out = []
    for year, spread in zip(YEARS, [0.0, *spreads], strict=False):
        score = np.clip(score + rng.normal(0, spread, N), 0, 100) if spread else score
        shown = np.round(score, 1)
        order = np.argsort(-shown, kind="stable")
        position = np.empty(N, dtype=int)
        position[order] = np.arange(1, N + 1)
        start = (position - 1) // WIDTH * WIDTH + 1
        overall = pl.DataFrame(
            {
                "institution_id": ids,
                "rank": [f"{s}–{s + WIDTH - 1}" for s in start],
                "rank_position": start,
                "band": [f"{s}–{s + WIDTH - 1}" for s in start],
                "overall_score": shown,
                "overall_low": shown,
                "overall_high": shown,
            }
        )
        institutions = pl.DataFrame({"institution_id": ids, "name": ids})
        out.append(Edition(str(year), year, "imported", "synthetic", institutions, overall, pl.DataFrame()))
    return out


def rules() -> dict[int, NextRule]:
    return {y: NextRule(y, "synthetic", (1.0,), BANDING, assumed=False) for y in (*YEARS, YEARS[-1] + 1)}


@pytest.fixture(scope="module")
def steady():
    return backtest(series([3.0, 3.0, 3.0, 3.0]), rules(), dict.fromkeys(YEARS, N), runs=400)


def test_the_interval_comes_true_as_often_as_it_says(steady):
    years = steady.years
    assert years["year"].to_list() == [2003, 2004, 2005]  # 2002 has no earlier pair to learn from
    assert steady.skipped == ["2002"]
    assert (years["institutions"] == N).all()
    for r in years.iter_rows(named=True):
        assert 0.80 <= r["interval_probability"] < 0.95
        assert abs(r["coverage"] - r["interval_probability"]) < 0.04, r
        assert abs(r["exact"] - r["exact_probability"]) < 0.05, r


def test_the_calibration_curve_follows_the_diagonal(steady):
    cal = steady.calibration.filter(pl.col("forecasts") >= 200)
    assert cal.height >= 5
    assert ((cal["observed"] - cal["forecast"]).abs() < 0.06).all(), cal


def test_a_year_that_moves_twice_as_much_is_seen():
    result = backtest(series([3.0, 3.0, 6.0]), rules(), dict.fromkeys(YEARS[:4], N), runs=400)
    last = result.years.filter(pl.col("year") == 2004).row(0, named=True)
    assert last["coverage"] < last["interval_probability"] - 0.15, last
