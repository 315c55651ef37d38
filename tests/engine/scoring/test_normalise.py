import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from impactrank.engine.scoring.normalise import NORMALISERS, group_stats

NAN = np.nan


def run(name, values, groups, lower=(False,)):
    x = np.array(values, dtype=float)
    g = np.array(groups)
    return NORMALISERS[name](x, g, int(g.max()) + 1, np.array(lower))


def test_group_stats_ignore_missing_values():
    s = group_stats(np.array([1.0, 3.0, NAN, 10.0]), np.array([0, 0, 0, 1]), 2)
    assert s.count.tolist() == [2, 1]
    assert s.mean.tolist() == [2.0, 10.0]
    assert s.std.tolist() == [1.0, 0.0]
    assert s.min.tolist() == [1.0, 10.0] and s.max.tolist() == [3.0, 10.0]


def test_zscore_cdf_by_hand():
    # values 2, 4, 6: mean 4, population sd sqrt(8/3); z = ∓1.2247
    out = run("zscore_cdf", [2, 4, 6], [0, 0, 0])
    z = 2 / np.sqrt(8 / 3)
    assert out == pytest.approx([100 * norm.cdf(-z), 50.0, 100 * norm.cdf(z)])


def test_lower_is_better_inverts():
    higher = run("zscore_cdf", [2, 4, 6], [0, 0, 0], lower=(False,))
    lower = run("zscore_cdf", [2, 4, 6], [0, 0, 0], lower=(True,))
    assert lower == pytest.approx(higher[::-1])
    assert run("minmax", [10, 20, 15], [0, 0, 0], lower=(True,)) == pytest.approx([100, 0, 50])


def test_minmax_by_hand_and_missing_stays_missing():
    out = run("minmax", [0, 5, NAN, 20], [0, 0, 0, 0])
    assert out[[0, 1, 3]] == pytest.approx([0, 25, 100])
    assert np.isnan(out[2])


def test_groups_are_independent():
    out = run("minmax", [0, 10, 100, 300], [0, 0, 1, 1], lower=(False, False))
    assert out == pytest.approx([0, 100, 0, 100])


def test_zscore_minmax_caps_outliers():
    # one huge outlier: plain min–max squashes the others to ~0; capped z keeps them apart
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000]
    plain = run("minmax", values, [0] * 10)
    capped = run("zscore_minmax", values, [0] * 10)
    assert plain[8] < 1.0
    assert capped[8] - capped[0] > 0.5 and capped[-1] == pytest.approx(100) and capped[0] == pytest.approx(0)


def test_constant_group():
    assert run("zscore_cdf", [3, 3], [0, 0]) == pytest.approx([50, 50])
    assert run("minmax", [3, 3], [0, 0]) == pytest.approx([100, 100])


def test_none_clips_to_range():
    assert run("none", [-5, 50, 120], [0, 0, 0]) == pytest.approx([0, 50, 100])


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30), st.sampled_from(sorted(NORMALISERS)))
def test_scores_stay_in_range_and_keep_order(values, name):
    out = run(name, values, [0] * len(values))
    assert np.all((out >= 0) & (out <= 100 + 1e-9))
    order = np.argsort(values, kind="stable")
    assert np.all(np.diff(out[order]) >= -1e-9)
