"""The overall table: eligibility, SDG-score scaling, the best k SDGs on scaled scores, the overall score.

Works on an institutions × 17 matrix of SDG scores (NaN = not submitted), so the same kernel serves a build,
a what-if and thousands of Monte Carlo replications.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.scoring.scaling import SCALERS
from impactrank.methodology.schema import OverallRules
from impactrank.sdgs import N_SDGS


@dataclass(frozen=True)
class OverallResult:
    eligible: np.ndarray  # bool per institution
    scaled: np.ndarray  # institutions × 17, NaN outside the overall calculation
    best: np.ndarray  # institutions × k: SDG numbers of the best k, best first (0 where ineligible)
    score: np.ndarray  # overall score, NaN where ineligible
    sdg_min: np.ndarray  # per-SDG extremes used by the scaling
    sdg_max: np.ndarray
    population: np.ndarray  # per-SDG count of institutions in the scaling population


def score_matrix(sdg_scores: pl.DataFrame, n_institutions: int) -> np.ndarray:
    """institutions × 17 matrix of SDG scores (rows = ``inst`` codes), NaN where not submitted."""
    matrix = np.full((n_institutions, N_SDGS), np.nan)
    matrix[sdg_scores["inst"].to_numpy(), sdg_scores["sdg"].to_numpy() - 1] = sdg_scores["score"].to_numpy()
    return matrix


def eligibility(matrix: np.ndarray, rules: OverallRules) -> np.ndarray:
    req = rules.required_sdg - 1
    others = np.delete(~np.isnan(matrix), req, axis=1).sum(axis=1)
    return ~np.isnan(matrix[:, req]) & (others >= rules.min_other_sdgs)


def compute_overall(matrix: np.ndarray, rules: OverallRules, scaling: str | None = None) -> OverallResult:
    eligible = eligibility(matrix, rules)
    population = eligible if rules.scaling.population == "eligible" else np.ones(len(matrix), dtype=bool)
    scaled, lo, hi = SCALERS[scaling or rules.scaling.method](matrix, population)
    scaled = np.where(eligible[:, None], scaled, np.nan)
    best, total = best_k(scaled, rules)
    score = np.where(eligible, total, np.nan)
    counts = (~np.isnan(matrix) & population[:, None]).sum(axis=0)
    return OverallResult(eligible, scaled, best, score, lo, hi, counts)


def best_k(scaled: np.ndarray, rules: OverallRules) -> tuple[np.ndarray, np.ndarray]:
    """The best k other SDGs per row (ties go to the lower SDG number) and the weighted overall score."""
    req = rules.required_sdg - 1
    other_cols = np.array([c for c in range(scaled.shape[1]) if c != req])
    others = np.nan_to_num(scaled[:, other_cols], nan=-np.inf)
    order = np.argsort(-others, axis=1, kind="stable")[:, : rules.best_k]
    chosen = np.take_along_axis(others, order, axis=1)
    best = np.where(np.isfinite(chosen), other_cols[order] + 1, 0)
    total = (
        rules.required_weight * scaled[:, req]
        + rules.best_weight * np.where(np.isfinite(chosen), chosen, 0).sum(axis=1)
    ) / 100.0
    return best, total
