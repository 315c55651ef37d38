"""The batched kernel: one block of runs from SDG scores to the score and rank of every table entry.

A run is a weighted sum of precomputed metric scores (one small matrix product per SDG, batched over runs),
a scaling, a best-k and a ranking, all on arrays of shape (entries, runs): each SDG's scores are computed for
its submitters only, straight into its table's entries, and the overall table reads its eligible submitters
there as a leading block of rows. Runs are grouped by their discrete choices so that each group
is a contiguous block of columns. The arithmetic is the build's, operation by operation, so that every run
equals a full rebuild with the same choices (the tests check it); without perturbation a run reuses the
build's own SDG score matrices and reproduces its ranks exactly.
"""

from __future__ import annotations

import itertools

import numpy as np

from impactrank.engine.scoring.scaling import SCALERS
from impactrank.engine.tables.averaging import published_scores
from impactrank.engine.tables.overall import N_SDGS
from impactrank.engine.uncertainty.field import Field
from impactrank.engine.uncertainty.ranks import rank_entries
from impactrank.engine.uncertainty.sampling import RunParams
from impactrank.engine.uncertainty.tables import Tables, table_slices


def sdg_values(fld: Field, tables: Tables, params: RunParams, out: np.ndarray) -> None:
    """Fill the SDG tables' entries of ``out`` (entries, runs) with their SDG scores: per SDG, its submitters only.

    Runs must come grouped by combination of discrete choices (see :func:`grouped`), so that each group is
    a contiguous block of columns."""
    bounds = np.flatnonzero(np.r_[True, params.combo[1:] != params.combo[:-1], True])
    sdgs = _table_sdgs(tables)
    parts = table_slices(tables)[1:]
    for a, b in itertools.pairwise(bounds):
        c = params.combo[a]
        if params.weights is None:
            for s, rows, part in zip(sdgs, tables.members[1:], parts, strict=True):
                out[part, a:b] = fld.exact[c][rows, s][:, None]
            continue
        w = params.weights[a:b] / 100.0
        matrices = fld.submitter_matrices[c]
        for s, part in zip(sdgs, parts, strict=True):
            np.matmul(matrices[s], w[:, fld.codes_by_sdg[s]].T, out=out[part, a:b])


def _table_sdgs(tables: Tables) -> list[int]:
    """The SDG column (0–16) of each SDG table (tables 1 …)."""
    return [int(name.removeprefix("sdg")) - 1 for name in tables.names[1:]]


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


