"""Monte Carlo ranks tie as THE's tables do: on the score shown at the display precision, rounded half up (12.25
shows as 12.3, above 12.2), the same as the engine's own ranking — within 0–100 and outside it."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from impactrank.engine.tables.ranking import TIE_RULES, competition_ranks, display_keys
from impactrank.engine.uncertainty.ranks import rank_entries
from impactrank.engine.uncertainty.tables import Tables
from impactrank.methodology.schema import Banding, Ranking


def shown(v: float) -> Decimal:
    """The score as a table shows it at one decimal, rounded half up."""
    return Decimal(v).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def competition(values: list[float]) -> list[int]:
    """1 + the entries shown higher."""
    return [1 + sum(shown(w) > shown(v) for w in values) for v in values]


@pytest.mark.parametrize("offset", [0.0, 150.0], ids=["within 0-100", "beyond 100"])
def test_half_way_scores_round_up_before_ties(offset):
    halves = [12.25, 12.2, 12.3, 40.25, 40.2, 40.3, 0.25, 0.2]  # x.25 is exact in binary: half way at one decimal
    other = [55.25, 55.2, 55.3, 55.25, 99.75, 99.7]
    tables = Tables.of(
        ["overall", "sdg1"], [np.arange(len(halves)), np.arange(len(other))], [Banding(individual_to=200)] * 2
    )
    base = np.array(halves + other) + offset
    runs = np.stack([base, base[::-1], np.roll(base, 3)], axis=1)
    ranks = rank_entries(runs, tables, Ranking(display_precision=1))
    n = len(halves)
    for r in range(runs.shape[1]):
        assert ranks[:n, r].tolist() == competition(runs[:n, r].tolist())
        assert ranks[n:, r].tolist() == competition(runs[n:, r].tolist())
        for part in (slice(0, n), slice(n, None)):  # as the build ranks the same scores
            assert ranks[part, r].tolist() == competition_ranks(display_keys(runs[part, r], 1))[0].tolist()
    # 12.25 shows as 12.3, level with 12.3 and above 12.2; likewise 40.25, 0.25 and 55.25
    assert ranks[:n, 0].tolist() == [4, 6, 4, 1, 3, 1, 7, 8]
    assert ranks[n:, 0].tolist() == [3, 6, 3, 3, 1, 2]


def strictly_above(keys: list) -> list[int]:
    """Competition ranks: 1 + the entries with a strictly higher key."""
    return [1 + sum(k > key for k in keys) for key in keys]


def two_tables(first: list[float], second: list[float]) -> Tables:
    banding = [Banding(individual_to=200)] * 2
    return Tables.of(["overall", "sdg1"], [np.arange(len(first)), np.arange(len(second))], banding)


def runs_of(first: list[float], second: list[float]) -> np.ndarray:
    base = np.array(first + second)
    return np.stack([base, base[::-1], np.roll(base, 2)], axis=1)


def check_per_table(ranks: np.ndarray, runs: np.ndarray, n: int, expected) -> None:
    assert ranks.dtype.kind == "i"  # ranks are whole numbers, whichever path computed them
    for r in range(runs.shape[1]):
        for part in (slice(0, n), slice(n, None)):
            assert ranks[part, r].tolist() == expected(runs[part, r].tolist())


def test_two_decimals_tie_on_the_hundredth():
    """At two decimals 40.123 and 40.118 both show 40.12 and share a rank; 40.13 is above them."""
    first, second = [40.123, 40.118, 40.13, 7.5, 99.999], [3.004, 3.006, 3.0, 100.0]
    runs = runs_of(first, second)
    ranks = rank_entries(runs, two_tables(first, second), Ranking(display_precision=2))
    check_per_table(ranks, runs, len(first), lambda vs: strictly_above([round(Decimal(v), 2) for v in vs]))
    assert ranks[: len(first), 0].tolist() == [3, 3, 2, 5, 1]


def test_scores_below_zero_rank_by_the_score_shown():
    """A perturbed score can fall under 0: -0.07 shows as -0.1, below -0.04 and 0.0 (both shown 0.0)."""
    first, second = [-0.07, -0.04, 0.0, 0.3, -2.0], [-0.12, 5.0, -0.02]
    runs = runs_of(first, second)
    ranks = rank_entries(runs, two_tables(first, second), Ranking(display_precision=1))
    check_per_table(ranks, runs, len(first), lambda vs: strictly_above([shown(v) for v in vs]))
    assert ranks[: len(first), 0].tolist() == [4, 2, 2, 1, 5]


def test_a_score_just_over_100_in_a_table_followed_by_others():
    """100.1 is one key above a shown 100.0: it ranks first in its table and leaves the next table alone."""
    first, second = [100.1, 100.0, 99.9, 100.1], [0.0, 0.1, 0.0]
    runs = runs_of(first, second)
    ranks = rank_entries(runs, two_tables(first, second), Ranking(display_precision=1))
    check_per_table(ranks, runs, len(first), lambda vs: strictly_above([shown(v) for v in vs]))
    assert ranks[:, 0].tolist() == [1, 3, 4, 1, 2, 1, 2]


def test_one_entry_scored_beyond_100_is_first():
    table = Tables.of(["overall"], [np.arange(1)], [Banding(individual_to=200)])
    ranks = rank_entries(np.array([[150.0]]), table, Ranking(display_precision=1))
    assert ranks.tolist() == [[1]]


def test_exact_tie_rule_ties_only_equal_scores():
    """competition_exact: 12.25 and 12.3 do not tie although both show 12.3; only equal scores share a rank."""
    first, second = [12.25, 12.3, 12.2, 12.3, 150.5], [55.25, 55.2, 55.25, -1.0]
    runs = runs_of(first, second)
    ranks = rank_entries(runs, two_tables(first, second), Ranking(display_precision=1, tie_rule="competition_exact"))
    check_per_table(ranks, runs, len(first), strictly_above)
    assert ranks[: len(first), 0].tolist() == [4, 2, 5, 2, 1]


@TIE_RULES.register("test_whole_points")
def _whole_points(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """A rule of one's own: scores tie on the whole points of the score shown (12.9 and 12.1 share a rank)."""
    return np.asarray(keys) // 10


