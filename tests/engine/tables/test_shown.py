"""What a reader may see of a row (engine.tables.shown): an exact position only where the table shows one; a band's
range and share of the field otherwise; scores at the published precision."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.engine.tables.shown import range_text, score_text, share_text, visible, visible_row, with_band_ranges

ROWS = pl.DataFrame(
    {
        "institution_id": ["a", "b", "c", "d"],
        "rank": ["1", "=2", "3–4", "3–4"],
        "rank_position": [1, 2, 3, 4],  # a built band knows the places behind it: 3 and 4
        "rank_low": [1, 2, 3, 3],
        "rank_high": [1, 2, 4, 4],
        "band": [None, None, "3–4", "3–4"],
        "overall_score": [90.04, 80.0, 70.26, 60.11],
        "overall_low": [90.04, 80.0, 70.26, 60.11],
        "overall_high": [90.04, 80.0, 70.26, 60.11],
    }
)


def test_a_band_shows_its_range_and_share_never_the_place_or_score_behind_it():
    shown = visible(with_band_ranges(ROWS, "overall_low", "overall_high"), 4)
    assert shown["rank_position"].to_list() == [1, 2, None, None]
    assert shown["overall_score"].to_list() == [90.04, 80.0, None, None]
    assert list(zip(shown["overall_low"], shown["overall_high"], strict=True))[2:] == [(60.11, 70.26)] * 2
    assert shown["share_low"].to_list() == [25.0, 50.0, 75.0, 75.0]  # a band: its first place of the field …
    assert shown["share_high"].to_list() == [25.0, 50.0, 100.0, 100.0]  # … to its last
    assert "share_low" not in visible(ROWS).columns  # no size given, no share


def test_one_row_reads_as_the_table_does():
    row = visible_row(ROWS.row(3, named=True), 4)
    assert (row["rank_position"], row["overall_score"], row["rank"]) == (None, None, "3–4")
    assert share_text(row, 1117) == "top 75.0–100.0 % of 1,117" and share_text(row, None) == ""
    assert share_text(visible_row(ROWS.row(0, named=True), 4), 4) == "top 25.0 % of 4"


@pytest.mark.parametrize(
    ("args", "text"),
    [((86.0, 86.0, 86.0, 1), "86.0"), ((None, 64.9, 73.4, 1), "64.9–73.4"), ((None, None, None, 1), None)],
)
def test_scores_at_the_published_precision(args, text):
    assert score_text(*args) == text


def test_an_interval_reads_inside_the_published_range():
    assert range_text(58.1649, 66.25, 1, (56.6, 66.2)) == "58.2–66.2"  # 66.25 would round out of the band
    assert range_text(58.1649, 66.25, 1) in {"58.2–66.2", "58.2–66.3"}
