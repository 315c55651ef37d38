"""The batched kernel: one block of runs from SDG scores to the score and rank of every table entry.

A run is a weighted sum of precomputed metric scores (one small matrix product per SDG, batched over runs),
a scaling, a best-k and a ranking, all on arrays of shape (institutions, runs): institution-major, so that
picking the submitters of an SDG copies rows. Runs are grouped by their discrete choices so that each group
is a contiguous block of columns. The arithmetic is the build's, operation by operation, so that every run
equals a full rebuild with the same choices (the tests check it); without perturbation a run reuses the
build's own SDG score matrices and reproduces its ranks exactly.
"""

from __future__ import annotations

import itertools

import numpy as np

from impactrank.engine.averaging import published_scores
from impactrank.engine.overall import N_SDGS
from impactrank.engine.scaling import SCALERS
from impactrank.engine.uncertainty.field import Field
from impactrank.engine.uncertainty.ranks import rank_entries
from impactrank.engine.uncertainty.sampling import RunParams
from impactrank.engine.uncertainty.tables import Tables, table_slices


def sdg_matrix(fld: Field, params: RunParams) -> np.ndarray:
    """SDG scores, shape (17, institutions, runs); only submitted cells are meaningful.

    Runs must come grouped by combination of discrete choices (see :func:`grouped`), so that each group is
    a contiguous block of columns."""
    r, n = params.size, fld.n
    x = np.empty((N_SDGS, n, r))
    bounds = np.flatnonzero(np.r_[True, params.combo[1:] != params.combo[:-1], True])
    for a, b in itertools.pairwise(bounds):
        c = params.combo[a]
        if params.weights is None:
            x[:, :, a:b] = fld.exact[c].T[:, :, None]
            continue
        w = params.weights[a:b] / 100.0
        for s in range(N_SDGS):
            codes = fld.codes_by_sdg[s]
            if len(codes):
                np.matmul(fld.metric_matrices[c][s], w[:, codes].T, out=x[s, :, a:b])
    return x


def grouped(params: RunParams) -> tuple[RunParams, np.ndarray]:
    """The runs reordered so that equal discrete choices are contiguous, and the order that undoes it."""
    order = np.lexsort((params.scaler, params.combo))
    undo = np.empty_like(order)
    undo[order] = np.arange(len(order))
    return RunParams(
        weights=None if params.weights is None else params.weights[order],
        required_weight=None if params.required_weight is None else params.required_weight[order],
        combo=params.combo[order],
        scaler=params.scaler[order],
        size=params.size,
    ), undo


BATCHED_SCALERS = ("minmax", "max", "none")


def _scaled(name: str, v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The registered scalers' arithmetic, batched: v (rows, runs), extremes per run."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if name == "minmax":  # 100 × (v − lo) / span, operation by operation as the scaler computes it
            span = hi - lo
            out = np.subtract(v, lo)
            out *= 100.0
            out /= span
            return out if (span > 0).all() else np.where(span > 0, out, 100.0)
        if name == "max":
            out = np.multiply(v, 100.0)
            out /= hi
            return out if (hi > 0).all() else np.where(hi > 0, out, 0.0)
        if name == "none":
            return v
    raise KeyError(name)


def overall_scores(fld: Field, x: np.ndarray, params: RunParams) -> np.ndarray:
    """Published overall scores of the eligible institutions (the first rows), shape (eligible, runs), with the
    same arithmetic as :func:`impactrank.engine.overall.compute_overall` and, for an averaging methodology,
    :func:`impactrank.engine.averaging.published_scores`."""
    rules = fld.methodology.overall
    n_el, r = fld.n_eligible, params.size
    req = rules.required_sdg - 1
    k = rules.best_k
    top = [np.full((n_el, r), -np.inf) for _ in range(k)]
    req_scaled = np.full((n_el, r), np.nan)
    groups = [(fld.scalers[i], np.flatnonzero(params.scaler == i)) for i in np.unique(params.scaler)]
    groups = [
        (name, slice(int(runs[0]), int(runs[-1]) + 1) if len(runs) == runs[-1] - runs[0] + 1 else runs)
        for name, runs in groups
    ]
    for s in range(N_SDGS):
        rows = fld.eligible_submitters[s]
        if not len(rows):
            continue
        pop = fld.population[s]
        v = x[s][rows]
        pv = v if len(pop) == len(rows) else x[s][pop]  # the population is the eligible submitters, or all
        lo, hi = pv.min(axis=0), pv.max(axis=0)
        if len(groups) == 1 and groups[0][0] in BATCHED_SCALERS:
            scaled = _scaled(groups[0][0], v, lo, hi)
        else:
            scaled = np.empty_like(v)
            for name, runs in groups:
                if name in BATCHED_SCALERS:
                    scaled[:, runs] = _scaled(name, v[:, runs], lo[runs], hi[runs])
                else:  # a scaler registered elsewhere: call it run by run on the whole matrix
                    for run in np.arange(r)[runs]:
                        scaled[:, run] = _registered_scale(fld, name, x[:, :, run])[rows, s]
        if s == req:
            req_scaled[rows] = scaled
            continue
        old = [t[rows] for t in top]
        for j in range(k - 1, 0, -1):
            top[j][rows] = np.maximum(old[j], np.minimum(old[j - 1], scaled))
        top[0][rows] = np.maximum(old[0], scaled)
    if k < 8:  # numpy sums a short contiguous axis left to right, as compute_overall's sum does
        best_sum = top[0]
        for t in top[1:]:
            best_sum = best_sum + t
    else:
        best_sum = np.stack(top, axis=-1).sum(axis=-1)
    if params.required_weight is None:
        rw, bw = rules.required_weight, rules.best_weight
    else:
        rw = params.required_weight[None, :]
        bw = (100.0 - rw) / k
    single = (rw * req_scaled + bw * best_sum) / 100.0
    return published_scores(fld.methodology, single, fld.previous[:n_el])


def _registered_scale(fld: Field, name: str, matrix_t: np.ndarray) -> np.ndarray:
    matrix = np.where(fld.submitted, matrix_t.T, np.nan)
    population = fld.eligible if fld.methodology.overall.scaling.population == "eligible" else np.ones(fld.n, bool)
    return SCALERS[name](matrix, population)[0]


def table_values(fld: Field, tables: Tables, params: RunParams) -> np.ndarray:
    """The full-precision score of every entry in every run, shape (entries, runs)."""
    values, undo = grouped_values(fld, tables, params)
    return values if undo is None else values[:, undo]


def grouped_values(fld: Field, tables: Tables, params: RunParams) -> tuple[np.ndarray, np.ndarray | None]:
    """As :func:`table_values` but with the runs grouped by discrete choices; column ``undo[i]`` holds run i
    (``undo`` None when the order is unchanged)."""
    params, undo = grouped(params)
    x = sdg_matrix(fld, params)
    out = np.empty((tables.n_entries, params.size))
    out[: tables.sizes[0]] = overall_scores(fld, x, params)
    for name, rows, part in zip(tables.names[1:], tables.members[1:], table_slices(tables)[1:], strict=True):
        np.take(x[int(name.removeprefix("sdg")) - 1], rows, axis=0, out=out[part])
    return out, (None if (undo == np.arange(len(undo))).all() else undo)


def table_ranks(fld: Field, tables: Tables, values: np.ndarray) -> np.ndarray:
    """Competition ranks within each table under the methodology's tie rule, shape (entries, runs)."""
    return rank_entries(values, tables, fld.methodology.ranking)