def _linear(
    v: np.ndarray, shift: np.ndarray, span: np.ndarray, fallback: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """100 × (v − shift) / span, operation by operation as the scalers compute it, ``fallback`` where the span
    is not positive; v (rows, runs), the rest per run. Min–max is shift lo, span hi − lo (fallback 100); max is
    shift 0, span hi (fallback 0), since v − 0 is v exactly: runs of both scalers take one pass."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.subtract(v, shift, out=out)
        out *= 100.0
        out /= span
        if not (span > 0).all():
            np.copyto(out, fallback, where=~(span > 0))
        return out


def overall_scores(fld: Field, tables: Tables, values: np.ndarray, params: RunParams) -> np.ndarray:
    """Published overall scores of the eligible institutions (the first rows), shape (eligible, runs), from the
    SDG tables' entries of ``values``, with the same arithmetic as
    :func:`impactrank.engine.tables.overall.compute_overall` and, for an averaging methodology,
    :func:`impactrank.engine.tables.averaging.published_scores`."""
    rules = fld.methodology.overall
    n_el, r = fld.n_eligible, params.size
    req = rules.required_sdg - 1
    k = rules.best_k
    req_scaled = np.full((n_el, r), np.nan)
    groups = [(fld.scalers[i], np.flatnonzero(params.scaler == i)) for i in np.unique(params.scaler)]
    names = np.asarray(fld.scalers)[params.scaler]
    minmax, linear = names == "minmax", np.isin(names, ("minmax", "max"))
    fallback = np.where(minmax, 100.0, 0.0)
    whole_population = rules.scaling.population != "eligible"
    sdgs, parts = _table_sdgs(tables), table_slices(tables)[1:]
    # the eligible rows come first: a leading block of each table's members
    eligible_rows = [members[: int(np.searchsorted(members, n_el))] for members in tables.members[1:]]
    best = [rows for s, rows in zip(sdgs, eligible_rows, strict=True) if s != req and len(rows)]
    flat = np.empty((sum(len(rows) for rows in best), r))  # the scaled scores the best k come from, SDG by SDG
    start = 0
    for s, rows, part in zip(sdgs, eligible_rows, parts, strict=True):
        n_rows = len(rows)
        if not n_rows:
            continue
        v = values[part][:n_rows]
        pv = values[part] if whole_population else v
        lo, hi = pv.min(axis=0), pv.max(axis=0)
        shift, span = np.where(minmax, lo, 0.0), np.where(minmax, hi - lo, hi)
        target = None if s == req else flat[start : start + n_rows]
        if linear.all():
            scaled = _linear(v, shift, span, fallback, target)
        else:
            scaled = np.empty_like(v) if target is None else target
            for name, runs in groups:
                if name in ("minmax", "max"):
                    scaled[:, runs] = _linear(v[:, runs], shift[runs], span[runs], fallback[runs])
                elif name == "none":
                    scaled[:, runs] = v[:, runs]
                else:  # a scaler registered elsewhere: call it run by run on the whole matrix
                    for run in runs:
                        scaled[:, run] = _registered_scale(fld, name, _run_matrix(fld, tables, values, run))[rows, s]
        if s == req:
            req_scaled[rows] = scaled
        else:
            start += n_rows
    best_sum = _best_sum(flat, best, n_el, k)
    if params.required_weight is None:
        rw, bw = rules.required_weight, rules.best_weight
    else:
        rw = params.required_weight[None, :]
        bw = (100.0 - rw) / k
    single = np.multiply(rw, req_scaled, out=req_scaled)  # (rw · required + bw · best) / 100, in place
    single += np.multiply(bw, best_sum, out=best_sum)
    single /= 100.0
    return published_scores(fld.methodology, single, fld.previous[:n_el])


def _best_sum(flat: np.ndarray, rows: list[np.ndarray], n_el: int, k: int) -> np.ndarray:
    """Per eligible row and run, the sum of its k highest scaled SDG scores as compute_overall adds them;
    ``flat`` holds the scores of ``rows[0]``, then of ``rows[1]`` … (one SDG each, in SDG order).

    The top k are updated in place, score by score in each row's SDG order: rows are taken by their number of
    scores, most first, so that the j-th score of every row that has one is a gather into a leading block."""
    runs = flat.shape[1]
    inst = np.concatenate(rows) if rows else np.empty(0, np.int64)
    by_row = np.argsort(inst, kind="stable")  # the scores of each row together, in SDG order
    counts = np.bincount(inst, minlength=n_el)
    first = np.cumsum(counts) - counts
    order = np.argsort(-counts, kind="stable")  # the rows with most scores first
    ordered = counts[order]
    top = [np.full((n_el, runs), -np.inf) for _ in range(k)]
    tmp, scores = np.empty((n_el, runs)), np.empty((n_el, runs))
    for j in range(int(ordered[0]) if n_el else 0):
        c = int(np.count_nonzero(ordered > j))
        x = np.take(flat, by_row[first[order[:c]] + j], axis=0, out=scores[:c], mode="clip")  # unbuffered
        for i in range(min(j, k - 1), 0, -1):  # top i from the old top i and i − 1, as compute_overall's best k
            if i == j:  # top i is still −∞ in these rows: max(−∞, min(top i − 1, x)) is the min itself
                np.minimum(top[i - 1][:c], x, out=top[i][:c])
            else:
                np.minimum(top[i - 1][:c], x, out=tmp[:c])
                np.maximum(top[i][:c], tmp[:c], out=top[i][:c])
        np.maximum(top[0][:c], x, out=top[0][:c])
    if k < 8:  # numpy sums a short contiguous axis left to right, as compute_overall's sum does
        best_sum = top[0]
        for t in top[1:]:
            best_sum += t
    else:
        best_sum = np.stack(top, axis=-1).sum(axis=-1)
    undo = np.empty_like(order)
    undo[order] = np.arange(n_el)
    return best_sum[undo]


def _run_matrix(fld: Field, tables: Tables, values: np.ndarray, run: int) -> np.ndarray:
    """One run's SDG scores, institutions × 17, NaN where not submitted (what a registered scaler reads)."""
    matrix = np.full((fld.n, N_SDGS), np.nan)
    for s, rows, part in zip(_table_sdgs(tables), tables.members[1:], table_slices(tables)[1:], strict=True):
        matrix[rows, s] = values[part, run]
    return matrix


def _registered_scale(fld: Field, name: str, matrix: np.ndarray) -> np.ndarray:
    population = fld.eligible if fld.methodology.overall.scaling.population == "eligible" else np.ones(fld.n, bool)
    return SCALERS[name](matrix, population)[0]


def table_values(fld: Field, tables: Tables, params: RunParams) -> np.ndarray:
    """The full-precision score of every entry in every run, shape (entries, runs)."""
    values, undo = grouped_values(fld, tables, params)
    return values if undo is None else values[:, undo]


def grouped_values(
    fld: Field, tables: Tables, params: RunParams, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """As :func:`table_values` but with the runs grouped by discrete choices; column ``undo[i]`` holds run i
    (``undo`` None when the order is unchanged). ``out``: the (entries, runs) array to fill, e.g. the previous
    chunk's (fresh pages of many megabytes cost more than the arithmetic written into them)."""
    params, undo = grouped(params)
    out = np.empty((tables.n_entries, params.size)) if out is None else out
    sdg_values(fld, tables, params, out)
    out[: tables.sizes[0]] = overall_scores(fld, tables, out, params)
    return out, (None if (undo == np.arange(len(undo))).all() else undo)


def table_ranks(fld: Field, tables: Tables, values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Competition ranks within each table under the methodology's tie rule, shape (entries, runs), into
    ``out`` (int32) when given."""
    return rank_entries(values, tables, fld.methodology.ranking, out)
