"""Display-rank and score parsers: hand-written cases, and arbitrary strings that parse or return None."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impactrank.io.published.parse import Card, Rank, Score, canonical, cell_text, parse_card, parse_rank, parse_score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Rank(1, 1)),
        ("=7", Rank(7, 7, tied=True)),
        (" = 12 ", Rank(12, 12, tied=True)),
        ("101–200", Rank(101, 200, banded=True)),
        ("101-200", Rank(101, 200, banded=True)),
        ("101 – 200", Rank(101, 200, banded=True)),
        ("1001—1500", Rank(1001, 1500, banded=True)),
        ("1001+", Rank(1001, None, banded=True)),
        ("601 +", Rank(601, None, banded=True)),
        ("1+", Rank(1, None, banded=True)),  # ranks start at 1, open bands too
        ("1–1", Rank(1, 1, banded=True)),
    ],
)
def test_rank_forms(text, expected):
    assert parse_rank(text) == expected


@pytest.mark.parametrize("text", ["", "0", "=0", "0+", "0–5", "200–101", "Reporter", "1–", "+5", "12.5", "==3", None])
def test_rank_rejects(text):
    assert parse_rank(text) is None


def test_rank_display_is_canonical():
    assert parse_rank("101 - 200").display == "101–200"
    assert parse_rank("=7").display == "=7"
    assert parse_rank("1001+").display == "1001+"


@pytest.mark.parametrize(
    ("text", "low", "high", "ranged"),
    [
        ("87.3", 87.3, 87.3, False),
        ("96", 96.0, 96.0, False),
        ("81.9–86.9", 81.9, 86.9, True),
        ("1.5-45.2", 1.5, 45.2, True),
        ("7.9 – 53.8", 7.9, 53.8, True),
        ("100", 100.0, 100.0, False),
        ("99.5–100", 99.5, 100.0, True),
    ],
)
def test_score_forms(text, low, high, ranged):
    s = parse_score(text)
    assert (s.low, s.high, s.ranged) == (low, high, ranged)
    assert s.exact == (None if ranged else low)


@pytest.mark.parametrize("text", ["", "48.4-57-7", "93.0-87.2", "100.1", "99.5–100.5", "abc", "-3", "1,5", None])
def test_score_rejects(text):
    assert parse_score(text) is None


def test_cell_text_matches_what_a_reader_sees():
    assert [cell_text(v) for v in (96, 96.0, 91.1, None, " 1.5-45.2 ")] == [
        "96",
        "96",
        "91.1",
        "",
        "1.5-45.2",
    ]


@given(st.text())
def test_rank_never_crashes(text):
    r = parse_rank(text)
    assert r is None or isinstance(r, Rank)
    if r is not None:
        assert parse_rank(r.display) == r
        assert r.low >= 1 and (r.high is None or r.high >= r.low)


@given(st.text())
def test_score_never_crashes(text):
    s = parse_score(text)
    assert s is None or isinstance(s, Score)
    if s is not None:
        assert 0 <= s.low <= s.high <= 100
        assert parse_score(s.display) == s


@given(st.integers(1, 99999), st.integers(0, 99999), st.sampled_from(["-", "–", "—", " - ", " – ", "‒"]))
def test_band_round_trip(low, extra, dash):
    r = parse_rank(f"{low}{dash}{low + extra}")
    assert r == Rank(low, low + extra, banded=True)
    assert r.display == f"{low}–{low + extra}" == canonical(f"{low}{dash}{low + extra}")


@given(st.integers(0, 1000), st.integers(0, 1000), st.sampled_from(["-", "–", " – "]))
def test_range_round_trip(a, b, dash):
    lo, hi = sorted((a / 10, b / 10))
    text = f"{lo:.1f}{dash}{hi:.1f}"
    s = parse_score(text)
    assert s.display == canonical(text) and (s.low, s.high) == (lo, hi)


@given(st.from_regex(r"\s?\d{1,3}(\.\d{1,4})?(\s?[-–—]\s?\d{1,3}(\.\d{1,4})?)?\s?", fullmatch=True))
def test_score_like_strings_parse_or_are_refused_for_a_reason(text):
    s = parse_score(text)
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    if s is None:
        assert max(numbers) > 100 or (len(numbers) == 2 and numbers[0] > numbers[1])
    else:
        assert [s.low, s.high] == (numbers if len(numbers) == 2 else numbers * 2)
        assert parse_score(s.display) == s


# ---------------------------------------------------------------------------------------------- THE's card


@pytest.mark.parametrize(
    ("text", "pairs", "sdg17", "flags"),
    [
        (
            "15 94.9  14 95.8  3 89.1  17 97.8  SDG Descriptions",
            (("15", "94.9"), ("14", "95.8"), ("3", "89.1")),
            "97.8",
            (),
        ),
        (
            "7 51.9–56.1  3 54.7–63.8  12 49.4-58.6  17 1.5–45.2  SDG Descriptions",
            (("7", "51.9–56.1"), ("3", "54.7–63.8"), ("12", "49.4–58.6")),
            "1.5–45.2",
            (),
        ),
        # THE hides SDG 16's score for some institutions from 2022: the SDG is kept, its score is not invented
        (
            "16 4 75.2  8 70.3  17 76.7–83.0  SDG Descriptions",
            (("16", ""), ("4", "75.2"), ("8", "70.3")),
            "76.7–83.0",
            (),
        ),
        ("", (), "", ()),
        ("3 89.1 banana 17 50.0", (("3", "89.1"),), "50.0", ("card_unparsed",)),
        ("17 50.0 17 60.0", (), "50.0", ("sdg_number_repeated",)),
        # a group's last number is its score, even a whole one of 17 or less
        ("11 12  17 50.0", (("11", "12"),), "50.0", ()),
        ("3 89.1  11 12  17 50.0", (("3", "89.1"), ("11", "12")), "50.0", ()),
        # an SDG alone in its group has no score; the next group is the next pair
        ("16  4 75.2  17 50.0", (("16", ""), ("4", "75.2")), "50.0", ()),
        # single spaces: no group to go by, so a whole number of 1–17 is an SDG and a larger one a score
        ("3 18 17 60.0", (("3", "18"),), "60.0", ()),
        ("3 17 60.0", (("3", ""),), "60.0", ()),
        ("3 89.1 17 12", (("3", "89.1"), ("12", "")), "", ()),
        ("7 51.9–56.1 3 54.7–63.8 17 1.5–45.2", (("7", "51.9–56.1"), ("3", "54.7–63.8")), "1.5–45.2", ()),
        # what is neither an SDG nor a score is left out and flagged
        ("3 abc  17 50.0", (("3", ""),), "50.0", ("card_unparsed",)),
        ("18 50.0  17 60.0", (), "60.0", ("card_unparsed",)),
    ],
)
def test_card_forms(text, pairs, sdg17, flags):
    card = parse_card(text)
    assert (card.pairs, card.sdg17, card.flags) == (pairs, sdg17, flags)


def test_no_card_is_an_empty_card():
    assert parse_card(None) == parse_card("") == Card((), "")


@given(st.text(max_size=80))
def test_card_never_crashes_and_keeps_only_sdgs_and_scores(text):
    card = parse_card(text)
    for number, score in card.pairs:
        assert 1 <= int(number) <= 16
        assert score == "" or parse_score(score) is not None
    assert card.sdg17 == "" or parse_score(card.sdg17) is not None


@given(
    st.lists(
        st.tuples(st.integers(1, 16), st.floats(0, 100, allow_nan=False).map(lambda v: f"{v:.1f}")),
        min_size=0,
        max_size=3,
        unique_by=lambda t: t[0],
    ),
    st.floats(0, 100, allow_nan=False).map(lambda v: f"{v:.1f}"),
    st.sampled_from(["  ", " ", "   "]),
)
def test_card_round_trip(pairs, sdg17, gap):
    text = gap.join(f"{n} {s}" for n, s in [*pairs, (17, sdg17)]) + "  SDG Descriptions"
    card = parse_card(text)
    assert card.pairs == tuple((str(n), s) for n, s in pairs) and card.sdg17 == sdg17 and card.flags == ()
