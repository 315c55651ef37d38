"""Ranks as THE displays them: competition ranking on the score at display precision, "=n" for ties,
individual ranks up to the band start, then bands with the score range of their members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.registry import Registry
from impactrank.methodology.schema import Banding

TieRule = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(full-precision scores, display keys) → the integer keys whose equality means a shared rank."""
TIE_RULES: Registry[TieRule] = Registry("tie rule")


@TIE_RULES.register("competition_on_display")
def on_display(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Equal scores at display precision share a rank; the next rank is skipped (1, =2, =2, 4)."""
    return keys


@TIE_RULES.register("competition_exact")
def on_exact(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Only exactly equal full-precision scores share a rank."""
    return np.unique(scores, return_inverse=True)[1].reshape(-1)


def display_keys(scores: np.ndarray, precision: int) -> np.ndarray:
    """Scores rounded half-up to display precision, as integers (85.25 → 853 at one decimal)."""
    return np.floor(scores * 10.0**precision + 0.5).astype(np.int64)


def format_keys(keys: pl.Expr, precision: int) -> pl.Expr:
    """Integer display keys as decimal strings, exactly (no float formatting on the way)."""
    if precision == 0:
        return keys.cast(pl.String)
    unit = 10**precision
    return pl.format("{}.{}", keys // unit, (keys % unit).cast(pl.String).str.zfill(precision))


def competition_ranks(tie_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1 + the number of strictly better rows, and whether the rank is shared."""
    neg = -tie_keys
    ordered = np.sort(neg)
    left = np.searchsorted(ordered, neg, side="left")
    right = np.searchsorted(ordered, neg, side="right")
    return left + 1, (right - left) > 1


@dataclass(frozen=True)
class RankRules:
    banding: Banding
    precision: int = 1
    tie_rule: str = "competition_on_display"


def rank_table(ids: pl.Series, scores: np.ndarray, rules: RankRules, names: pl.Series | None = None) -> pl.DataFrame:
    """Rank one table. Returns institution_id, rank, rank_position, rank_low, rank_high, band and display,
    ordered as published: by position, ties alphabetically by name, then by id."""
    n = len(scores)
    keys = display_keys(scores, rules.precision)
    position, tied = competition_ranks(TIE_RULES[rules.tie_rule](scores, keys))
    band_index, band_low, band_high, labels = _bands(position, n, rules.banding)
    banded = band_index >= 0
    frame = pl.DataFrame(
        {
            "institution_id": ids,
            "_name": names if names is not None else ids,
            "_key": keys,
            "rank_position": position,
            "_tied": tied,
            "_band": band_index,
            "rank_low": np.where(banded, band_low, position),
            "rank_high": np.where(banded, band_high, position),
        }
    )
    score_text = format_keys(pl.col("_key"), rules.precision)
    band_range = pl.format(
        "{}–{}",
        format_keys(pl.col("_key").min().over("_band"), rules.precision),
        format_keys(pl.col("_key").max().over("_band"), rules.precision),
    )
    label_of = pl.col("_band").replace_strict(list(range(len(labels))), labels, default=None, return_dtype=pl.String)
    frame = frame.with_columns(
        band=pl.when(pl.col("_band") >= 0).then(label_of).otherwise(pl.lit(None, pl.String)),
        display=pl.when(pl.col("_band") >= 0).then(band_range).otherwise(score_text),
    ).with_columns(
        rank=pl.when(pl.col("_band") >= 0)
        .then(pl.col("band"))
        .when(pl.col("_tied"))
        .then(pl.format("={}", pl.col("rank_position")))
        .otherwise(pl.col("rank_position").cast(pl.String)),
    )
    return frame.sort(["rank_position", "_name", "institution_id"]).select(
        "institution_id", "rank", "rank_position", "rank_low", "rank_high", "band", "display"
    )


def _bands(position: np.ndarray, n: int, banding: Banding) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Band index per row (-1 = individually ranked) and the band's interval of positions within the field."""
    starts = np.array([b.start for b in banding.bands], dtype=np.int64)
    ends = np.array([b.end if b.end is not None else np.iinfo(np.int64).max for b in banding.bands], dtype=np.int64)
    if not len(starts):
        return np.full(len(position), -1), position, position, []
    index = np.searchsorted(starts, position, side="right") - 1
    index = np.where((position > banding.individual_to) & (index >= 0), index, -1)
    safe = np.maximum(index, 0)
    low = starts[safe]
    high = np.minimum(ends[safe], n)
    return index, low, high, [b.label for b in banding.bands]
