"""Which rule made a published edition's overall scores, judged on the edition itself: the single-year rule
when it reproduces the exact rows to rounding, else THE's two-year average with the previous edition. Only a
reproduced rule is used for what-if and advice on a published edition — never a guess.

Pure: editions in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.published import reproduce as rp
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError

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
            N_(
                "edition %(edition)s has no SDG tables, so its overall scores cannot be recomputed: import the "
                "edition with its SDG tables (impactrank import FOLDER)"
            ),
            field="rule",
            params={"edition": edition.id},
        )
    if edition.overall.height == 0:
        raise InputError(
            N_(
                "edition %(edition)s has SDG tables only, no overall table: what-if and advice recompute an overall "
                "score by the rule its overall table shows, so they need an edition with one"
            ),
            field="rule",
            params={"edition": edition.id},
        )
    c = rp.cards(edition)
    if not c.exact.any():
        raise InputError(
            N_("edition %(edition)s has no row with exact scores to check a rule against"),
            field="rule",
            params={"edition": edition.id},
        )
    ext = rp.table_extremes(edition)
    lo, hi, _ = rp.single_year(c, ext)
    k, n = rp.explained_share(lo, hi, c)
    if k >= REPRODUCED * n:
        return Rule("single_year", edition.id, ext, k, n, None)
    if previous is None:
        raise InputError(
            N_(
                "edition %(edition)s's published overall scores are not reproduced by the single-year rule (%(k)s of "
                "%(n)s exact rows); THE averages with the previous year from 2023: import or name the previous "
                "edition (--previous-edition)"
            ),
            field="previous_edition",
            params={"edition": edition.id, "k": k, "n": n},
        )
    terms = previous_terms(previous)
    p_lo, p_hi, p_pt = aligned(terms, c.ids)
    a_lo, a_hi = rp.average(lo, hi, p_lo, p_hi)
    rows = c.exact & (np.isnan(p_lo) | ~np.isnan(p_pt))
    k2, n2 = rp.explained_share(a_lo, a_hi, c, rows)
    if n2 and k2 >= REPRODUCED * n2:
        return Rule("two_year", edition.id, ext, k2, n2, terms, previous.id)
    raise InputError(
        N_(
            "edition %(edition)s's published overall scores are reproduced neither by the single-year rule (%(k)s "
            "of %(n)s exact rows) nor by the two-year average with %(previous)s (%(k2)s of %(n2)s)"
        ),
        field="rule",
        params={"edition": edition.id, "k": k, "n": n, "previous": previous.id, "k2": k2, "n2": n2},
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


def published_overall(edition: Edition, institution_id: str) -> tuple[float, float] | None:
    """The institution's published overall score or band range as the interval of true values it allows
    (display rounding included); None when the overall table gives none."""
    row = edition.overall.filter(pl.col("institution_id") == institution_id)
    if row.height == 0 or row["overall_low"][0] is None or row["overall_high"][0] is None:
        return None
    return float(row["overall_low"][0]) - rp.ROUNDING, float(row["overall_high"][0]) + rp.ROUNDING


def within_published(
    o_lo: np.ndarray,
    o_hi: np.ndarray,
    published: tuple[float, float] | None,
    change: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Overall bounds intersected with what the published score allows: the published interval itself, or,
    after a change of some SDG scores, the published interval moved by the change's bounds (``change``, from
    :func:`change_bounds`). Where the two do not meet, the derived bounds are kept as they are."""
    if published is None:
        return o_lo, o_hi
    p_lo, p_hi = published
    d_lo, d_hi = change if change is not None else (np.zeros_like(o_lo), np.zeros_like(o_hi))
    lo, hi = np.maximum(o_lo, p_lo + d_lo), np.minimum(o_hi, p_hi + d_hi)
    meet = lo <= hi
    return np.where(meet, lo, o_lo), np.where(meet, hi, o_hi)


