"""Candidate models of how a published overall score arose from the published SDG scores, each giving an
interval of overall scores for a row (every model is increasing in each score, so an interval of scores maps to
an interval of overall scores). The models that rescale each SDG over its published SDG table, and THE's
two-year average, come from :mod:`impactrank.engine.published.reproduce`; the others see only the scores the overall
table shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from impactrank.engine.published import reproduce as rp
from impactrank.engine.registry import Registry
from impactrank.errors import N_

W_SDG17, W_TOP = rp.W_REQUIRED, rp.W_BEST
TOP = rp.BEST_K
ROUNDING = rp.ROUNDING  # half a unit of the one-decimal display: two displayed values this close may be equal
RIDGE = 1.0  # pull of the per-SDG affine fit towards the identity (a = 0, b = 1)
MIN_EXACT = 10  # fewer exact rows than this cannot single out a best model


@dataclass
class FormulaData:
    """Rows usable for the formula check: the three top SDGs then SDG 17, as score intervals."""

    ids: list[str]
    sdg: np.ndarray  # n × 4 SDG numbers
    lo: np.ndarray  # n × 4
    hi: np.ndarray
    p_lo: np.ndarray  # published overall interval
    p_hi: np.ndarray
    exact: np.ndarray  # every input and the overall are exact numbers
    population: dict[int, tuple[np.ndarray, np.ndarray]]  # per SDG: lows, highs of the scores the table shows
    tables: rp.Extremes | None = None  # extremes of the SDG tables (every submitter), when the edition has them
    eligible: rp.Extremes | None = None  # extremes over the overall table's institutions' SDG-table scores
    previous: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # last year's single-year lo, hi, point

    weights = rp.WEIGHTS

    def rounded(self) -> FormulaData:
        """The same rows with every displayed input widened to the interval of true values it allows."""
        widen = self.lo == self.hi
        return dataclasses.replace(
            self, lo=np.where(widen, self.lo - ROUNDING, self.lo), hi=np.where(widen, self.hi + ROUNDING, self.hi)
        )


@dataclass
class Prediction:
    lo: np.ndarray
    hi: np.ndarray
    loo: np.ndarray | None = None  # leave-one-out prediction on exact rows, for fitted models
    parameters: int = 0
    point: np.ndarray | None = None  # at the displayed values, when the interval is wider than the inputs
    exact: np.ndarray | None = None  # rows exact under this model, when it needs more than the row's own scores

    def at_display(self) -> np.ndarray:
        return self.lo if self.point is None else self.point


Model = Callable[[FormulaData], Prediction | None]  # None: too few exact rows to fit
MODELS: Registry[Model] = Registry("published-score model")
NO_TABLES = N_("the edition has no SDG tables")
NEEDS = {  # what a model needs beyond the overall table, and the reason given (a catalog entry) when it is missing
    "sdg_tables": ("tables", NO_TABLES),
    "sdg_tables_eligible": ("tables", NO_TABLES),
    "sdg_tables_max100": ("tables", NO_TABLES),
    "two_year_average": ("previous", N_("no previous edition with its SDG tables or overall table was given")),
}


def _per_sdg(data: FormulaData, scale: Callable[[int, np.ndarray, str], np.ndarray]) -> Prediction:
    lo, hi = np.empty_like(data.lo), np.empty_like(data.hi)
    for s in np.unique(data.sdg):
        m = data.sdg == s
        lo[m], hi[m] = scale(int(s), data.lo[m], "low"), scale(int(s), data.hi[m], "high")
    return Prediction(lo @ data.weights, hi @ data.weights)


def displayed(data: FormulaData) -> Prediction:
    """0.22 × SDG 17 + 0.26 × (sum of the top three) on the displayed scores."""
    return _per_sdg(data, lambda s, x, bound: x)


def max100(data: FormulaData) -> Prediction:
    """Each SDG scaled so the highest score the overall table shows for it is 100."""
    return _per_sdg(data, lambda s, x, bound: 100.0 * x / data.population[s][1].max())


def minmax(data: FormulaData) -> Prediction:
    """Each SDG scaled so the lowest score the overall table shows for it is 0 and the highest 100."""

    def scale(s: int, x: np.ndarray, bound: str) -> np.ndarray:
        low, high = data.population[s][0].min(), data.population[s][1].max()
        return 100.0 * (x - low) / (high - low) if high > low else np.full_like(x, 100.0)

    return _per_sdg(data, scale)


def percentile(data: FormulaData) -> Prediction:
    """Each SDG score replaced by its percentile among the table's scores in that SDG. For a range, the
    low end counts only scores certainly below it and the high end every score possibly below it."""

    def scale(s: int, x: np.ndarray, bound: str) -> np.ndarray:
        lows, highs = data.population[s]
        ref = np.sort(highs if bound == "low" else lows)
        return 100.0 * np.searchsorted(ref, x, side="right") / ref.size

    return _per_sdg(data, scale)


def normal_cdf(data: FormulaData) -> Prediction:
    """Each SDG z-scored over the table's scores in that SDG (ranges at their midpoints), then 100 × Φ(z)."""
    from scipy.special import ndtr  # loaded where used: a command's start-up need not wait for it

    def scale(s: int, x: np.ndarray, bound: str) -> np.ndarray:
        mid = (data.population[s][0] + data.population[s][1]) / 2
        sd = mid.std()
        return 100.0 * ndtr((x - mid.mean()) / sd) if sd > 0 else np.full_like(x, 50.0)

    return _per_sdg(data, scale)


