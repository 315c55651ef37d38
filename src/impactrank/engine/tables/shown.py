"""What a reader may see of an edition's rows: the one rule every view, explanation, summary, report, page and
API answer goes through.

A table shows an exact position only to individually ranked rows; a banded row shows its band, the band's score
range and the band's share of the field ("101–200 of 619: top 16.3–32.3 %"), never the place or the score behind
the band (a built edition knows them, a published one does not). Scores are written at the edition's published
precision: THE's one decimal for an imported table, the methodology's display precision for a built one.

Pure: tables in, tables out.
"""

from __future__ import annotations

import polars as pl

from impactrank.engine.tables.edition import Edition

PUBLISHED_DECIMALS = 1  # THE publishes scores with one decimal
_HIDDEN_IN_BAND = ("rank_position", "overall_score", "single_year_score", "score", "scaled_score")


def decimals(edition: Edition) -> int:
    """The precision the edition's scores are published at."""
    if edition.kind == "built":
        return int(edition.methodology.get("ranking", {}).get("display_precision", PUBLISHED_DECIMALS))
    return PUBLISHED_DECIMALS


def score_text(value: float | None, low: float | None, high: float | None, places: int) -> str | None:
    """ "86.0" for a score, "64.9–73.4" for a range, None when nothing was published."""
    if value is not None:
        return f"{value:.{places}f}"
    if low is None or high is None:
        return None
    return f"{low:.{places}f}" if low == high else f"{low:.{places}f}–{high:.{places}f}"


def range_text(low: float, high: float, places: int, within: tuple[float, float] | None = None) -> str:
    """An interval of true scores as the displayed scores it allows ("58.2–66.2"), kept inside a published
    displayed range ``within`` (a band's range: no member shows a score outside it)."""
    lo, hi = round(low, places), round(high, places)
    if within is not None:
        lo, hi = max(lo, within[0]), min(hi, within[1])
    return score_text(None, lo, hi, places) or ""


def visible(frame: pl.DataFrame, table_size: int | str | None = None) -> pl.DataFrame:
    """``frame`` as a reader may see it. Rows in a band lose their exact position and exact scores (the band's
    first place stays in ``rank_low``, its score range in ``*_low``/``*_high``); every ranked row gains
    ``share_low``/``share_high`` when ``table_size`` is given (an int or a column name): its first and last possible
    place as a percentage of the table. Columns a frame lacks are left alone."""
    if "band" not in frame.columns:
        return frame
    banded = pl.col("band").is_not_null() & (pl.col("band") != "")
    out = frame.with_columns(
        pl.when(banded).then(None).otherwise(pl.col(c)).alias(c) for c in _HIDDEN_IN_BAND if c in frame.columns
    )
    if table_size is not None and {"rank_low", "rank_high"} <= set(frame.columns):
        size = pl.col(table_size) if isinstance(table_size, str) else pl.lit(table_size, pl.Int64)
        out = out.with_columns(
            share_low=100.0 * pl.col("rank_low") / size,
            share_high=100.0 * pl.coalesce("rank_high", size) / size,
        )
    return out


def with_band_ranges(frame: pl.DataFrame, low: str, high: str, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """A whole table with each banded row's ``low``/``high`` set to its band's range (the lowest and highest score
    in the band, per ``by``): what a built band shows in place of the row's own score. An imported band already
    carries its range, so it is unchanged. Apply before taking a subset of the table's rows."""
    if "band" not in frame.columns or frame.height == 0:
        return frame
    banded = pl.col("band").is_not_null() & (pl.col("band") != "")
    keys = [*by, "band"]
    return frame.with_columns(
        pl.when(banded).then(pl.col(low).min().over(keys)).otherwise(pl.col(low)).alias(low),
        pl.when(banded).then(pl.col(high).max().over(keys)).otherwise(pl.col(high)).alias(high),
    )


def visible_row(row: dict, table_size: int | None = None) -> dict:
    """One row, as a dict, through :func:`visible`: an explanation or a page shows a row as a table does."""
    return visible(pl.DataFrame([row], infer_schema_length=None), table_size).row(0, named=True)


def share_text(row: dict, table_size: int | None) -> str:
    """ "top 9.0–17.9 % of 1,117" from a visible row's shares; "" when the table's size is unknown."""
    low, high = row.get("share_low"), row.get("share_high")
    if table_size is None or low is None:
        return ""
    share = f"{low:.1f}" if high is None or round(low, 1) == round(high, 1) else f"{low:.1f}–{high:.1f}"
    return f"top {share} % of {table_size:,}"
