"""One edition from validated inputs: metric scores → SDG scores and tables → overall table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from impactrank.engine.checks import check_methodology
from impactrank.engine.scoring.metrics import (
    ScoringChoices,
    encoded_submissions,
    metric_catalogue,
    metric_grid,
    score_metrics,
    sdg_scores,
)
from impactrank.engine.tables.averaging import describe_previous, previous_table, previous_terms, published_scores
from impactrank.engine.tables.edition import METRIC_SCORES_SCHEMA, SUBMISSIONS_SCHEMA, Edition, conform
from impactrank.engine.tables.overall import N_SDGS, OverallResult, compute_overall, score_matrix
from impactrank.engine.tables.ranking import RankRules, alphabetical_places, rank_table
from impactrank.methodology.schema import Methodology


def build_edition(
    methodology: Methodology,
    institutions: pl.DataFrame,
    submissions: pl.DataFrame,
    *,
    edition_id: str | None = None,
    choices: ScoringChoices = ScoringChoices(),
    scaling: str | None = None,
    manifest: dict[str, Any] | None = None,
    previous: pl.DataFrame | None = None,
    on_table: Callable[[str, pl.DataFrame], object] | None = None,
) -> Edition:
    """Compute every SDG table and the overall table.

    Inputs must already be validated (see :mod:`impactrank.io.inputs`, which also encodes the submissions
    against the institutions sorted by id; unencoded submissions are encoded here). ``previous``: the previous
    editions' single-year scores (:data:`impactrank.engine.tables.edition.PREVIOUS_SCHEMA`), needed exactly when the
    methodology averages; the overall table is ranked on the averaged score and keeps the single-year one.
    ``on_table`` is handed the edition's two largest tables, "submissions" then "metric_scores", in their final
    form as soon as each is made, so that a caller can write them while the rest is computed.
    """
    previous = previous_table(methodology, previous)
    check_methodology(methodology, methodology.id)
    catalogue = metric_catalogue(methodology)
    institutions = institutions.sort("institution_id")
    ids = institutions["institution_id"]
    encoded = encoded_submissions(submissions, ids, catalogue)
    inputs = conform(_in_key_order(encoded, catalogue.height), SUBMISSIONS_SCHEMA)
    if on_table is not None:
        on_table("submissions", inputs)
    metrics = score_metrics(metric_grid(encoded, catalogue, ids), catalogue, methodology, choices)
    sdg = sdg_scores(metrics)
    metric_rows, metric_missing = metrics.height, int(metrics["missing"].sum())
    # in the edition's form at once, so that the scoring's own columns (codes as long as the metric rows) are gone
    # while the metric names are written out as text
    metric_table = conform(_with_names(metrics, ids, catalogue), METRIC_SCORES_SCHEMA)
    del metrics
    if on_table is not None:
        on_table("metric_scores", metric_table)

    matrix = score_matrix(sdg, len(ids))
    result = compute_overall(matrix, methodology.overall, scaling)
    terms = previous_terms(methodology, ids, previous)
    published = published_scores(methodology, result.score, terms)

    places = alphabetical_places(ids, institutions["name"])  # how ties are listed, by institution
    overall = _overall_table(ids, matrix, result, published, methodology, places)
    sdg_table = _sdg_tables(sdg, ids, result, methodology, places)
    counts = {
        "institutions": institutions.height,
        "participants": int((~np.isnan(matrix)).any(axis=1).sum()),
        "overall": overall.height,
        "sdg_scores": sdg_table.height,
        "metric_rows": metric_rows,
        "metric_values_missing": metric_missing,
        "per_sdg": {str(k + 1): int((~np.isnan(matrix[:, k])).sum()) for k in range(N_SDGS)},
    }
    averages = {}
    if previous.height:
        returning = int((result.eligible & ~np.isnan(terms).all(axis=1)).sum())
        counts |= {"averaged": returning, "newcomers": int(result.eligible.sum()) - returning}
        averages = {"previous_editions": describe_previous(previous)}
    return Edition(
        id=edition_id or str(methodology.edition),
        year=methodology.edition,
        kind="built",
        source=methodology.id,
        institutions=institutions,
        overall=overall,
        sdg_scores=sdg_table,
        metric_scores=metric_table,  # metric_grid's order: institution, SDG, metric code
        sdg_scaling=pl.DataFrame(
            {
                "sdg": np.arange(1, N_SDGS + 1),
                "population": result.population,
                "min": result.sdg_min,
                "max": result.sdg_max,
            }
        ).filter(pl.col("population") > 0),
        submissions=inputs,
        previous_scores=previous,
        methodology=methodology.model_dump(mode="json"),
        manifest={
            **(manifest or {}),
            "counts": counts,
            "overall_rules": methodology.overall.model_dump(
                mode="json", exclude={"banding", "source"}, exclude_none=True
            ),
            **averages,
        },
    )


def _in_key_order(encoded: pl.DataFrame, n_codes: int) -> pl.DataFrame:
    """Submissions by institution and metric code: a file in that order (the usual) is kept as it is, since
    sorting millions of rows with their text columns costs more than the rest of the build's bookkeeping."""
    key = encoded["inst"].to_numpy() * n_codes + encoded["code"].to_numpy()
    return encoded if bool(np.all(key[1:] > key[:-1])) else encoded.sort("inst", "code")


