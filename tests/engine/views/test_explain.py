"""How one institution's scores arise, on the mini case (numbers by hand from tests/fixtures/mini_*.csv)."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from impactrank.engine.build import build_edition
from impactrank.engine.views.explain import explain_institution
from impactrank.errors import InputError
from impactrank.io.inputs import read_institutions, read_submissions

METRIC_COLUMNS = ["metric", "raw", "score", "weight", "contribution", "missing"]


def rows(frame: pl.DataFrame) -> list[tuple]:
    """The rows with floats rounded to 9 decimals: 20/100 on 10/100…30/100 is 50.00000000000001 in binary."""
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in frame.rows()]


@pytest.fixture
def edition(mini_paths, mini_methodology):
    inst = read_institutions(mini_paths["institutions"])
    subs = read_submissions([mini_paths["submissions"]], mini_methodology, inst)
    return build_edition(mini_methodology, inst, subs)


def test_each_sdg_lists_its_own_metrics_with_their_contributions(edition):
    ex = explain_institution(edition, "D")
    assert [p.sdg for p in ex.sdgs] == [1, 2, 4, 17]
    by_sdg = {p.sdg: p for p in ex.sdgs}
    # SDG 1: publications 50 on 0…100 → 50, × 60 % = 30; the policy question unanswered → 0 (missing, rule "zero")
    assert rows(by_sdg[1].metrics) == [("pubs", 50.0, 50.0, 60.0, 30.0, False), ("policy", None, 0.0, 40.0, 0.0, True)]
    assert by_sdg[1].score == 30.0
    # scaled over the eligible (A, B, D): SDG 1 scores 30 (D), 10 (B) and 100 (A) → (30 − 10) / 90
    assert (by_sdg[1].scale_min, by_sdg[1].scale_max) == (10.0, 100.0)
    assert by_sdg[1].scaled == pytest.approx(100 * 20 / 90)
    # SDG 2: share 20/100 between 10/100 and 30/100 → 50, × 50 % = 25; no waste figure
    assert rows(by_sdg[2].metrics) == [("share", 0.2, 50.0, 50.0, 25.0, False), ("waste", None, 0.0, 50.0, 0.0, True)]
    # SDG 4: the lowest of two submitters (20 against 80)
    assert rows(by_sdg[4].metrics) == [("pubs", 20.0, 0.0, 100.0, 0.0, False)]
    # SDG 17: exists and evidence, neither public nor recent → 2 of 4
    assert rows(by_sdg[17].metrics) == [("reports", None, 50.0, 100.0, 50.0, False)]
    assert all(p.metrics.columns == METRIC_COLUMNS for p in ex.sdgs)


def test_without_metric_rows_the_explanation_is_the_same_but_for_them(edition):
    """explain_rows(metric_rows=False), for a page reading the metric rows itself: every other field, and the
    formula, as with them; each SDG's metrics an empty frame of the same columns."""
    import impactrank.engine.views.explain as explain

    def mine(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("institution_id") == "D")

    found = explain.InstitutionRows(
        institution=edition.institution("D"),
        overall=mine(edition.overall).row(0, named=True),
        sdg_scores=mine(edition.sdg_scores).sort("sdg"),
        metric_scores=mine(edition.metric_scores).sort("sdg", maintain_order=True),
        previous_scores=mine(edition.previous_scores),
    )
    scaling = explain.scaling_by_sdg(edition)
    full = explain.explain_rows(edition, "D", found, scaling)
    bare = explain.explain_rows(edition, "D", found, scaling, metric_rows=False)
    assert any(p.metrics.height for p in full.sdgs)
    assert all(p.metrics.height == 0 and p.metrics.columns == METRIC_COLUMNS for p in bare.sdgs)
    assert [dataclasses.replace(p, metrics=None) for p in bare.sdgs] == [
        dataclasses.replace(p, metrics=None) for p in full.sdgs
    ]
    assert dataclasses.replace(bare, sdgs=[]) == dataclasses.replace(full, sdgs=[])
    assert bare.formula == full.formula


def test_an_imported_edition_has_sdg_scores_without_metrics(edition):
    imported = dataclasses.replace(edition, kind="imported", metric_scores=edition.metric_scores.clear())
    ex = explain_institution(imported, "D")
    assert [p.sdg for p in ex.sdgs] == [1, 2, 4, 17]
    assert all(p.metrics.height == 0 and p.metrics.columns == METRIC_COLUMNS for p in ex.sdgs)
    assert ex.sdgs[0].score == 30.0


def test_an_unknown_institution_is_named(edition):
    with pytest.raises(InputError) as err:
        explain_institution(edition, "Z")
    assert err.value.message == "no institution 'Z' in edition 2021" and err.value.field == "institution"
