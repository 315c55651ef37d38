"""THE's rule recomputed by interval arithmetic, piece by piece on numbers worked out here: a table's extremes as
published numbers (whole table) or as bounds (part of it), the two scalings, the best three, whether a model meets
a published score, and the rows a card gives."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from impactrank.engine.published import reproduce as rp
from impactrank.engine.tables.edition import Edition

# SDG 1's table: a range at the top, an exact score, a range at the bottom; SDG 2's: one score
ROWS = pl.DataFrame(
    {
        "institution_id": ["a", "b", "c", "a"],
        "sdg": [1, 1, 1, 2],
        "score": [None, 50.0, None, 30.0],
        "score_low": [70.0, 50.0, 10.0, 30.0],
        "score_high": [80.0, 50.0, 20.0, 30.0],
    }
)


def test_a_whole_tables_extremes_are_its_top_score_and_its_last_bands_low_end():
    ext = rp.Extremes.of(ROWS)
    assert (ext.top[0], ext.bottom[0]) == (80.0, 10.0)
    assert [ext.top_lo[0], ext.top_hi[0], ext.bottom_lo[0], ext.bottom_hi[0]] == pytest.approx(
        [79.95, 80.05, 9.95, 10.05]
    )
    assert np.isnan(ext.top[2:16]).all() and np.isnan(ext.bottom_hi[16])


def test_part_of_a_tables_extremes_are_bounds():
    # the highest of values in [70, 80] and 50 lies in [70, 80]; the lowest of [10, 20] and 50 in [10, 20]
    ext = rp.Extremes.of(ROWS, whole_table=False)
    assert [ext.top_lo[0], ext.top_hi[0], ext.bottom_lo[0], ext.bottom_hi[0]] == pytest.approx(
        [69.95, 80.05, 9.95, 20.05]
    )


def test_the_eligible_only_extremes_read_the_overall_tables_institutions():
    edition = Edition(
        id="t",
        year=2021,
        kind="imported",
        source="test",
        institutions=pl.DataFrame({"institution_id": ["a", "b", "c"]}),
        overall=pl.DataFrame({"institution_id": ["a", "b"], "overall_score": [60.0, 50.0]}),
        sdg_scores=ROWS,
        manifest={"sdg_tables": {"1": 3, "2": 1}},
    )
    whole = rp.table_extremes(edition)
    assert [whole.top_lo[0], whole.bottom_hi[0]] == pytest.approx([79.95, 10.05])
    part = rp.table_extremes(edition, eligible_only=True)  # a's [70, 80] and b's 50
    assert [part.top_lo[0], part.top_hi[0], part.bottom_lo[0], part.bottom_hi[0]] == pytest.approx(
        [69.95, 80.05, 49.95, 50.05]
    )


def test_max_scaling_bounds_and_point():
    ext = rp.Extremes.of(ROWS)
    sdg = np.array([1, 1, 1, 2])
    lo, hi = rp.max100(np.array([40.0, 90.0, -5.0, 15.0]), np.array([40.1, 95.0, -1.0, 15.1]), sdg, ext)
    assert lo == pytest.approx([100 * 40 / 80.05, 100.0, 0.0, 100 * 15 / 30.05])
    assert hi == pytest.approx([100 * 40.1 / 79.95, 100.0, 0.0, 100 * 15.1 / 29.95])
    assert rp.max100_point(np.array([40.0, 15.0]), np.array([1, 2]), ext) == pytest.approx([50.0, 50.0])


def test_min_max_of_a_table_of_one_score_is_100():
    ext = rp.Extremes.of(ROWS)
    assert rp.minmax_point(np.array([30.0, 45.0]), np.array([2, 1]), ext).tolist() == pytest.approx([100.0, 50.0])


def test_fewer_than_three_other_sdgs_add_nothing_for_the_missing():
    others = np.array([[50.0, np.nan, 20.0, np.nan], [10.0, 40.0, 30.0, 20.0]])
    assert rp.combine(np.array([100.0, 0.0]), others) == pytest.approx([22 + 0.26 * 70, 0.26 * 90])


def test_an_interval_meets_a_published_one_it_touches_and_no_other():
    p_lo, p_hi = np.array([10.0, 10.0, 10.0, 10.0]), np.array([20.0, 20.0, 20.0, 20.0])
    lo, hi = np.array([20.0, 20.5, 5.0, 2.0]), np.array([25.0, 25.0, 10.0, 9.5])
    assert rp.meets(lo, hi, p_lo, p_hi).tolist() == [True, False, True, False]


def test_cards_widen_their_scores_by_the_display_rounding_and_skip_scattered_rows():
    overall = pl.DataFrame(
        {
            "institution_id": ["a", "b"],
            "overall_score": [60.0, 50.0],
            "overall_low": [60.0, 50.0],
            "overall_high": [60.0, 50.0],
            "sdg17_score": [70.0, 40.0],
            "sdg17_low": [70.0, 40.0],
            "sdg17_high": [70.0, 40.0],
            "quality": ["ok", "misaligned_columns"],
        }
    )
    scores = pl.DataFrame(
        {
            "institution_id": ["a"] * 4 + ["b"] * 4,
            "sdg": [1, 2, 3, 17] * 2,
            "score": [None, 50.0, 40.0, 70.0, 30.0, 20.0, 10.0, 40.0],
            "score_low": [80.0, 50.0, 40.0, 70.0, 30.0, 20.0, 10.0, 40.0],
            "score_high": [90.0, 50.0, 40.0, 70.0, 30.0, 20.0, 10.0, 40.0],
        }
    )
    edition = Edition(
        id="t",
        year=2021,
        kind="imported",
        source="test",
        institutions=pl.DataFrame({"institution_id": ["a", "b"]}),
        overall=overall,
        sdg_scores=scores,
    )
    c = rp.cards(edition)
    assert c.ids == ["a"] and c.exact.tolist() == [False]  # SDG 1 a range; b's row scattered by the scraper
    lo, hi = c.rounded()
    assert lo[0].tolist() == pytest.approx([79.95, 49.95, 39.95, 69.95])
    assert hi[0].tolist() == pytest.approx([90.05, 50.05, 40.05, 70.05])


def test_min_max_bounds_stop_at_0_and_100():
    # SDG 1 over [10, 80] with rounding: the top row's bounds reach past 100 and the bottom row's below 0 before
    # clipping; SDG 2's one score is 100 at both ends
    ext = rp.Extremes.of(ROWS)
    lo, hi = rp.minmax(np.array([79.95, 9.95, 29.95]), np.array([80.05, 10.05, 30.05]), np.array([1, 1, 2]), ext)
    assert lo == pytest.approx([100 * (79.95 - 10.05) / (80.05 - 10.05), 0.0, 100.0])
    assert hi == pytest.approx([100.0, 100 * (10.05 - 9.95) / (79.95 - 9.95), 100.0])
