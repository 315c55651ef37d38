"""Next edition's table, simulated run by run: each institution of this edition leaves or returns as institutions at
its level did, a returning one's SDG scores move as returning institutions' did (by SDG, by level, together as
much as they did) and make its next single-year score by the rule, newcomers scored as past newcomers fill the
field to a size drawn from its growth, the next rule averages, and the whole field is ranked and banded by the
uncertainty machinery (draws within intervals, competition ranks, rank histograms).

A forecast is of the band an institution gets if it returns: a run in which it leaves counts for the others'
ranks, not for its own distribution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from impactrank.engine.forecast.field import field_sizes
from impactrank.engine.forecast.rule import NextRule
from impactrank.engine.forecast.sdg_moves import Entries, SdgMoves, next_single_year
from impactrank.engine.tables.ranking import band_segments
from impactrank.engine.uncertainty.histograms import accumulate, new_accumulator, percentile_from_hist
from impactrank.engine.uncertainty.ranks import rank_entries
from impactrank.engine.uncertainty.sampling import draw_within
from impactrank.engine.uncertainty.tables import Tables
from impactrank.methodology.schema import Ranking

LEVEL = 0.8  # the interval's nominal probability


@dataclass(frozen=True)
class Field:
    """What the field does next year: each institution's chance of leaving, the possible growths (each as likely)
    and newcomers' single-year intervals (one drawn per newcomer)."""

    leave: np.ndarray
    growths: np.ndarray
    new_lo: np.ndarray
    new_hi: np.ndarray


@dataclass(frozen=True)
class Simulated:
    """Per institution (rows of the input): runs in each band of the next edition, over the runs it returned."""

    segments: list[tuple[str, int, int]]  # (label, first, last position) of next edition's bands
    in_band: np.ndarray  # institutions × segments
    rank_p10: np.ndarray
    rank_p90: np.ndarray
    runs: int
    sizes: tuple[int, int]  # the simulated field's smallest and largest size
    leaving: float  # the share of this edition's institutions that left, over the runs


def simulate(
    lo: np.ndarray,
    hi: np.ndarray,
    sdgs: Entries,
    moves: SdgMoves,
    field: Field,
    rule: NextRule,
    runs: int,
    seed: int,
    chunk_runs: int = 256,
    progress: Callable[[int], None] | None = None,
) -> Simulated:
    """``lo``, ``hi``: this edition's single-year intervals (the averaged part); ``sdgs``: its SDG scores."""
    n = lo.size
    rng = np.random.default_rng(seed)
    stay = rng.random((n, runs)) >= field.leave[:, None]
    size = field_sizes(n, field.growths)[rng.integers(0, field.growths.size, runs)]
    newcomers = np.maximum(size - stay.sum(axis=0), 0)
    total = n + int(newcomers.max(initial=0))
    tables = Tables.of(["overall"], [np.arange(total)], [rule.banding])
    acc = new_accumulator(tables, 0)
    w_this = rule.weights[0]
    w_prev = rule.weights[1] if len(rule.weights) > 1 else 0.0
    for done in range(0, runs, chunk_runs):
        r = min(chunk_runs, runs - done)
        back, arriving = stay[:, done : done + r], newcomers[done : done + r]
        now = draw_within(lo[:, None], hi[:, None], rng, r)
        values = np.zeros((total, r))
        values[:n] = np.where(
            back, (w_this * next_single_year(sdgs, moves, rng, r) + w_prev * now) / (w_this + w_prev), 0
        )
        k = rng.integers(0, field.new_lo.size, (total - n, r))
        drawn = field.new_lo[k] + (field.new_hi[k] - field.new_lo[k]) * rng.random((total - n, r))
        values[n:] = np.where(np.arange(total - n)[:, None] < arriving[None, :], drawn, 0)
        ranks = rank_entries(np.clip(values, 0.0, 100.0), tables, Ranking())
        ranks[:n][~back] = 0  # a run it left: rank 0, a cell no band counts
        accumulate(acc, ranks, False)
        if progress is not None:
            progress(r)
    block = acc.hist[: n * (total + 1)].reshape(n, total + 1)
    segments = band_segments(rule.banding, int(size.max()))
    in_band = np.add.reduceat(block, [first for _, first, _ in segments], axis=1)
    return Simulated(
        segments=segments,
        in_band=in_band,
        rank_p10=_rank_quantile(block, (1 - LEVEL) / 2),
        rank_p90=_rank_quantile(block, (1 + LEVEL) / 2),
        runs=runs,
        sizes=(int(size.min()), int(size.max())),
        leaving=float(1 - stay.mean()),
    )


def _rank_quantile(block: np.ndarray, q: float) -> np.ndarray:
    """Per row of rank histograms (cell 0: runs not ranked), the q-quantile of the ranked runs (numpy's linear
    method)."""
    counts = block.copy()
    counts[:, 0] = 0
    cum = np.cumsum(counts, axis=1)
    return percentile_from_hist(cum, np.maximum(cum[:, -1], 1), q)


def nearest_interval(counts: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Per row of band counts, the first and last of the consecutive bands that hold the most likely band, end in
    bands with a chance and whose probability is nearest ``level`` (of equally near, the one holding more): with
    whole bands an interval holds what it holds, so the nearest to 80 % is the honest 80 % interval, and it
    states what it holds."""
    n, m = counts.shape
    probs = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    mode = probs.argmax(axis=1)
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(probs, axis=1)], axis=1)
    first, last = mode.copy(), mode.copy()
    best = np.full(n, np.inf)
    for a in range(m):
        for b in range(a, m):
            held = cum[:, b + 1] - cum[:, a]
            score = np.abs(held - level) - 1e-9 * held  # nearer first, then more held
            ends = (probs[:, a] > 0) & (probs[:, b] > 0)  # an interval ends in bands with a chance
            better = (a <= mode) & (mode <= b) & ends & (score < best - 1e-12)
            first[better], last[better], best[better] = a, b, score[better]
    return first, last
