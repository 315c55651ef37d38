"""Competition ranks of every entry in every run, batched over runs.

Ranks within each table follow the methodology's tie rule. On display precision (THE's rule) the keys are
small integers, so ranks come from a histogram of keys per (table, run) with no sorting; other rules sort.
"""

from __future__ import annotations

import numpy as np

from impactrank.engine.tables.ranking import TIE_RULES
from impactrank.engine.uncertainty.tables import Tables, table_slices
from impactrank.methodology.schema import Ranking


def rank_entries(values: np.ndarray, tables: Tables, ranking: Ranking) -> np.ndarray:
    """Competition ranks of (entries, runs) values within each table (higher is better)."""
    scale = 10.0**ranking.display_precision
    keys = np.multiply(values, scale)  # display_keys, in place: floor(score × 10^p + 0.5)
    keys += 0.5
    np.floor(keys, out=keys)
    keys = keys.astype(np.int64)
    if ranking.tie_rule == "competition_on_display":
        top = 100 * 10**ranking.display_precision + 1
        if keys.size == 0 or (top <= 1_000_001 and keys.min() >= 0 and keys.max() < top):
            return _ranks_by_counting(keys, tables, top)
        return _ranks_by_sorting(keys, tables)
    if ranking.tie_rule == "competition_exact":
        return _ranks_by_sorting(values, tables)
    out = np.empty(values.shape, dtype=np.int64)  # a tie rule registered elsewhere: run by run
    for rows in table_slices(tables):
        for r in range(values.shape[1]):
            neg = -np.asarray(TIE_RULES[ranking.tie_rule](values[rows, r], keys[rows, r]))
            out[rows, r] = np.searchsorted(np.sort(neg), neg, side="left") + 1
    return out


def _ranks_by_counting(keys: np.ndarray, tables: Tables, n_keys: int) -> np.ndarray:
    """1 + the entries of the same table and run with a strictly higher key (keys in [0, n_keys)):
    a histogram of keys per (table, run), no sorting. Overwrites ``keys``."""
    r = keys.shape[1]
    n_tables = len(tables.names)
    keys += _cell_offsets(tables, r, n_keys)  # histogram cell of each (entry, run)
    counts = np.bincount(keys.ravel(), minlength=n_tables * r * n_keys).reshape(n_tables * r, n_keys)
    at_or_below = np.cumsum(counts, axis=1, dtype=np.int32).ravel()  # entries at or below each key
    ranks = np.take(at_or_below, keys)  # int32: half the memory traffic downstream
    return np.subtract((tables.sizes[tables.entry_table] + 1).astype(np.int32)[:, None], ranks, out=ranks)


_CELL_OFFSETS: dict[tuple[int, int, bytes], np.ndarray] = {}


def _cell_offsets(tables: Tables, runs: int, n_keys: int) -> np.ndarray:
    """(entry table × runs + run) × n_keys, cached per shape (chunks repeat the same few shapes)."""
    key = (runs, n_keys, tables.sizes.tobytes())  # the entry tables follow from the sizes
    cached = _CELL_OFFSETS.get(key)
    if cached is None:
        if len(_CELL_OFFSETS) > 8:
            _CELL_OFFSETS.clear()
        cached = (tables.entry_table[:, None] * runs + np.arange(runs)[None, :]) * n_keys
        _CELL_OFFSETS[key] = cached
    return cached


def _ranks_by_sorting(values: np.ndarray, tables: Tables) -> np.ndarray:
    out = np.empty(values.shape, dtype=np.int64)
    for rows in table_slices(tables):
        v = values[rows].T  # (runs, members)
        order = np.argsort(-v, axis=1, kind="stable")
        ordered = np.take_along_axis(v, order, axis=1)
        pos = np.arange(v.shape[1])
        new = np.ones(ordered.shape, dtype=bool)
        new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        first = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, first + 1, axis=1)
        out[rows] = ranks.T
    return out
