"""Rescaling of SDG scores before the best SDGs are chosen, so every SDG spans a comparable range."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from impactrank.engine.registry import Registry
from impactrank.errors import N_

Scaler = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
"""(scores: institutions × SDGs with NaN = not submitted, population mask per row) →
(scaled scores, per-SDG minimum, per-SDG maximum), extremes taken over the population only."""
SCALERS: Registry[Scaler] = Registry(N_("SDG-score scaling"))


def _extremes(scores: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pop = np.where(population[:, None], scores, np.nan)
    has = ~np.all(np.isnan(pop), axis=0)
    lo = np.full(scores.shape[1], np.nan)
    hi = np.full(scores.shape[1], np.nan)
    lo[has] = np.nanmin(pop[:, has], axis=0)
    hi[has] = np.nanmax(pop[:, has], axis=0)
    return lo, hi


@SCALERS.register("minmax")
def minmax(scores: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Highest → 100 and lowest → 0 within each SDG (THE's 2022 wording); one distinct score → 100."""
    lo, hi = _extremes(scores, population)
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(span > 0, 100.0 * (scores - lo) / span, np.where(np.isnan(scores), np.nan, 100.0))
    return scaled, lo, hi


@SCALERS.register("max")
def max_only(scores: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Highest → 100, zero stays zero (THE's 2019 wording)."""
    lo, hi = _extremes(scores, population)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(hi > 0, 100.0 * scores / hi, np.where(np.isnan(scores), np.nan, 0.0))
    return scaled, lo, hi


@SCALERS.register("none")
def unscaled(scores: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SDG scores used as they are (the plain weighted sum of displayed scores)."""
    lo, hi = _extremes(scores, population)
    return scores.copy(), lo, hi