def _with_names(frame: pl.DataFrame, ids: pl.Series, catalogue: pl.DataFrame) -> pl.DataFrame:
    """Institution ids and metric names as text, gathered by code: each row points into one copy of the names
    (cast from the grid's Enum, the names would be written out again for each of millions of rows)."""
    return frame.with_columns(
        institution_id=ids.gather(frame["inst"]), metric=catalogue["metric"].gather(frame["code"])
    )


def _overall_table(
    ids: pl.Series,
    matrix: np.ndarray,
    result: OverallResult,
    published: np.ndarray,
    methodology: Methodology,
    places: np.ndarray,
) -> pl.DataFrame:
    rules = methodology.overall
    rows = np.flatnonzero(result.eligible)
    k = rules.best_k
    best = result.best[rows]
    req = rules.required_sdg - 1
    frame = pl.DataFrame(
        {
            "institution_id": ids.gather(rows),
            "overall_score": published[rows],
            "single_year_score": result.score[rows],
            "sdg17_score": matrix[rows, req],
            "sdg17_scaled": result.scaled[rows, req],
            **{f"top{i + 1}_sdg": best[:, i] for i in range(k)},
            **{f"top{i + 1}_scaled": result.scaled[rows, best[:, i] - 1] for i in range(k)},
        }
    )
    frame = frame.with_columns(
        top_sdgs=pl.concat_str([pl.col(f"top{i + 1}_sdg").cast(pl.String) for i in range(k)], separator=";")
    )
    ranked = rank_table(
        frame["institution_id"],
        frame["overall_score"].to_numpy(),
        RankRules(rules.banding, methodology.ranking.display_precision, methodology.ranking.tie_rule),
        carry=frame,
        alphabetical=places[rows],
    )
    return ranked.with_columns(
        overall_display=pl.col("display"),
        overall_low=pl.col("overall_score"),
        overall_high=pl.col("overall_score"),
        sdg17_low=pl.col("sdg17_score"),
        sdg17_high=pl.col("sdg17_score"),
        quality=pl.lit("ok"),
    )


def _sdg_tables(
    sdg: pl.DataFrame, ids: pl.Series, result: OverallResult, methodology: Methodology, places: np.ndarray
) -> pl.DataFrame:
    """Every submitter of every SDG, ranked on the unscaled score; scaled score where in the overall."""
    placed = sdg.with_columns(institution_id=ids.gather(sdg["inst"]))
    rows = placed["inst"].to_numpy()
    cols = placed["sdg"].to_numpy() - 1
    counted = np.zeros(len(rows), dtype=bool)
    eligible_rows = result.eligible[rows]
    req = methodology.overall.required_sdg - 1
    counted |= eligible_rows & (cols == req)
    counted |= eligible_rows & (result.best[rows] == (cols + 1)[:, None]).any(axis=1)
    placed = placed.with_columns(
        scaled_score=pl.Series(result.scaled[rows, cols]),
        counted=pl.Series(counted),
    )
    rules = RankRules(methodology.sdg_tables, methodology.ranking.display_precision, methodology.ranking.tie_rule)
    table = rank_table(
        placed["institution_id"],
        placed["score"].to_numpy(),
        rules,
        groups=placed["sdg"].to_numpy(),
        carry=placed.drop("inst"),
        alphabetical=places[rows],
    )
    return table.with_columns(score_low=pl.col("score"), score_high=pl.col("score"))
