"""Drawing the declared inputs, and the Saltelli design that lays the draws out run by run.

Each input is drawn on its own, in the canonical order of :data:`~impactrank.engine.uncertainty.spec.INPUT_ORDER`,
so that a seed fixes every draw and the Sobol design can swap one input at a time between the base samples A
and B. Draws become :class:`RunParams`, the per-run choices the kernel evaluates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from impactrank.engine.tables.overall import N_SDGS
from impactrank.engine.uncertainty.field import Field
from impactrank.engine.uncertainty.spec import MetricWeights, UncertaintySpec


@dataclass
class Samples:
    """Per-input draws for the base matrices A and B (B is None without a Sobol design).

    Keyed by declared input: ``weights`` (N, metrics), ``overall_weights`` (N,) the required SDG's weight, and
    for each choice the index of the option drawn (N,). Each input's draws are kept separately so that the
    Sobol design can swap one input at a time.
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


def draw_within(low: np.ndarray, high: np.ndarray, rng: np.random.Generator, runs: int) -> np.ndarray:
    """(values, runs) draws, each value uniformly within its published interval [low, high] (a column each)."""
    return low + (high - low) * rng.random((low.shape[0], runs))


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


def runs_per_row(n_inputs: int, sobol: bool) -> int:
    """Model evaluations per base row: A, B and one AB_i per input with a Sobol design, else A alone."""
    return n_inputs + 2 if sobol else 1


def slice_samples(samples: Samples, start: int, stop: int) -> Samples:
    """The draws of base rows [start, stop) only (what a remote worker needs)."""
    return Samples(
        {k: v[start:stop] for k, v in samples.a.items()},
        None if samples.b is None else {k: v[start:stop] for k, v in samples.b.items()},
        stop - start,
    )


def design_block(samples: Samples, inputs: Sequence[str], start: int, stop: int) -> dict[str, np.ndarray]:
    """Draws for base rows [start, stop) laid out run by run: per base row, A, then (with a Sobol design) B
    and A with input i taken from B (AB_i), for each input in order."""
    block = slice_samples(samples, start, stop)
    a, b = block.a, block.b
    if b is None:
        return a
    variants = [a, b] + [{k: (b[k] if k == name else a[k]) for k in a} for name in inputs]
    out = {}
    for k in a:
        stacked = np.stack([v[k] for v in variants], axis=1)  # (rows, d + 2, ...)
        out[k] = stacked.reshape(-1, *stacked.shape[2:])
    return out