def _ridge(x: np.ndarray, y: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients pulled towards ``prior``, and leave-one-out predictions from the hat matrix."""
    gram = x.T @ x + RIDGE * np.eye(x.shape[1])
    theta = prior + np.linalg.solve(gram, x.T @ (y - x @ prior))
    hat = np.einsum("ij,ji->i", x, np.linalg.solve(gram, x.T))
    fitted = x @ theta
    return theta, y - (y - fitted) / (1.0 - hat)


def affine(data: FormulaData) -> Prediction:
    """Each SDG mapped by its own a + b × score, fitted by least squares (ridge towards a = 0, b = 1) to the
    exact rows; judged on leave-one-out residuals since it has two parameters per SDG."""
    sdgs = sorted(data.population)
    col = {s: k for k, s in enumerate(sdgs)}
    k = len(sdgs)

    def design(sdg: np.ndarray, values: np.ndarray) -> np.ndarray:
        x = np.zeros((values.shape[0], 2 * k))
        for j, w in enumerate(data.weights):
            idx = np.array([col[s] for s in sdg[:, j]], dtype=int)
            np.add.at(x, (np.arange(values.shape[0]), idx), w)
            np.add.at(x, (np.arange(values.shape[0]), k + idx), w * values[:, j])
        return x

    prior = np.r_[np.zeros(k), np.ones(k)]
    exact = data.exact
    used = {int(s) for s in np.unique(data.sdg[exact])}
    if exact.sum() <= 2 * len(used) + 1:
        return None
    shown = (data.lo + data.hi) / 2  # an exact row's displayed scores, also once widened (rounded())
    theta, loo = _ridge(design(data.sdg[exact], shown[exact]), data.p_lo[exact], prior)
    a, b = theta[:k], theta[k:]
    lo, hi = np.empty_like(data.lo), np.empty_like(data.hi)
    for s, c in col.items():
        m = data.sdg == s
        ends = np.stack([a[c] + b[c] * data.lo[m], a[c] + b[c] * data.hi[m]])
        lo[m], hi[m] = ends.min(axis=0), ends.max(axis=0)
    return Prediction(lo @ data.weights, hi @ data.weights, loo=loo, parameters=2 * len(used))


def global_affine(data: FormulaData) -> Prediction:
    """One straight line α + β × (the displayed formula), fitted to the exact rows: a yardstick for how much
    a per-SDG model gains over rescaling the plain formula as a whole."""
    raw = displayed(data)
    exact = data.exact
    if exact.sum() <= 3:
        return None
    x = np.c_[np.ones(exact.sum()), ((raw.lo + raw.hi) / 2)[exact]]  # the same line for the widened rows
    theta, loo = _ridge(x, data.p_lo[exact], np.array([0.0, 1.0]))
    ends = np.stack([theta[0] + theta[1] * raw.lo, theta[0] + theta[1] * raw.hi])
    return Prediction(ends.min(axis=0), ends.max(axis=0), loo=loo, parameters=2)


def _table_model(data: FormulaData, ext: rp.Extremes | None, scale, at_display) -> Prediction | None:
    if ext is None:
        return None
    lo, hi = scale(data.lo, data.hi, data.sdg, ext)
    return Prediction(lo @ data.weights, hi @ data.weights, point=at_display(data.lo, data.sdg, ext) @ data.weights)


def sdg_tables(data: FormulaData) -> Prediction | None:
    """THE's single-year rule: each SDG rescaled by min–max over its SDG table (every submitter; the highest
    displayed score and the low end of the last band's range, each ±0.05), then 0.22 × SDG 17 + 0.26 × (top
    three)."""
    return _table_model(data, data.tables, rp.minmax, rp.minmax_point)


def sdg_tables_eligible(data: FormulaData) -> Prediction | None:
    """Min–max over the SDG-table scores of the institutions in the overall table only (their unknown minimum
    bounded by the bands that hold it)."""
    return _table_model(data, data.eligible, rp.minmax, rp.minmax_point)


def sdg_tables_max100(data: FormulaData) -> Prediction | None:
    """Each SDG scaled so the highest score of its SDG table is 100 (THE's 2019 wording), zero staying zero."""
    return _table_model(data, data.tables, rp.max100, rp.max100_point)


def two_year_average(data: FormulaData) -> Prediction | None:
    """THE from 2023: the mean of this year's single-year score (sdg_tables) and last year's single-year score;
    an institution new to the overall table keeps its single-year score. Needs the previous edition."""
    single = sdg_tables(data)
    if single is None or data.previous is None:
        return None
    p_lo, p_hi, p_point = data.previous
    lo, hi = rp.average(single.lo, single.hi, p_lo, p_hi)
    newcomer = np.isnan(p_lo)
    w_this, w_prev = rp.TWO_YEAR
    point = np.where(newcomer, single.point, w_this * single.point + w_prev * p_point)
    return Prediction(lo, hi, point=point, exact=data.exact & (newcomer | ~np.isnan(p_point)))


# Registered here, not by decorator: mutation testing (mutmut) leaves decorated functions unmutated.
MODELS.register("displayed")(displayed)
MODELS.register("max100")(max100)
MODELS.register("minmax")(minmax)
MODELS.register("percentile")(percentile)
MODELS.register("normal_cdf")(normal_cdf)
MODELS.register("affine")(affine)
MODELS.register("global_affine")(global_affine)
MODELS.register("sdg_tables")(sdg_tables)
MODELS.register("sdg_tables_eligible")(sdg_tables_eligible)
MODELS.register("sdg_tables_max100")(sdg_tables_max100)
MODELS.register("two_year_average")(two_year_average)
