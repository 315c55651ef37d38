"""What the series of published editions says about next year: each edition's single-year scores (as intervals)
and the newcomers' scores.

Published numbers are intervals (a band shows its range; a displayed score is ±0.05). A single-year score is the
published interval under a single-year rule; under an averaging rule it is reproduced from the card by the
edition's SDG tables (:func:`impactrank.engine.published.rule.previous_terms`) and narrowed by what the average
allows given last year's term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.forecast.rule import NextRule
from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.rule import aligned, previous_terms
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError

USABLE_WIDTH = 50.0  # a single-year interval wider than this says nothing of a level (no card to read)


def single_year(edition: Edition, rule: NextRule, previous: pl.DataFrame | None) -> pl.DataFrame:
    """institution_id, lo, hi: the edition's single-year scores; ``previous`` is last edition's (same columns),
    needed to narrow an averaged edition's reproduction."""
    table = edition.overall.filter(pl.col("overall_low").is_not_null())
    p_lo, p_hi = rp.published_interval(table["overall_low"], table["overall_high"])
    ids = table["institution_id"].to_list()
    if len(rule.weights) == 1:
        return pl.DataFrame({"institution_id": ids, "lo": p_lo, "hi": p_hi})
    if len(rule.weights) != 2:
        raise InputError(
            N_("a forecast reads averages over two years only (methodology %(methodology)s)"),
            field="methodology",
            params={"methodology": rule.methodology},
        )
    w0, w1 = rule.weights
    c_lo, c_hi, _ = aligned(previous_terms(edition), ids)
    if previous is not None:
        l_lo, l_hi, _ = aligned(previous.with_columns(point=pl.lit(np.nan)), ids)
        new = np.isnan(l_lo)  # a newcomer's published score is its single-year score
        a_lo = np.where(new, p_lo, (p_lo - w1 * np.nan_to_num(l_hi)) / w0)
        a_hi = np.where(new, p_hi, (p_hi - w1 * np.nan_to_num(l_lo)) / w0)
        lo, hi = np.fmax(c_lo, a_lo), np.fmin(c_hi, a_hi)
        c_lo, c_hi = np.where(lo <= hi, lo, c_lo), np.where(lo <= hi, hi, c_hi)
    return pl.DataFrame({"institution_id": ids, "lo": np.clip(c_lo, 0, 100), "hi": np.clip(c_hi, 0, 100)})


@dataclass(frozen=True)
class Newcomers:
    """The published intervals (their single-year scores) of institutions new to an overall table in the series,
    and the consecutive pairs of the series ("2021 → 2022")."""

    lo: np.ndarray
    hi: np.ndarray
    pairs: list[str]


def newcomers(editions: list[Edition]) -> Newcomers:
    """Every consecutive pair of the series (editions with overall tables, in order)."""
    w_lo, w_hi, names = [], [], []
    for k in range(1, len(editions)):
        if editions[k].year != editions[k - 1].year + 1:
            continue
        table = editions[k].overall.filter(pl.col("overall_low").is_not_null())
        new = table.filter(~pl.col("institution_id").is_in(editions[k - 1].overall["institution_id"].implode()))
        lo, hi = rp.published_interval(new["overall_low"], new["overall_high"])
        w_lo.append(lo)
        w_hi.append(hi)
        names.append(f"{editions[k - 1].id} → {editions[k].id}")
    if not names:
        raise InputError(
            N_(
                "a forecast learns how scores move from institutions in two consecutive overall tables: the "
                "workspace holds no such pair before this edition"
            ),
            field="edition",
        )
    return Newcomers(np.concatenate(w_lo), np.concatenate(w_hi), names)
