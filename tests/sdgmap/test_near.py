"""W/n and PRE/n settled over a whole batch in numpy agree with the per-document matcher at the edges of the
distance, with phrases on either side, overlapping and identical spans, and across fields."""

from __future__ import annotations

import random

import pytest

from impactrank.sdgmap.batch import BatchMatcher
from impactrank.sdgmap.loaders import QueryLine
from impactrank.sdgmap.matcher import Matcher
from impactrank.sdgmap.parser import parse

CASES = [
    # query, documents, which of them match (by hand: words strictly between the two sides)
    (
        '"poverty" W/2 "hunger"',
        ["poverty a b hunger", "poverty a b c hunger", "hunger a b poverty", "poverty"],
        [1, 0, 1, 0],
    ),
    (
        '"poverty" PRE/1 "hunger"',
        ["poverty a hunger", "hunger a poverty", "poverty a b hunger", "poverty hunger"],
        [1, 0, 0, 1],
    ),
    (
        '"extreme poverty" W/1 ("child*" OR "famil*")',
        [
            "extreme poverty of children",
            "families in extreme poverty",
            "extreme x poverty families",
            "family a b extreme poverty",
        ],
        [1, 1, 0, 0],
    ),
    ('"poverty" W/0 "poverty"', ["poverty", "poverty poverty", "poverty a poverty"], [0, 1, 0]),
    ('"poverty line" W/0 "line"', ["poverty line", "poverty line line", "line poverty line"], [1, 1, 1]),
    ('"rural poverty" PRE/0 "poverty"', ["rural poverty", "rural poverty poverty", "poverty rural poverty"], [0, 1, 0]),
]


@pytest.mark.parametrize(("query", "docs", "expected"), CASES)
def test_near_over_a_batch_agrees_with_each_document(query, docs, expected):
    matcher = Matcher([QueryLine("t", 1, "t:0", query, parse(query))])
    batch = BatchMatcher(matcher)
    assert batch._near.n_nodes == 1  # settled in numpy, not document by document
    assert batch.match_columns([docs]) == [[0] if e else [] for e in expected]
    assert [matcher.match(d) for d in docs] == [[0] if e else [] for e in expected]


def test_near_never_joins_two_fields():
    query = '"poverty" W/3 "hunger"'
    matcher = Matcher([QueryLine("t", 1, "t:0", query, parse(query))], ("title", "abstract"))
    titles, abstracts = ["on poverty", "poverty and hunger", None], ["hunger today", "", "poverty hunger"]
    assert BatchMatcher(matcher).match_columns([titles, abstracts]) == [[], [0], [0]]


def _spans(words: list[str], phrases: list[list[str]]) -> list[tuple[int, int]]:
    return [(i, i + len(p) - 1) for p in phrases for i in range(len(words)) if words[i : i + len(p)] == p]


def _close(left, right, n: int, ordered: bool) -> bool:
    """By hand: the words strictly between two spans; unordered, overlapping spans count unless identical."""
    for a, b in left:
        for c, d in right:
            if ordered and c > b and c - b - 1 <= n:
                return True
            between = c - b - 1 if c > b else a - d - 1 if a > d else -1
            if not ordered and between <= n and (a, b) != (c, d):
                return True
    return False


def test_many_near_lines_over_many_documents_agree_with_word_positions():
    # several W/n and PRE/n lines settled together, each over every document: a pair from one line or one
    # document never stands for another's
    sides = {"p": [["poverty"]], "h": [["hunger"]], "ep": [["extreme", "poverty"]], "fc": [["food"], ["crisis"]]}
    queries = [
        ('"poverty" W/1 "hunger"', "p", "h", 1, False),
        ('"hunger" PRE/2 "poverty"', "h", "p", 2, True),
        ('"extreme poverty" W/0 ("food" OR "crisis")', "ep", "fc", 0, False),
        ('("food" OR "crisis") PRE/3 "extreme poverty"', "fc", "ep", 3, True),
        ('"poverty" W/2 "poverty"', "p", "p", 2, False),
    ]
    lines = [QueryLine("t", 1, f"t:{i}", q, parse(q)) for i, (q, *_) in enumerate(queries)]
    matcher = Matcher(lines)
    batch = BatchMatcher(matcher)
    assert batch._near.n_nodes == len(queries)
    rng = random.Random(26)
    vocab = ["poverty", "hunger", "extreme", "food", "crisis", "a", "b"]
    docs = [" ".join(rng.choices(vocab, k=rng.randint(1, 10))) for _ in range(300)]
    expected = [
        [
            i
            for i, (_, left, right, n, o) in enumerate(queries)
            if _close(_spans(d.split(), sides[left]), _spans(d.split(), sides[right]), n, o)
        ]
        for d in docs
    ]
    assert batch.match_columns([docs]) == expected == [matcher.match(d) for d in docs]
    assert sum(map(bool, expected)) > 80 and all(any(i in e for e in expected) for i in range(len(queries)))
    assert any(len(e) == 0 for e in expected)
