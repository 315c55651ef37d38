"""THE's overall score recomputed from a published edition's own tables, by interval arithmetic.

A published number is an interval: a displayed score x is [x − 0.05, x + 0.05] and a band's range "a–b" is
[a − 0.05, b + 0.05]. Each SDG is rescaled by min–max over its SDG table (THE's rule, reproduced to rounding for
2020–2022: the highest displayed score and the low end of the last band's range are the extremes); the
overall score is 0.22 × scaled SDG 17 + 0.26 × (the three best scaled SDGs); from 2023 the published score is
the mean of this year's and last year's single-year scores. Every step is monotone in each input, so bounds
go through bounds and a row is reproduced when its interval meets the published one.

Pure: tables in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.sdgs import N_SDGS

ROUNDING = 0.05  # half a unit of the one-decimal display
REQUIRED, BEST_K = 17, 3
W_REQUIRED, W_BEST = 0.22, 0.26
TWO_YEAR = (0.5, 0.5)  # this year's single-year score, last year's single-year score


@dataclass(frozen=True)
class Extremes:
    """Per SDG (index 0–16): the highest and lowest score of its table, as points (the displayed values) and
    as intervals; NaN for an SDG without a table."""

    top: np.ndarray
    bottom: np.ndarray
    top_lo: np.ndarray
    top_hi: np.ndarray
    bottom_lo: np.ndarray
    bottom_hi: np.ndarray

    @classmethod
    def of(cls, rows: pl.DataFrame, whole_table: bool = True) -> Extremes:
        """From SDG-table rows (sdg, score, score_low, score_high). A whole table's extremes are published
        numbers: its top row's score and the low end of its last band's range (a band's range is the lowest and
        highest score in it), each ±0.05. Over part of a table (the overall-eligible) only bounds are known: the
        maximum of values each in [l, h] lies in [max l, max h], the minimum in [min l, min h]."""
        low, high = pl.col("score_low"), pl.col("score_high")
        grouped = (
            rows.filter(low.is_not_null())
            .group_by("sdg")
            .agg(
                top=high.max(),
                bottom=low.min(),
                top_lo=(high if whole_table else low).max() - ROUNDING,
                top_hi=high.max() + ROUNDING,
                bottom_lo=low.min() - ROUNDING,
                bottom_hi=(low if whole_table else high).min() + ROUNDING,
            )
        )
        arrays = {k: np.full(N_SDGS, np.nan) for k in ("top", "bottom", "top_lo", "top_hi", "bottom_lo", "bottom_hi")}
        for rec in grouped.iter_rows(named=True):
            for k, a in arrays.items():
                a[rec["sdg"] - 1] = rec[k]
        return cls(**arrays)


def table_extremes(edition: Edition, eligible_only: bool = False) -> Extremes:
    """The extremes of the SDG tables the edition holds whole; with ``eligible_only`` over the rows of
    institutions in the overall table alone (THE's scaling population, if it were the overall-eligible)."""
    rows = edition.sdg_table_rows().filter(pl.col("sdg").is_in(list(edition.sdg_table_sizes())))
    if eligible_only:
        rows = rows.filter(pl.col("institution_id").is_in(edition.overall["institution_id"].implode()))
    return Extremes.of(rows, whole_table=not eligible_only)


def minmax(lo: np.ndarray, hi: np.ndarray, sdg: np.ndarray, ext: Extremes) -> tuple[np.ndarray, np.ndarray]:
    """Scaled-score bounds 100 · (s − bottom) / (top − bottom) for scores in [lo, hi] of SDGs ``sdg`` (any
    shape): increasing in s, decreasing in both extremes while bottom ≤ s ≤ top; clipped to [0, 100]."""
    k = sdg - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        low = 100.0 * (lo - ext.bottom_hi[k]) / (ext.top_hi[k] - ext.bottom_hi[k])
        high = 100.0 * (hi - ext.bottom_lo[k]) / (ext.top_lo[k] - ext.bottom_lo[k])
    alone = ext.top[k] == ext.bottom[k]  # one score in the table: it is the highest, 100 (as the engine scales)
    return np.where(alone, 100.0, np.clip(low, 0.0, 100.0)), np.where(alone, 100.0, np.clip(high, 0.0, 100.0))


def minmax_point(x: np.ndarray, sdg: np.ndarray, ext: Extremes) -> np.ndarray:
    """The scaled score at the displayed values (no rounding)."""
    k = sdg - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = 100.0 * (x - ext.bottom[k]) / (ext.top[k] - ext.bottom[k])
    return np.where(ext.top[k] == ext.bottom[k], 100.0, scaled)


def max100(lo: np.ndarray, hi: np.ndarray, sdg: np.ndarray, ext: Extremes) -> tuple[np.ndarray, np.ndarray]:
    """Highest → 100, zero stays zero: 100 · s / top."""
    k = sdg - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(100.0 * lo / ext.top_hi[k], 0, 100), np.clip(100.0 * hi / ext.top_lo[k], 0, 100)


def max100_point(x: np.ndarray, sdg: np.ndarray, ext: Extremes) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * x / ext.top[sdg - 1]


def combine(required: np.ndarray, others: np.ndarray) -> np.ndarray:
    """0.22 × the required SDG's scaled score + 0.26 × the sum of the best three others (``others``: rows × SDGs,
    NaN where not submitted; the top-k sum is monotone in every entry, so bounds map to bounds)."""
    best = -np.sort(-np.nan_to_num(others, nan=-np.inf), axis=1)[:, :BEST_K]
    best = np.where(np.isfinite(best), best, 0.0)
    return W_REQUIRED * required + W_BEST * best.sum(axis=1)


def average(single_lo: np.ndarray, single_hi: np.ndarray, prev_lo: np.ndarray, prev_hi: np.ndarray):
    """The two-year score: the mean of this year's and last year's single-year scores; a newcomer (NaN last
    year) keeps its single-year score."""
    w_this, w_prev = TWO_YEAR
    new = np.isnan(prev_lo)
    lo = np.where(new, single_lo, w_this * single_lo + w_prev * np.nan_to_num(prev_lo))
    hi = np.where(new, single_hi, w_this * single_hi + w_prev * np.nan_to_num(prev_hi))
    return lo, hi


def published_interval(low: pl.Series, high: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """A published score or range as the interval of true values it allows (display rounding included)."""
    return low.to_numpy().astype(float) - ROUNDING, high.to_numpy().astype(float) + ROUNDING


def meets(lo: np.ndarray, hi: np.ndarray, p_lo: np.ndarray, p_hi: np.ndarray) -> np.ndarray:
    """Whether each model interval meets the published interval (both already widened by rounding)."""
    return (lo <= p_hi + 1e-9) & (hi >= p_lo - 1e-9)


@dataclass(frozen=True)
class Cards:
    """The overall table's rows whose card gives three scored SDGs and SDG 17: their SDGs (three best, then
    SDG 17) and scores as displayed and as intervals, and the published overall interval."""

    ids: list[str]
    sdg: np.ndarray  # n × 4
    low: np.ndarray  # displayed low ends (the score itself when exact)
    high: np.ndarray
    exact: np.ndarray  # every input and the published overall are exact numbers
    p_lo: np.ndarray  # published overall, widened by rounding
    p_hi: np.ndarray
    p_point: np.ndarray  # published overall when exact, NaN otherwise

    def rounded(self) -> tuple[np.ndarray, np.ndarray]:
        """The inputs as the intervals of true values they allow."""
        return self.low - ROUNDING, self.high + ROUNDING


def cards(edition: Edition) -> Cards:
    """Rows usable to reproduce the overall score (not scattered by a scraper, four scored card SDGs)."""
    overall = edition.overall.filter(~pl.col("quality").str.contains("misaligned_columns").fill_null(False))
    counted = edition.sdg_scores.filter(pl.col("counted").fill_null(True) & pl.col("score_low").is_not_null())
    tops = (
        counted.filter(pl.col("sdg") != REQUIRED)
        .group_by("institution_id", maintain_order=True)
        .agg("sdg", "score_low", "score_high", exact=pl.col("score").is_not_null().all())
        .filter(pl.col("sdg").list.len() == BEST_K)
    )
    rows = overall.join(tops, on="institution_id", how="inner", maintain_order="left").filter(
        pl.col("sdg17_low").is_not_null() & pl.col("overall_low").is_not_null()
    )
    n = rows.height

    def columns(best: str, required: np.ndarray) -> np.ndarray:
        """The three best SDGs' values (a list per row), then SDG 17's."""
        return np.c_[np.array(rows[best].to_list(), float).reshape(n, BEST_K), required]

    p_lo, p_hi = published_interval(rows["overall_low"], rows["overall_high"])
    return Cards(
        ids=rows["institution_id"].to_list(),
        sdg=columns("sdg", np.full(n, REQUIRED)).astype(int),
        low=columns("score_low", rows["sdg17_low"].to_numpy()),
        high=columns("score_high", rows["sdg17_high"].to_numpy()),
        exact=(rows["exact"] & rows["sdg17_score"].is_not_null() & rows["overall_score"].is_not_null()).to_numpy(),
        p_lo=p_lo,
        p_hi=p_hi,
        p_point=rows["overall_score"].to_numpy().astype(float),
    )


WEIGHTS = np.array([W_BEST] * BEST_K + [W_REQUIRED])  # the cards' columns: three best, then SDG 17


def single_year(c: Cards, ext: Extremes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each card's single-year overall score: interval bounds (inputs and extremes rounded) and the point at
    the displayed values."""
    lo, hi = minmax(*c.rounded(), c.sdg, ext)
    return lo @ WEIGHTS, hi @ WEIGHTS, minmax_point(c.low, c.sdg, ext) @ WEIGHTS


def explained_share(lo: np.ndarray, hi: np.ndarray, c: Cards, rows: np.ndarray | None = None) -> tuple[int, int]:
    """(explained, of) among the exact rows (or ``rows``): model intervals meeting the published ones."""
    mask = c.exact if rows is None else rows
    return int(meets(lo, hi, c.p_lo, c.p_hi)[mask].sum()), int(mask.sum())
