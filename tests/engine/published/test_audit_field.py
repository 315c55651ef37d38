"""The audit of a published field whose overall scores this test makes by THE's single-year rule
(tests/published_field.py): every model's residuals, recomputed here from the field's own scores, the best
model, and the pairs each model puts out of order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from impactrank.engine.published.audit import audit_edition
from published_field import SDGS, published_field


@pytest.fixture
def audited():
    """Made again for each test: a mutation run credits the audit's calls to the test that made them, so a
    module-wide audit would tie every function to the first test alone."""
    edition, truth = published_field()
    return audit_edition(edition).formula, truth


def cards(truth: dict) -> list[dict[int, float]]:
    """Each row's card: SDG 17 and the three other SDGs with the best scaled scores, as the field counts them."""
    scores = truth["scores"]
    scaled = {k: (v - v.min()) / (v.max() - v.min()) for k, v in scores.items()}
    out = []
    for i in range(len(truth["ids"])):
        best = sorted((k for k in SDGS if k != 17), key=lambda k: -scaled[k][i])[:3]
        out.append({k: float(scores[k][i]) for k in [*best, 17]})
    return out


def prediction(truth: dict, scale) -> np.ndarray:
    """0.22 × SDG 17 + 0.26 × the three others, each scaled by ``scale(sdg, score, population)``; a
    population is every score the overall table shows in that SDG (the cards')."""
    rows = cards(truth)
    population = {k: np.array([c[k] for c in rows if k in c]) for k in SDGS}
    return np.array([sum((0.22 if k == 17 else 0.26) * scale(k, v, population[k]) for k, v in c.items()) for c in rows])


def stats(r: np.ndarray) -> dict:
    a = np.abs(r)
    return {
        "n": len(r),
        "mean": r.mean(),
        "sd": r.std(ddof=1),
        "rmse": math.sqrt((r**2).mean()),
        "median_abs": np.median(a),
        "max_abs": a.max(),
        "within_0.1": int((a <= 0.1 + 1e-9).sum()),
        "within_0.5": int((a <= 0.5 + 1e-9).sum()),
        "within_1.0": int((a <= 1.0 + 1e-9).sum()),
    }


def normal(k: int, v: float, pop: np.ndarray) -> float:
    return 50 * (1 + math.erf((v - pop.mean()) / pop.std() / math.sqrt(2)))


SCALES = {
    "displayed": lambda k, v, pop: v,
    "max100": lambda k, v, pop: 100 * v / pop.max(),
    "minmax": lambda k, v, pop: 100 * (v - pop.min()) / (pop.max() - pop.min()),
    "percentile": lambda k, v, pop: 100 * (pop <= v).sum() / pop.size,
    "normal_cdf": normal,
}


@pytest.mark.parametrize("name", [*SCALES, "sdg_tables"])
def test_each_models_residuals_on_the_exact_rows(audited, name):
    formula, truth = audited
    shown = np.round(truth["overall"], 1)
    model = truth["overall"] if name == "sdg_tables" else prediction(truth, SCALES[name])
    found = next(m for m in formula["models"] if m["model"] == name)
    expected = stats(shown - model)
    assert {k: v for k, v in found["exact"].items() if k != "explained"} == {
        k: pytest.approx(v, abs=1e-9) for k, v in expected.items()
    }
    i, j = np.triu_indices(len(shown), k=1)
    discordant = int((np.sign(shown[i] - shown[j]) * np.sign(model[i] - model[j]) < 0).sum())
    assert found["discordant_pairs"] == {"pairs": len(i), "discordant": discordant}
    assert found["interval"] == {"n": 0, "consistent": 0, "mean_gap": 0.0, "max_gap": 0.0}


def test_the_rule_explains_every_row_and_is_the_best_model(audited):
    formula, truth = audited
    n = len(truth["ids"])
    assert (formula["exact_rows"], formula["interval_rows"]) == (n, 0)
    rule = next(m for m in formula["models"] if m["model"] == "sdg_tables")
    assert rule["exact"]["explained"] == rule["rows_explained"] == n
    shown = np.round(truth["overall"], 1)
    plain = shown - prediction(truth, SCALES["displayed"])
    displayed = next(m for m in formula["models"] if m["model"] == "displayed")
    # the plain formula's interval (each input ±0.05, weights summing to 1: ±0.05) meets the published ±0.05
    # only where its residual is within 0.1
    assert displayed["exact"]["explained"] == int((np.abs(plain) <= 0.1 + 1e-9).sum()) < n
    assert formula["best_model"] == "sdg_tables"
    assert formula["models_skipped"] == [] and formula["unexplained"] == []
    assert formula["rows_excluded"] == {
        "misaligned_columns": 0,
        "no_overall_score": 0,
        "no_sdg17_score": 0,
        "not_three_scored_top_sdgs": 0,
    }


def ridge(x: np.ndarray, y: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """The least-squares fit pulled towards ``prior`` by a unit penalty: min |y − xθ|² + |θ − prior|²."""
    return prior + np.linalg.solve(x.T @ x + np.eye(x.shape[1]), x.T @ (y - x @ prior))


def design(truth: dict, fitted: str) -> tuple[np.ndarray, np.ndarray]:
    """The fitted model's features per row and the identity it is pulled towards: one line over the plain
    formula (global_affine), or per SDG a + b × score, each weighted as the card weighs the SDG (affine)."""
    if fitted == "global_affine":
        return np.c_[np.ones(len(truth["ids"])), prediction(truth, SCALES["displayed"])], np.array([0.0, 1.0])
    col = {k: j for j, k in enumerate(SDGS)}
    x = np.zeros((len(truth["ids"]), 2 * len(SDGS)))
    for i, card in enumerate(cards(truth)):
        for k, v in card.items():
            w = 0.22 if k == 17 else 0.26
            x[i, col[k]] += w
            x[i, len(SDGS) + col[k]] += w * v
    return x, np.r_[np.zeros(len(SDGS)), np.ones(len(SDGS))]


@pytest.mark.parametrize(("fitted", "parameters"), [("global_affine", 2), ("affine", 10)])
def test_fitted_models_are_judged_on_each_row_left_out_of_the_fit(audited, fitted, parameters):
    formula, truth = audited
    x, prior = design(truth, fitted)
    y = np.round(truth["overall"], 1)
    loo = np.array([x[i] @ ridge(np.delete(x, i, 0), np.delete(y, i), prior) for i in range(len(y))])
    found = next(m for m in formula["models"] if m["model"] == fitted)
    assert found["parameters"] == parameters
    assert found["exact_leave_one_out"] == {k: pytest.approx(v, abs=1e-6) for k, v in stats(y - loo).items()}
    assert found["exact"]["mean"] == pytest.approx((y - x @ ridge(x, y, prior)).mean(), abs=1e-6)
