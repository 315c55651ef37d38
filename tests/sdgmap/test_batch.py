"""The batch evaluation (bounds on numpy columns, positions only for the documents left open) gives the same
lines as the per-document matcher and the naive reference engine: on every real query system, and on
adversarial queries over documents drawn from the queries' own words."""

from __future__ import annotations

import random

import pytest

from impactrank.sdgmap.batch import BatchMatcher
from impactrank.sdgmap.loaders import QueryLine
from impactrank.sdgmap.matcher import Matcher
from impactrank.sdgmap.naive import NaiveMatcher
from impactrank.sdgmap.parser import parse

ADVERSARIAL = [
    '"poverty" AND NOT ("child*" OR "famil*")',
    '("poverty" OR "hunger") AND NOT ("rural" AND NOT "urban")',
    '(("poverty" AND "hunger") OR ("rural" AND NOT "poverty")) AND NOT ("urban" OR ("child" AND "famil*"))',
    '("poverty" W/3 "reduc*") AND NOT ("child" PRE/2 "labo?r")',
    '"hunger" AND NOT ("hunger" W/2 "rural")',
    '"extreme poverty" W/2 ("child*" W/1 "famil*")',
    '("poverty" OR "hunger") PRE/1 ("child*" OR "wom?n")',
    '"poverty" W/0 "poverty"',
    '{Extreme poverty} OR "wom?n"',
    "{children} AND NOT {child}",
    '"*forest*" AND "develop* countr*"',
    '"develop* countr*" W/4 "poverty"',
    '"fertili?er" PRE/0 "use*"',
    'TITLE("poverty") AND ABS("hunger")',
    'TITLE-ABS-KEY("poverty" W/5 "hunger") AND NOT KEY("rural")',
    'TITLE("child*" W/1 "famil*") OR KEY({extreme poverty})',
    'ABS("urban" AND NOT "rural") AND NOT TITLE("poverty" PRE/3 "reduc*")',
]
WORDS = [
    "poverty",
    "poverties",
    "hunger",
    "child",
    "children",
    "family",
    "families",
    "rural",
    "urban",
    "reduce",
    "reduction",
    "extreme",
    "Extreme",
    "labour",
    "labor",
    "woman",
    "women",
    "womban",
    "deforestation",
    "forest",
    "developing",
    "countries",
    "country",
    "developed",
    "fertiliser",
    "fertilizer",
    "use",
    "used",
    "the",
    "of",
    "and",
    "poverty's",
    "POVERTY",
]
FIELDS = ("title", "abstract", "keywords")


def _text(rng: random.Random) -> str | None:
    if rng.random() < 0.1:
        return rng.choice([None, "", " - "])
    return " ".join(rng.choice(WORDS) + rng.choice(["", "", "", ",", "-", "."]) for _ in range(rng.randint(1, 14)))


@pytest.fixture(scope="module")
def documents() -> list[tuple[str | None, ...]]:
    rng = random.Random(25)
    crafted = [
        ("Extreme poverty of children's families", "developing countries' deforestation and poverty", None),
        ("poverty reduction", "fertiliser used on rural land; hunger", "extreme poverty"),
        ("children and families", "the extreme poverty, child-family", "rural"),
    ]
    return crafted + [tuple(_text(rng) for _ in FIELDS) for _ in range(600)]


def test_batch_equals_per_document_on_every_real_system(systems, benchmark):
    texts = benchmark["text"].to_list()[::10]
    for name, queries in systems.items():
        matcher = Matcher(queries)
        assert BatchMatcher(matcher).match_columns([texts]) == [matcher.match(t) for t in texts], name


@pytest.mark.parametrize("fields", [("text",), FIELDS])
def test_batch_equals_per_document_and_naive_on_adversarial_queries(documents, fields):
    lines = [QueryLine("t", 1, f"t:{i}", q, parse(q)) for i, q in enumerate(ADVERSARIAL)]
    docs = [(" ".join(t for t in d if t),) for d in documents] if fields == ("text",) else documents
    matcher = Matcher(lines, fields)
    batch = BatchMatcher(matcher).match_columns(list(zip(*docs, strict=True)))
    per_doc = [matcher.match(d) for d in docs]
    assert batch == per_doc
    assert per_doc == [NaiveMatcher(lines, fields).match(d) for d in docs]
    # not vacuous: every query matches some documents and misses others
    for i in range(len(lines)):
        hits = sum(i in got for got in per_doc)
        assert 0 < hits < len(docs) or (fields == ("text",) and "TITLE" in ADVERSARIAL[i]), ADVERSARIAL[i]


def test_documents_between_the_bounds_are_settled_both_ways():
    # W/n decided by positions: both sides occur, yet only some documents have them close enough
    line = QueryLine("t", 1, "t:0", "", parse('"poverty" W/1 "hunger"'))
    matcher = Matcher([line])
    docs = ["poverty and hunger", "poverty of the rural hunger", "hunger poverty", "poverty alone", ""]
    assert BatchMatcher(matcher).match_columns([docs]) == [[0], [], [0], [], []]
    assert BatchMatcher(matcher).match_columns([[]]) == []
