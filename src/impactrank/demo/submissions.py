"""What each institution submits: which SDGs, and a value for every metric of them, by kind of metric.

The generator reads the metrics from a :class:`Methodology`, so it serves any methodology file. Values are
drawn around the institution's maturity on the SDG with realistic shapes: evidence questions answered more
fully the more mature, log-normal counts, shares as numerator / FTE-based denominator, FWCI around 1, a few
per cent left blank. Bundled metric ids get tuned medians (``data/metric_shapes.yaml``); any other metric
gets a generic shape.
"""

from __future__ import annotations

import re
import zlib

import numpy as np
import polars as pl
from scipy.special import expit, logit

from impactrank.demo.calibration import Calibration
from impactrank.demo.population import MEDIAN_FTE_STUDENTS, N_SDGS, SDG_POPULARITY, Population
from impactrank.demo.tables import read_yaml
from impactrank.methodology import Methodology
from impactrank.methodology.schema import Metric

VALUE_COLUMNS = ("value", "numerator", "denominator", "exists", "evidence", "public", "recent")

_SHAPES = read_yaml("metric_shapes.yaml")
_INTENSITY_MEDIAN = {k: float(v) for k, v in _SHAPES["intensity_median"].items()}
_COUNT_MEDIAN = {k: float(v) for k, v in _SHAPES["count_median"].items()}
_DEFAULT_COUNT_MEDIAN = float(_SHAPES["default_count_median"])
_DENOMINATOR_RATIO = {k: float(v) for k, v in _SHAPES["denominator_ratio"].items()}

# A metric's drawn columns (VALUE_COLUMNS) for the institutions that submitted its SDG, and which rows are kept.
Drawn = tuple[dict[str, np.ndarray], np.ndarray]


