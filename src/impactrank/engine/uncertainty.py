"""Rank uncertainty: Monte Carlo over the declared uncertain inputs of a build, vectorised over runs.

COINr reruns the whole build for each replication. Here the expensive, discrete part is done once: the
metric scores under every combination of normalisation × evidence scoring × missing-data rule the
declaration allows (a few dozen institutions × metrics matrices). A replication is then a weighted sum
(one small matrix product per SDG, batched over runs), a scaling, a best-k and a ranking, all on arrays of
shape (runs × institutions), in chunks of runs that bound memory.

Nothing about one run is kept: each chunk adds to integer histograms of the ranks of every (table,
institution) entry and to the integer sums the Sobol estimators need (:mod:`impactrank.engine.sensitivity`).
Integer sums do not depend on the order of addition, so a run split over a Dask cluster gives the same
bytes as one process.

Without perturbation (or with no uncertain input declared) a run reuses the SDG score matrices computed by
the build's own code path, so every run reproduces the build's ranks exactly.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import polars as pl

from impactrank.engine.averaging import previous_table, previous_terms, published_scores
from impactrank.engine.edition import RANK_UNCERTAINTY_SCHEMA, Edition, conform
from impactrank.engine.evidence import EVIDENCE_SCORERS
from impactrank.engine.metrics import (
    ScoringChoices,
    encode,
    metric_catalogue,
    metric_grid,
    score_metrics,
    sdg_scores,
)
from impactrank.engine.missing import MISSING_RULES
from impactrank.engine.normalise import NORMALISERS
from impactrank.engine.overall import N_SDGS, eligibility, score_matrix
from impactrank.engine.ranking import TIE_RULES
from impactrank.engine.scaling import SCALERS
from impactrank.errors import InputError
from impactrank.methodology.schema import Band, Banding, Methodology, Ranking

NOMINAL = "nominal"
"""Normalisation choice meaning "each metric's own normalisation, as the methodology says"."""

INPUT_ORDER = ("weights", "overall_weights", "normalisation", "evidence", "missing", "scaling")
"""Canonical order of the uncertain inputs: sampling and the Sobol design follow it."""


# --------------------------------------------------------------------------------------------------------------
# Declaration of uncertain inputs (engine side; impactrank.io.uncertainty_config reads it from YAML)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricWeights:
    """Metric weights within each SDG, renormalised to sum to 100 after perturbation.

    ``uniform``: each weight × U(1 − spread, 1 + spread). ``dirichlet``: the SDG's weights drawn from a
    Dirichlet distribution with mean at the nominal weights and total concentration ``concentration`` × the
    number of metrics (larger = tighter).
    """

    distribution: Literal["uniform", "dirichlet"] = "uniform"
    spread: float = 0.25
    concentration: float = 50.0


@dataclass(frozen=True)
class OverallWeights:
    """The required SDG's weight × U(1 − spread, 1 + spread); the best-k weights share the rest of 100."""

    spread: float = 0.1


@dataclass(frozen=True)
class Choice:
    """A method picked at random among named options (uniformly unless probabilities are given)."""

    options: tuple[str, ...]
    probabilities: tuple[float, ...] | None = None

    def cumulative(self) -> np.ndarray:
        p = (
            np.full(len(self.options), 1.0 / len(self.options))
            if self.probabilities is None
            else np.asarray(self.probabilities, dtype=np.float64)
        )
        c = np.cumsum(p / p.sum())
        c[-1] = 1.0
        return c


@dataclass(frozen=True)
class UncertaintySpec:
    weights: MetricWeights | None = None
    overall_weights: OverallWeights | None = None
    normalisation: Choice | None = None
    evidence: Choice | None = None
    missing: Choice | None = None
    scaling: Choice | None = None
    sobol: bool = True

    @property
    def inputs(self) -> list[str]:
        """The declared inputs, in canonical order."""
        return [name for name in INPUT_ORDER if getattr(self, name) is not None]

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sobol": self.sobol}
        for name in self.inputs:
            value = getattr(self, name)
            out[name] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in value.__dict__.items()}
        return out


def check_spec(spec: UncertaintySpec) -> None:
    """Every named method must exist; raise ValueError naming the input otherwise."""
    registries = {
        "normalisation": NORMALISERS,
        "evidence": EVIDENCE_SCORERS,
        "missing": MISSING_RULES,
        "scaling": SCALERS,
    }
    for name, registry in registries.items():
        choice = getattr(spec, name)
        if choice is None:
            continue
        for option in choice.options:
            if option not in registry and not (name == "normalisation" and option == NOMINAL):
                raise ValueError(f"{name}: unknown {registry.kind} method {option!r} (known: {', '.join(registry)})")


