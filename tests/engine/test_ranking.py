import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from impactrank.engine.ranking import RankRules, competition_ranks, display_keys, rank_table
from impactrank.methodology.schema import Band, Banding

BANDING = Banding(individual_to=3, bands=[Band(start=4, end=5), Band(start=6)])


def table(scores, banding=BANDING):
    ids = pl.Series([f"i{k}" for k in range(len(scores))])
    return rank_table(ids, np.array(scores, dtype=float), RankRules(banding))


def test_display_keys_round_half_up():
    assert display_keys(np.array([85.25, 85.24, 0.05, 99.95]), 1).tolist() == [853, 852, 1, 1000]


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
