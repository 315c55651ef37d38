"""Ranks, percentiles and bands as the rank_uncertainty table reports them, on hand-checkable cases."""

from __future__ import annotations

import numpy as np
import polars as pl

from impactrank.engine.tables.ranking import band_label, band_segments, competition_ranks
from impactrank.engine.uncertainty.histograms import percentile_from_hist
from impactrank.engine.uncertainty.ranks import _ranks_by_counting, _ranks_by_sorting
from impactrank.engine.uncertainty.result import format_rank_interval, interval_widths, significant_move
from impactrank.engine.uncertainty.tables import Tables, table_slices


def test_counting_and_sorting_ranks_agree_with_competition_ranks():
    rng = np.random.default_rng(0)
    sizes = np.array([7, 1, 30])
    tables = Tables(["overall", "sdg1", "sdg2"], sizes, [], np.repeat(np.arange(3), sizes), np.arange(sizes.sum()), [])
    keys = rng.integers(0, 20, size=(sizes.sum(), 5))  # many ties
    by_count = np.concatenate([_ranks_by_counting(keys[rows].copy(), 0, 21) for rows in table_slices(tables)])
    by_sort = np.concatenate([_ranks_by_sorting(keys[rows]) for rows in table_slices(tables)])
    np.testing.assert_array_equal(by_count, by_sort)
    for r in range(5):
        for rows in table_slices(tables):
            np.testing.assert_array_equal(by_count[rows, r], competition_ranks(keys[rows, r])[0])


def test_percentiles_from_histograms_match_numpy():
    rng = np.random.default_rng(1)
    values = rng.integers(1, 9, size=(6, 37))
    hist = np.stack([np.bincount(v, minlength=9) for v in values])
    cum = np.cumsum(hist, axis=1)
    for q in (0.05, 0.5, 0.95):
        np.testing.assert_allclose(percentile_from_hist(cum, 37, q), np.percentile(values, 100 * q, axis=1))


def test_format_rank_interval():
    assert format_rank_interval(45, 38.0, 57.0) == "45 (38–57)"
    assert format_rank_interval(45, 37.5, 56.2) == "45 (37–57)"
    assert format_rank_interval(3, None, None) == "3"
    assert format_rank_interval(None, 1.0, 2.0) == ""


def test_significant_move_needs_disjoint_intervals():
    assert significant_move(38, 57, 60, 70) and significant_move(60, 70, 38, 57)
    assert not significant_move(38, 57, 57, 70)  # touching intervals overlap
    assert not significant_move(38, 57, 40, 45)


def test_band_labels_and_interval_widths(mini_methodology):
    banding = mini_methodology.overall.banding  # individual 1–2, then 3–4, then 5+
    assert [band_label(banding, p) for p in (1, 2, 3, 4, 5, 9)] == ["1–2", "1–2", "3–4", "3–4", "5+", "5+"]
    open_end = banding.model_copy(update={"table_end": "open_last_band"})  # a 4-row table ends in "3+"
    assert band_segments(open_end, 4) == [("1–2", 1, 2), ("3+", 3, 4)]
    assert band_segments(open_end, 6) == [("1–2", 1, 2), ("3–4", 3, 4), ("5+", 5, 6)]
    table = pl.DataFrame(
        {
            "table": ["overall"] * 4,
            "nominal_rank": [1, 2, 3, 4],
            "rank_p05": [1.0, 1.0, 2.0, 4.0],
            "rank_p95": [1.0, 3.0, 4.0, 4.0],
        }
    )
    widths = interval_widths(table, banding)
    assert widths.to_dicts() == [
        {"band": "1–2", "institutions": 2, "median_width": 1.0},
        {"band": "3–4", "institutions": 2, "median_width": 1.0},
    ]