# --------------------------------------------------------------------------------------------------------------
# The precomputed field
# --------------------------------------------------------------------------------------------------------------

Combo = tuple[str, str, str]  # (normalisation or "nominal", evidence scorer, missing rule)


@dataclass
class Field:
    """Everything a replication needs, computed once from the validated inputs."""

    methodology: Methodology
    ids: np.ndarray  # institution ids: the overall-eligible first, each part sorted by id
    names: np.ndarray
    metric_sdg: np.ndarray  # SDG column (0–16) of each metric code
    nominal_weights: np.ndarray  # per metric code
    codes_by_sdg: list[np.ndarray]  # metric codes of each SDG column
    submitted: np.ndarray  # institutions × 17
    eligible: np.ndarray
    combos: list[Combo]
    nominal_combo: int
    metric_matrices: list[list[np.ndarray]]  # [combo][sdg] → institutions × the SDG's metrics: scores
    exact: list[np.ndarray]  # [combo] → institutions × 17 SDG scores via the build's own code path
    scalers: tuple[str, ...]
    nominal_scaler: int
    previous: np.ndarray  # institutions × previous years: single-year scores an averaging methodology needs

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def n_eligible(self) -> int:
        return int(self.eligible.sum())

    @property
    def eligible_submitters(self) -> list[np.ndarray]:
        """Per SDG, the eligible rows that submitted it."""
        el = self.eligible[:, None] & self.submitted
        return [np.flatnonzero(el[:, s]) for s in range(N_SDGS)]

    @property
    def population(self) -> list[np.ndarray]:
        """Per SDG, the rows whose scores set the scaling extremes."""
        mask = self.submitted & (
            self.eligible[:, None] if self.methodology.overall.scaling.population == "eligible" else True
        )
        return [np.flatnonzero(mask[:, s]) for s in range(N_SDGS)]


def encoded_submissions(submissions: pl.DataFrame, ids: pl.Series, catalogue: pl.DataFrame) -> pl.DataFrame:
    """Submissions with ``inst`` and ``code`` as the build encodes them (io.inputs already does)."""
    if {"inst", "code"} <= set(submissions.columns):
        return submissions
    return encode(submissions, ids, catalogue)


def prepare_field(
    methodology: Methodology,
    institutions: pl.DataFrame,
    submissions: pl.DataFrame,
    spec: UncertaintySpec,
    previous: pl.DataFrame | None = None,
) -> Field:
    """Score the metrics once under every combination of discrete choices the declaration allows.

    ``previous``: the previous single-year scores an averaging methodology needs; they are not perturbed."""
    check_spec(spec)
    previous = previous_table(methodology, previous)
    catalogue = metric_catalogue(methodology)
    institutions = institutions.sort("institution_id")
    ids, names = institutions["institution_id"], institutions["name"]
    grid = metric_grid(encoded_submissions(submissions, ids, catalogue), catalogue)
    n, k = len(ids), catalogue.height
    row = grid["inst"].to_numpy().astype(np.int64)
    code = grid["code"].to_numpy()

    metric_sdg = catalogue["sdg"].to_numpy() - 1
    codes_by_sdg = [np.flatnonzero(metric_sdg == s) for s in range(N_SDGS)]

    nominal = (NOMINAL, "rubric", methodology.missing_rule)
    norms = spec.normalisation.options if spec.normalisation else (NOMINAL,)
    evids = spec.evidence.options if spec.evidence else ("rubric",)
    misss = spec.missing.options if spec.missing else (methodology.missing_rule,)
    combos: list[Combo] = [(a, b, c) for a in norms for b in evids for c in misss]
    if nominal not in combos:
        combos.append(nominal)

    denses, exact = [], []
    for norm, evid, miss in combos:
        choices = ScoringChoices(normalisation=None if norm == NOMINAL else norm, evidence=evid, missing=miss)
        scored = score_metrics(grid, catalogue, methodology, choices)
        dense = np.zeros((n, k))
        dense[row, code] = scored["score"].to_numpy()
        denses.append(dense)
        exact.append(score_matrix(sdg_scores(scored), n))
    eligible = eligibility(exact[0], methodology.overall)
    order = np.concatenate([np.flatnonzero(eligible), np.flatnonzero(~eligible)])  # eligible rows first
    matrices = [[np.ascontiguousarray(d[order][:, codes_by_sdg[s]]) for s in range(N_SDGS)] for d in denses]
    scalers = spec.scaling.options if spec.scaling else (methodology.overall.scaling.method,)
    nominal_scaling = methodology.overall.scaling.method
    if nominal_scaling not in scalers:
        scalers = (*scalers, nominal_scaling)
    return Field(
        methodology=methodology,
        ids=ids.to_numpy()[order],
        names=names.to_numpy()[order],
        metric_sdg=metric_sdg,
        nominal_weights=catalogue["weight"].to_numpy().astype(np.float64),
        codes_by_sdg=codes_by_sdg,
        submitted=~np.isnan(exact[0][order]),
        eligible=eligible[order],
        combos=combos,
        nominal_combo=combos.index(nominal),
        metric_matrices=matrices,
        exact=[e[order] for e in exact],
        scalers=tuple(scalers),
        nominal_scaler=tuple(scalers).index(nominal_scaling),
        previous=previous_terms(methodology, ids, previous)[order],
    )


