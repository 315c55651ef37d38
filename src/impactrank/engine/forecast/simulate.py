"""Next edition's table, simulated run by run: every institution of this edition moves its single-year score as
returning institutions at its level did, newcomers fill the field's growth, the next rule averages, and the whole
field is ranked and banded by the uncertainty machinery (draws within intervals, competition ranks, rank
histograms and their quantiles).

An institution's next single-year score is that of one of the ``NEIGHBOURS`` returning institutions whose score
was nearest its own (their next interval, a uniform draw within it), moved by the difference of the two levels:
within a band, where positions are unknown, this is the band's own next-year distribution, not a difference of
two unknown positions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from impactrank.engine.forecast.rule import NextRule
from impactrank.engine.forecast.series import Movement
from impactrank.engine.tables.ranking import band_segments
from impactrank.engine.uncertainty.histograms import accumulate, new_accumulator, percentile_from_hist
from impactrank.engine.uncertainty.ranks import rank_entries
from impactrank.engine.uncertainty.sampling import draw_within
from impactrank.engine.uncertainty.tables import Tables
from impactrank.methodology.schema import Ranking

NEIGHBOURS = 50
LEVEL = 0.8  # the interval's probability


@dataclass(frozen=True)
class Simulated:
    """Per institution (rows of the input): rank histograms over the runs, read into bands of the next edition."""

    segments: list[tuple[str, int, int]]  # (label, first, last position) of next edition's bands
    in_band: np.ndarray  # institutions × segments: runs in each band
    rank_p10: np.ndarray
    rank_p90: np.ndarray
    runs: int
    size: int  # the simulated field


def simulate(
    lo: np.ndarray,
    hi: np.ndarray,
    shift: tuple[np.ndarray, np.ndarray],
    moves: Movement,
    rule: NextRule,
    size: int,
    runs: int,
    seed: int,
    chunk_runs: int = 256,
    progress: Callable[[int], None] | None = None,
) -> Simulated:
    """``lo``, ``hi``: this edition's single-year intervals; ``shift``: bounds on a planned change of each one
    (zeros when none is planned); ``size``: next year's field."""
    n = lo.size
    newcomers = max(size - n, 0)
    total = n + newcomers
    tables = Tables.of(["overall"], [np.arange(total)], [rule.banding])
    start, width = _windows(lo + hi + shift[0] + shift[1], moves.cur_mid * 2)
    rng = np.random.default_rng(seed)
    acc = new_accumulator(tables, 0)
    w_this = rule.weights[0]
    w_prev = rule.weights[1] if len(rule.weights) > 1 else 0.0
    for done in range(0, runs, chunk_runs):
        r = min(chunk_runs, runs - done)
        now = draw_within(lo[:, None], hi[:, None], rng, r)
        level = (lo + hi)[:, None] / 2 + draw_within(shift[0][:, None], shift[1][:, None], rng, r)
        j = start[:, None] + (rng.random((n, r)) * width[:, None]).astype(np.int64)
        nxt = moves.next_lo[j] + (moves.next_hi[j] - moves.next_lo[j]) * rng.random((n, r))
        nxt = np.clip(nxt + level - moves.cur_mid[j], 0.0, 100.0)
        values = np.empty((total, r))
        values[:n] = (w_this * nxt + w_prev * now) / (w_this + w_prev)
        if newcomers:
            k = rng.integers(0, moves.new_lo.size, (newcomers, r))
            values[n:] = moves.new_lo[k] + (moves.new_hi[k] - moves.new_lo[k]) * rng.random((newcomers, r))
        accumulate(acc, rank_entries(np.clip(values, 0.0, 100.0), tables, Ranking()), False)
        if progress is not None:
            progress(r)
    size_plus = total + 1
    block = acc.hist[: n * size_plus].reshape(n, size_plus)
    cum = np.cumsum(block, axis=1)
    segments = band_segments(rule.banding, total)
    in_band = np.add.reduceat(block, [first for _, first, _ in segments], axis=1)
    return Simulated(
        segments=segments,
        in_band=in_band,
        rank_p10=percentile_from_hist(cum, acc.runs, (1 - LEVEL) / 2).astype(float),
        rank_p90=percentile_from_hist(cum, acc.runs, (1 + LEVEL) / 2).astype(float),
        runs=acc.runs,
        size=total,
    )


def _windows(level2: np.ndarray, mids2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and count of the sorted pairs nearest each level (both doubled: sums of interval ends): the
    NEIGHBOURS centred on it, widened to whole groups of equal levels (a band's rows share one midpoint, so a
    window never takes an arbitrary part of a band)."""
    k = min(NEIGHBOURS, mids2.size)
    first = np.clip(np.searchsorted(mids2, level2) - k // 2, 0, mids2.size - k)
    first = np.searchsorted(mids2, mids2[first], side="left")
    stop = np.searchsorted(mids2, mids2[np.minimum(first + k, mids2.size) - 1], side="right")
    return first, stop - first


def shortest_interval(counts: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Per row of band counts, the first and last band of the fewest consecutive bands holding at least
    ``level`` of the runs (of equally few, the one holding most)."""
    n, m = counts.shape
    need = level * counts.sum(axis=1)
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(counts, axis=1)], axis=1)
    first = np.zeros(n, dtype=int)
    last = np.full(n, m - 1)
    found = np.zeros(n, dtype=bool)
    for width in range(1, m + 1):
        held = cum[:, width:] - cum[:, :-width]  # n × (m − width + 1): runs in bands [a, a + width)
        best = held.argmax(axis=1)
        ok = ~found & (held[np.arange(n), best] >= need - 1e-9)
        first[ok], last[ok] = best[ok], best[ok] + width - 1
        found |= ok
    return first, last
