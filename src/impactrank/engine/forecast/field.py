"""Next year's field as the series says it moves: its size (grown as the participants grew, the growth slowed as
it slowed before, each slowing the series shows as likely as another) and who leaves (the share of institutions
at each level that left the overall table the next year)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.forecast.sdg_moves import NEIGHBOURS


def growth_draws(participants: list[int]) -> np.ndarray:
    """Next year's possible growths of the field, each as likely: last year's growth of the participants
    (institutions in any table, by year up to this one) times each ratio of a year's growth to the year before's
    the series shows (a growth never speeds up: ratios above 1 count as 1); last year's growth alone when the
    series shows no ratio, none when it shows no growth (THE's field: 553, 867, 1,250, 1,539, 1,754
    participants 2019–2023)."""
    growth = [b / a - 1 for a, b in itertools.pairwise(participants) if a]
    if not growth:
        return np.zeros(1)
    ratios = [min(1.0, b / a) for a, b in itertools.pairwise(growth) if a > 0 and b > 0]
    g = growth[-1]
    return np.array([g * r for r in ratios]) if ratios and g > 0 else np.array([g])


def field_sizes(current: int, growths: np.ndarray) -> np.ndarray:
    """The overall table's size next year under each growth (never below this year's)."""
    return np.maximum(current, np.round(current * (1 + growths))).astype(np.int64)


@dataclass(frozen=True)
class Leaving:
    """Institutions of overall tables that had a next edition in the series, sorted by single-year level, and
    whether each left the next overall table."""

    mid: np.ndarray
    left: np.ndarray

    def rates(self, level: np.ndarray) -> np.ndarray:
        """The share that left among the ``NEIGHBOURS`` nearest each level."""
        if self.mid.size == 0:
            return np.zeros(level.size)
        k = min(NEIGHBOURS, self.mid.size)
        first = np.clip(np.searchsorted(self.mid, level) - k // 2, 0, self.mid.size - k)
        cum = np.concatenate([[0.0], np.cumsum(self.left)])
        return (cum[first + k] - cum[first]) / k


def leaving(singles: list[pl.DataFrame], consecutive: list[bool], usable: float) -> Leaving:
    """From each edition's single-year scores (institution_id, lo, hi; ``consecutive[k]``: edition k follows
    edition k − 1); intervals wider than ``usable`` say nothing of a level and are left out."""
    mids, left = [], []
    for k in range(1, len(singles)):
        if not consecutive[k]:
            continue
        a = singles[k - 1].filter(pl.col("hi") - pl.col("lo") < usable)
        mids.append(((a["lo"] + a["hi"]) / 2).to_numpy())
        left.append(~a["institution_id"].is_in(singles[k]["institution_id"].implode()).to_numpy())
    mid = np.concatenate(mids) if mids else np.empty(0)
    gone = np.concatenate(left).astype(float) if left else np.empty(0)
    order = np.argsort(mid, kind="stable")
    return Leaving(mid[order], gone[order])
