"""The back-test on a synthetic series whose movement is known (tests/synthetic_series.py): forecast from the
years before, the 80 % interval must come true as often as the forecast says, and so must the most likely band;
a last year that moves twice as much must show up as an interval that comes true less often than it says."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.engine.forecast import backtest
from synthetic_series import YEARS, N, rules, series


@pytest.fixture(scope="module")
def steady():
    return backtest(series([1.0, 1.0, 1.0, 1.0]), rules(), dict.fromkeys(YEARS, N), runs=400)


def test_the_interval_comes_true_as_often_as_it_says(steady):
    years = steady.years
    assert years["year"].to_list() == [2003, 2004, 2005]  # 2002 has no earlier pair to learn from
    assert steady.skipped == ["2002"]
    assert (years["institutions"] == N).all()
    for r in years.iter_rows(named=True):
        assert abs(r["interval_probability"] - 0.80) < 0.05, r  # bands of 100 ranks: near 80 % is reachable
        assert abs(r["coverage"] - r["interval_probability"]) < 0.04, r
        assert abs(r["exact"] - r["exact_probability"]) < 0.05, r


def test_the_calibration_curve_follows_the_diagonal(steady):
    cal = steady.calibration.filter(pl.col("forecasts") >= 200)
    assert cal.height >= 5
    assert ((cal["observed"] - cal["forecast"]).abs() < 0.06).all(), cal


def test_a_year_that_moves_twice_as_much_is_seen():
    result = backtest(series([1.0, 1.0, 2.0]), rules(), dict.fromkeys(YEARS[:4], N), runs=400)
    last = result.years.filter(pl.col("year") == 2004).row(0, named=True)
    assert last["coverage"] < last["interval_probability"] - 0.15, last
