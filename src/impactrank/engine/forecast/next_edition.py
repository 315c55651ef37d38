"""The forecast of next edition's band for every institution of a published edition, from the series before it.

Pure: editions and rules in, a table out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from impactrank.engine.forecast.field import growth_draws, leaving
from impactrank.engine.forecast.rule import NextRule
from impactrank.engine.forecast.sdg_moves import NEIGHBOURS, entries, scaled_sdgs, sdg_moves
from impactrank.engine.forecast.series import USABLE_WIDTH, newcomers, single_year
from impactrank.engine.forecast.simulate import LEVEL, Field, nearest_interval, simulate
from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.rule import change_bounds, edition_rule, score_intervals
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError

RUNS = 2000


@dataclass(frozen=True)
class Forecast:
    """The table (one row per institution of the edition's overall table, see :func:`_table`) and every
    assumption it rests on, as data for a reader's language to word."""

    edition: str
    rule: NextRule  # next edition's
    table: pl.DataFrame
    segments: list[tuple[str, int, int]]  # next edition's bands as simulated (label, first, last position)
    this_size: int
    field_sizes: tuple[int, int]  # next edition's overall table, smallest and largest simulated
    leaving: float  # share of this edition's institutions simulated as leaving
    pairs: list[str]  # the consecutive editions movement was learned from ("2021 → 2022")
    sdg_pairs: int  # (institution, SDG) pairs
    together: float  # the correlation of one institution's SDG moves (the copula's)
    neighbours: int
    planned: dict[int, float] | None = None  # --assume-sdg
    planned_change: tuple[float, float] | None = None  # bounds on the change it makes to this year's score

    @property
    def next_year(self) -> int:
        return self.rule.year


def series_singles(series: list[Edition], rules: dict[int, NextRule]) -> list[pl.DataFrame]:
    """Each edition's single-year scores, in order (an averaged edition's read with the one before it)."""
    out: list[pl.DataFrame] = []
    for k, ed in enumerate(series):
        consecutive = k > 0 and series[k - 1].year == ed.year - 1
        out.append(single_year(ed, rules[ed.year], out[-1] if consecutive else None))
    return out


def forecast_edition(
    series: list[Edition],
    rules: dict[int, NextRule],
    participants: dict[int, int],
    *,
    assume: dict[int, float] | None = None,
    institution: str | None = None,
    runs: int = RUNS,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Forecast:
    """Next edition's bands for the last edition of ``series`` (editions with overall tables, by year), whose
    rules (``rules[year]``, next year's included) say how each made its published score; ``participants``:
    institutions in any table of each year's edition (SDG tables only included), for the field's growth;
    ``assume``: planned SDG scores of ``institution``."""
    edition = series[-1]
    if not edition.has_overall_table:
        edition.require_overall()
    rule = rules[edition.year + 1]
    consecutive = [k > 0 and series[k].year == series[k - 1].year + 1 for k in range(len(series))]
    arrivals = newcomers(series)
    singles = series_singles(series, rules)
    scaled = [scaled_sdgs(e) for e in series]
    moves = sdg_moves(scaled, consecutive)
    now = singles[-1]
    lo, hi = now["lo"].to_numpy(), now["hi"].to_numpy()
    ids = now["institution_id"].to_list()
    mine, planned_change = scaled[-1], None
    if institution is not None:
        _row(ids, institution, edition)
    if assume:
        if institution is None:
            raise InputError("planned SDG scores (--assume-sdg) are one institution's: name it", field="assume-sdg")
        planned_change = _planned(series, institution, assume)
        mine = _with_planned(mine, edition, institution, assume)
    growths = growth_draws([n for y, n in sorted(participants.items()) if y <= edition.year])
    if arrivals.lo.size == 0 and growths.max() > 0:
        raise InputError(
            N_(
                "the field grows next year, but no institution new to an overall table of the series shows how "
                "newcomers score"
            ),
            field="edition",
        )
    leave = leaving(singles, consecutive, USABLE_WIDTH).rates((lo + hi) / 2)
    field = Field(leave, growths, arrivals.lo, arrivals.hi)
    sim = simulate(lo, hi, entries(ids, mine, moves), moves, field, rule, runs, seed, progress=progress)
    return Forecast(
        edition=edition.id,
        rule=rule,
        table=_table(ids, lo, hi, rule, sim),
        segments=sim.segments,
        this_size=len(ids),
        field_sizes=sim.sizes,
        leaving=sim.leaving,
        pairs=arrivals.pairs,
        sdg_pairs=moves.size,
        together=moves.together,
        neighbours=NEIGHBOURS,
        planned=dict(assume) if assume else None,
        planned_change=planned_change,
    )


def _row(ids: list[str], institution: str, edition: Edition) -> int:
    if institution not in ids:
        raise InputError(
            N_(
                "%(institution)s has no score in edition %(edition)s's overall table: a forecast starts from this "
                "year's score (an institution new next year, or one absent this year, has none)"
            ),
            field="institution",
            params={"institution": repr(institution), "edition": edition.id},
        )
    return ids.index(institution)


def _table(ids: list[str], lo: np.ndarray, hi: np.ndarray, rule: NextRule, sim) -> pl.DataFrame:
    """Per institution, if it returns: the fixed part of next year's score, the most likely band, the 80 %
    interval and the chance of an individual rank with its 80 % interval."""
    labels = [label for label, _, _ in sim.segments]
    w_prev = rule.weights[1] if len(rule.weights) > 1 else 0.0
    probs = sim.in_band / np.maximum(sim.in_band.sum(axis=1, keepdims=True), 1)
    mode = probs.argmax(axis=1)
    first, last = nearest_interval(sim.in_band, LEVEL)
    held = np.array([probs[i, a : b + 1].sum() for i, (a, b) in enumerate(zip(first, last, strict=True))])
    top = sim.segments[0][2] if sim.segments[0][1] == 1 and "–" in sim.segments[0][0] else 0
    return pl.DataFrame(
        {
            "institution_id": ids,
            "fixed_low": w_prev * lo,
            "fixed_high": w_prev * hi,
            "most_likely": [labels[m] for m in mode],
            "most_likely_index": mode,
            "probability": probs[np.arange(len(ids)), mode],
            "interval_low": [labels[a] for a in first],
            "interval_high": [labels[b] for b in last],
            "interval_low_index": first,
            "interval_high_index": last,
            "interval_probability": held,
            "top_probability": probs[:, 0] if top else np.zeros(len(ids)),
            "rank_p10": sim.rank_p10,
            "rank_p90": sim.rank_p90,
            "band_probabilities": [
                json.dumps({labels[k]: round(float(p), 4) for k, p in enumerate(row) if p}, ensure_ascii=False)
                for row in probs
            ],
        }
    )


def _planned(series: list[Edition], institution: str, assume: dict[int, float]) -> tuple[float, float]:
    """Bounds on the change of this year's single-year score were the institution's SDG scores those planned."""
    edition = series[-1]
    previous = series[-2] if len(series) > 1 and series[-2].year == edition.year - 1 else None
    rule = replace(edition_rule(edition, previous), name="single_year")
    mine = edition.sdg_scores.filter(pl.col("institution_id") == institution)
    lo, hi, _ = score_intervals(mine, {})
    new_lo, new_hi = lo.copy(), hi.copy()
    for sdg, score in assume.items():
        if not 1 <= sdg <= 17 or not 0 <= score <= 100:
            raise InputError(
                N_("SDG %(sdg)s=%(score)s: an SDG is 1–17 and a score 0–100"),
                field="assume-sdg",
                params={"sdg": sdg, "score": f"{score:g}"},
            )
        new_lo[sdg - 1] = new_hi[sdg - 1] = score
    d_lo, d_hi = change_bounds(lo, hi, new_lo[None], new_hi[None], rule)
    return float(d_lo[0]), float(d_hi[0])


def _with_planned(scaled: pl.DataFrame, edition: Edition, institution: str, assume: dict[int, float]) -> pl.DataFrame:
    """The institution's scaled SDG scores with the planned ones in place (this year's scaling)."""
    sdgs = np.array(sorted(assume))
    score = np.array([assume[k] for k in sdgs], dtype=float)
    lo, hi = rp.minmax(score, score, sdgs, rp.table_extremes(edition))
    planned = pl.DataFrame({"institution_id": [institution] * sdgs.size, "sdg": sdgs, "lo": lo, "hi": hi})
    kept = scaled.filter((pl.col("institution_id") != institution) | ~pl.col("sdg").is_in(sdgs.tolist()))
    return pl.concat([kept, planned.cast(kept.schema)])