# --------------------------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Samples:
    """Per-input draws for the base matrices A and B (B is None without a Sobol design).

    weights: (N, metrics) or None; required_weight: (N,) or None; combo: (N,) int; scaler: (N,) int.
    Each input's draws are kept separately so that the Sobol design can swap one input at a time.
    """

    a: dict[str, np.ndarray]
    b: dict[str, np.ndarray] | None
    size: int


def draw_samples(fld: Field, spec: UncertaintySpec, size: int, rng: np.random.Generator, sobol: bool) -> Samples:
    """Draw A (and B) for every declared input, input by input in canonical order."""

    def one(name: str) -> np.ndarray:
        value = getattr(spec, name)
        if name == "weights":
            return _draw_weights(fld, value, size, rng)
        if name == "overall_weights":
            nominal = fld.methodology.overall.required_weight
            return nominal * rng.uniform(1.0 - value.spread, 1.0 + value.spread, size)
        return np.searchsorted(value.cumulative(), rng.random(size), side="right").clip(0, len(value.options) - 1)

    a: dict[str, np.ndarray] = {}
    b: dict[str, np.ndarray] | None = {} if sobol else None
    for name in spec.inputs:
        a[name] = one(name)
        if b is not None:
            b[name] = one(name)
    return Samples(a, b, size)


def _draw_weights(fld: Field, value: MetricWeights, size: int, rng: np.random.Generator) -> np.ndarray:
    w0 = fld.nominal_weights
    if value.distribution == "uniform":
        w = w0[None, :] * rng.uniform(1.0 - value.spread, 1.0 + value.spread, (size, len(w0)))
    else:
        counts = np.bincount(fld.metric_sdg, minlength=N_SDGS)[fld.metric_sdg]
        alpha = value.concentration * counts * w0 / 100.0
        w = rng.gamma(np.broadcast_to(alpha, (size, len(w0))))
    totals = np.zeros((size, N_SDGS))
    for s in range(N_SDGS):
        codes = fld.codes_by_sdg[s]
        if len(codes):
            totals[:, s] = w[:, codes].sum(axis=1)
    out = 100.0 * w / totals[:, fld.metric_sdg]
    counts = np.bincount(fld.metric_sdg, minlength=N_SDGS)[fld.metric_sdg]
    out[:, counts == 1] = w0[counts == 1]  # a lone metric keeps its weight exactly (100 · w / w may not be 100)
    return out


@dataclass
class RunParams:
    """Parameters of a batch of runs: None means nominal for every run."""

    weights: np.ndarray | None  # (R, metrics)
    required_weight: np.ndarray | None  # (R,)
    combo: np.ndarray  # (R,) index into Field.combos
    scaler: np.ndarray  # (R,) index into Field.scalers
    size: int


def _combo_index(fld: Field, spec: UncertaintySpec, draws: dict[str, np.ndarray], size: int) -> np.ndarray:
    nominal = fld.combos[fld.nominal_combo]
    parts = []
    for pos, name in enumerate(("normalisation", "evidence", "missing")):
        choice = getattr(spec, name)
        if choice is None:
            parts.append(np.full(size, nominal[pos], dtype=object))
        else:
            parts.append(np.asarray(choice.options, dtype=object)[draws[name]])
    lookup = {c: i for i, c in enumerate(fld.combos)}
    return np.fromiter((lookup[(a, b, c)] for a, b, c in zip(*parts, strict=True)), dtype=np.int64, count=size)


