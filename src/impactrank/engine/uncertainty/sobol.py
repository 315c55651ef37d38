"""Variance-based sensitivity (Sobol indices) of ranks to the declared uncertain inputs, vectorised.

Design (Saltelli 2002/2010): two independent base samples A and B of N rows each; for each input i the
matrix AB_i is A with input i's column(s) taken from B (an input may be a group, e.g. all metric weights).
Every base row j thus gives d + 2 evaluations f(A_j), f(B_j), f(AB_i,j).

Estimators (Jansen 1999, as recommended by Saltelli et al. 2010, "Variance based sensitivity analysis of
model output", Computer Physics Communications 181):

    V      = variance of f over the 2N evaluations of A and B
    V_i    = V − ½ · mean_j (f(B_j) − f(AB_i,j))²          (first order)
    V_Ti   = ½ · mean_j (f(A_j) − f(AB_i,j))²              (total order)

The output f is an institution's competition rank position in one table. A table has one output per
institution; its indices pool them as generalised Sobol indices of the rank vector (Gamboa, Janon, Klein &
Lagnoux 2014): S_i = Σ_institutions V_i / Σ_institutions V, S_Ti likewise. Institutions whose rank never
moves add nothing to either sum. All sums are sums of integers (ranks), so they are exact and do not depend
on how the runs were split.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from impactrank.engine.uncertainty.tables import Tables

SOBOL_SCHEMA: dict[str, pl.DataType] = {
    "table": pl.String,
    "input": pl.String,
    "first_order": pl.Float64,
    "total_order": pl.Float64,
    "rank_variance": pl.Float64,  # Σ over the table's institutions of the rank variance
    "institutions": pl.Int64,
}


def design_sums(values: np.ndarray, d: int, undo: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-output sums over the base rows of one block of the design.

    ``values`` is (outputs, rows × (d + 2)), the runs laid out per base row as A, B, AB_1 … AB_d (run i in
    column ``undo[i]`` when given). Integer values (ranks) give integer sums, exact in any order."""
    runs = np.arange(values.shape[1]) if undo is None else undo
    rows = values.shape[1] // (d + 2)
    if values.dtype == np.int32 and values.size and max(int(values.max()), -int(values.min())) ** 2 * 4 * rows >= 2**31:
        values = values.astype(np.int64)  # int32 sums of squares would overflow
    # A, B, AB_1 … AB_d, each (outputs, rows) and contiguous: whole-array differences below
    v = [np.take(values, cols, axis=1) for cols in runs.reshape(-1, d + 2).T]
    fa, fb = v[0], v[1]

    def squares(x: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->i", x, x)

    first, total = np.empty((d, len(fa)), fa.dtype), np.empty((d, len(fa)), fa.dtype)
    diff = np.empty_like(fa)  # one array for every difference: fresh ones cost more than the subtraction
    for i in range(d):
        first[i] = squares(np.subtract(fb, v[2 + i], out=diff))
        total[i] = squares(np.subtract(fa, v[2 + i], out=diff))
    sums = {
        "a": fa.sum(axis=1),
        "a2": squares(fa),
        "b": fb.sum(axis=1),
        "b2": squares(fb),
        "first": first,
        "total": total,
    }
    return {k: (x.astype(np.int64) if x.dtype.kind == "i" else x) for k, x in sums.items()}  # int64 across chunks


def output_indices(sums: dict[str, np.ndarray], base: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per output: variance V (outputs,), first-order and total partial variances (d, outputs)."""
    sums = {k: v.astype(np.float64) for k, v in sums.items()}
    m = 2 * base
    mean = (sums["a"] + sums["b"]) / m
    var = (sums["a2"] + sums["b2"]) / m - mean * mean
    var = np.maximum(var, 0.0)
    first = var[None, :] - sums["first"] / (2.0 * base)
    total = sums["total"] / (2.0 * base)
    return var, first, total


def pooled(var: np.ndarray, first: np.ndarray, total: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Generalised indices over a set of outputs: Σ partial variances / Σ variances (NaN if nothing moves)."""
    v = float(var.sum())
    if v <= 0:
        nan = np.full(first.shape[0], np.nan)
        return v, nan, nan
    return v, first.sum(axis=1) / v, total.sum(axis=1) / v


def sobol_indices(sums: dict[str, np.ndarray], tables: Tables, inputs: list[str], base: int) -> pl.DataFrame:
    """First-order and total indices of each input for each table's ranks, from the design sums of every entry
    accumulated over the ``base`` rows."""
    var, first, total = output_indices(sums, base)
    rows = []
    start = 0
    for name, size in zip(tables.names, tables.sizes, strict=True):
        part = slice(start, start + int(size))
        start += int(size)
        v, s1, st = pooled(var[part], first[:, part], total[:, part])
        for i, inp in enumerate(inputs):
            rows.append(
                {
                    "table": name,
                    "input": inp,
                    "first_order": float(s1[i]),
                    "total_order": float(st[i]),
                    "rank_variance": v,
                    "institutions": int(size),
                }
            )
    return pl.DataFrame(rows, schema=SOBOL_SCHEMA).with_columns(pl.col(pl.Float64).fill_nan(None))


def empty_sobol() -> pl.DataFrame:
    """The Sobol table of a run without a Saltelli design."""
    return pl.DataFrame(schema=SOBOL_SCHEMA)


def sobol_point(f, sample_a: np.ndarray, sample_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobol indices of a scalar function ``f`` of independent inputs (columns) from base samples A and B.

    A plain, generic use of the same estimators (for checks against analytic cases such as the Ishigami
    function): returns (first order, total order) per column."""
    n, d = sample_a.shape
    blocks = [sample_a, sample_b]
    for i in range(d):
        ab = sample_a.copy()
        ab[:, i] = sample_b[:, i]
        blocks.append(ab)
    design = np.stack(blocks, axis=1).reshape(-1, d)
    values = np.asarray(f(design), dtype=np.float64).reshape(1, -1)
    var, first, total = output_indices(design_sums(values, d), n)
    return first[:, 0] / var[0], total[:, 0] / var[0]
