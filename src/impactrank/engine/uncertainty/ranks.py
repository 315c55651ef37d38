"""Competition ranks of every entry in every run, batched over runs.

Ranks within each table follow the methodology's tie rule. On display precision (THE's rule) the keys are
small integers, so ranks come from a histogram of keys per (table, run) with no sorting; other rules sort. A
missing score (NaN) ranks after every score of its table in that run.
"""

from __future__ import annotations

import math

import numpy as np

from impactrank.engine.tables.ranking import TIE_RULES, TieRule, on_display, on_exact
from impactrank.engine.uncertainty.tables import Tables, table_slices
from impactrank.methodology.schema import Ranking

DENSE_KEYS = 8
"""A table counts its keys when their span is at most this many keys per member (or 4,096); else it sorts."""


def rank_entries(values: np.ndarray, tables: Tables, ranking: Ranking, out: np.ndarray | None = None) -> np.ndarray:
    """Competition ranks of (entries, runs) values within each table (higher is better), into ``out`` (int32)
    when given."""
    rule = TIE_RULES[ranking.tie_rule]
    out = np.empty(values.shape, dtype=np.int32) if out is None else out  # int32: half the memory traffic
    for rows in table_slices(tables):  # a table at a time: its arrays stay in cache
        _table_ranks(values[rows], rule, ranking.display_precision, out[rows])
    return out


def _table_ranks(v: np.ndarray, rule: TieRule, precision: int, out: np.ndarray) -> None:
    """One table's (members, runs) ranks into ``out``: the built-in rules batched over runs (the same ranks as
    the rule's own sort keys, faster), a rule registered elsewhere by its sort keys run by run. A missing score
    (NaN) ranks after every score of its run: the build ranks scored rows only, so it is above none of them."""
    if rule is on_display:
        _display_ranks(v, precision, out)
        return
    if rule is on_exact:
        out[...] = _ranks_by_sorting(v)
        return
    keys = _display_keys(v, precision)[0]
    ties = np.empty(v.shape)
    for r in range(v.shape[1]):
        ties[:, r] = rule(v[:, r], keys[:, r])
    ties[np.isnan(v)] = -np.inf
    out[...] = _ranks_by_sorting(ties)


def _display_keys(values: np.ndarray, precision: int) -> tuple[np.ndarray, int, int]:
    """floor(score × 10^p + 0.5) as int64, as the build's display_keys computes it, with the lowest and highest
    key; a missing score (NaN) takes the key below the lowest, so that it ranks last."""
    keys = np.multiply(values, 10.0**precision)
    keys += 0.5
    np.floor(keys, out=keys)
    lo, hi = (float(keys.min()), float(keys.max())) if keys.size else (0.0, 0.0)
    if math.isnan(lo):  # min and max propagate NaN: the scored keys' extremes instead
        missing = np.isnan(keys)
        scored = keys[~missing]
        lo, hi = (float(scored.min()) - 1.0, float(scored.max())) if scored.size else (0.0, 0.0)
        keys[missing] = lo
    return keys.astype(np.int64), int(lo), int(hi)


def _display_ranks(values: np.ndarray, precision: int, out: np.ndarray) -> None:
    """Ranks of one table's (members, runs) values on their display keys, into ``out``: counted over the span
    of keys the table holds in this batch, or sorted when the span is sparse."""
    keys, lo, hi = _display_keys(values, precision)
    if hi - lo >= max(4096, DENSE_KEYS * keys.shape[0]):
        out[...] = _ranks_by_sorting(keys)
    else:
        _ranks_by_counting(keys, lo, hi - lo + 1, out)


def _ranks_by_counting(keys: np.ndarray, lo: int, n_keys: int, out: np.ndarray | None = None) -> np.ndarray:
    """1 + the members in the same run with a strictly higher key (keys in [lo, lo + n_keys)), into ``out`` when
    given: a histogram of keys per run, no sorting. Overwrites ``keys``."""
    members, r = keys.shape
    keys += np.arange(-lo, r * n_keys - lo, n_keys)  # histogram cell of each (member, run)
    counts = np.bincount(keys.ravel(), minlength=r * n_keys).reshape(r, n_keys)
    at_or_below = np.cumsum(counts, axis=1, dtype=np.int32).ravel()  # members at or below each key
    out = np.take(at_or_below, keys, out=out, mode="clip")  # the cells are in range; "clip" writes unbuffered
    return np.subtract(np.int32(members + 1), out, out=out)


def _ranks_by_sorting(keys: np.ndarray) -> np.ndarray:
    """Competition ranks of one table's (members, runs) keys (or values) by sorting."""
    v = keys.T  # (runs, members)
    if v.dtype.kind == "f":
        v = np.where(np.isnan(v), -np.inf, v)  # a missing score below every score, tied with the other missing
    order = np.argsort(-v, axis=1)  # tied keys take their first position whatever their order
    ordered = np.take_along_axis(v, order, axis=1)
    pos = np.arange(v.shape[1])
    new = np.ones(ordered.shape, dtype=bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, first + 1, axis=1)
    return ranks.T