def run_params(fld: Field, spec: UncertaintySpec, draws: dict[str, np.ndarray], size: int) -> RunParams:
    if spec.scaling is None:
        scaler = np.full(size, fld.nominal_scaler)
    else:
        scaler = np.asarray([fld.scalers.index(o) for o in spec.scaling.options])[draws["scaling"]]
    return RunParams(
        weights=draws.get("weights"),
        required_weight=draws.get("overall_weights"),
        combo=_combo_index(fld, spec, draws, size),
        scaler=scaler,
        size=size,
    )


def nominal_params(fld: Field, size: int = 1) -> RunParams:
    return RunParams(None, None, np.full(size, fld.nominal_combo), np.full(size, fld.nominal_scaler), size)


def design_block(samples: Samples, inputs: Sequence[str], start: int, stop: int) -> dict[str, np.ndarray]:
    """Draws for base rows [start, stop) laid out run by run: per base row, A, then (with a Sobol design) B
    and A with input i taken from B (AB_i), for each input in order."""
    a = {k: v[start:stop] for k, v in samples.a.items()}
    if samples.b is None:
        return a
    b = {k: v[start:stop] for k, v in samples.b.items()}
    variants = [a, b] + [{k: (b[k] if k == name else a[k]) for k in a} for name in inputs]
    out = {}
    for k in a:
        stacked = np.stack([v[k] for v in variants], axis=1)  # (rows, d + 2, ...)
        out[k] = stacked.reshape(-1, *stacked.shape[2:])
    return out


# --------------------------------------------------------------------------------------------------------------
# One batch of runs: SDG scores → scaling → best k → overall → ranks of every table
# Arrays are institution-major, (institutions, runs), so that picking the submitters of an SDG copies rows.
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Tables:
    """The ranked tables as one flat list of entries: table 0 is the overall table, then one per SDG."""

    names: list[str]  # "overall", "sdg1", …
    sizes: np.ndarray  # institutions per table
    banding: list[Banding]
    entry_table: np.ndarray  # table of each entry
    entry_row: np.ndarray  # institution row of each entry
    members: list[np.ndarray]  # institution rows of each table, in entry order

    @property
    def n_entries(self) -> int:
        return len(self.entry_table)


def field_tables(fld: Field) -> Tables:
    m = fld.methodology
    names, members, banding = ["overall"], [np.flatnonzero(fld.eligible)], [m.overall.banding]
    for s in range(N_SDGS):
        rows = np.flatnonzero(fld.submitted[:, s])
        if len(rows):
            names.append(f"sdg{s + 1}")
            members.append(rows)
            banding.append(m.sdg_tables)
    sizes = np.array([len(r) for r in members], dtype=np.int64)
    return Tables(
        names=names,
        sizes=sizes,
        banding=banding,
        entry_table=np.repeat(np.arange(len(names)), sizes),
        entry_row=np.concatenate(members) if members else np.empty(0, np.int64),
        members=members,
    )


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
    for name, rows, part in zip(tables.names[1:], tables.members[1:], _table_slices(tables)[1:], strict=True):
        np.take(x[int(name.removeprefix("sdg")) - 1], rows, axis=0, out=out[part])
    return out, (None if (undo == np.arange(len(undo))).all() else undo)


def table_ranks(fld: Field, tables: Tables, values: np.ndarray) -> np.ndarray:
    """Competition ranks within each table under the methodology's tie rule, shape (entries, runs)."""
    return rank_entries(values, tables, fld.methodology.ranking)


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
    for rows in _table_slices(tables):
        for r in range(values.shape[1]):
            neg = -np.asarray(TIE_RULES[ranking.tie_rule](values[rows, r], keys[rows, r]))
            out[rows, r] = np.searchsorted(np.sort(neg), neg, side="left") + 1
    return out


def _table_slices(tables: Tables) -> list[slice]:
    ends = np.cumsum(tables.sizes)
    return [slice(int(e - s), int(e)) for s, e in zip(tables.sizes, ends, strict=True)]


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
    for rows in _table_slices(tables):
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


# --------------------------------------------------------------------------------------------------------------
# Accumulation over runs
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Accumulator:
    """Integer-valued sums over runs: rank histograms per entry and the Sobol design sums per entry."""

    hist: np.ndarray  # flat: per entry, counts of ranks 0..size (rank 0 never occurs)
    offsets: np.ndarray  # start of each entry's histogram in ``hist``
    runs: int = 0
    n_inputs: int = 0
    sobol: dict[str, np.ndarray] = field(default_factory=dict)  # see impactrank.engine.sensitivity

    def push(self, cells: np.ndarray) -> None:
        """Count histogram cells (int64): add.at's fast path beats bincount over the whole histogram."""
        np.add.at(self.hist, cells.ravel(), 1)

    def add(self, other: Accumulator) -> None:
        self.hist += other.hist
        self.runs += other.runs
        for k, v in other.sobol.items():
            self.sobol[k] = self.sobol[k] + v if k in self.sobol else v.copy()


