"""Back-testing: each edition of the series forecast from the editions before it alone, against what it
published, beside the naive forecast "the same band as this year"."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.forecast.next_edition import RUNS, forecast_edition
from impactrank.engine.forecast.rule import NextRule
from impactrank.engine.tables.edition import Edition

BINS = 10  # calibration: forecast probabilities in tenths


@dataclass(frozen=True)
class Backtest:
    years: pl.DataFrame  # year, institutions, coverage, interval_probability, exact, exact_probability, naive
    calibration: pl.DataFrame  # bin, forecasts, forecast (mean probability), observed (share that came true)
    skipped: list[str]  # editions with no earlier pair of consecutive overall tables to learn movement from


def band_index(overall: pl.DataFrame, starts: np.ndarray) -> pl.DataFrame:
    """institution_id, index: the band (of next edition's, by their first positions ``starts``) that each row's
    published band or individual rank falls in."""
    position = pl.when(pl.col("band").is_null()).then(1).otherwise(pl.col("rank_position"))
    rows = overall.filter(pl.col("rank_position").is_not_null()).select("institution_id", position.alias("p"))
    index = np.searchsorted(starts, rows["p"].to_numpy(), side="right") - 1
    return pl.DataFrame({"institution_id": rows["institution_id"], "index": index})


def backtest(
    series: list[Edition],
    rules: dict[int, NextRule],
    participants: dict[int, int],
    runs: int = RUNS,
    seed: int = 0,
    progress: Callable[[str, int], None] | None = None,
) -> Backtest:
    """Every edition of ``series`` (editions with overall tables, by year) whose year follows another's."""
    rows, hits, skipped = [], [], []
    for k in range(1, len(series)):
        now, later = series[k - 1], series[k]
        if later.year != now.year + 1:
            continue
        if not any(series[i].year == series[i - 1].year + 1 for i in range(1, k)):
            skipped.append(later.id)
            continue
        step = (lambda r, y=later.id: progress(y, r)) if progress else None
        fc = forecast_edition(series[:k], rules, participants, runs=runs, seed=seed, progress=step)
        starts = np.array([first for _, first, _ in fc.segments])
        actual = band_index(later.overall, starts).rename({"index": "actual"})
        naive = band_index(now.overall, starts).rename({"index": "naive"})
        t = fc.table.join(actual, on="institution_id").join(naive, on="institution_id")
        probs = np.array([[json_p.get(label, 0.0) for label, _, _ in fc.segments] for json_p in _parsed(t)])
        a = t["actual"].to_numpy()
        covered = (t["interval_low_index"].to_numpy() <= a) & (a <= t["interval_high_index"].to_numpy())
        rows.append(
            {
                "year": later.year,
                "institutions": t.height,
                "coverage": float(covered.mean()),
                "interval_probability": float(t["interval_probability"].mean()),
                "exact": float((t["most_likely_index"].to_numpy() == a).mean()),
                "exact_probability": float(t["probability"].mean()),
                "naive": float((t["naive"].to_numpy() == a).mean()),
            }
        )
        outcome = np.zeros_like(probs)
        outcome[np.arange(len(a)), a] = 1.0
        hits.append(pl.DataFrame({"p": probs.ravel(), "hit": outcome.ravel()}))
    return Backtest(pl.DataFrame(rows, schema=_YEARS), _calibration(hits), skipped)


_YEARS = {
    "year": pl.Int64,
    "institutions": pl.Int64,
    "coverage": pl.Float64,
    "interval_probability": pl.Float64,
    "exact": pl.Float64,
    "exact_probability": pl.Float64,
    "naive": pl.Float64,
}


_CALIBRATION = {"bin": pl.Int64, "forecasts": pl.UInt32, "forecast": pl.Float64, "observed": pl.Float64}


def _parsed(t: pl.DataFrame) -> list[dict]:
    return [json.loads(s) for s in t["band_probabilities"].to_list()]


def _calibration(hits: list[pl.DataFrame]) -> pl.DataFrame:
    """Every (institution, band) forecast of every year, by forecast probability in tenths: how often it came true."""
    if not hits:
        return pl.DataFrame(schema=_CALIBRATION)
    frame = pl.concat(hits).filter(pl.col("p") > 0)
    return (
        frame.with_columns(bin=(pl.col("p") * BINS).floor().clip(0, BINS - 1).cast(pl.Int64))
        .group_by("bin")
        .agg(forecasts=pl.len(), forecast=pl.col("p").mean(), observed=pl.col("hit").mean())
        .sort("bin")
    )
