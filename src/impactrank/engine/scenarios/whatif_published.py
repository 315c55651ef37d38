"""What-if on a published edition, for an institution that knows its own SDG scores but nobody else's metrics:
its overall score recomputed by the edition's reproduced rule from its SDG-table scores with some of them set
(an SDG not submitted can be added), within what its published overall score allows once moved by the change,
and the place it would take among the other rows — all as intervals, since every published number is one.

The SDG tables' extremes move when a new score passes them, and then every other row is recomputed from its
own SDG-table scores; otherwise the other rows keep their published intervals. Under the two-year rule last
year's term stays as published.

Pure: editions in, a result out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.rule import (
    Rule,
    aligned,
    change_bounds,
    edition_rule,
    overall_bounds,
    published_overall,
    score_intervals,
    score_matrix,
    within_published,
)
from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import PUBLISHED_DECIMALS, range_text
from impactrank.errors import N_, InputError


@dataclass
class Placement:
    rank_low: int  # best place the interval allows (1 + rows certainly above)
    rank_high: int  # worst place (1 + rows possibly above)
    band: str | None  # the band both ends fall in; None when individually ranked or spanning bands
    rank: str  # as a reader would write it: "55", "51–58", "101–200", "201–400"
    band_low: str | None = None  # the bands of its two ends when they differ: "101–200" …
    band_high: str | None = None  # … and "201–300", the range worded by the reader's catalog


@dataclass
class PublishedWhatIf:
    edition: str
    institution_id: str
    name: str | None
    rule_name: str  # "single_year" or "two_year" (worded by the reader's catalog, with previous_edition)
    previous_edition: str | None
    inputs: list[dict]  # sdg, published (as displayed, or None), used [low, high], set (bool)
    overall_low: float
    overall_high: float
    overall: str  # the displayed scores the interval allows, at the published precision: "77.5–78.8"
    overall_point: float | None  # at the displayed inputs, when every counted input is exact
    best_sdgs: list[int]  # the three best others, chosen on the scaled scores (bounds' midpoints)
    rank_low: int
    rank_high: int
    band: str | None
    rank: str
    band_low: str | None  # the bands of its ends, when they differ
    band_high: str | None
    published_rank: str | None  # before any change, as published
    published_overall: str | None
    others_recomputed: bool  # the extremes moved, so the other rows were recomputed too

    def to_dict(self) -> dict:
        return asdict(self)


def check_settings(settings: dict[int, float]) -> None:
    for sdg, value in settings.items():
        if not 1 <= int(sdg) <= rp.N_SDGS:
            raise InputError(
                N_("SDG %(sdg)s is not a goal: SDGs are numbered 1–17"), field="set-sdg", params={"sdg": sdg}
            )
        if not 0.0 <= float(value) <= 100.0:
            raise InputError(
                N_("SDG %(sdg)s score %(score)s is outside 0–100"),
                field="set-sdg",
                params={"sdg": sdg, "score": f"{value:g}"},
            )


def whatif_published(
    edition: Edition, institution_id: str, settings: dict[int, float], previous: Edition | None = None
) -> PublishedWhatIf:
    check_settings(settings)
    rule = edition_rule(edition, previous)
    info = edition.institution(institution_id)
    rows = _with_settings(edition.sdg_scores, institution_id, settings)
    tables = [*edition.sdg_table_sizes(), *settings]  # an SDG nobody took part in gets a table of one
    ext = rp.Extremes.of(rows.filter(pl.col("sdg").is_in(tables)))
    moved = any(
        not np.array_equal(getattr(ext, k), getattr(rule.extremes, k), equal_nan=True) for k in ("top", "bottom")
    )
    mine = rows.filter(pl.col("institution_id") == institution_id)
    lo, hi, point = score_intervals(mine, settings)
    o_lo, o_hi = overall_bounds(lo[None], hi[None], ext, rule, [institution_id])
    if np.isnan(o_lo[0]):
        have = sorted(mine["sdg"].to_list())
        raise InputError(
            N_(
                "%(institution)s would not be in the overall table: it needs SDG 17 and three other SDGs (scores in "
                "SDGs %(sdgs)s)"
            ),
            field="set-sdg",
            params={"institution": institution_id, "sdgs": have},
        )
    # within the published score, moved by what the settings change
    now_lo, now_hi, _ = score_intervals(edition.sdg_scores.filter(pl.col("institution_id") == institution_id), {})
    change = change_bounds(now_lo, now_hi, lo[None], hi[None], rule, ext)
    o_lo, o_hi = within_published(o_lo, o_hi, published_overall(edition, institution_id), change)
    others = _others(edition, rows, institution_id, ext, rule, moved)
    placement = place(edition, others, float(o_lo[0]), float(o_hi[0]))
    published = edition.overall.filter(pl.col("institution_id") == institution_id)
    shown = (published["overall_low"][0], published["overall_high"][0]) if published.height else None
    return PublishedWhatIf(
        edition=edition.id,
        institution_id=institution_id,
        name=info["name"],
        rule_name=rule.name,
        previous_edition=rule.previous_edition,
        inputs=_inputs(edition, institution_id, mine, settings),
        overall_low=float(o_lo[0]),
        overall_high=float(o_hi[0]),
        overall=range_text(float(o_lo[0]), float(o_hi[0]), PUBLISHED_DECIMALS, None if settings else shown),
        overall_point=_point(point, ext, rule, institution_id),
        best_sdgs=_best(lo, hi, ext),
        **asdict(placement),
        published_rank=published["rank"][0] if published.height else None,
        published_overall=published["overall_display"][0] if published.height else None,
        others_recomputed=moved,
    )


def _with_settings(rows: pl.DataFrame, institution_id: str, settings: dict[int, float]) -> pl.DataFrame:
    """The SDG-table rows with the institution's scores replaced (or added) by the settings, as exact scores."""
    if not settings:
        return rows
    changed = pl.col("institution_id").eq(institution_id) & pl.col("sdg").is_in(list(settings))
    new = pl.DataFrame(
        {
            "institution_id": [institution_id] * len(settings),
            "sdg": [int(k) for k in settings],
            "score": [float(v) for v in settings.values()],
            "score_low": [float(v) for v in settings.values()],
            "score_high": [float(v) for v in settings.values()],
        }
    )
    return pl.concat([rows.filter(~changed), new], how="diagonal_relaxed")