def new_accumulator(tables: Tables, n_inputs: int) -> Accumulator:
    per_entry = tables.sizes[tables.entry_table] + 1
    offsets = np.concatenate([[0], np.cumsum(per_entry)[:-1]]).astype(np.int64)
    return Accumulator(hist=np.zeros(int(per_entry.sum()), dtype=np.int64), offsets=offsets, n_inputs=n_inputs)


def accumulate(acc: Accumulator, ranks: np.ndarray, sobol_design: bool, undo: np.ndarray | None = None) -> None:
    """Add a batch of ranks, shape (entries, runs); column ``undo[i]`` is run i of the design (None: in order)."""
    if sobol_design and acc.n_inputs:
        from impactrank.engine.sensitivity import design_sums

        for k, v in design_sums(ranks, acc.n_inputs, undo).items():
            acc.sobol[k] = acc.sobol[k] + v if k in acc.sobol else v
    acc.push(np.add(ranks, acc.offsets[:, None], dtype=np.int64))
    acc.runs += ranks.shape[1]


def simulate_blocks(
    fld: Field,
    spec: UncertaintySpec,
    tables: Tables,
    samples: Samples,
    start: int,
    stop: int,
    chunk_rows: int,
    progress: Callable[[int], None] | None = None,
) -> Accumulator:
    """Evaluate base rows [start, stop) of the design and return their accumulated statistics."""
    inputs = spec.inputs
    sobol = samples.b is not None
    per_row = len(inputs) + 2 if sobol else 1
    acc = new_accumulator(tables, len(inputs) if sobol else 0)
    for lo in range(start, stop, chunk_rows):
        hi = min(stop, lo + chunk_rows)
        draws = design_block(samples, inputs, lo, hi)
        params = run_params(fld, spec, draws, (hi - lo) * per_row)
        values, undo = grouped_values(fld, tables, params)
        accumulate(acc, table_ranks(fld, tables, values), sobol, undo)
        if progress is not None:
            progress((hi - lo) * per_row)
    return acc


# --------------------------------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------------------------------


def _band_segments(banding: Banding, size: int) -> list[tuple[str, int, int]]:
    """(label, first position, last position) of the individual ranks and of each band, within ``size``."""
    segments = []
    if banding.individual_to >= 1:
        segments.append((f"1–{banding.individual_to}", 1, min(banding.individual_to, size)))
    for band in banding.bands:
        if band.start > size:
            break
        segments.append((band.label, band.start, size if band.end is None else min(band.end, size)))
    if banding.table_end == "open_last_band" and segments and segments[-1][1] > banding.individual_to:
        _, start, end = segments[-1]  # the band holding the table's last row is shown open-ended
        segments[-1] = (f"{start}+", start, end)
    if not segments:
        segments.append((f"1–{size}", 1, size))
    return segments


def band_label(banding: Banding, position: int) -> str:
    """The label of the band (or of the individually ranked range) a rank position falls in."""
    for label, lo, hi in _band_segments(banding, max(position, 1)):
        if lo <= position <= hi:
            return label
    return str(position)


def _percentile_from_hist(cum: np.ndarray, total: int, q: float) -> np.ndarray:
    """np.percentile's default (linear) method, from cumulative counts per row over ranks 0..size."""
    h = (total - 1) * q
    j0 = math.floor(h)
    j1 = min(j0 + 1, total - 1)
    v0 = np.argmax(cum > j0, axis=1)
    v1 = np.argmax(cum > j1, axis=1)
    return v0 + (h - j0) * (v1 - v0)


