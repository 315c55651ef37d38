import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from impactrank.engine.tables.ranking import RankRules, band_segments, competition_ranks, display_keys, rank_table
from impactrank.methodology.schema import Band, Banding

BANDING = Banding(individual_to=3, bands=[Band(start=4, end=5), Band(start=6)])


def table(scores, banding=BANDING):
    ids = pl.Series([f"i{k}" for k in range(len(scores))])
    return rank_table(ids, np.array(scores, dtype=float), RankRules(banding))


def test_display_keys_round_half_up():
    assert display_keys(np.array([85.25, 85.24, 0.05, 99.95]), 1).tolist() == [853, 852, 1, 1000]


def ranked(scores, precision=1, tie_rule="competition_on_display", banding=BANDING):
    ids = pl.Series([f"i{k}" for k in range(len(scores))])
    return rank_table(ids, np.array(scores, dtype=float), RankRules(banding, precision, tie_rule))


def test_competition_exact_ties_only_equal_full_scores():
    scores = [80.0, 80.0, 79.96, 70.0]  # all but the last show as 80.0
    exact = ranked(scores, tie_rule="competition_exact")
    assert exact["rank"].to_list() == ["=1", "=1", "3", "4–5"]
    assert exact["display"].to_list()[:3] == ["80.0", "80.0", "80.0"]
    assert ranked(scores)["rank"].to_list() == ["=1", "=1", "=1", "4–5"]  # on display: all three share
    assert ranked([90.0, 80.04, 79.96], tie_rule="competition_exact")["rank"].to_list() == ["1", "2", "3"]


def test_display_precision_two_and_zero():
    two = ranked([85.256, 85.254, 85.2451, 60.0, 50.004], precision=2)
    assert two["display"].to_list() == ["85.26", "85.25", "85.25", "50.00–60.00", "50.00–60.00"]
    assert two["rank"].to_list() == ["1", "=2", "=2", "4–5", "4–5"]
    zero = ranked([85.5, 85.4, 84.5, 75.2, 70.0, 12.7], precision=0)
    assert zero["display"].to_list() == ["86", "85", "85", "70–75", "70–75", "13–13"]  # a band shows its range
    assert zero["rank"].to_list() == ["1", "=2", "=2", "4–5", "4–5", "6+"]
    assert display_keys(np.array([0.5, 1.49, 99.5]), 0).tolist() == [1, 1, 100]


def test_ties_share_a_rank_and_skip_the_next():
    t = table([90.0, 80.04, 79.96, 70.0])
    assert t["rank"].to_list() == ["1", "=2", "=2", "4–5"]
    assert t["rank_position"].to_list() == [1, 2, 2, 4]


def test_bands_with_score_ranges_and_open_band():
    t = table([95, 90, 85, 80, 75, 50, 40.04, 30])
    assert t["rank"].to_list() == ["1", "2", "3", "4–5", "4–5", "6+", "6+", "6+"]
    assert t["display"].to_list()[3:] == ["75.0–80.0"] * 2 + ["30.0–50.0"] * 3
    # an open band's worst position is the field size
    assert t["rank_low"].to_list()[5:] == [6, 6, 6] and t["rank_high"].to_list()[5:] == [8, 8, 8]
    assert t["rank_high"].to_list()[3:5] == [5, 5]


def test_the_band_holding_the_last_row_is_open_when_the_table_ends_so():
    """THE's tables end with the band holding their last row shown open-ended: 4 rows end in "3+" (not
    "3–4"), 6 rows in "5+"; several tables ranked at once each end at their own size."""
    ladder = [Band(start=3, end=4), Band(start=5, end=8), Band(start=9)]
    banding = Banding(individual_to=2, bands=ladder, table_end="open_last_band")
    assert table([9, 8, 7, 6], banding)["rank"].to_list() == ["1", "2", "3+", "3+"]
    six = table([9, 8, 7, 6, 5, 4], banding)
    assert six["rank"].to_list() == ["1", "2", "3–4", "3–4", "5+", "5+"]
    assert six["rank_high"].to_list()[4:] == [6, 6] and six["display"].to_list()[4:] == ["4.0–5.0"] * 2
    assert table([9, 8, 7, 6], Banding(individual_to=2, bands=ladder))["rank"].to_list()[2:] == ["3–4"] * 2
    ids = pl.Series([f"i{k}" for k in range(10)])
    scores = np.array([9, 8, 7, 6, 9, 8, 7, 6, 5, 4], dtype=float)
    groups = np.array([1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    both = rank_table(ids, scores, RankRules(banding), groups=groups)
    assert both["rank"].to_list() == ["1", "2", "3+", "3+", "1", "2", "3–4", "3–4", "5+", "5+"]


def test_tie_across_the_band_start_stays_individual():
    t = table([90, 80, 70, 70, 60])
    assert t["rank"].to_list() == ["1", "2", "=3", "=3", "4–5"]
    assert t["rank_position"].to_list() == [1, 2, 3, 3, 5]


def test_ties_listed_alphabetically():
    ids = pl.Series(["z", "a", "m"])
    names = pl.Series(["Zeta", "Alpha", "Mu"])
    t = rank_table(ids, np.array([50.0, 50.0, 60.0]), RankRules(BANDING), names=names)
    assert t["institution_id"].to_list() == ["m", "a", "z"]


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=60))
def test_ranks_follow_scores_and_equal_display_shares_rank(scores):
    arr = np.array(scores)
    keys = display_keys(arr, 1)
    ranks, tied = competition_ranks(keys)
    for i in range(len(arr)):
        # competition rank = 1 + number of strictly better display scores
        assert ranks[i] == 1 + int((keys > keys[i]).sum())
        assert tied[i] == ((keys == keys[i]).sum() > 1)
    # lower score never gets a better (smaller) rank
    order = np.argsort(-arr, kind="stable")
    assert np.all(np.diff(ranks[order]) >= 0)


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=40), st.floats(0, 100, allow_nan=False))
def test_adding_an_institution_never_improves_another_rank(scores, newcomer):
    before, _ = competition_ranks(display_keys(np.array(scores), 1))
    after, _ = competition_ranks(display_keys(np.array([*scores, newcomer]), 1))
    assert np.all(after[:-1] >= before)


