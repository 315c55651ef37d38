"""Ranks as THE displays them: competition ranking on the score at display precision, "=n" for ties,
individual ranks up to the band start, then bands with the score range of their members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.registry import Registry
from impactrank.errors import N_
from impactrank.methodology.schema import Banding

TieRule = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(full-precision scores, display keys) → the integer keys whose equality means a shared rank."""
TIE_RULES: Registry[TieRule] = Registry(N_("tie rule"))


def on_display(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Equal scores at display precision share a rank; the next rank is skipped (1, =2, =2, 4)."""
    return keys


def on_exact(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Only exactly equal full-precision scores share a rank."""
    return np.unique(scores, return_inverse=True)[1].reshape(-1)


# Registered here, not by decorator: mutation testing (mutmut) leaves decorated functions unmutated.
TIE_RULES.register("competition_on_display")(on_display)
TIE_RULES.register("competition_exact")(on_exact)


def display_keys(scores: np.ndarray, precision: int) -> np.ndarray:
    """Scores rounded half-up to display precision, as integers (85.25 → 853 at one decimal)."""
    return np.floor(scores * 10.0**precision + 0.5).astype(np.int64)


def format_keys(keys: pl.Expr, precision: int) -> pl.Expr:
    """Integer display keys as decimal strings, exactly (no float formatting on the way)."""
    if precision == 0:
        return keys.cast(pl.String)
    unit = 10**precision
    return pl.format("{}.{}", keys // unit, (keys % unit).cast(pl.String).str.zfill(precision))


def competition_ranks(tie_keys: np.ndarray, groups: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """1 + the number of strictly better rows in the same group, and whether the rank is shared."""
    n = len(tie_keys)
    if groups is None:
        groups = np.zeros(n, dtype=np.int64)
    order = np.lexsort((-tie_keys, groups))
    g, k = groups[order], tie_keys[order]
    step = np.arange(n)
    new_group = np.r_[True, g[1:] != g[:-1]] if n else np.zeros(0, dtype=bool)
    new_value = new_group | (np.r_[True, k[1:] != k[:-1]] if n else new_group)
    group_start = np.maximum.accumulate(np.where(new_group, step, 0)) if n else step
    value_start = np.maximum.accumulate(np.where(new_value, step, 0)) if n else step
    value_id = np.cumsum(new_value) - 1
    ranks = np.empty(n, dtype=np.int64)
    tied = np.empty(n, dtype=bool)
    ranks[order] = value_start - group_start + 1
    tied[order] = np.bincount(value_id, minlength=1)[value_id] > 1 if n else tied
    return ranks, tied


@dataclass(frozen=True)
class RankRules:
    banding: Banding
    precision: int = 1
    tie_rule: str = "competition_on_display"


def rank_table(
    ids: pl.Series,
    scores: np.ndarray,
    rules: RankRules,
    names: pl.Series | None = None,
    groups: np.ndarray | None = None,
    carry: pl.DataFrame | None = None,
    alphabetical: np.ndarray | None = None,
) -> pl.DataFrame:
    """Rank one table, or several at once (``groups``, e.g. the SDG of each row of all SDG tables).

    Returns institution_id, rank, rank_position, rank_low, rank_high, band and display, plus the ``carry``
    columns (aligned with the input rows), ordered as published: by group, position, ties alphabetically by
    name, then by id. ``alphabetical``: each row's place in that name-then-id order, when the caller has it
    (see :func:`alphabetical_places`), instead of sorting the names again."""
    n = len(scores)
    group = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    keys = display_keys(scores, rules.precision)
    position, tied = competition_ranks(TIE_RULES[rules.tie_rule](scores, keys), group)
    sizes = np.bincount(group)[group] if n else group
    band_index, band_low, band_high, labels = _bands(position, sizes, rules.banding)
    if alphabetical is None:
        alphabetical = alphabetical_places(ids, names)
    order = np.lexsort((alphabetical, position, group))  # integer keys: no sort of the names themselves
    band_index, keys, position, tied = band_index[order], keys[order], position[order], tied[order]
    group, band_low, band_high = group[order], band_low[order], band_high[order]
    banded = band_index >= 0
    frame = pl.DataFrame(
        {
            "institution_id": ids.gather(order),
            "rank": _rank_text(position, tied, band_index, labels),
            "rank_position": position,
            "rank_low": np.where(banded, band_low, position),
            "rank_high": np.where(banded, band_high, position),
            "band": pl.Series(labels, dtype=pl.String).gather(pl.Series(band_index).set(pl.Series(~banded), None)),
            "display": _display_text(keys, group, band_index, len(labels), rules.precision),
        }
    )
    if carry is None:
        return frame
    return frame.hstack(carry.drop([c for c in carry.columns if c in frame.columns])[order])


def alphabetical_places(ids: pl.Series, names: pl.Series | None = None) -> np.ndarray:
    """Each row's place when sorted by name (the id where no name is given), then id: how tied rows are listed."""
    rows = (
        pl.DataFrame({"name": names if names is not None else ids, "id": ids})
        .with_row_index("row")
        .sort("name", "id")["row"]
        .to_numpy()
    )
    places = np.empty(len(rows), dtype=np.int64)
    places[rows] = np.arange(len(rows))
    return places


def _rank_text(position: np.ndarray, tied: np.ndarray, band_index: np.ndarray, labels: list[str]) -> pl.Series:
    """ "12", "=12", or the band's label: the few individually ranked rows formatted, the labels gathered."""
    single = np.flatnonzero(band_index < 0)
    own = pl.Series(position[single]).cast(pl.String)
    own = pl.select(pl.when(pl.Series(tied[single])).then(pl.format("={}", own)).otherwise(own)).to_series()
    index = band_index.copy()
    index[single] = len(labels) + np.arange(len(single))
    return pl.concat([pl.Series(labels, dtype=pl.String), own]).gather(index)


def _display_text(
    keys: np.ndarray, group: np.ndarray, band_index: np.ndarray, n_labels: int, precision: int
) -> pl.Series:
    """The score as shown: its own at display precision, or its band's range of scores within its table;
    each distinct text formatted once and gathered."""
    banded = band_index >= 0
    cells, cell = np.unique(group[banded] * max(n_labels, 1) + band_index[banded], return_inverse=True)
    low = np.full(len(cells), np.iinfo(np.int64).max)
    high = np.full(len(cells), np.iinfo(np.int64).min)
    np.minimum.at(low, cell, keys[banded])
    np.maximum.at(high, cell, keys[banded])
    shown, own = np.unique(keys[~banded], return_inverse=True)
    ranges = pl.select(pl.format("{}–{}", _formatted(low, precision), _formatted(high, precision))).to_series()
    index = np.empty(len(keys), dtype=np.int64)
    index[banded] = cell.reshape(-1)
    index[~banded] = len(cells) + own.reshape(-1)
    return pl.concat([ranges, pl.select(_formatted(shown, precision)).to_series()]).gather(index)


def _formatted(keys: np.ndarray, precision: int) -> pl.Expr:
    return format_keys(pl.lit(pl.Series(keys, dtype=pl.Int64)), precision)


RANK_COLUMNS = ("institution_id", "rank", "rank_position", "rank_low", "rank_high", "band", "display")


def _bands(
    position: np.ndarray, sizes: np.ndarray, banding: Banding
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Label index per row (-1 = individually ranked), the band's interval of positions within its table
    (``sizes``: the number of rows in each row's table, which ends an open band) and the labels."""
    starts = np.array([b.start for b in banding.bands], dtype=np.int64)
    ends = np.array([b.end if b.end is not None else np.iinfo(np.int64).max for b in banding.bands], dtype=np.int64)
    if not len(starts):
        return np.full(len(position), -1), position, position, []
    index = np.searchsorted(starts, position, side="right") - 1
    index = np.where((position > banding.individual_to) & (index >= 0), index, -1)
    safe = np.maximum(index, 0)
    low = starts[safe]
    high = np.minimum(ends[safe], sizes)
    labels = [b.label for b in banding.bands]
    if banding.table_end == "open_last_band":  # the band holding the table's last row shows as "start+"
        last = np.searchsorted(starts, sizes, side="right") - 1
        index = np.where((index >= 0) & (index == last), index + len(labels), index)
        labels += [f"{b.start}+" for b in banding.bands]
    return index, low, high, labels


def band_segments(banding: Banding, size: int) -> list[tuple[str, int, int]]:
    """(label, first position, last position) of the individual ranks and of each band, within ``size``."""
    segments = []
    if banding.individual_to >= 1:
        segments.append((f"1–{banding.individual_to}", 1, min(banding.individual_to, size)))
    for band in banding.bands:
        if band.start > size:
            break
        segments.append((band.label, band.start, size if band.end is None else min(band.end, size)))
    if banding.table_end == "open_last_band" and segments and segments[-1][1] > banding.individual_to:
        _, start, end = segments[-1]  # the band holding the table's last row is shown open-ended
        segments[-1] = (f"{start}+", start, end)
    if not segments:
        segments.append((f"1–{size}", 1, size))
    return segments


def band_label(banding: Banding, position: int) -> str:
    """The label of the band (or of the individually ranked range) a rank position falls in."""
    for label, lo, hi in band_segments(banding, max(position, 1)):
        if lo <= position <= hi:
            return label
    return str(position)
