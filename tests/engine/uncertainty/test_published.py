"""Imported editions: overall ranks with each published score drawn within its published range."""

from __future__ import annotations

import dataclasses
import json

import polars as pl
import pytest

from impactrank.engine.build import build_edition
from impactrank.engine.tables.edition import Edition
from impactrank.engine.uncertainty import published_uncertainty
from impactrank.errors import InputError


def as_published(edition: Edition, overall: pl.DataFrame) -> Edition:
    """The built mini edition as if imported, with this overall table."""
    return Edition(
        id="p",
        year=2021,
        kind="imported",
        source="test",
        institutions=edition.institutions,
        overall=overall,
        sdg_scores=edition.sdg_scores,
    )


def test_published_ranges(mini):
    """Exact rows keep their rank; two rows sharing a published range swap places half of the time."""
    methodology, inst, subs = mini
    edition = build_edition(methodology, inst, subs)
    overall = edition.overall.with_columns(
        overall_low=pl.when(pl.col("institution_id").is_in(["C", "D"])).then(10.0).otherwise(pl.col("overall_low")),
        overall_high=pl.when(pl.col("institution_id").is_in(["C", "D"])).then(30.0).otherwise(pl.col("overall_high")),
    )
    published = as_published(edition, overall)
    result = published_uncertainty(published, 2000, seed=1)
    rows = {r["institution_id"]: r for r in result.table.filter(pl.col("table") == "overall").iter_rows(named=True)}
    assert (rows["A"]["rank_p05"], rows["A"]["rank_p95"]) == (1.0, 1.0)
    assert (rows["B"]["rank_p05"], rows["B"]["rank_p95"]) == (2.0, 2.0)
    assert (rows["C"]["rank_p05"], rows["C"]["rank_p95"]) == (3.0, 4.0)
    assert json.loads(rows["D"]["band_probabilities"]) == {"3+": 1.0}  # the last published band is open
    # a published table carries SDG 17 and the top three only, not whole SDG tables: none is simulated
    assert result.table["table"].unique().to_list() == ["overall"]

    # a one-country compilation (ranks beyond its rows) is refused rather than ranked within itself
    partial = dataclasses.replace(published, overall=overall.with_columns(rank_high=pl.lit(900, pl.Int64)))
    with pytest.raises(InputError, match="only part of its overall table"):
        published_uncertainty(partial, 100, seed=1)


def test_an_edition_without_any_published_score_is_refused(mini):
    """A table whose rows all lack a score (ranks only) gives nothing to draw: a clear refusal, not a crash."""
    methodology, inst, subs = mini
    edition = build_edition(methodology, inst, subs)
    blank = edition.overall.with_columns(overall_low=pl.lit(None, pl.Float64), overall_high=pl.lit(None, pl.Float64))
    published = as_published(edition, blank)
    with pytest.raises(InputError) as err:
        published_uncertainty(published, 100, seed=1)
    assert err.value.message == "edition p has no published overall score or score range to draw from"