def test_an_empty_table_ranks_to_nothing():
    ranks, tied = competition_ranks(np.array([], dtype=np.int64))
    assert ranks.tolist() == [] and tied.tolist() == []
    empty = rank_table(pl.Series([], dtype=pl.String), np.array([], dtype=float), RankRules(BANDING))
    assert empty.height == 0
    assert empty.columns == ["institution_id", "rank", "rank_position", "rank_low", "rank_high", "band", "display"]


def test_without_bands_every_row_is_ranked_individually():
    for banding in (Banding(individual_to=0), Banding(individual_to=2)):  # no bands: nothing is banded
        t = ranked([30.0, 30.0, 10.0, 5.0], banding=banding)
        assert t["rank"].to_list() == ["=1", "=1", "3", "4"]
        assert t["display"].to_list() == ["30.0", "30.0", "10.0", "5.0"]
        assert t["band"].to_list() == [None] * 4 and t.schema["band"] == pl.String
        assert t["rank_low"].to_list() == t["rank_high"].to_list() == [1, 1, 3, 4]


def test_a_table_ending_where_a_band_starts_opens_that_band():
    """Bands 3–4, 5–8, 9+ after two individual ranks: a 5-row table's last row starts the band 5–8, which is
    therefore shown as "5+"; the band 3–4 before it stays closed."""
    ladder = Banding(individual_to=2, bands=[Band(start=3, end=4), Band(start=5, end=8), Band(start=9)])
    t = ranked([9, 8, 7, 6, 5], banding=ladder.model_copy(update={"table_end": "open_last_band"}))
    assert t["rank"].to_list() == ["1", "2", "3–4", "3–4", "5+"]
    assert t["rank_high"].to_list() == [1, 2, 4, 4, 5]


def test_band_score_ranges_stay_within_each_table():
    ladder = Banding(individual_to=2, bands=[Band(start=3, end=4), Band(start=5)])
    ids = pl.Series([f"i{k}" for k in range(8)])
    scores = np.array([9, 8, 7, 6, 5, 4, 3, 2], dtype=float)
    groups = np.array([1, 1, 1, 1, 2, 2, 2, 2])
    t = rank_table(ids, scores, RankRules(ladder), groups=groups)
    # table 1 shows its band 3–4 as 6.0–7.0, table 2 as 2.0–3.0: not one range over both tables
    assert t["display"].to_list() == ["9.0", "8.0", "6.0–7.0", "6.0–7.0", "5.0", "4.0", "2.0–3.0", "2.0–3.0"]


def test_ties_are_listed_by_name_not_by_id():
    ids = pl.Series(["b1", "a1", "c1"])
    names = pl.Series(["Alpha", "Zeta", "Mu"])
    t = rank_table(ids, np.array([50.0, 50.0, 60.0]), RankRules(BANDING), names=names)
    assert t["institution_id"].to_list() == ["c1", "b1", "a1"]  # Alpha before Zeta, though a1 < b1


def test_band_segments_at_the_edges_of_the_individual_ranks():
    assert band_segments(Banding(individual_to=0), 5) == [("1–5", 1, 5)]  # no ranks, no bands: one segment
    assert band_segments(Banding(individual_to=1, bands=[Band(start=2)]), 5) == [("1–1", 1, 1), ("2+", 2, 5)]
    opened = [Band(start=2, end=3), Band(start=4)]
    # a table that ends within the individual ranks has no band to open
    assert band_segments(Banding(individual_to=1, bands=opened, table_end="open_last_band"), 1) == [("1–1", 1, 1)]
    three = Banding(individual_to=3, bands=[Band(start=4, end=5), Band(start=6)], table_end="open_last_band")
    assert band_segments(three, 2) == [("1–3", 1, 2)]
    assert band_segments(three, 7) == [("1–3", 1, 3), ("4–5", 4, 5), ("6+", 6, 7)]