def test_a_tie_rule_registered_outside_the_engine_ranks_as_the_build_does():
    first, second = [12.9, 12.1, 13.0, 11.99, 40.5], [3.5, 3.2, 2.0]
    runs = runs_of(first, second)
    ranking = Ranking(display_precision=1, tie_rule="test_whole_points")
    ranks = rank_entries(runs, two_tables(first, second), ranking)
    check_per_table(ranks, runs, len(first), lambda vs: strictly_above([int(shown(v)) for v in vs]))
    assert ranks[: len(first), 0].tolist() == [3, 3, 2, 3, 1]  # 11.99 shows as 12.0
    for part in (slice(0, len(first)), slice(len(first), None)):  # the build's ranking with the same rule
        scores = runs[part, 0]
        keys = TIE_RULES["test_whole_points"](scores, display_keys(scores, 1))
        assert ranks[part, 0].tolist() == competition_ranks(keys)[0].tolist()


@TIE_RULES.register("test_whole_points_scored")
def _whole_points_scored(scores: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """A rule that reads the scores themselves: they tie on their whole points (12.9 and 12.1 share a rank, 11.99
    is below them although it shows as 12.0)."""
    return np.floor(scores)


def test_a_registered_tie_rule_reads_the_scores_of_each_run():
    first, second = [12.9, 12.1, 13.0, 11.99, 40.5], [3.5, 3.2, 2.0]
    runs = runs_of(first, second)
    ranks = rank_entries(
        runs, two_tables(first, second), Ranking(display_precision=1, tie_rule="test_whole_points_scored")
    )
    check_per_table(ranks, runs, len(first), lambda vs: strictly_above([math.floor(v) for v in vs]))
    assert ranks[: len(first), 0].tolist() == [3, 3, 2, 5, 1]


def below_every_score(vs: list[float], key) -> list[int]:
    """The build ranks only the scored rows; a row with no score comes after all of them (ties among such rows)."""
    scored = [key(v) for v in vs if not math.isnan(v)]
    return [len(scored) + 1 if math.isnan(v) else 1 + sum(k > key(v) for k in scored) for v in vs]


@pytest.mark.parametrize(
    ("tie_rule", "key"),
    [("competition_on_display", shown), ("competition_exact", float), ("test_whole_points", lambda v: int(shown(v)))],
)
def test_an_entry_with_no_score_in_a_run_ranks_last_in_it(tie_rule, key):
    """A missing score (NaN) ranks below every score of its table in that run, never first, and leaves the
    others' ranks as they are among the scored rows."""
    nan = math.nan
    first, second = [40.0, nan, 55.5, 12.1, nan, 0.0], [nan, 3.0, 99.9]
    runs = runs_of(first, second)
    ranks = rank_entries(runs, two_tables(first, second), Ranking(display_precision=1, tie_rule=tie_rule))
    check_per_table(ranks, runs, len(first), lambda vs: below_every_score(vs, key))
    assert ranks[:, 0].tolist() == [2, 5, 1, 3, 5, 4, 3, 2, 1]


def test_a_table_with_no_score_in_a_run_ties_all_its_entries():
    runs = np.array([[math.nan, 3.0], [math.nan, 5.0]])
    ranks = rank_entries(runs, two_tables([0.0, 0.0], []), Ranking(display_precision=1))
    assert ranks.tolist() == [[1, 2], [1, 1]]
