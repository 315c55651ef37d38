"""What a metric that an institution did not provide scores, inside an SDG it submitted."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from impactrank.engine.registry import Registry
from impactrank.errors import N_

MissingRule = Callable[[np.ndarray, np.ndarray, int], np.ndarray]
"""(scores with NaN for missing, group code per row, number of groups) → scores with NaN filled."""
MISSING_RULES: Registry[MissingRule] = Registry(N_("missing-data rule"))


@MISSING_RULES.register("zero")
def zero(scores: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Missing data points are entered as zero (THE's stated rule)."""
    return np.where(np.isnan(scores), 0.0, scores)


@MISSING_RULES.register("group_mean")
def group_mean(scores: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Missing scores take the mean score of the institutions that provided the metric."""
    ok = ~np.isnan(scores)
    count = np.bincount(group[ok], minlength=n_groups)
    total = np.bincount(group[ok], weights=scores[ok], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, 0.0)
    return np.where(ok, scores, mean[group])
