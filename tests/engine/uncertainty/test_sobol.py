"""Sobol indices: the vectorised Saltelli/Jansen estimators against analytic values, and on ranks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from impactrank.engine.uncertainty import Choice, MetricWeights, UncertaintySpec, uncertainty
from impactrank.engine.uncertainty.sobol import design_sums, output_indices, pooled, sobol_point


def test_ishigami_indices():
    """Ishigami (a = 7, b = 0.1) on [−π, π]³: S = (0.3139, 0.4424, 0), S_T = (0.5576, 0.4424, 0.2437)."""
    rng = np.random.default_rng(0)
    n = 40_000
    a, b = (rng.uniform(-np.pi, np.pi, (n, 3)) for _ in range(2))

    def ishigami(x):
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    first, total = sobol_point(ishigami, a, b)
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=0.03)


def test_additive_function_has_no_interactions():
    """f = x1 + 2·x2 with independent uniforms: S1 = 1/5, S2 = 4/5, S_T = S."""
    rng = np.random.default_rng(1)
    a, b = rng.random((20_000, 2)), rng.random((20_000, 2))
    first, total = sobol_point(lambda x: x[:, 0] + 2 * x[:, 1], a, b)
    np.testing.assert_allclose(first, [0.2, 0.8], atol=0.02)
    np.testing.assert_allclose(total, [0.2, 0.8], atol=0.02)


def test_design_sums_hand_computed():
    """One output, d = 1, two base rows: f(A) = (1, 3), f(B) = (2, 5), f(AB) = (2, 4)."""
    values = np.array([[1, 2, 2, 3, 5, 4]])
    sums = design_sums(values, 1)
    assert sums["a"].tolist() == [4] and sums["b"].tolist() == [7]
    assert sums["a2"].tolist() == [10] and sums["b2"].tolist() == [29]
    assert sums["first"].tolist() == [[0 + 1]]  # (2 − 2)² + (5 − 4)²
    assert sums["total"].tolist() == [[1 + 1]]  # (1 − 2)² + (3 − 4)²
    var, first, total = output_indices(sums, 2)
    mean = (1 + 3 + 2 + 5) / 4
    assert var[0] == pytest.approx((1 + 9 + 4 + 25) / 4 - mean**2)
    assert first[0, 0] == pytest.approx(var[0] - 1 / 4)
    assert total[0, 0] == pytest.approx(2 / 4)


def test_undo_reorders_runs():
    values = np.array([[1, 2, 2, 3, 5, 4]])
    order = np.array([5, 0, 3, 1, 4, 2])  # column j holds run order[j]
    undo = np.empty_like(order)
    undo[order] = np.arange(6)
    shuffled = values[:, order]
    for key, v in design_sums(shuffled, 1, undo).items():
        np.testing.assert_array_equal(v, design_sums(values, 1)[key])


def test_pooled_ignores_outputs_that_never_move():
    var = np.array([2.0, 0.0, 6.0])
    first = np.array([[1.0, 0.0, 3.0]])
    total = np.array([[2.0, 0.0, 6.0]])
    v, s1, st = pooled(var, first, total)
    assert v == 8.0 and s1.tolist() == [0.5] and st.tolist() == [1.0]
    assert np.isnan(pooled(np.zeros(2), np.zeros((1, 2)), np.zeros((1, 2)))[1]).all()


def test_single_uncertain_input_has_total_index_near_one(mini):
    methodology, inst, subs = mini
    spec = UncertaintySpec(weights=MetricWeights(spread=0.5))
    result = uncertainty(methodology, inst, subs, spec, 3000, seed=2)
    row = result.sobol.filter(pl.col("table") == "overall").row(0, named=True)
    assert row["input"] == "weights"
    assert row["first_order"] == pytest.approx(1.0)  # Jansen first order: AB_1 = B exactly
    assert row["total_order"] == pytest.approx(1.0, abs=0.1)
    assert row["rank_variance"] > 0


def test_irrelevant_input_has_zero_indices(mini):
    """Evidence leniency cannot change the mini case (answers are 0 or 1), so all rank variance goes to the
    normaliser, which swaps B and C."""
    methodology, inst, subs = mini
    spec = UncertaintySpec(
        normalisation=Choice(("nominal", "zscore_cdf")), evidence=Choice(("rubric", "lenient", "strict"))
    )
    result = uncertainty(methodology, inst, subs, spec, 4000, seed=3)
    overall = {r["input"]: r for r in result.sobol.filter(pl.col("table") == "overall").iter_rows(named=True)}
    assert overall["evidence"]["total_order"] == 0.0
    assert overall["normalisation"]["total_order"] == pytest.approx(1.0, abs=0.1)
    assert overall["normalisation"]["first_order"] == pytest.approx(1.0, abs=0.1)
    sdg4 = {r["input"]: r for r in result.sobol.filter(pl.col("table") == "sdg4").iter_rows(named=True)}
    assert sdg4["normalisation"]["rank_variance"] == 0.0 and sdg4["normalisation"]["total_order"] is None