def summarise(ids: np.ndarray, tables: Tables, acc: Accumulator, nominal: np.ndarray) -> pl.DataFrame:
    """The rank_uncertainty table: one row per (table, institution), tables in order, institutions by
    nominal rank then id."""
    frames = []
    for t, rows in enumerate(_table_slices(tables)):
        size = int(tables.sizes[t])
        if size == 0:  # an empty table (nobody eligible for the overall table) has no ranks to report
            continue
        entries = np.arange(rows.start, rows.stop)
        block = acc.hist[acc.offsets[entries][:, None] + np.arange(size + 1)[None, :]]
        cum = np.cumsum(block, axis=1)
        total = acc.runs
        segments = _band_segments(tables.banding[t], size)
        labels = [label for label, _, _ in segments]
        in_band = np.add.reduceat(block, [lo for _, lo, _ in segments], axis=1)
        in_band[:, -1] = block[:, segments[-1][1] : segments[-1][2] + 1].sum(axis=1)
        probs = [
            json.dumps(
                {k: round(int(v) / total, 6) for k, v in zip(labels, counts, strict=True) if v}, ensure_ascii=False
            )
            for counts in in_band
        ]
        frames.append(
            pl.DataFrame(
                {
                    "institution_id": ids[tables.entry_row[entries]],
                    "table": tables.names[t],
                    "nominal_rank": nominal[entries],
                    "median_rank": _percentile_from_hist(cum, total, 0.5).astype(np.float64),
                    "rank_p05": _percentile_from_hist(cum, total, 0.05).astype(np.float64),
                    "rank_p95": _percentile_from_hist(cum, total, 0.95).astype(np.float64),
                    "band_probabilities": probs,
                    "runs": np.full(len(entries), total, dtype=np.int64),
                }
            ).sort("nominal_rank", "institution_id")
        )
    return conform(pl.concat(frames) if frames else pl.DataFrame(), RANK_UNCERTAINTY_SCHEMA)


@dataclass(frozen=True)
class UncertaintyResult:
    table: pl.DataFrame  # RANK_UNCERTAINTY_SCHEMA
    sobol: pl.DataFrame  # table, input, first_order, total_order, variance, institutions
    runs: int
    base_rows: int
    seed: int
    inputs: list[str]
    spec: UncertaintySpec
    nominal_matches_build: bool | None = None

    def manifest(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "base_rows": self.base_rows,
            "seed": self.seed,
            "inputs": self.spec.describe(),
            "design": "saltelli" if (self.spec.sobol and self.inputs) else "random",
            "sobol_output": "competition rank position; indices pool the institutions of a table: "
            "sum over institutions of partial variances / sum of rank variances",
            "percentiles": "numpy linear method over all runs of the design",
        }


Executor = Callable[
    [Field, UncertaintySpec, Tables, Samples, list[tuple[int, int]], int, Callable[[int], None] | None],
    list[Accumulator],
]
"""Runs base-row ranges (possibly elsewhere, e.g. on a Dask cluster) and returns their accumulators in order."""


def slice_samples(samples: Samples, start: int, stop: int) -> Samples:
    """The draws of base rows [start, stop) only (what a remote worker needs)."""
    return Samples(
        {k: v[start:stop] for k, v in samples.a.items()},
        None if samples.b is None else {k: v[start:stop] for k, v in samples.b.items()},
        stop - start,
    )


def _simulate_part(fld: Field, spec: UncertaintySpec, tables: Tables, part: Samples, chunk_rows: int) -> Accumulator:
    return simulate_blocks(fld, spec, tables, part, 0, part.size, chunk_rows)


def thread_executor(threads: int) -> Executor:
    """Run the base-row ranges on a pool of threads in this process."""

    def run(fld, spec, tables, samples, ranges, chunk_rows, progress=None):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            jobs = [
                pool.submit(simulate_blocks, fld, spec, tables, samples, a, b, chunk_rows, progress) for a, b in ranges
            ]
            return [job.result() for job in jobs]

    return run


def dask_executor(address: str | None = None, workers: int = 2, processes: bool = True) -> Executor:
    """Spread the base rows over a Dask cluster: an existing scheduler at ``address``, or a local cluster of
    ``workers`` workers. Partial results are integer sums, so the result is the same as in one process."""

    def run(fld, spec, tables, samples, ranges, chunk_rows, progress=None):
        from distributed import Client, LocalCluster, as_completed

        cluster = (
            None
            if address
            else LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None)
        )
        try:
            with Client(address or cluster) as client:
                shared = client.scatter([fld, spec, tables], broadcast=True)
                futures = [
                    client.submit(_simulate_part, *shared, slice_samples(samples, a, b), chunk_rows, pure=False)
                    for a, b in ranges
                ]
                per_row = (len(spec.inputs) + 2) if samples.b is not None else 1
                size = {f.key: (b - a) * per_row for f, (a, b) in zip(futures, ranges, strict=True)}
                for future in as_completed(futures):
                    if progress is not None:
                        progress(size[future.key])
                return client.gather(futures)
        finally:
            if cluster is not None:
                cluster.close()

    return run


