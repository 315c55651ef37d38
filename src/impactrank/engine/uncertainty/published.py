"""Imported (published) editions: overall ranks when each published score is drawn within its published range.

A published table carries ranks, bands and score ranges, not raw data, so the only uncertain input is where
each score lies within its range; the ranks, histograms and summaries are those of a built edition.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.uncertainty.histograms import accumulate, new_accumulator, summarise
from impactrank.engine.uncertainty.ranks import rank_entries
from impactrank.engine.uncertainty.result import UncertaintyResult
from impactrank.engine.uncertainty.sampling import draw_within
from impactrank.engine.uncertainty.sobol import empty_sobol
from impactrank.engine.uncertainty.spec import UncertaintySpec
from impactrank.engine.uncertainty.tables import Tables
from impactrank.errors import N_, InputError
from impactrank.methodology.schema import Band, Banding, Ranking


def published_banding(frame: pl.DataFrame) -> Banding:
    """The banding a published table shows: individual ranks up to the first band, then its bands."""
    bands = (
        frame.filter(pl.col("band").is_not_null())
        .group_by("band")
        .agg(pl.col("rank_low").min(), pl.col("rank_high").max())
        .sort("rank_low")
    )
    individual = frame.filter(pl.col("band").is_null())["rank_position"].max()
    try:
        last = bands.height - 1
        return Banding(
            individual_to=int(individual or 0),
            bands=[
                Band(start=int(r["rank_low"]), end=None if i == last else int(r["rank_high"]))
                for i, r in enumerate(bands.iter_rows(named=True))
            ],
        )
    except (ValueError, TypeError):
        return Banding(individual_to=frame.height)


def published_uncertainty(
    edition: Edition,
    runs: int,
    seed: int,
    *,
    chunk_runs: int = 256,
    precision: int = 1,
    progress: Callable[[int], None] | None = None,
) -> UncertaintyResult:
    """Overall ranks when each published score is drawn uniformly within its published range (banded rows
    show a range, exact rows have low == high). Rows with no score at all are left out of the simulated table.

    Only the overall table is simulated: a published overall table carries each institution's SDG 17 and top
    three only, not whole SDG tables. A partial table (one country's rows) is refused, since ranks within it
    would not be ranks in the edition."""
    if runs < 2:
        raise ValueError("at least 2 runs are needed")
    if edition.field_size is None:
        raise InputError(
            N_(
                "edition %(edition)s holds only part of its overall table (%(rows)s rows ranked up to the whole "
                "field): ranks simulated within it would not be ranks in the edition"
            ),
            field="edition",
            params={"edition": edition.id, "rows": edition.overall.height},
        )
    parts = [("overall", edition.overall.rename({"overall_low": "low", "overall_high": "high"}))]
    names, members, banding, lows, highs, nominal, ids = [], [], [], [], [], [], []
    for name, frame in parts:
        frame = frame.filter(pl.col("low").is_not_null() & pl.col("high").is_not_null())
        if frame.height == 0:
            continue
        names.append(name)
        members.append(np.arange(len(ids), len(ids) + frame.height))
        banding.append(published_banding(frame))
        lows.append(frame["low"].to_numpy())
        highs.append(frame["high"].to_numpy())
        nominal.append(frame["rank_position"].fill_null(0).to_numpy())
        ids.extend(frame["institution_id"].to_list())
    if not names:
        raise InputError(
            N_("edition %(edition)s has no published overall score or score range to draw from"),
            field="edition",
            params={"edition": edition.id},
        )
    tables = Tables.of(names, members, banding)
    low, high = np.concatenate(lows)[:, None], np.concatenate(highs)[:, None]
    ranking = Ranking(display_precision=precision)
    rng = np.random.default_rng(seed)
    acc = new_accumulator(tables, 0)
    for start in range(0, runs, chunk_runs):
        size = min(chunk_runs, runs - start)
        values = draw_within(low, high, rng, size)
        accumulate(acc, rank_entries(values, tables, ranking), False)
        if progress is not None:
            progress(size)
    table = summarise(np.asarray(ids, dtype=object), tables, acc, np.concatenate(nominal))
    spec = UncertaintySpec(sobol=False)
    return UncertaintyResult(table, empty_sobol(), acc.runs, runs, seed, ["published_scores"], spec)
