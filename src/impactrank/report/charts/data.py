"""Each chart as a small data dictionary computed from an edition's tables: what both renderers draw."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import visible, with_band_ranges
from impactrank.i18n import gettext, number
from impactrank.report.charts.style import rounded as _r
from impactrank.report.charts.style import value_text


def _score_expr() -> pl.Expr:
    """The overall score, or the middle of its interval for imported banded rows that only carry a range."""
    return pl.coalesce(pl.col("overall_score"), (pl.col("overall_low") + pl.col("overall_high")) / 2)


def distribution_data(
    edition: Edition, marked_ids: list[str] | None = None, bin_width: float = 2.5, lang: str = "en"
) -> dict:
    """Histogram of overall scores, the lowest score of each rank group (band boundaries), marked institutions.
    A row the table shows only as a score range (a published band's) counts evenly over that range, not at one
    point: 199 rows of 801–1000 at 36.5–47.5 are a plateau over those bins, not a spike at 42."""
    ov = edition.overall.with_columns(_score_expr().alias("_s")).filter(pl.col("_s").is_not_null())
    nbins = math.ceil(100 / bin_width)
    counts = _spread(ov, bin_width, nbins)
    groups = (
        ov.with_columns(
            pl.when(pl.col("band").is_null() | (pl.col("band") == ""))
            .then(pl.lit("individual"))
            .otherwise(pl.col("band"))
            .alias("_g")
        )
        .group_by("_g")
        .agg(  # a band's score range: its lowest and highest scores, ends of published ranges included
            pl.coalesce("overall_score", "overall_low").min().alias("low"),
            pl.coalesce("overall_score", "overall_high").max().alias("high"),
            pl.col("rank_position").min().alias("start"),
            pl.col("rank_position").max().alias("last"),
            pl.len().alias("n"),
        )
        .sort("start")
    )
    boundaries = []
    rows = groups.rows(named=True)
    for g, following in zip(rows, [*rows[1:], None], strict=True):
        # the individually ranked rows as published: "1–100", the places they fill up to the first band's (three
        # tied at =98 fill 98 to 100; two tied at =100 share 100), not their last rank nor their count
        filled = g["start"] + g["n"] - 1
        last = max(g["last"], filled if following is None else min(filled, following["start"] - 1))
        label = f"{g['start']}–{last}" if g["_g"] == "individual" else g["_g"]
        boundaries.append({"label": label, "low": _r(g["low"], 2), "high": _r(g["high"], 2), "count": g["n"]})
    marked = []
    if marked_ids:
        names = dict(edition.institutions.select("institution_id", "name").iter_rows())
        # a band's row is drawn at the middle of its band's range, as the table shows no score behind it
        rows = (
            visible(with_band_ranges(edition.overall, "overall_low", "overall_high"))
            .filter(pl.col("institution_id").is_in(marked_ids))
            .with_columns(_score_expr().alias("_s"))
            .sort(["rank_low", "institution_id"])
        )
        for r in rows.iter_rows(named=True):
            marked.append(
                {
                    "institution_id": r["institution_id"],
                    "name": names.get(r["institution_id"]),
                    "rank": r["rank"],
                    "x": _r(r["_s"], 2),  # where the mark is drawn: the score, or its band's middle
                }
            )
    return {
        "kind": "distribution",
        "lang": lang,
        "title": gettext("Overall scores, edition %(edition)s (%(count)s institutions)", lang)
        % {"edition": edition.id, "count": number(ov.height, lang)},
        "spread": bool(ov["overall_score"].null_count()),  # some rows counted over their range
        "bin_width": bin_width,
        "bins": [round(i * bin_width, 4) for i in range(nbins)],
        "counts": counts,
        "boundaries": boundaries,
        "marked": marked,
    }


def _spread(ov: pl.DataFrame, width: float, nbins: int) -> list[float]:
    """Rows per bin: a score in its bin, a range [low, high] shared among the bins it covers by their overlap."""
    exact = ov["overall_score"].drop_nulls().to_numpy()
    counts = np.bincount(np.clip((exact // width).astype(int), 0, nbins - 1), minlength=nbins).astype(float)
    ranged = ov.filter(pl.col("overall_score").is_null())
    low, high = (np.clip(ranged[c].to_numpy(), 0.0, 100.0) for c in ("overall_low", "overall_high"))
    edges = np.arange(nbins + 1) * width
    overlap = np.clip(np.minimum(high[:, None], edges[None, 1:]) - np.maximum(low[:, None], edges[None, :-1]), 0, None)
    span = high - low
    point = span <= 0  # a range of one value: its bin
    counts += (overlap[~point] / span[~point, None]).sum(axis=0)
    counts += np.bincount(np.clip((low[point] // width).astype(int), 0, nbins - 1), minlength=nbins)
    return [round(float(c), 2) for c in counts]


def profile_data(edition: Edition, institution_id: str, name: str | None = None, lang: str = "en") -> dict:
    """One institution's SDG scores, and which of them counted in its overall score."""
    rows = edition.sdg_scores.filter(pl.col("institution_id") == institution_id).sort("sdg")
    return profile_from_rows(rows.to_dicts(), institution_id, name, lang)


def profile_from_rows(rows: list[dict], institution_id: str, name: str | None = None, lang: str = "en") -> dict:
    """The profile from the institution's ``sdg_scores`` rows (sorted by SDG) already in hand."""
    sdgs = []
    for r in rows:  # an imported banded row carries its published range only: drawn as a floating bar
        low = r["score"] if r["score"] is not None else r["score_low"]
        high = r["score"] if r["score"] is not None else r["score_high"]
        sdgs.append(
            {
                "sdg": r["sdg"],
                "score": _r(r["score"], 2),
                "low": _r(low, 2),
                "high": _r(high, 2),
                "scaled": _r(r["scaled_score"], 2),
                # the label from the score itself: 55.3469 is "55.3", as the tables write it, where the score kept
                # to two decimals for the drawing (55.35) would read "55.4"
                "text": value_text({"score": r["score"], "low": low, "high": high}, lang),
                "counted": bool(r["counted"]),
                "rank": r["rank"],
            }
        )
    return {
        "kind": "profile",
        "lang": lang,
        "title": gettext("SDG profile: %(name)s", lang) % {"name": name or institution_id},
        "institution_id": institution_id,
        "name": name,
        "sdgs": sdgs,
    }


def participation_data(edition: Edition, marked_ids: list[str] | None = None, lang: str = "en") -> dict:
    """Institutions in each SDG table, and where the selected institutions stand in each (top x %)."""
    tables = edition.sdg_table_rows()
    counts = dict(tables.group_by("sdg").agg(pl.len()).iter_rows())
    names = dict(edition.institutions.select("institution_id", "name").iter_rows())
    positions = []
    if marked_ids:
        rows = tables.filter(pl.col("institution_id").is_in(marked_ids)).sort(["institution_id", "sdg"])
        sizes = pl.col("sdg").replace_strict(counts, default=None, return_dtype=pl.Int64)
        # what the table shows (engine.tables.shown): a band's share of the table, never the position behind it
        rows = visible(rows.with_columns(_of=sizes), "_of")
        for r in rows.iter_rows(named=True):
            low, high = r["share_low"], r["share_high"]
            positions.append(
                {
                    "institution_id": r["institution_id"],
                    "name": names.get(r["institution_id"]),
                    "sdg": r["sdg"],
                    "rank": r["rank"],
                    "position": r["rank_position"],
                    "of": counts.get(r["sdg"], 0),
                    "top_percent": None if low is None else _r((low + high) / 2, 1),  # a band's marker: its middle
                    "top_percent_low": _r(low, 1),
                    "top_percent_high": _r(high, 1),
                }
            )
    return {
        "kind": "participation",
        "lang": lang,
        "title": gettext("Participation per SDG, edition %(edition)s", lang) % {"edition": edition.id},
        "participants": [{"sdg": s, "count": counts.get(s, 0)} for s in range(1, 18)],
        "positions": positions,
    }


def movement_data(comparison: Any, limit: int = 40, lang: str = "en") -> dict:
    """Overall position as 'top x % of the field' in two editions, from a
    :class:`impactrank.engine.views.compare.Comparison`, so a growing field does not read as decline. A banded rank
    is an interval; the point is its middle and the whisker its extent."""
    rows = comparison.table.filter(pl.col("status") == "both").head(limit)
    items = []
    for r in rows.iter_rows(named=True):
        item = {
            "institution_id": r["institution_id"],
            "name": r["name"] or r["institution_id"],
            "rank_before": r["rank_from"],
            "rank_after": r["rank_to"],
            "movement": r["movement"],
        }
        for side, suffix in (("before", "from"), ("after", "to")):
            lo, hi = r[f"pct_low_{suffix}"], r[f"pct_high_{suffix}"]
            item[f"top_{side}"] = _r((lo + hi) / 2, 2) if lo is not None and hi is not None else None
            item[f"low_{side}"], item[f"high_{side}"] = _r(lo, 2), _r(hi, 2)
        items.append(item)
    return {
        "kind": "movement",
        "lang": lang,
        "title": gettext("Movement %(before)s → %(after)s (position as top %% of the field)", lang)
        % {"before": comparison.edition_from, "after": comparison.edition_to},
        "edition_before": comparison.edition_from,
        "edition_after": comparison.edition_to,
        "field_before": comparison.field_from,
        "field_after": comparison.field_to,
        "items": items,
        "truncated": max(0, comparison.table.filter(pl.col("status") == "both").height - limit),
    }
