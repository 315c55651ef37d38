"""How an imported institution's overall score arises, from the published tables alone: each SDG's published
score or range (its SDG table, else its card), which SDGs count (SDG 17 and the best three), and THE's overall
formula as the edition's reproduced rule computes it (engine.published.rule: the rule the audit finds
reproducing the exact rows) — an interval from the SDG intervals, set beside the published score or band range.

Pure: editions in, an explanation out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.rule import Rule, aligned, edition_rule, overall_bounds, score_intervals
from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.formula import Formula, SdgTerm, Value, YearTerm
from impactrank.engine.tables.shown import PUBLISHED_DECIMALS, range_text, score_text
from impactrank.errors import N_, InputError


@dataclass(frozen=True)
class ReproducedSDG:
    sdg: int
    published: str  # "86.0" or "64.9–73.4", as published
    scaled_low: float  # scaled over the SDG's table, display rounding included
    scaled_high: float
    counted: bool  # SDG 17 or one of the published best three


@dataclass(frozen=True)
class Reproduced:
    """THE's overall formula recomputed for one institution of a published edition."""

    rule_name: str  # "single_year" or "two_year" (worded by the reader's catalog, with previous_edition)
    explained: int  # exact rows of the edition the rule reproduces, of ``of``
    of: int
    sdgs: list[ReproducedSDG]
    low: float  # the overall interval from the SDG intervals
    high: float
    published: str | None  # the published overall score or band range, as displayed
    published_low: float | None
    published_high: float | None
    agrees: bool | None  # the reproduced interval meets the published one (display rounding included)
    previous_edition: str | None = None
    previous_low: float | None = None  # last year's single-year score, under the two-year rule
    previous_high: float | None = None

    @property
    def formula(self) -> Formula:
        """0.22 × SDG 17 + 0.26 × (best three), each a scaled interval, = the overall interval; under the two-year
        rule those terms stand inside the average with last year's single-year interval."""
        d = PUBLISHED_DECIMALS
        counted = [SdgTerm(s.sdg, Value(s.scaled_low, s.scaled_high, d)) for s in self.sdgs if s.counted]
        two_year = self.rule_name == "two_year" and self.previous_low is not None
        return Formula(
            required_weight=rp.W_REQUIRED,
            required=next((s for s in counted if s.sdg == rp.REQUIRED), None),
            best_weight=rp.W_BEST,
            best=tuple(s for s in counted if s.sdg != rp.REQUIRED),
            single_year=None,
            total=Value(self.low, self.high, d),
            years=(
                YearTerm("", rp.TWO_YEAR[0], None),
                YearTerm(self.previous_edition or "", rp.TWO_YEAR[1], Value(self.previous_low, self.previous_high, d)),
            )
            if two_year
            else (),
        )

    @property
    def within(self) -> str | None:
        """The displayed scores both the reproduced interval and the published one allow: "77.5–78.8"."""
        if not self.agrees or self.published_low is None or self.published_high is None:
            return None
        low, high = max(self.low, self.published_low - rp.ROUNDING), min(self.high, self.published_high + rp.ROUNDING)
        return range_text(low, high, PUBLISHED_DECIMALS, (self.published_low, self.published_high))

    def to_dict(self) -> dict:
        return {**asdict(self), "formula": self.formula.to_dict(), "within": self.within}


def reproduce_institution(
    edition: Edition, institution_id: str, previous: Edition | None = None, rule: Rule | None = None
) -> Reproduced:
    """The institution's overall score by the edition's reproduced rule; an InputError saying why when the rule
    cannot be reproduced (no SDG tables, no previous edition for a two-year average) or the institution is not
    in the overall table. ``rule``: the edition's, found once by whoever explains many of its institutions."""
    row = edition.overall.filter(pl.col("institution_id") == institution_id)
    if row.height == 0:
        raise InputError(
            N_("%(institution)s is not in edition %(edition)s's overall table"),
            field="institution",
            params={"institution": institution_id, "edition": edition.id},
        )
    rule = edition_rule(edition, previous) if rule is None else rule
    rec = row.row(0, named=True)
    mine = edition.sdg_scores.filter(pl.col("institution_id") == institution_id).sort("sdg")
    lo, hi, _ = score_intervals(mine, {})
    o_lo, o_hi = overall_bounds(lo[None], hi[None], rule.extremes, rule, [institution_id])
    if np.isnan(o_lo[0]):
        raise InputError(
            N_("%(institution)s's published SDG scores do not include SDG 17 and three others"),
            field="institution",
            params={"institution": institution_id},
        )
    counted = {rp.REQUIRED, *(int(x) for x in (rec["top_sdgs"] or "").split(";") if x)}
    sdgs = []
    for r in mine.filter(pl.col("score_low").is_not_null()).iter_rows(named=True):
        k = np.array([r["sdg"]])
        s_lo, s_hi = rp.minmax(lo[k - 1], hi[k - 1], k, rule.extremes)
        sdgs.append(
            ReproducedSDG(
                sdg=r["sdg"],
                published=score_text(r["score"], r["score_low"], r["score_high"], PUBLISHED_DECIMALS),
                scaled_low=float(s_lo[0]),
                scaled_high=float(s_hi[0]),
                counted=r["sdg"] in counted,
            )
        )
    p_low, p_high = rec["overall_low"], rec["overall_high"]
    agrees = None
    if p_low is not None and p_high is not None:
        agrees = bool(rp.meets(o_lo, o_hi, np.array([p_low - rp.ROUNDING]), np.array([p_high + rp.ROUNDING]))[0])
    prev_low = prev_high = None
    if rule.previous is not None:
        last_lo, last_hi, _ = aligned(rule.previous, [institution_id])
        if not np.isnan(last_lo[0]):  # a newcomer keeps its single-year score
            prev_low, prev_high = float(last_lo[0]), float(last_hi[0])
    return Reproduced(
        rule_name=rule.name,
        explained=rule.explained,
        of=rule.of,
        sdgs=sdgs,
        low=float(o_lo[0]),
        high=float(o_hi[0]),
        published=rec["overall_display"],
        published_low=p_low,
        published_high=p_high,
        agrees=agrees,
        previous_edition=rule.previous_edition,
        previous_low=prev_low,
        previous_high=prev_high,
    )
