"""What the forecast learns from a series is the series' own movement: per-SDG spreads and how one institution's
SDGs move together, recovered from a synthetic series generated with them (tests/synthetic_series.py); the field's
growth drawn from the growths the series shows; the share leaving at each level."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from impactrank.engine.forecast import forecast_edition
from impactrank.engine.forecast.field import field_sizes, growth_draws, leaving
from impactrank.engine.forecast.sdg_moves import scaled_sdgs, sdg_moves
from synthetic_series import SPREADS, N, rules, series


@pytest.fixture(scope="module")
def learned():
    editions = series([1.0, 1.0, 1.0], together=0.5)
    return sdg_moves([scaled_sdgs(e) for e in editions], [False, True, True, True])


def test_each_sdgs_spread_is_recovered(learned):
    for k, spread in SPREADS.items():
        moves = learned.move[learned.offsets[k - 1] : learned.offsets[k]]
        assert moves.size > 2000
        assert abs(moves.std() - spread) < 0.06 * spread, (k, moves.std(), spread)  # clipping at 0 and 100 aside
        assert abs(moves.mean()) < 0.1 * spread


def test_how_an_institutions_sdgs_move_together_is_recovered(learned):
    assert abs(learned.together - 0.5) < 0.05
    alone = sdg_moves([scaled_sdgs(e) for e in series([1.0, 1.0], together=0.0)], [False, True, True])
    assert alone.together < 0.05


def test_the_field_grows_as_the_series_says_each_slowing_as_likely():
    # growths 100 → 200 → 300 → 360: 100 %, 50 %, 20 %; each year's growth over the year before's: 0.5 and 0.4
    growths = growth_draws([100, 200, 300, 360])
    assert np.allclose(sorted(growths), [0.2 * 0.4, 0.2 * 0.5])
    assert sorted(field_sizes(300, growths).tolist()) == [324, 330]
    assert growth_draws([100, 200]).tolist() == [1.0]  # one growth: no ratio, no spread
    assert growth_draws([100]).tolist() == [0.0]
    assert growth_draws([100, 150, 300]).tolist() == [1.0]  # a growth that sped up counts as not slowed


def test_the_forecast_draws_the_field_from_those_growths():
    editions = series([1.0, 1.0])
    first = editions[0]  # its last 100 rows new in the next edition: newcomers to score the growth by
    editions[0] = replace(first, overall=first.overall.filter(pl.col("institution_id") < "i1400"))
    fc = forecast_edition(editions, rules(), {2000: 1000, 2001: 1200, 2002: 1380, 2003: N}, runs=200)
    sizes = sorted(field_sizes(N, growth_draws([1000, 1200, 1380, N])).tolist())
    assert fc.field_sizes == (sizes[0], sizes[-1]) and sizes[0] < sizes[-1]
    assert fc.leaving == 0.0  # everyone returned in the series


def test_the_share_leaving_at_each_level_is_recovered():
    rng = np.random.default_rng(3)
    level = rng.uniform(0, 100, (2, 4000))
    ids = [[f"y{y}-{i}" for i in range(4000)] for y in range(2)]
    singles = [pl.DataFrame({"institution_id": ids[y], "lo": level[y] - 0.05, "hi": level[y] + 0.05}) for y in range(2)]
    returning = [i for i, x in zip(ids[0], level[0], strict=True) if x >= 50 or rng.random() >= 0.4]
    singles.append(pl.DataFrame({"institution_id": returning, "lo": 0.0, "hi": 0.1}))
    singles[1] = singles[1].vstack(singles[2].with_columns(lo=pl.lit(0.0), hi=pl.lit(0.1)))
    rates = leaving(singles[:2], [False, True], 50.0).rates(np.arange(2.5, 100, 5.0))
    assert abs(rates[:9].mean() - 0.4) < 0.04 and rates[11:].max() == 0.0


def test_a_field_that_grows_with_no_newcomer_in_the_series_is_refused():
    from impactrank.errors import InputError

    with pytest.raises(InputError, match="no institution new to an overall table"):
        forecast_edition(series([1.0, 1.0]), rules(), {2001: 1000, 2002: 1200, 2003: N}, runs=100)
