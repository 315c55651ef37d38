"""Rank histograms over runs, and the rank_uncertainty table read from them.

Nothing about one run is kept: each chunk of runs adds to integer histograms of the ranks of every entry and
to the integer sums the Sobol estimators need. Integer sums do not depend on the order of addition, so runs
split over threads or a Dask cluster give the same bytes as one process. Percentiles and band probabilities
are read from the histograms exactly as numpy would compute them from all the ranks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import RANK_UNCERTAINTY_SCHEMA, conform
from impactrank.engine.tables.ranking import band_segments
from impactrank.engine.uncertainty.sobol import design_sums
from impactrank.engine.uncertainty.tables import Tables, table_slices


@dataclass
class Accumulator:
    """Integer-valued sums over runs: rank histograms per entry and the Sobol design sums per entry."""

    hist: np.ndarray  # flat: per entry, counts of ranks 0..size (rank 0 never occurs)
    offsets: np.ndarray  # start of each entry's histogram in ``hist``
    runs: int = 0
    n_inputs: int = 0
    sobol: dict[str, np.ndarray] = field(default_factory=dict)  # see impactrank.engine.uncertainty.sobol

    def push(self, ranks: np.ndarray) -> None:
        """Count (entries, runs) ranks into each entry's histogram, a block of entries at a time so that the
        cells stay in cache: add.at's fast path beats bincount over the whole histogram."""
        step = max(1, 65_536 // max(1, ranks.shape[1]))
        for lo in range(0, len(ranks), step):
            cells = np.add(ranks[lo : lo + step], self.offsets[lo : lo + step, None], dtype=np.int64)
            np.add.at(self.hist, cells.ravel(), 1)

    def add(self, other: Accumulator) -> None:
        self.hist += other.hist
        self.runs += other.runs
        for k, v in other.sobol.items():
            self.sobol[k] = self.sobol[k] + v if k in self.sobol else v.copy()


def new_accumulator(tables: Tables, n_inputs: int) -> Accumulator:
    """Empty histograms for every entry of ``tables``; ``n_inputs`` inputs in the Sobol design (0: none)."""
    per_entry = tables.sizes[tables.entry_table] + 1
    offsets = np.concatenate([[0], np.cumsum(per_entry)[:-1]]).astype(np.int64)
    return Accumulator(hist=np.zeros(int(per_entry.sum()), dtype=np.int64), offsets=offsets, n_inputs=n_inputs)


def accumulate(acc: Accumulator, ranks: np.ndarray, sobol_design: bool, undo: np.ndarray | None = None) -> None:
    """Add a batch of ranks, shape (entries, runs); column ``undo[i]`` is run i of the design (None: in order)."""
    if sobol_design and acc.n_inputs:
        for k, v in design_sums(ranks, acc.n_inputs, undo).items():
            acc.sobol[k] = acc.sobol[k] + v if k in acc.sobol else v
    acc.push(ranks)
    acc.runs += ranks.shape[1]


def percentile_from_hist(cum: np.ndarray, total: int | np.ndarray, q: float) -> np.ndarray:
    """np.percentile's default (linear) method, from cumulative counts per row over ranks 0..size; ``total`` the
    count of every row, or of each row."""
    h = (np.asarray(total) - 1) * q
    j0 = np.floor(h)
    j1 = np.minimum(j0 + 1, np.asarray(total) - 1)
    v0 = np.argmax(cum > np.reshape(j0, (-1, 1)), axis=1)
    v1 = np.argmax(cum > np.reshape(j1, (-1, 1)), axis=1)
    return v0 + (h - j0) * (v1 - v0)


def summarise(ids: np.ndarray, tables: Tables, acc: Accumulator, nominal: np.ndarray) -> pl.DataFrame:
    """The rank_uncertainty table: one row per (table, institution), tables in order, institutions by
    nominal rank then id."""
    frames = []
    for t, rows in enumerate(table_slices(tables)):
        size = int(tables.sizes[t])
        if size == 0:  # an empty table (nobody eligible for the overall table) has no ranks to report
            continue
        entries = np.arange(rows.start, rows.stop)
        first = int(acc.offsets[rows.start])  # the table's histograms lie end to end: a view, no gather
        block = acc.hist[first : first + len(entries) * (size + 1)].reshape(len(entries), size + 1)
        cum = np.cumsum(block, axis=1)
        total = acc.runs
        segments = band_segments(tables.banding[t], size)
        labels = [label for label, _, _ in segments]
        in_band = np.add.reduceat(block, [lo for _, lo, _ in segments], axis=1)
        in_band[:, -1] = block[:, segments[-1][1] : segments[-1][2] + 1].sum(axis=1)
        keys = [json.dumps(label, ensure_ascii=False) + ": " for label in labels]  # as json.dumps writes a dict
        probs = [
            "{" + ", ".join(key + repr(round(v / total, 6)) for key, v in zip(keys, counts, strict=True) if v) + "}"
            for counts in in_band.tolist()
        ]
        frames.append(
            pl.DataFrame(
                {
                    "institution_id": ids[tables.entry_row[entries]],
                    "table": tables.names[t],
                    "nominal_rank": nominal[entries],
                    "median_rank": percentile_from_hist(cum, total, 0.5).astype(np.float64),
                    "rank_p05": percentile_from_hist(cum, total, 0.05).astype(np.float64),
                    "rank_p95": percentile_from_hist(cum, total, 0.95).astype(np.float64),
                    "band_probabilities": probs,
                    "runs": np.full(len(entries), total, dtype=np.int64),
                }
            ).sort("nominal_rank", "institution_id")
        )
    return conform(pl.concat(frames) if frames else pl.DataFrame(), RANK_UNCERTAINTY_SCHEMA)
