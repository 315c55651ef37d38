"""Normalisation of continuous and bibliometric metrics to 0–100 within each (SDG, metric) group.

Every normaliser takes the raw values (NaN = not provided), an integer group code per value and, per
group, whether lower is better; it returns scores in [0, 100] with NaN where the value was missing.
Statistics use only the institutions that provided a value; the missing-data rule decides the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from impactrank.engine.registry import Registry
from impactrank.errors import N_

Normaliser = Callable[[np.ndarray, np.ndarray, int, np.ndarray], np.ndarray]
NORMALISERS: Registry[Normaliser] = Registry(N_("normalisation"))

Z_CAP = 3.0
"""zscore_minmax caps z at ±3 before rescaling; without a cap, min–max of z would equal min–max of x."""


@dataclass(frozen=True)
class GroupStats:
    count: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    min: np.ndarray
    max: np.ndarray


def group_stats(x: np.ndarray, group: np.ndarray, n_groups: int) -> GroupStats:
    """Count, mean, population standard deviation, min and max of the non-NaN values of each group."""
    ok = ~np.isnan(x)
    g, v = group[ok], x[ok]
    count = np.bincount(g, minlength=n_groups).astype(np.float64)
    total = np.bincount(g, weights=v, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        centred = v - mean[g]
        centred *= centred  # in place: arrays as long as the values, millions at 100,000 institutions
        var = np.bincount(g, weights=centred, minlength=n_groups) / count
    lo = np.full(n_groups, np.inf)
    hi = np.full(n_groups, -np.inf)
    np.minimum.at(lo, g, v)
    np.maximum.at(hi, g, v)
    return GroupStats(count, mean, np.sqrt(var), lo, hi)


def _zscores(x: np.ndarray, group: np.ndarray, n_groups: int, lower: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    stats = group_stats(x, group, n_groups)
    sd = stats.std[group]
    z = x - stats.mean[group]  # then in place: one array as long as the values, not one per step
    with np.errstate(invalid="ignore", divide="ignore"):
        z /= sd
    spread = sd > 0
    del sd
    z[~spread] = 0.0
    np.negative(z, out=z, where=lower[group])
    z[np.isnan(x)] = np.nan
    return z, spread


def _rescale(v: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Min–max within each group to 0–100; a group whose values are all equal scores 100."""
    stats = group_stats(v, group, n_groups)
    lo, span = stats.min[group], (stats.max - stats.min)[group]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(span > 0, 100.0 * (v - lo) / span, np.where(np.isnan(v), np.nan, 100.0))


@NORMALISERS.register("zscore_cdf")
def zscore_cdf(x: np.ndarray, group: np.ndarray, n_groups: int, lower: np.ndarray) -> np.ndarray:
    """z-score, then the standard normal CDF × 100 (THE World University Rankings practice)."""
    from scipy.special import ndtr  # loaded where used: a command's start-up need not wait for it

    z, _ = _zscores(x, group, n_groups, lower)
    z = ndtr(z, out=z)
    z *= 100.0
    return z


@NORMALISERS.register("zscore_minmax")
def zscore_minmax(x: np.ndarray, group: np.ndarray, n_groups: int, lower: np.ndarray) -> np.ndarray:
    """z-score capped at ±3, then min–max to 0–100 (outliers cannot squash everyone else)."""
    z, _ = _zscores(x, group, n_groups, lower)
    return _rescale(np.clip(z, -Z_CAP, Z_CAP), group, n_groups)


@NORMALISERS.register("minmax")
def minmax(x: np.ndarray, group: np.ndarray, n_groups: int, lower: np.ndarray) -> np.ndarray:
    """Min–max of the raw values to 0–100 (inverted when lower is better)."""
    return _rescale(np.where(lower[group], -x, x), group, n_groups)


@NORMALISERS.register("none")
def identity(x: np.ndarray, group: np.ndarray, n_groups: int, lower: np.ndarray) -> np.ndarray:
    """Values already on 0–100, used as given (clipped; 100 − x when lower is better)."""
    v = np.clip(x, 0.0, 100.0)
    return np.where(lower[group], 100.0 - v, v)
