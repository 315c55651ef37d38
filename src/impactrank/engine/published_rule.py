"""Which rule made a published edition's overall scores, judged on the edition itself: the single-year rule
when it reproduces the exact rows to rounding, else THE's two-year average with the previous edition. Only a
reproduced rule is used for what-if and advice on a published edition — never a guess.

Pure: editions in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine import reproduce as rp
from impactrank.engine.edition import Edition
from impactrank.errors import InputError

REPRODUCED = 0.95  # share of the exact rows a rule must explain to be taken as the edition's rule


@dataclass(frozen=True)
class Rule:
    """An edition's reproduced rule, and last year's single-year score of each institution for the average."""

    name: str  # "single_year" or "two_year"
    edition: str
    extremes: rp.Extremes
    explained: int  # exact rows the rule reproduces
    of: int
    previous: pl.DataFrame | None  # institution_id, lo, hi, point (two-year rule only)
    previous_edition: str | None = None

    def describe(self) -> str:
        if self.name == "single_year":
            return "single-year: each SDG min–max over its SDG table, 0.22 × SDG 17 + 0.26 × (best three)"
        return (
            f"two-year average: the mean of this year's single-year score and last year's ({self.previous_edition});"
            " a newcomer keeps its single-year score"
        )


def previous_terms(previous: Edition) -> pl.DataFrame:
    """Last year's single-year score of each institution of its overall table: its published score when that
    edition is itself single-year (THE 2022), else its single-year score reproduced from its cards; unknown
    (0–100) when neither can be read."""
    ids = previous.overall["institution_id"]
    c = rp.cards(previous) if previous.sdg_table_sizes() else None
    if c is not None and c.ids:
        s_lo, s_hi, s_pt = rp.single_year(c, rp.table_extremes(previous))
        k, n = rp.explained_share(s_lo, s_hi, c)
        if k >= REPRODUCED * n:  # a single-year edition: its published scores are the terms
            lo, hi = rp.published_interval(previous.overall["overall_low"], previous.overall["overall_high"])
            point = previous.overall["overall_score"].to_numpy().astype(float)
            return pl.DataFrame({"institution_id": ids, "lo": lo, "hi": hi, "point": point})
    lo, hi, point = np.zeros(len(ids)), np.full(len(ids), 100.0), np.full(len(ids), np.nan)
    if c is not None and c.ids:
        index = {iid: k for k, iid in enumerate(c.ids)}
        rows = [index.get(i) for i in ids]
        have = np.array([r is not None for r in rows])
        pick = np.array([r for r in rows if r is not None], dtype=int)
        lo[have], hi[have], point[have] = s_lo[pick], s_hi[pick], np.where(c.exact[pick], s_pt[pick], np.nan)
    return pl.DataFrame({"institution_id": ids, "lo": lo, "hi": hi, "point": point})


def aligned(terms: pl.DataFrame, ids: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Last year's terms in the order of ``ids``; NaN for a newcomer (not in last year's overall table)."""
    frame = pl.DataFrame({"institution_id": ids}, schema={"institution_id": pl.String}).join(
        terms, on="institution_id", how="left", maintain_order="left"
    )
    return tuple(frame[c].to_numpy().astype(float) for c in ("lo", "hi", "point"))


def edition_rule(edition: Edition, previous: Edition | None = None) -> Rule:
    """The rule that reproduces the edition's exact rows; an InputError saying why when none does."""
    if not edition.sdg_table_sizes():
        raise InputError(
            f"edition {edition.id} has no SDG tables, so its overall scores cannot be recomputed: import the "
            "edition with its SDG tables (impactrank import FOLDER)",
            field="rule",
        )
    if edition.overall.height == 0:
        raise InputError(f"edition {edition.id} has SDG tables but no overall table to reproduce", field="rule")
    c = rp.cards(edition)
    if not c.exact.any():
        raise InputError(f"edition {edition.id} has no row with exact scores to check a rule against", field="rule")
    ext = rp.table_extremes(edition)
    lo, hi, _ = rp.single_year(c, ext)
    k, n = rp.explained_share(lo, hi, c)
    if k >= REPRODUCED * n:
        return Rule("single_year", edition.id, ext, k, n, None)
    if previous is None:
        raise InputError(
            f"edition {edition.id}'s published overall scores are not reproduced by the single-year rule ({k} of "
            f"{n} exact rows); THE averages with the previous year from 2023: import or name the previous edition "
            "(--previous-edition)",
            field="previous_edition",
        )
    terms = previous_terms(previous)
    p_lo, p_hi, p_pt = aligned(terms, c.ids)
    a_lo, a_hi = rp.average(lo, hi, p_lo, p_hi)
    rows = c.exact & (np.isnan(p_lo) | ~np.isnan(p_pt))
    k2, n2 = rp.explained_share(a_lo, a_hi, c, rows)
    if n2 and k2 >= REPRODUCED * n2:
        return Rule("two_year", edition.id, ext, k2, n2, terms, previous.id)
    raise InputError(
        f"edition {edition.id}'s published overall scores are reproduced neither by the single-year rule ({k} of "
        f"{n} exact rows) nor by the two-year average with {previous.id} ({k2} of {n2})",
        field="rule",
    )


def score_matrix(sdg_scores: pl.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every institution of an edition's SDG-table rows × 17 SDGs: score intervals (rounding included), NaN
    where the institution is not in that SDG's table."""
    rows = sdg_scores.filter(pl.col("score_low").is_not_null())
    ids = sorted(set(rows["institution_id"].to_list()))
    index = {iid: k for k, iid in enumerate(ids)}
    lo = np.full((len(ids), rp.N_SDGS), np.nan)
    hi = np.full((len(ids), rp.N_SDGS), np.nan)
    r = np.array([index[i] for i in rows["institution_id"].to_list()], dtype=int)
    col = rows["sdg"].to_numpy() - 1
    lo[r, col] = rows["score_low"].to_numpy() - rp.ROUNDING
    hi[r, col] = rows["score_high"].to_numpy() + rp.ROUNDING
    return ids, lo, hi


def overall_bounds(
    lo: np.ndarray, hi: np.ndarray, ext: rp.Extremes, rule: Rule, ids: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Overall-score bounds of institutions given as rows × 17 score intervals: each SDG scaled over its table,
    the best three re-chosen, and last year's term averaged in under the two-year rule. NaN for a row without
    SDG 17 or three other SDGs (not eligible)."""
    cols = np.arange(1, rp.N_SDGS + 1)[None, :].repeat(lo.shape[0], axis=0)
    s_lo, s_hi = rp.minmax(lo, hi, cols, ext)
    s_lo, s_hi = np.where(np.isnan(lo), np.nan, s_lo), np.where(np.isnan(hi), np.nan, s_hi)
    req = rp.REQUIRED - 1
    others = np.delete(np.arange(rp.N_SDGS), req)
    eligible = ~np.isnan(lo[:, req]) & ((~np.isnan(lo[:, others])).sum(axis=1) >= rp.BEST_K)
    o_lo = rp.combine(s_lo[:, req], s_lo[:, others])
    o_hi = rp.combine(s_hi[:, req], s_hi[:, others])
    if rule.name == "two_year":
        p_lo, p_hi, _ = aligned(rule.previous, ids)
        o_lo, o_hi = rp.average(o_lo, o_hi, p_lo, p_hi)
    return np.where(eligible, o_lo, np.nan), np.where(eligible, o_hi, np.nan)
