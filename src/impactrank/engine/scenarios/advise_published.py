"""Advice on a published edition: for each SDG the institution counts or could add, the SDG score that lifts
its overall score past the next band's lowest score (or the next rank's score), by the edition's reproduced
rule; under THE's two-year average, also the single-year score next year needs for each band given this year's.

A score is needed "for certain" when the overall interval's low end clears the threshold's high end, and
"possibly" when the high end clears its low end. Raising one SDG above its table's top makes it the top
(scaled 100) and lowers every other row's scaled score in that SDG, so the published threshold is then
conservative. Pure: editions in, advice out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import polars as pl

from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.rule import (
    change_bounds,
    edition_rule,
    overall_bounds,
    published_overall,
    score_intervals,
    within_published,
)
from impactrank.engine.scenarios.whatif_published import bands_of
from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import PUBLISHED_DECIMALS, range_text
from impactrank.errors import N_, InputError

GRID = np.round(np.arange(0, 1001) / 10, 1)  # candidate SDG scores, at display precision


@dataclass
class PublishedAdvice:
    edition: str
    institution_id: str
    name: str | None
    rule_name: str  # "single_year" or "two_year"
    current: str  # its published rank or band
    overall_low: float  # derived by the rule, within what the published score allows
    overall_high: float
    overall: str  # the same as the displayed scores it allows, inside the published range: "58.2–66.2"
    target: str | None  # "band" (the next band up), "rank" (the row just above) or "ranked" (an individual rank)
    target_label: str | None  # the band or rank aimed at ("101–200", "54"); None for "ranked" and at the top
    threshold: float | None  # the published score to pass
    levers: list[dict]  # sdg, published, counted, needed_certain, needed_possible, gain_certain, gain_possible
    next_year: list[dict] | None  # two-year rule: band, threshold, certain, possible (next single-year score)

    def to_dict(self) -> dict:
        return asdict(self)


def advise_published(edition: Edition, institution_id: str, previous: Edition | None = None) -> PublishedAdvice:
    rule = edition_rule(edition, previous)  # an edition without an overall table is refused as whatif refuses it
    row = edition.overall.filter(pl.col("institution_id") == institution_id)
    edition.institution(institution_id)  # refuses an institution the edition does not have
    if row.height == 0:
        raise InputError(
            N_("%(institution)s is not in edition %(edition)s's overall table: try SDG scores with whatif --set-sdg"),
            field="institution",
            params={"institution": institution_id, "edition": edition.id},
        )
    rec = row.row(0, named=True)
    mine = edition.sdg_scores.filter(pl.col("institution_id") == institution_id)
    lo, hi, _ = score_intervals(mine, {})
    published = published_overall(edition, institution_id)
    o_lo, o_hi = within_published(*overall_bounds(lo[None], hi[None], rule.extremes, rule, [institution_id]), published)
    target, target_label, threshold = _target(edition, rec)
    levers = [] if threshold is None else _levers(mine, lo, hi, rule, institution_id, threshold, published)
    name = edition.institutions.filter(pl.col("institution_id") == institution_id)["name"][0]
    return PublishedAdvice(
        edition=edition.id,
        institution_id=institution_id,
        name=name,
        rule_name=rule.name,
        current=rec["rank"],
        overall_low=float(o_lo[0]),
        overall_high=float(o_hi[0]),
        overall=range_text(float(o_lo[0]), float(o_hi[0]), PUBLISHED_DECIMALS, _displayed(rec)),
        target=target,
        target_label=target_label,
        threshold=threshold,
        levers=levers,
        next_year=_next_year(edition, rec, lo, hi, rule) if rule.name == "two_year" else None,
    )


def _displayed(rec: dict) -> tuple[float, float] | None:
    """The published overall score or band range, as displayed."""
    return None if rec["overall_low"] is None else (rec["overall_low"], rec["overall_high"])


def _target(edition: Edition, rec: dict) -> tuple[str | None, str | None, float | None]:
    """The next band up (its lowest published score) or, individually ranked, the row just above: what it is
    (band, rank or ranked: out of the first band into the individual ranks), which, and the score to pass."""
    table = edition.overall.filter(pl.col("overall_low").is_not_null())
    if rec["band"] is None:
        above = table.filter(pl.col("band").is_null() & (pl.col("rank_position") < rec["rank_position"]))
        if above.height == 0:
            return None, None, None
        best = above.sort("rank_position", descending=True).row(0, named=True)
        return "rank", best["rank"].lstrip("="), float(best["overall_low"])
    bands = [b for b, _, _ in bands_of(edition)]
    i = bands.index(rec["band"]) if rec["band"] in bands else 0
    if i == 0:
        lowest = table.filter(pl.col("band").is_null())["overall_low"].min()
        return "ranked", None, None if lowest is None else float(lowest)
    better = table.filter(pl.col("band") == bands[i - 1])
    return "band", bands[i - 1], float(better["overall_low"].min())


def _levers(
    mine: pl.DataFrame,
    lo: np.ndarray,
    hi: np.ndarray,
    rule,
    institution_id: str,
    threshold: float,
    published: tuple[float, float] | None,
) -> list[dict]:
    """Per SDG, the smallest score on the display grid whose overall interval clears the threshold; the interval
    is what the rule derives, within the published score moved by the change (published.rule.within_published)."""
    shown = {r["sdg"]: r for r in mine.iter_rows(named=True)}
    out = []
    for sdg in range(1, rp.N_SDGS + 1):
        k = sdg - 1
        grid_lo = np.repeat(lo[None], GRID.size, axis=0)
        grid_hi = np.repeat(hi[None], GRID.size, axis=0)
        grid_lo[:, k] = grid_hi[:, k] = GRID
        # a score above the table's top scales to 100 (clipped), as it would as the new top
        o_lo, o_hi = overall_bounds(grid_lo, grid_hi, rule.extremes, rule, [institution_id] * GRID.size)
        change = change_bounds(lo, hi, grid_lo, grid_hi, rule)
        o_lo, o_hi = within_published(o_lo, o_hi, published, change)
        now = shown.get(sdg)
        current = None if now is None or now["score"] is None else float(now["score"])
        floor = -np.inf if now is None else float(now["score_low"])
        certain = _first(GRID, (o_lo > threshold + rp.ROUNDING) & (floor <= GRID))
        possible = _first(GRID, (o_hi > threshold - rp.ROUNDING) & (floor <= GRID))
        if certain is None and possible is None:
            continue
        out.append(
            {
                "sdg": sdg,
                "published": None
                if now is None or now["score_low"] is None
                else (f"{current:.1f}" if current is not None else f"{now['score_low']:.1f}–{now['score_high']:.1f}"),
                "counted": bool(now["counted"]) if now is not None else False,
                "needed_certain": certain,
                "needed_possible": possible,
                "gain_certain": None if certain is None or current is None else round(certain - current, 1),
                "gain_possible": None if possible is None or current is None else round(possible - current, 1),
            }
        )
    out.sort(key=lambda r: (r["needed_certain"] is None, _gain(r), r["sdg"]))
    return out


def _gain(r: dict) -> float:
    """Smallest first: the gain from the current score, or the whole score for an SDG to add."""
    value = r["gain_certain"] if r["gain_certain"] is not None else r["needed_certain"]
    return np.inf if value is None else value


def _first(grid: np.ndarray, ok: np.ndarray) -> float | None:
    hits = np.flatnonzero(ok)
    return float(grid[hits[0]]) if hits.size else None


def _next_year(edition: Edition, rec: dict, lo: np.ndarray, hi: np.ndarray, rule) -> list[dict]:
    """The single-year score next year needs for each band up to the current one, given this year's single-year
    score: next published = (next single-year + this single-year) / 2, band boundaries assumed unchanged."""
    single = replace(rule, name="single_year")
    s_lo, s_hi = overall_bounds(lo[None], hi[None], rule.extremes, single, [rec["institution_id"]])
    table = edition.overall.filter(pl.col("overall_low").is_not_null())
    out = []
    w_this, w_prev = rp.TWO_YEAR
    for band, _, _ in bands_of(edition):
        lowest = table.filter(pl.col("band") == band)["overall_low"].min()
        if lowest is None:
            continue
        t = float(lowest)
        out.append(
            {
                "band": band,
                "threshold": t,
                "certain": ((t + rp.ROUNDING) - w_prev * float(s_lo[0])) / w_this,
                "possible": ((t - rp.ROUNDING) - w_prev * float(s_hi[0])) / w_this,
            }
        )
        if band == rec["band"]:
            break
    return out
