"""Lost ties rebuilt from the published ranks around them, on hand-made tables whose answers are worked out
in the comments."""

from __future__ import annotations

from impactrank.io.published.rows import RawRow
from impactrank.io.published.ties import rebuild_ties


def table(*rows: tuple[str, str]) -> list[RawRow]:
    return [
        RawRow(row=i + 2, rank=rank, name=f"U{i}", country="FR", overall=score, sdg17="", pairs=[])
        for i, (rank, score) in enumerate(rows)
    ]


def shown(rows: list[RawRow]) -> list[tuple[str, list[str]]]:
    return [(r.rank_fixed.display if r.rank_fixed else r.rank, r.flags) for r in rows]


def test_a_lost_tie_takes_the_rank_after_the_group_above():
    # 90.0 is 1st, 88.0 2nd, then two rows at 85.0 saved as 0: tied 3rd ("=3"), and 80.0 is 5th as published
    rows = table(("1", "90.0"), ("2", "88.0"), ("0", "85.0"), ("0", "85.0"), ("5", "80.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert shown(rows) == [
        ("1", []),
        ("2", []),
        ("=3", ["rank_reconstructed"]),
        ("=3", ["rank_reconstructed"]),
        ("5", []),
    ]


def test_a_tie_group_takes_the_rank_a_member_still_shows():
    rows = table(("1", "90.0"), ("=2", "88.0"), ("0", "88.0"), ("4", "80.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert shown(rows)[2] == ("=2", ["rank_reconstructed"])
    assert shown(rows)[1] == ("=2", [])


def test_a_late_insertion_between_the_anchors_leaves_the_rank_open():
    # THE inserted a late institution without renumbering: above says the 85.0 pair is =3, below (6 at 80.0)
    # says =4. Either is possible, so both ends are kept and the row is flagged ambiguous.
    rows = table(("1", "90.0"), ("2", "88.0"), ("0", "85.0"), ("0", "85.0"), ("6", "80.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    (rank, flags) = shown(rows)[2]
    assert rows[2].rank_fixed.low == 3 and rows[2].rank_fixed.high == 4
    assert rank == "=3–4" and flags == ["rank_reconstructed", "rank_ambiguous"]
    # the published 6 is one place off the score order (4 rows above it): kept as published, flagged
    assert shown(rows)[4] == ("6", ["rank_off_score_order"])


def test_rows_sharing_a_published_rank_get_their_tie_mark_back():
    rows = table(("1", "90.0"), ("2", "88.2"), ("2", "88.1"), ("4", "80.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert [r[0] for r in shown(rows)] == ["1", "=2", "=2", "4"]
    assert "rank_tie_restored" in rows[1].flags and "rank_off_score_order" in rows[2].flags


def test_bands_and_unreadable_scores_are_left_alone():
    rows = table(("0", "90.0"), ("0", "n/a"), ("101–200", "77.5–85.2"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert rows[0].rank_fixed.display == "=1" and rows[1].rank_fixed.display == "=2"
    assert rows[2].rank_fixed is None and rows[2].flags == []


def test_a_rebuilt_rank_stays_between_its_published_neighbours():
    # THE's 2021 SDG 13 table in small: 77.8 is 2nd and 74.2 is 6th with five rows between, two too many.
    # The 76.3 pair continues the 2nd (=3) while counting back from the 6th says =1, a place above a
    # higher score: it stays after the 2nd, so =3. The 74.3 trio is =5 from above and =3 from below: both
    # ends fit between 2 and 6, so it keeps them, ambiguous, and is still listed after the 2nd.
    rows = table(
        ("1", "90.0"),
        ("2", "77.8"),
        ("0", "76.3"),
        ("0", "76.3"),
        ("0", "74.3"),
        ("0", "74.3"),
        ("0", "74.3"),
        ("6", "74.2"),
    )
    rebuild_ties(rows, [r.overall for r in rows])
    assert [r[0] for r in shown(rows)] == ["1", "2", "=3", "=3", "=3–5", "=3–5", "=3–5", "6"]
    assert shown(rows)[2][1] == ["rank_reconstructed"]
    assert shown(rows)[4][1] == ["rank_reconstructed", "rank_ambiguous"]


def test_a_rebuilt_rank_between_adjacent_published_ranks_is_level_with_them():
    # 2nd and 3rd leave no rank for the 85.0 row between them (a late insertion): it may be either
    rows = table(("1", "90.0"), ("2", "88.0"), ("0", "85.0"), ("3", "80.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert shown(rows)[2] == ("=2–3", ["rank_reconstructed", "rank_ambiguous"])


def test_lost_ties_above_the_first_published_rank_are_level_with_it():
    # nothing above and no rank before 1: both groups (higher scores than the published 1st) are =1, certain
    rows = table(("0", "96.0"), ("0", "95.0"), ("1", "90.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert shown(rows) == [
        ("=1", ["rank_reconstructed"]),
        ("=1", ["rank_reconstructed"]),
        ("1", ["rank_off_score_order"]),
    ]


def test_lost_ties_with_one_rank_left_between_their_neighbours_take_it():
    # between the 1st and the 3rd only 2 is free: both groups take it, certain, though counting says 1 to 3
    rows = table(("1", "90.0"), ("0", "85.0"), ("0", "84.0"), ("3", "80.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert [r[0] for r in shown(rows)] == ["1", "=2", "=2", "3"]
    assert shown(rows)[1][1] == shown(rows)[2][1] == ["rank_reconstructed"]


def test_a_tie_already_marked_keeps_its_rank_and_a_restored_one_is_that_one_rank():
    rows = table(("1", "90.0"), ("=2", "88.0"), ("2", "88.0"), ("4", "80.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert shown(rows) == [("1", []), ("=2", []), ("=2", ["rank_tie_restored"]), ("4", [])]
    assert rows[1].rank_fixed is None and (rows[2].rank_fixed.low, rows[2].rank_fixed.high) == (2, 2)


def test_a_lost_tie_continues_the_published_numbering_above_it_not_its_position():
    # the =5 pair (published after a late correction) is followed by the 85.0 row: 5 plus the two rows = 7
    rows = table(("1", "95.0"), ("=5", "90.0"), ("=5", "90.0"), ("0", "85.0"))
    rebuild_ties(rows, [r.overall for r in rows])
    assert shown(rows)[3] == ("=7", ["rank_reconstructed"])
