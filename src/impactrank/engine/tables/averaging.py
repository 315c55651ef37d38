"""The published overall score from single-year scores, for methodologies that average with previous editions
(THE from 2023: the mean of this year's and last year's single-year scores).

A previous edition enters only through its single-year scores, as a table in
:data:`impactrank.engine.tables.edition.PREVIOUS_SCHEMA` (institution_id, previous_edition, lag, single_year_score),
matched by institution_id; an institution missing from a previous overall table has no term for that year.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import PREVIOUS_SCHEMA, conform, empty
from impactrank.errors import N_, InputError
from impactrank.methodology.schema import Methodology


def previous_table(methodology: Methodology, previous: pl.DataFrame | None) -> pl.DataFrame:
    """The previous single-year scores the methodology needs, checked: one edition per lag 1 … years − 1, or
    none at all for a methodology that does not average."""
    needed = methodology.overall.previous_years
    frame = conform(previous, PREVIOUS_SCHEMA) if previous is not None else empty(PREVIOUS_SCHEMA)
    if not needed:
        if frame.height:
            raise InputError(
                N_(
                    "methodology %(methodology)s does not average with previous editions; previous single-year "
                    "scores do not apply"
                ),
                field="previous_edition",
                params={"methodology": methodology.id},
            )
        return frame
    lags = frame.group_by("lag").agg(
        pl.col("previous_edition").n_unique().alias("editions"), pl.col("previous_edition").first()
    )
    by_lag = dict(zip(lags["lag"].to_list(), lags["previous_edition"].to_list(), strict=True))
    missing = [lag for lag in range(1, needed + 1) if lag not in by_lag]
    if missing or set(by_lag) - set(range(1, needed + 1)) or (lags["editions"] > 1).any():
        message = N_(
            "methodology %(methodology)s averages over %(years)s years: it needs the single-year scores of one "
            "previous edition for each earlier year (%(needed)s in all)"
        )
        if missing:
            message = N_(
                "methodology %(methodology)s averages over %(years)s years: it needs the single-year scores of one "
                "previous edition for each earlier year (%(needed)s in all; missing, in years back: %(missing)s)"
            )
        raise InputError(
            message,
            field="previous_edition",
            params={
                "methodology": methodology.id,
                "years": needed + 1,
                "needed": needed,
                "missing": missing,
            },
        )
    if frame["single_year_score"].null_count() or frame["single_year_score"].is_nan().any():
        raise InputError(N_("a previous single-year score is empty"), field="previous_edition")
    if frame.select(pl.struct("institution_id", "lag").is_duplicated().any()).item():
        raise InputError(
            N_("an institution has two single-year scores in one previous edition"), field="previous_edition"
        )
    return frame.sort("lag", "institution_id")


def previous_terms(methodology: Methodology, ids: pl.Series, previous: pl.DataFrame) -> np.ndarray:
    """institutions × previous years of single-year scores (from :func:`previous_table`) aligned with ``ids``,
    NaN where the institution is not in that edition's overall table."""
    terms = np.full((len(ids), methodology.overall.previous_years), np.nan)
    if previous.height:
        matched = (
            pl.DataFrame({"institution_id": ids})
            .with_row_index("row")
            .join(previous.select("institution_id", "lag", "single_year_score"), on="institution_id")
        )
        terms[matched["row"].to_numpy(), matched["lag"].to_numpy() - 1] = matched["single_year_score"].to_numpy()
    return terms


def published_scores(methodology: Methodology, single: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """The published overall scores: the single-year ones (per institution, or institutions × runs) averaged
    with the previous terms (institutions × previous years) over the years an institution has, with the
    methodology's weights; the single-year score alone for a newcomer, or when the methodology does not average."""
    if not terms.shape[1]:
        return single
    w = np.asarray(methodology.overall.averaging.weights, dtype=np.float64)
    present = ~np.isnan(terms)
    previous_sum = np.where(present, terms, 0.0) @ w[1:]
    previous_weight = present @ w[1:]
    if single.ndim == 2:
        previous_sum, previous_weight = previous_sum[:, None], previous_weight[:, None]
    with np.errstate(invalid="ignore"):
        mean = (w[0] * single + previous_sum) / (w[0] + previous_weight)
    return np.where(previous_weight > 0, mean, single)


def describe_previous(previous: pl.DataFrame) -> list[dict]:
    """Per previous edition: its id, lag, the institutions it scores and the SHA-256 of those single-year scores
    (institution_id and score, by id), for the manifest."""
    out = []
    for (lag,), part in previous.sort("lag", "institution_id").group_by("lag", maintain_order=True):
        scores = part.select("institution_id", "single_year_score").write_csv()
        out.append(
            {
                "edition": part["previous_edition"][0],
                "lag": int(lag),
                "institutions": part.height,
                "single_year_sha256": hashlib.sha256(scores.encode("utf-8")).hexdigest(),
            }
        )
    return out