def change_bounds(
    lo: np.ndarray,
    hi: np.ndarray,
    new_lo: np.ndarray,
    new_hi: np.ndarray,
    rule: Rule,
    new_extremes: rp.Extremes | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on how much the overall score moves when the 17 score intervals [lo, hi] (NaN: not submitted),
    scaled over the rule's extremes, become [new_lo, new_hi] (rows × 17), scaled over ``new_extremes`` (a new
    score past a table's top or bottom moves them; default: unchanged). The scaled SDGs change one after another:
    SDG 17 moves the score by its weight times its scaled change; another SDG going from a to a' moves the sum of
    the best three by max(a', t) − max(a, t), t the third best of the others (a not-submitted SDG scales as 0,
    which never enters the best three of an eligible institution), bounded at t's ends since it is monotone in t;
    under the two-year rule only this year's half moves."""
    rows = new_lo.shape[0]
    cols = np.arange(1, rp.N_SDGS + 1)[None, :].repeat(rows, axis=0)
    now = rp.minmax(lo[None].repeat(rows, 0), hi[None], cols, rule.extremes)
    # not submitted: 0, also in a table of one score, which min-max gives 100 whatever the score
    cur_lo, cur_hi = (np.where(np.isnan(lo), 0.0, np.nan_to_num(x, nan=0.0)) for x in now)
    new = rp.minmax(new_lo, new_hi, cols, new_extremes or rule.extremes)
    n_lo, n_hi = (np.where(np.isnan(new_lo), 0.0, np.nan_to_num(x, nan=0.0)) for x in new)
    same = (n_lo == cur_lo) & (n_hi == cur_hi)
    req = rp.REQUIRED - 1
    d_lo, d_hi = np.zeros(rows), np.zeros(rows)
    for j in np.flatnonzero(~same.all(axis=0)):
        changed = ~same[:, j]
        a_lo, a_hi, b_lo, b_hi = cur_lo[:, j], cur_hi[:, j], n_lo[:, j], n_hi[:, j]
        if j == req:
            up, down = rp.W_REQUIRED * (b_hi - a_lo), rp.W_REQUIRED * (b_lo - a_hi)
        else:
            rest = np.delete(np.arange(rp.N_SDGS), [j, req])
            t_lo = -np.sort(-cur_lo[:, rest], axis=1)[:, rp.BEST_K - 1]
            t_hi = -np.sort(-cur_hi[:, rest], axis=1)[:, rp.BEST_K - 1]
            rise = [np.maximum(b_hi, t) - np.maximum(a_lo, t) for t in (t_lo, t_hi)]
            fall = [np.maximum(b_lo, t) - np.maximum(a_hi, t) for t in (t_lo, t_hi)]
            up, down = rp.W_BEST * np.maximum(*rise), rp.W_BEST * np.minimum(*fall)
        d_hi += np.where(changed, up, 0.0)
        d_lo += np.where(changed, down, 0.0)
        cur_lo[:, j], cur_hi[:, j] = np.where(changed, b_lo, a_lo), np.where(changed, b_hi, a_hi)
    share = rp.TWO_YEAR[0] if rule.name == "two_year" else 1.0
    return share * d_lo, share * d_hi


def score_intervals(mine: pl.DataFrame, settings: dict[int, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The institution's 17 score intervals (display rounding on published scores, none on the ones set) and
    its scores at the displayed values (NaN for a range)."""
    lo, hi, point = (np.full(rp.N_SDGS, np.nan) for _ in range(3))
    for r in mine.filter(pl.col("score_low").is_not_null()).iter_rows(named=True):
        k = r["sdg"] - 1
        rounding = 0.0 if r["sdg"] in settings else rp.ROUNDING
        lo[k] = r["score_low"] - rounding
        hi[k] = r["score_high"] + rounding
        point[k] = r["score"] if r["score"] is not None else np.nan
    return lo, hi, point
