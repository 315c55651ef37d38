"""Bounds on how far a change of SDG scores moves THE's overall score (published.rule.change_bounds): whatever the
true scores inside the published intervals, the true change lies within them. The overall score is computed here
by THE's rule written out: each SDG min–max over fixed extremes, 0.22 × SDG 17 + 0.26 × the best three others."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.rule import Rule, change_bounds

TOP, BOTTOM = np.full(17, 95.0), np.full(17, 5.0)
EXTREMES = rp.Extremes(TOP, BOTTOM, TOP, TOP, BOTTOM, BOTTOM)  # exact extremes: no rounding to widen them
RULE = Rule("single_year", "test", EXTREMES, 0, 0, None)


def overall(scores: np.ndarray) -> float:
    """THE's single-year rule on 17 scores (NaN: not submitted)."""
    scaled = np.clip(100 * (scores - BOTTOM) / (TOP - BOTTOM), 0, 100)
    others = sorted((s for k, s in enumerate(scaled) if k != 16 and not np.isnan(s)), reverse=True)
    return 0.22 * scaled[16] + 0.26 * sum(others[:3])


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sdg=st.integers(1, 17),
    value=st.floats(5, 95),
    width=st.floats(0, 15),
)
def test_the_true_change_lies_within_the_bounds(seed, sdg, value, width):
    rng = np.random.default_rng(seed)
    submitted = rng.random(17) < 0.5
    submitted[16] = True
    submitted[rng.choice(16, 3, replace=False)] = True  # eligible: SDG 17 and three others at least
    low = np.where(submitted, rng.uniform(5, 95 - width, 17), np.nan)
    high = low + np.where(rng.random(17) < 0.5, width, 0.0)  # some ranges, some exact scores
    true = low + rng.random(17) * (high - low)
    new_lo, new_hi = low.copy(), high.copy()
    new_lo[sdg - 1] = new_hi[sdg - 1] = value
    changed = true.copy()
    changed[sdg - 1] = value
    d_lo, d_hi = change_bounds(low, high, new_lo[None], new_hi[None], RULE)
    moved = overall(changed) - overall(true)
    assert d_lo[0] - 1e-9 <= moved <= d_hi[0] + 1e-9
    if width == 0:  # exact scores: the bounds are the change itself
        assert abs(d_lo[0] - moved) < 1e-9 and abs(d_hi[0] - moved) < 1e-9