def _others(
    edition: Edition, rows: pl.DataFrame, institution_id: str, ext: rp.Extremes, rule: Rule, moved: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The other overall-table rows' score intervals: as published, or recomputed when the extremes moved."""
    table = edition.overall.filter(pl.col("institution_id") != institution_id)
    if not moved:
        return rp.published_interval(table["overall_low"], table["overall_high"])
    ids, lo, hi = score_matrix(rows.filter(pl.col("institution_id") != institution_id))
    o_lo, o_hi = overall_bounds(lo, hi, ext, rule, ids)
    keep = np.isin(np.array(ids, dtype=object), np.array(table["institution_id"].to_list(), dtype=object))
    keep &= ~np.isnan(o_lo)
    return o_lo[keep], o_hi[keep]


def _point(point: np.ndarray, ext: rp.Extremes, rule: Rule, institution_id: str) -> float | None:
    """The overall score at the displayed inputs and extremes, when the counted inputs are exact."""
    cols = np.arange(1, rp.N_SDGS + 1)
    scaled = np.where(np.isnan(point), np.nan, rp.minmax_point(point, cols, ext))
    others = np.delete(scaled, rp.REQUIRED - 1)[None]
    best = np.sort(np.nan_to_num(others[0], nan=-np.inf))[::-1][: rp.BEST_K]
    if np.isnan(scaled[rp.REQUIRED - 1]) or not np.all(np.isfinite(best)):
        return None
    value = float(rp.combine(scaled[rp.REQUIRED - 1 : rp.REQUIRED], others)[0])
    if rule.name == "two_year":
        p_lo, _, p_point = aligned(rule.previous, [institution_id])
        if not np.isnan(p_lo[0]):
            if np.isnan(p_point[0]):
                return None
            w_this, w_prev = rp.TWO_YEAR
            value = w_this * value + w_prev * float(p_point[0])
    return value


def _best(lo: np.ndarray, hi: np.ndarray, ext: rp.Extremes) -> list[int]:
    cols = np.arange(1, rp.N_SDGS + 1)
    s_lo, s_hi = rp.minmax(lo, hi, cols, ext)
    mid = np.where(np.isnan(lo), -np.inf, (s_lo + s_hi) / 2)
    mid[rp.REQUIRED - 1] = -np.inf
    order = np.argsort(-mid, kind="stable")[: rp.BEST_K]
    return [int(k + 1) for k in order if np.isfinite(mid[k])]


def _inputs(edition: Edition, institution_id: str, mine: pl.DataFrame, settings: dict[int, float]) -> list[dict]:
    published = {
        r["sdg"]: r for r in edition.sdg_scores.filter(pl.col("institution_id") == institution_id).iter_rows(named=True)
    }
    out = []
    for r in mine.sort("sdg").iter_rows(named=True):
        p = published.get(r["sdg"])
        shown = None
        if p is not None and p["score_low"] is not None:
            shown = f"{p['score']:.1f}" if p["score"] is not None else f"{p['score_low']:.1f}–{p['score_high']:.1f}"
        out.append(
            {
                "sdg": r["sdg"],
                "published": shown,
                "used": [r["score_low"], r["score_high"]],
                "set": r["sdg"] in settings,
            }
        )
    return out


def bands_of(edition: Edition) -> list[tuple[str, int, int]]:
    """The edition's bands by the positions their rows hold: label, first and last position. Ties make labels
    and counts differ (2023: 102 rows are individually ranked, so "101–200" holds positions 103–201); the open
    last band reaches one past the table, for a newcomer."""
    size = edition.overall.height
    counts = (
        edition.overall.filter(pl.col("rank_low").is_not_null())
        .group_by("band", maintain_order=True)
        .agg(pl.len(), start=pl.col("rank_low").min())
        .sort("start")
    )
    bands, above = [], 0
    for band, n, _ in counts.iter_rows():
        if band is not None:
            bands.append((band, above + 1, above + n))
        above += n
    if bands:
        bands[-1] = (bands[-1][0], bands[-1][1], size + 1)
    return bands


def place(edition: Edition, others: tuple[np.ndarray, np.ndarray], lo: float, hi: float) -> Placement:
    """The place an overall-score interval takes among the other rows' intervals, and its band."""
    o_lo, o_hi = others
    # a displayed score's interval excludes its top ([65.85, 65.95) shows 65.9): intervals that only touch do not
    # overlap, and a row whose interval starts where ours ends is certainly above (a band's edge, 77.45, among them)
    above = o_hi > lo + 1e-9
    rank_low = 1 + int((above & (o_lo >= hi - 1e-9)).sum())
    rank_high = 1 + int(above.sum())
    bands = bands_of(edition)
    first_band = bands[0][1] if bands else None

    def label(r: int) -> str | None:
        for name, start, end in bands:
            if start <= r <= end:
                return name
        return None if first_band is None or r < first_band else bands[-1][0]

    low_band, high_band = label(rank_low), label(rank_high)
    if low_band is not None and low_band == high_band:
        return Placement(rank_low, rank_high, low_band, low_band)
    if low_band is None and high_band is None:
        return Placement(
            rank_low, rank_high, None, str(rank_low) if rank_low == rank_high else f"{rank_low}–{rank_high}"
        )
    return Placement(
        rank_low, rank_high, None, f"{rank_low}–{rank_high}", low_band or str(rank_low), high_band or str(rank_high)
    )
