"""Metric scores: every metric of every SDG an institution submitted, normalised or rubric-scored.

The grid is (institution × submitted SDG × that SDG's metrics), so a metric an institution left out is a
row with a missing value, scored by the missing-data rule and counted, rather than silently absent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.evidence import EVIDENCE_SCORERS, RUBRIC_FIELDS
from impactrank.engine.missing import MISSING_RULES
from impactrank.engine.normalise import NORMALISERS
from impactrank.methodology.schema import Methodology

SUBMISSION_COLUMNS: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "sdg": pl.Int64,
    "metric": pl.String,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    **{f: pl.Float64 for f in RUBRIC_FIELDS},
}


@dataclass(frozen=True)
class ScoringChoices:
    """The choices a methodology fixes but an analyst may vary (what-if, uncertainty)."""

    normalisation: str | None = None  # None: each metric's own (or the methodology default)
    evidence: str = "rubric"
    missing: str | None = None  # None: the methodology's rule


def metric_catalogue(methodology: Methodology) -> pl.DataFrame:
    """One row per (SDG, metric) with everything scoring needs; the row index is the metric's group code."""
    rows = []
    for sdg in methodology.sdgs:
        for m in sdg.metrics:
            rubric = m.rubric
            rows.append(
                {
                    "sdg": sdg.sdg,
                    "metric": m.id,
                    "kind": m.kind,
                    "weight": m.weight,
                    "lower": m.direction == "lower",
                    "rate": m.denominator is not None,
                    "normalisation": None if m.kind == "evidence" else methodology.metric_normalisation(m),
                    **{f"pts_{f}": (getattr(rubric, f) if rubric else (1.0 if m.kind == "evidence" else 0.0))
                       for f in RUBRIC_FIELDS},
                }
            )
    return pl.DataFrame(rows).with_row_index("code").with_columns(pl.col("code").cast(pl.Int64))


def metric_grid(submissions: pl.DataFrame, catalogue: pl.DataFrame) -> pl.DataFrame:
    """Every metric of every submitted (institution, SDG), with the submitted values joined on."""
    pairs = submissions.select("institution_id", "sdg").unique()
    grid = pairs.join(catalogue, on="sdg", how="inner")
    values = submissions.select([c for c in SUBMISSION_COLUMNS if c in submissions.columns])
    grid = grid.join(values, on=["institution_id", "sdg", "metric"], how="left")
    for name in SUBMISSION_COLUMNS:
        if name not in grid.columns:
            grid = grid.with_columns(pl.lit(None, pl.Float64).alias(name))
    raw = pl.when(pl.col("kind") == "evidence").then(None).when(pl.col("rate")).then(
        pl.col("numerator") / pl.col("denominator")
    ).otherwise(pl.col("value"))
    return grid.with_columns(raw=raw).sort(["sdg", "institution_id", "code"])


def score_metrics(
    grid: pl.DataFrame, catalogue: pl.DataFrame, methodology: Methodology, choices: ScoringChoices = ScoringChoices()
) -> pl.DataFrame:
    """Scores 0–100 per grid row, the missing flag, and the contribution to the SDG score."""
    n_groups = catalogue.height
    code = grid["code"].to_numpy()
    raw = grid["raw"].to_numpy().astype(np.float64)
    lower = catalogue["lower"].to_numpy()
    kind = grid["kind"].to_numpy()
    scores = np.full(grid.height, np.nan)

    evidence = kind == "evidence"
    methods = grid["normalisation"].to_numpy()
    if choices.normalisation is not None:
        methods = np.where(evidence, None, choices.normalisation)
    for name in sorted({m for m in methods if m is not None}):
        mask = methods == name
        scores[mask] = NORMALISERS[name](raw[mask], code[mask], n_groups, lower)

    if evidence.any():
        answers = grid.select(list(RUBRIC_FIELDS)).to_numpy()[evidence].astype(np.float64)
        points = grid.select([f"pts_{f}" for f in RUBRIC_FIELDS]).to_numpy()[evidence].astype(np.float64)
        answered = ~np.all(np.isnan(answers), axis=1)
        ev_scores = np.full(int(evidence.sum()), np.nan)
        ev_scores[answered] = EVIDENCE_SCORERS[choices.evidence](answers[answered], points[answered])
        scores[evidence] = ev_scores

    missing = np.isnan(scores)
    scores = MISSING_RULES[choices.missing or methodology.missing_rule](scores, code, n_groups)
    weight = grid["weight"].to_numpy()
    return grid.select("institution_id", "sdg", "metric", "raw", "weight").with_columns(
        score=pl.Series(scores),
        contribution=pl.Series(scores * weight / 100.0),
        missing=pl.Series(missing),
    )


def sdg_scores(metric_scores: pl.DataFrame) -> pl.DataFrame:
    """SDG score = sum of the SDG's metric contributions (weights sum to 100, so it is on 0–100).

    Expects rows grouped by (SDG, institution), as :func:`metric_grid` orders them; sums in a fixed order so
    that the same inputs give bit-identical scores.
    """
    keys = metric_scores.select("sdg", "institution_id")
    starts = np.flatnonzero(keys.select(pl.struct(pl.all()).is_first_distinct()).to_series().to_numpy())
    totals = np.add.reduceat(metric_scores["contribution"].to_numpy(), starts) if len(starts) else np.empty(0)
    return keys[starts].with_columns(score=pl.Series(totals, dtype=pl.Float64)).select("institution_id", "sdg", "score")