def run_uncertainty(
    fld: Field,
    spec: UncertaintySpec,
    runs: int,
    seed: int,
    *,
    chunk_runs: int = 256,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    partitions: int = 1,
    threads: int = 1,
) -> UncertaintyResult:
    """Monte Carlo over ``spec``: ``runs`` model evaluations (rounded up to whole Saltelli blocks of
    d + 2 evaluations when a Sobol design is used).

    The base rows are split into ``partitions`` ranges, run in this process (on ``threads`` threads: numpy
    releases the GIL) or by ``executor`` (e.g. :func:`dask_executor`). Chunks of about ``chunk_runs`` runs
    bound memory (small chunks stay in cache). None of these change the result."""
    from impactrank.engine.sensitivity import sobol_indices

    if runs < 2:
        raise ValueError("at least 2 runs are needed")
    inputs = spec.inputs
    sobol = spec.sobol and bool(inputs)
    per_row = len(inputs) + 2 if sobol else 1
    base = max(2, math.ceil(runs / per_row)) if sobol else runs
    rng = np.random.default_rng(seed)
    samples = draw_samples(fld, spec, base, rng, sobol)
    tables = field_tables(fld)
    nominal = table_ranks(fld, tables, table_values(fld, tables, nominal_params(fld)))[:, 0]
    chunk_rows = max(1, chunk_runs // per_row)
    partitions = max(partitions, threads)
    bounds = np.linspace(0, base, max(1, min(partitions, base)) + 1).round().astype(int)
    ranges = [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]
    if executor is None and threads > 1:
        executor = thread_executor(threads)
    if executor is None:
        parts = [simulate_blocks(fld, spec, tables, samples, a, b, chunk_rows, progress) for a, b in ranges]
    else:
        parts = executor(fld, spec, tables, samples, ranges, chunk_rows, progress)
    acc = new_accumulator(tables, len(inputs) if sobol else 0)
    for part in parts:
        acc.add(part)
    table = summarise(fld.ids, tables, acc, nominal)
    indices = sobol_indices(acc, tables, inputs, base) if sobol else _empty_sobol()
    return UncertaintyResult(table, indices, acc.runs, base, seed, inputs, spec)


def _empty_sobol() -> pl.DataFrame:
    from impactrank.engine.sensitivity import SOBOL_SCHEMA

    return pl.DataFrame(schema=SOBOL_SCHEMA)


def uncertainty(
    methodology: Methodology,
    institutions: pl.DataFrame,
    submissions: pl.DataFrame,
    spec: UncertaintySpec,
    runs: int,
    seed: int,
    previous: pl.DataFrame | None = None,
    **kwargs: Any,
) -> UncertaintyResult:
    """Prepare the field and run the Monte Carlo (see :func:`run_uncertainty` for the options)."""
    fld = prepare_field(methodology, institutions, submissions, spec, previous)
    return run_uncertainty(fld, spec, runs, seed, **kwargs)


def check_nominal(result: UncertaintyResult, edition: Edition) -> int:
    """Entries whose nominal rank differs from the edition's stored rank position (0 when the inputs are the
    ones the edition was built from)."""
    stored = pl.concat(
        [
            edition.overall.select("institution_id", pl.lit("overall").alias("table"), "rank_position"),
            edition.sdg_scores.select(
                "institution_id", pl.format("sdg{}", pl.col("sdg")).alias("table"), "rank_position"
            ),
        ]
    )
    joined = result.table.join(stored, on=["institution_id", "table"], how="full", coalesce=True)
    return int((joined["nominal_rank"] != joined["rank_position"]).fill_null(True).sum())


def with_uncertainty(edition: Edition, result: UncertaintyResult) -> Edition:
    """The edition with its rank_uncertainty table and the run's description in the manifest."""
    manifest = {**edition.manifest, "uncertainty": {**result.manifest(), "sobol": result.sobol.to_dicts()}}
    return replace(edition, rank_uncertainty=result.table, manifest=manifest)


def interval_widths(table: pl.DataFrame, banding: Banding, which: str = "overall") -> pl.DataFrame:
    """Median width (p95 − p05) of the 90 % rank interval of one table's institutions, by nominal band."""
    part = table.filter(pl.col("table") == which)
    if part.height == 0:
        return pl.DataFrame(schema={"band": pl.String, "institutions": pl.UInt32, "median_width": pl.Float64})
    size = part.height
    segments = _band_segments(banding, size)
    labels = [next((lab for lab, lo, hi in segments if lo <= r <= hi), str(r)) for r in part["nominal_rank"].to_list()]
    order = {label: i for i, (label, _, _) in enumerate(segments)}
    return (
        part.with_columns(band=pl.Series(labels), width=pl.col("rank_p95") - pl.col("rank_p05"))
        .group_by("band")
        .agg(institutions=pl.len(), median_width=pl.col("width").median())
        .with_columns(_o=pl.col("band").replace_strict(order, default=len(order)))
        .sort("_o")
        .drop("_o")
    )


def significant_move(p05_a: float, p95_a: float, p05_b: float, p95_b: float) -> bool:
    """A rank change between two editions counts as significant only when the 90 % intervals do not overlap."""
    return p95_a < p05_b or p95_b < p05_a


def format_rank_interval(nominal: int | None, p05: float | None, p95: float | None) -> str:
    """A rank with its 90 % interval, "45 (38–57)"; the interval is widened to whole ranks (floor, ceil)."""
    if nominal is None:
        return ""
    if p05 is None or p95 is None or (isinstance(p05, float) and math.isnan(p05)):
        return str(nominal)
    return f"{nominal} ({math.floor(p05)}–{math.ceil(p95)})"


# --------------------------------------------------------------------------------------------------------------
# Imported (published) tables: scores drawn within the published ranges
# --------------------------------------------------------------------------------------------------------------


def published_banding(frame: pl.DataFrame) -> Banding:
    """The banding a published table shows: individual ranks up to the first band, then its bands."""
    bands = (
        frame.filter(pl.col("band").is_not_null())
        .group_by("band")
        .agg(pl.col("rank_low").min(), pl.col("rank_high").max())
        .sort("rank_low")
    )
    individual = frame.filter(pl.col("band").is_null())["rank_position"].max()
    try:
        last = bands.height - 1
        return Banding(
            individual_to=int(individual or 0),
            bands=[
                Band(start=int(r["rank_low"]), end=None if i == last else int(r["rank_high"]))
                for i, r in enumerate(bands.iter_rows(named=True))
            ],
        )
    except (ValueError, TypeError):
        return Banding(individual_to=frame.height)


def published_uncertainty(
    edition: Edition,
    runs: int,
    seed: int,
    *,
    chunk_runs: int = 256,
    precision: int = 1,
    progress: Callable[[int], None] | None = None,
) -> UncertaintyResult:
    """Overall ranks when each published score is drawn uniformly within its published range (banded rows
    show a range, exact rows have low == high). Rows with no score at all are left out of the simulated table.

    Only the overall table is simulated: a published overall table carries each institution's SDG 17 and top
    three only, not whole SDG tables. A partial table (one country's rows) is refused, since ranks within it
    would not be ranks in the edition."""
    if runs < 2:
        raise ValueError("at least 2 runs are needed")
    if edition.field_size is None:
        raise InputError(
            f"edition {edition.id} holds only part of its overall table ({edition.overall.height} rows ranked up "
            "to the whole field): ranks simulated within it would not be ranks in the edition",
            field="edition",
        )
    parts = [("overall", edition.overall.rename({"overall_low": "low", "overall_high": "high"}))]
    names, members, banding, lows, highs, nominal, ids = [], [], [], [], [], [], []
    for name, frame in parts:
        frame = frame.filter(pl.col("low").is_not_null() & pl.col("high").is_not_null())
        if frame.height == 0:
            continue
        names.append(name)
        members.append(np.arange(len(ids), len(ids) + frame.height))
        banding.append(published_banding(frame))
        lows.append(frame["low"].to_numpy())
        highs.append(frame["high"].to_numpy())
        nominal.append(frame["rank_position"].fill_null(0).to_numpy())
        ids.extend(frame["institution_id"].to_list())
    sizes = np.array([len(m) for m in members], dtype=np.int64)
    tables = Tables(
        names,
        sizes,
        banding,
        np.repeat(np.arange(len(names)), sizes),
        np.concatenate(members) if members else np.empty(0, np.int64),
        members,
    )
    low, high = np.concatenate(lows)[:, None], np.concatenate(highs)[:, None]
    ranking = Ranking(display_precision=precision)
    rng = np.random.default_rng(seed)
    acc = new_accumulator(tables, 0)
    for start in range(0, runs, chunk_runs):
        size = min(chunk_runs, runs - start)
        values = low + (high - low) * rng.random((tables.n_entries, size))
        accumulate(acc, rank_entries(values, tables, ranking), False)
        if progress is not None:
            progress(size)
    table = summarise(np.asarray(ids, dtype=object), tables, acc, np.concatenate(nominal))
    spec = UncertaintySpec(sobol=False)
    return UncertaintyResult(table, _empty_sobol(), acc.runs, runs, seed, ["published_scores"], spec)
