"""W/n and PRE/n settled over a whole batch in numpy agree with the per-document matcher at the edges of the
distance, with phrases on either side, overlapping and identical spans, and across fields."""

from __future__ import annotations

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
