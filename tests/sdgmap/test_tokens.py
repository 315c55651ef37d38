"""The word-level key finder finds exactly the occurrences a search of the normal and raw text streams finds
(every occurrence, overlapping ones too, at the same token position): on real query systems over benchmark
texts, and on phrases placed where the position arithmetic could go wrong (at a document's first and last
word, across two documents, across fields, repeated and overlapping)."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from impactrank.sdgmap.batch import BatchMatcher
from impactrank.sdgmap.loaders import QueryLine
from impactrank.sdgmap.matcher import Matcher
from impactrank.sdgmap.normalise import normalise_word, tokenise
from impactrank.sdgmap.parser import parse
from impactrank.sdgmap.streams import streams
from impactrank.sdgmap.tokens import KeyFinder


def _searched(norm_keys, raw_keys, raw_streams):
    """(document, key id, token position) of every occurrence, by str.find on each document's streams."""
    out = []
    for d, raw in enumerate(raw_streams):
        norm = " ".join(map(normalise_word, raw.split(" ")))
        for kid, (stream, key) in enumerate([*((norm, k) for k in norm_keys), *((raw, k) for k in raw_keys)]):
            at = stream.find(key)
            while at >= 0:
                out.append((d, kid, stream.count(" ", 0, at) - (key[0] != " ")))
                at = stream.find(key, at + 1)
    return sorted(set(out))  # a fragment found twice in one word is one occurrence of the word


def _found(norm_keys, raw_keys, columns):
    batch = streams(columns)
    docs, kids, pos = KeyFinder(norm_keys, raw_keys).find(batch.words, batch.lengths)
    return sorted(zip(docs.tolist(), kids.tolist(), pos.tolist(), strict=True)), batch.raw.to_list()


def _keys(matcher: Matcher) -> tuple[list[str], list[str]]:
    return sorted(matcher._keys["n"]), sorted(matcher._keys["r"])


@pytest.mark.parametrize("system", ["aurora-v5", "elsevier", "sdsn"])
def test_finder_equals_a_search_of_the_streams_on_real_systems(systems, benchmark, system):
    norm_keys, raw_keys = _keys(Matcher(systems[system]))
    texts = benchmark["text"].to_list()[::25]
    found, raw = _found(norm_keys, raw_keys, [texts])
    assert found == _searched(norm_keys, raw_keys, raw)
    assert len({kid for _, kid, _ in found}) > 50  # many distinct keys, so the comparison is not vacuous


def test_phrases_at_the_edges_of_documents_and_fields():
    norm_keys = sorted([" poverty reduction ", " extreme poverty ", " poverty poverty ", " reduc", " child famil"])
    raw_keys = sorted([" poverty of", " of the ", "overt"])
    columns = [
        ["extreme", "Poverty reductions", "poverty poverty poverty", "", "of", "the poverties"],
        ["poverty", "reduction", None, "children families", "the", "extreme poverty of the poor"],
    ]
    found, raw = _found(norm_keys, raw_keys, columns)
    assert found == _searched(norm_keys, raw_keys, raw)
    # by hand: "extreme" | "poverty" are two fields, not a phrase; overlapping "poverty poverty" twice
    assert (0, norm_keys.index(" extreme poverty "), 0) not in found
    assert [p for d, k, p in found if d == 2 and k == norm_keys.index(" poverty poverty ")] == [0, 1]
    assert (5, norm_keys.index(" extreme poverty "), 3) in found


def test_phrases_never_run_from_one_document_into_the_next():
    norm_keys, raw_keys = [" poverty reduction "], [" hunger relief "]
    found, raw = _found(norm_keys, raw_keys, [["end of poverty", "reduction first", "hunger", "relief", ""]])
    assert found == [] == _searched(norm_keys, raw_keys, raw)


def test_finder_on_documents_made_of_the_keys_own_words(systems):
    # the words of Aurora's keys and some of their variants, in random order over three fields: many phrases,
    # repeated and overlapping, some split by a field's end
    norm_keys, raw_keys = _keys(Matcher(systems["aurora-v5"], ("title", "abstract", "keywords")))
    words = sorted({w for k in norm_keys + raw_keys for w in k.split()})
    words += [w + "s" for w in words[::3]] + [w.upper() for w in words[::7]] + ["the", "of", "and"]
    rng = random.Random(25)

    def text() -> str | None:
        return rng.choice([None, ""]) if rng.random() < 0.1 else " ".join(rng.choices(words, k=rng.randint(1, 12)))

    columns = [[text() for _ in range(400)] for _ in range(3)]
    found, raw = _found(norm_keys, raw_keys, columns)
    assert found == _searched(norm_keys, raw_keys, raw)
    assert len(found) > 2000 and len({k for _, k, _ in found if k < len(norm_keys)}) > 300


def test_finder_on_documents_made_of_hand_written_keys():
    # every kind of word test (raw and normal word, raw and normal stem, a fragment inside a word), phrases of
    # two to four words sharing words, anchored on different words; documents drawn from their words and
    # variants over three fields, some empty
    norm_keys = sorted(
        [
            " poverty ",
            " child ",
            " poverty line ",
            " extreme poverty ",
            " poverty poverty ",
            " the poverty of the ",
            " of the ",
            " reduc",
            " child famil",
            " a b c ",
            " b c ",
            " famil",
        ]
    )
    raw_keys = sorted([" women ", " poverty lines ", " wind turbine", " wom", "overt", "ee", " of "])
    words = [
        "poverty",
        "Poverty",
        "poverties",
        "line",
        "lines",
        "extreme",
        "the",
        "of",
        "child",
        "children",
        "families",
        "family",
        "reduce",
        "reduction",
        "women",
        "woman",
        "wind",
        "turbines",
        "a",
        "b",
        "c",
        "bee",
        "childhood",
        "unfamiliar",
    ]
    rng = random.Random(26)

    def text() -> str | None:
        return rng.choice([None, ""]) if rng.random() < 0.1 else " ".join(rng.choices(words, k=rng.randint(1, 9)))

    columns = [[text() for _ in range(120)] for _ in range(3)]
    columns[0] += ["a b c b c", "the poverty of the poverty of the"]
    columns[1] += ["extreme poverty poverty line", "poverty"]
    columns[2] += [None, "lines"]
    found, raw = _found(norm_keys, raw_keys, columns)
    assert found == _searched(norm_keys, raw_keys, raw)
    assert {k for _, k, _ in found} == set(range(len(norm_keys) + len(raw_keys)))  # every key found somewhere
    one_field = [t for t in columns[0] if t]
    single, _ = _found(norm_keys, raw_keys, [one_field])
    assert single == _searched(norm_keys, raw_keys, [" " + " ".join(tokenise(t)) + " " for t in one_field])


def test_an_empty_batch_finds_nothing():
    docs, kids, pos = KeyFinder([" poverty "], ["overt"]).find(
        pl.Series([], dtype=pl.String), np.zeros(0, dtype=np.intp)
    )
    assert [a.tolist() for a in (docs, kids, pos)] == [[], [], []] and {a.dtype for a in (docs, kids, pos)} == {
        np.dtype(np.intp)
    }
    query = '"poverty" W/1 "hunger"'
    assert BatchMatcher(Matcher([QueryLine("t", 1, "t:0", query, parse(query))])).match_columns([[]]) == []