def choose_sdgs(
    methodology: Methodology, pop: Population, rows: np.ndarray, eligible: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """rows × 17 mask of submitted SDGs: the eligible submit the required SDG and enough others, favouring
    their strongest SDGs; the rest submit two to six SDGs without it, or it and too few others."""
    rules = methodology.overall
    req = rules.required_sdg - 1
    offered = np.zeros(N_SDGS, dtype=bool)
    offered[[s.sdg - 1 for s in methodology.sdgs]] = True
    others = offered.copy()
    others[req] = False
    n_others = int(others.sum())
    n = len(rows)

    preference = pop.affinity[rows] + rng.gumbel(0.0, 0.4, (n, N_SDGS))
    preference[:, ~others] = -np.inf
    order = np.argsort(-preference, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(N_SDGS)[None, :], axis=1)

    min_others = min(rules.min_other_sdgs, n_others)
    extra = np.floor(2.6 * pop.breadth[rows] * rng.uniform(0.8, 1.2, n)).astype(int)
    extra = np.where(rng.random(n) < 0.05, n_others, extra)  # a few submit everything
    k_eligible = np.minimum(min_others + extra, n_others)
    without_required = rng.random(n) < 0.7
    k_short = np.where(without_required, rng.integers(2, 7, n), rng.integers(1, max(min_others, 1) + 1, n))
    k_short = np.where(~without_required, np.minimum(k_short, max(min_others - 1, 0)), k_short)
    k = np.minimum(np.where(eligible, k_eligible, k_short), n_others)

    mask = rank < k[:, None]
    mask[:, req] = eligible | ~without_required
    return mask


def _is_intensity(metric: Metric) -> bool:
    """A rate that is an amount per unit (water per person, income per staff) rather than a share."""
    return metric.direction == "lower" or re.search(r"\bper\b|\bincome\b", metric.label, re.I) is not None


def _is_share(metric: Metric) -> bool:
    return re.search(r"proportion|share|percentage", metric.label, re.I) is not None


def _unit(metric_id: str) -> float:
    """A stable pseudo-random number in [0, 1) per metric id (same across runs and platforms)."""
    return (zlib.crc32(metric_id.encode("utf-8")) % 10_000) / 10_000


def _count(
    metric_id: str, size: np.ndarray, t: np.ndarray, noise: np.ndarray, weights: tuple[float, float, float]
) -> np.ndarray:
    """A log-normal count around the metric's median, growing with size and quality (weights in that order,
    then the noise's)."""
    median = _COUNT_MEDIAN.get(metric_id, _DEFAULT_COUNT_MEDIAN)
    w_size, w_quality, w_noise = weights
    return np.round(np.exp(np.log(median) + w_size * size + w_quality * t + w_noise * noise))


class _Denominators:
    """Each institution's denominators, each drawn the first time a metric needs it (so the draws follow the
    methodology's order) as a ratio to its FTE students with some spread."""

    def __init__(self, log_size: np.ndarray, rng: np.random.Generator):
        self.log_size, self.rng, self.drawn = log_size, rng, {}

    def __call__(self, name: str) -> np.ndarray:
        if name not in self.drawn:
            ratio = _DENOMINATOR_RATIO.get(name, 1.0)
            self.drawn[name] = np.ceil(
                np.exp(self.log_size + np.log(ratio) + self.rng.normal(0.0, 0.2, len(self.log_size)))
            )
        return self.drawn[name]


def _blank(k: int) -> dict[str, np.ndarray]:
    return {c: np.full(k, np.nan) for c in VALUE_COLUMNS}


def _evidence(m: np.ndarray, calibration: Calibration, rng: np.random.Generator) -> Drawn:
    """Rubric answers (exists: yes / partly / no; evidence, public, recent) more likely the more mature; a few
    questions skipped."""
    k = len(m)
    cols = _blank(k)
    p = np.clip(m + rng.normal(0.0, calibration.question_noise, k), 0.0, 1.0)
    draw = rng.random(k)
    exists = np.where(draw < p, 1.0, np.where(draw < p + 0.08, 0.5, 0.0))
    has = exists > 0
    cols["exists"] = exists
    cols["evidence"] = (has & (rng.random(k) < 0.6 + 0.4 * p)).astype(float)
    cols["public"] = (has & (rng.random(k) < 0.3 + 0.7 * p)).astype(float)
    cols["recent"] = (has & (rng.random(k) < 0.5 + 0.5 * p)).astype(float)
    return cols, rng.random(k) >= 0.02 + 0.04 * (1.0 - m)


def _bibliometric(metric: Metric, t: np.ndarray, size: np.ndarray, rng: np.random.Generator) -> Drawn:
    """FWCI around 1, shares of publications, or counts growing with size; every row kept."""
    k = len(t)
    cols = _blank(k)
    noise = rng.standard_normal(k)
    if re.search(r"fwci|citation impact", f"{metric.id} {metric.label}", re.I):
        cols["value"] = np.round(np.exp(-0.15 + 0.5 * t + 0.35 * noise), 2)
    elif _is_share(metric):
        base = 0.05 + 0.3 * _unit(metric.id)
        cols["value"] = np.round(expit(logit(base) + 1.2 * t + 0.4 * noise), 3)
    else:
        cols["value"] = _count(metric.id, size, t, noise, (0.7, 0.8, 0.6))
    return cols, np.ones(k, dtype=bool)


def _continuous(
    metric: Metric,
    m: np.ndarray,
    t: np.ndarray,
    size: np.ndarray,
    denominators: _Denominators,
    sub: np.ndarray,
    rng: np.random.Generator,
) -> Drawn:
    """Rates as numerator over a denominator (amounts per unit, or shares), or plain counts; some values
    blank, a few rows missing."""
    k = len(sub)
    cols = _blank(k)
    noise = rng.standard_normal(k)
    if metric.denominator is not None:
        den = denominators(metric.denominator)[sub]
        if _is_intensity(metric):
            sign = -1.0 if metric.direction == "lower" else 1.0
            median = _INTENSITY_MEDIAN.get(metric.id, 1.0)
            per_unit = median * np.exp(0.4 * noise + sign * 0.8 * t)
            cols["numerator"] = np.round(per_unit * den, 1)
        else:
            base = 0.03 + 0.3 * _unit(metric.id)
            cols["numerator"] = np.round(expit(logit(base) + 1.8 * t + 0.5 * noise) * den)
        cols["denominator"] = den
    else:
        cols["value"] = _count(metric.id, size, t, noise, (0.6, 1.0, 0.7))
    blank = rng.random(k) < 0.02 + 0.06 * (1.0 - m)
    for c in ("value", "numerator", "denominator"):
        cols[c][blank] = np.nan
    return cols, rng.random(k) >= 0.02


def submissions(
    methodology: Methodology,
    pop: Population,
    rows: np.ndarray,
    sdg_mask: np.ndarray,
    maturity: np.ndarray,
    calibration: Calibration,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Long-form submissions for the institutions ``rows`` (positions in ``pop``), one row per metric."""
    n = len(rows)
    log_size = pop.log_size[rows] + rng.normal(0.0, 0.05, n)
    size_dev = log_size - np.log(MEDIAN_FTE_STUDENTS)
    denominators = _Denominators(log_size, rng)

    parts: list[dict[str, np.ndarray]] = []
    metric_names: list[str] = []
    for sdg in methodology.sdgs:
        j = sdg.sdg - 1
        sub = np.flatnonzero(sdg_mask[:, j])
        if not len(sub):
            continue
        m = np.clip(
            maturity[sub]
            + calibration.sdg_spread * (pop.affinity[rows[sub], j] - SDG_POPULARITY[j]) / 2
            + rng.normal(0.0, 0.05, len(sub)),
            0.0,
            1.0,
        )
        t = 2.0 * m - 1.0  # quality signal in [-1, 1]
        for position, metric in enumerate(sdg.metrics):
            if metric.kind == "evidence":
                cols, keep = _evidence(m, calibration, rng)
            elif metric.kind == "bibliometric":
                cols, keep = _bibliometric(metric, t, size_dev[sub], rng)
            else:
                cols, keep = _continuous(metric, m, t, size_dev[sub], denominators, sub, rng)
            if position == 0:
                keep[:] = True  # an SDG an institution submitted always has at least one row
            cols = {c: cols[c][keep] for c in VALUE_COLUMNS}
            cols["row"] = sub[keep]
            cols["sdg"] = np.full(int(keep.sum()), sdg.sdg)
            cols["code"] = np.full(int(keep.sum()), len(metric_names))
            parts.append(cols)
            metric_names.append(metric.id)

    def cat(name: str) -> np.ndarray:
        return np.concatenate([p[name] for p in parts]) if parts else np.empty(0)

    row, code = cat("row").astype(np.int64), cat("code").astype(np.int64)
    order = np.lexsort((code, row))  # by institution, then SDG and metric in methodology order
    return pl.DataFrame(
        {
            "institution_id": pl.Series(pop.ids[rows]).gather(row[order]),
            "sdg": pl.Series(cat("sdg")[order], dtype=pl.Int64),
            "metric": pl.Series(metric_names, dtype=pl.String).gather(code[order]),
            **{c: pl.Series(cat(c)[order], dtype=pl.Float64, nan_to_null=True) for c in VALUE_COLUMNS},
        }
    )
