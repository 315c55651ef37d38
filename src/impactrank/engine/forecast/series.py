"""What the series of published editions says about next year: each edition's single-year scores (as intervals),
how those moved for institutions in consecutive overall tables, the newcomers' scores, and the field's growth.

Published numbers are intervals (a band shows its range; a displayed score is ±0.05). A single-year score is the
published interval under a single-year rule; under an averaging rule it is reproduced from the card by the
edition's SDG tables (:func:`impactrank.engine.published.rule.previous_terms`) and narrowed by what the average
allows given last year's term.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.forecast.rule import NextRule
from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.rule import aligned, previous_terms
from impactrank.engine.tables.edition import Edition
from impactrank.errors import InputError

USABLE_WIDTH = 50.0  # a single-year interval wider than this says nothing about movement (no card to read)


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
            f"a forecast reads averages over two years only (methodology {rule.methodology})", field="methodology"
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
class Movement:
    """Pairs of single-year intervals (this year, next year) of institutions in two consecutive overall tables,
    sorted by this year's midpoint, and the newcomers' published intervals (their single-year scores)."""

    cur_mid: np.ndarray
    next_lo: np.ndarray
    next_hi: np.ndarray
    new_lo: np.ndarray
    new_hi: np.ndarray
    pairs: list[str]  # "2021 → 2022"

    def __post_init__(self) -> None:
        if self.cur_mid.size == 0:
            raise InputError(
                "a forecast learns how scores move from institutions in two consecutive overall tables: the "
                "workspace holds no such pair before this edition",
                field="edition",
            )


def movement(editions: list[Edition], singles: list[pl.DataFrame]) -> Movement:
    """Every consecutive pair of the series (editions with overall tables, in order, and their single-year
    scores)."""
    mids, n_lo, n_hi, w_lo, w_hi, names = [], [], [], [], [], []
    for k in range(1, len(editions)):
        if editions[k].year != editions[k - 1].year + 1:
            continue
        a, b = singles[k - 1], singles[k]
        both = a.join(b, on="institution_id", suffix="_next").filter(
            (pl.col("hi") - pl.col("lo") < USABLE_WIDTH) & (pl.col("hi_next") - pl.col("lo_next") < USABLE_WIDTH)
        )
        mids.append(((both["lo"] + both["hi"]) / 2).to_numpy())
        n_lo.append(both["lo_next"].to_numpy())
        n_hi.append(both["hi_next"].to_numpy())
        table = editions[k].overall.filter(pl.col("overall_low").is_not_null())
        new = table.filter(~pl.col("institution_id").is_in(a["institution_id"].implode()))
        lo, hi = rp.published_interval(new["overall_low"], new["overall_high"])
        w_lo.append(lo)
        w_hi.append(hi)
        names.append(f"{editions[k - 1].id} → {editions[k].id}")
    mid, nlo, nhi = _join(mids), _join(n_lo), _join(n_hi)
    order = np.argsort(mid, kind="stable")
    return Movement(mid[order], nlo[order], nhi[order], _join(w_lo), _join(w_hi), names)


def _join(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0)


def next_field_size(participants: list[int], current: int) -> int:
    """Next year's overall table size: this year's grown as the participants (institutions in any table, by year
    up to this one) grew last year, that growth damped by how it slowed the year before (THE's field: 553, 867,
    1,250, 1,539, 1,754 participants 2019–2023)."""
    growth = [b / a - 1 for a, b in itertools.pairwise(participants) if a]
    if not growth:
        return current
    g = growth[-1]
    if len(growth) > 1 and growth[-2] > 0 and g > 0:
        g *= min(1.0, g / growth[-2])
    return max(current, round(current * (1 + g)))
