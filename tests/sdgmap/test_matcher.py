"""Matcher: hand-made documents for each operator, fields, the prefilter, and agreement with the
naive reference engine on real benchmark texts."""

from __future__ import annotations

import pytest

from impactrank.sdgmap.ast import And, AndNot, Field, Or, Term
from impactrank.sdgmap.batch import BatchMatcher
from impactrank.sdgmap.loaders import QueryLine, QuerySet
from impactrank.sdgmap.matcher import Matcher
from impactrank.sdgmap.naive import NaiveMatcher
from impactrank.sdgmap.normalise import normalise_prefix, normalise_word, tokenise, tokenise_query
from impactrank.sdgmap.parser import parse


def matches(query: str, *texts: str, fields=("text",)) -> bool:
    line = QueryLine("t", 1, "t:1", query, parse(query))
    m = Matcher([line], fields)
    got = m.match(texts if len(texts) > 1 or fields != ("text",) else texts[0]) == [0]
    naive = NaiveMatcher([line], fields).match(texts) == [0]
    assert got == naive, "compiled and naive engines disagree"
    return got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reducing extreme child poverty", True),  # 2 words between, right side first
        ("poverty in rural areas was reduced", False),  # 4 words between
        ("poverty in rural areas reduced", True),  # exactly 3 between
        ("poverty reduction", True),  # adjacent
        ("poverty", False),
    ],
)
def test_w3_in_both_orders(text, expected):
    assert matches('"poverty" W/3 "reduc*"', text) is expected


def test_pre_n_keeps_the_order():
    q = '"smallholder" PRE/2 "farm*"'
    assert matches(q, "smallholder dairy farmers")
    assert matches(q, "smallholder organic dairy farms")
    assert not matches(q, "smallholder very organic dairy farms")
    assert not matches(q, "farmers who are smallholders")
    assert matches('"a" PRE/0 "b"', "a b") and not matches('"a" PRE/0 "b"', "a x b")


def test_w0_is_adjacency_in_either_order():
    assert matches('"solar" W/0 "energy"', "energy solar")
    assert not matches('"solar" W/0 "energy"', "solar thermal energy")


def test_wildcards():
    assert matches('"eradicat*"', "the eradication of polio")
    assert matches('"eradicat*"', "Eradicating")
    assert not matches('"eradicat*"', "radicate")
    assert matches("wom?n", "women leaders") and matches("wom?n", "a woman")
    assert not matches("wom?n", "womban") and not matches("wom?n", "womn")
    assert matches("fertili?er", "fertiliser use") and matches("fertili?er", "fertilizer")
    assert matches('"*forest*"', "deforestation rates")
    assert matches('"wind turbine*"', "Wind-turbines") and not matches('"wind turbine*"', "wind farm turbines")


def test_plurals_possessives_spelling_and_accents_in_loose_phrases():
    assert matches('"poverty line"', "below national poverty lines")
    assert matches('"child"', "children under five")
    assert matches('"policy"', "public policies")
    assert matches('"organization"', "a non-governmental organisation")
    assert matches('"behaviour"', "health behaviors")
    assert matches('"women empowerment"', "women's empowerment")
    assert matches('"el nino"', "El Niño events")
    assert matches('"heart attack"', "a heart-attack")
    # AIDS is not the plural of aid
    assert not matches('"aid"', "HIV/AIDS")


def test_exact_phrases_take_no_variants():
    assert matches("{poverty line}", "the Poverty Line")
    assert not matches("{poverty line}", "the poverty lines")
    assert not matches("{organization}", "organisation")
    assert matches('"poverty line"', "the poverty lines")


def test_and_not_and_juxtaposition():
    q = '"malaria" AND NOT "review"'
    assert matches(q, "malaria vaccines")
    assert not matches(q, "a review of malaria vaccines")
    assert matches('"malaria" "vaccine"', "a vaccine against malaria")
    assert not matches('"malaria" "vaccine"', "malaria")


def test_nested_and_chained_proximity():
    nested = '("disaster*") W/3 (( "number" W/3 ( "death*" OR "people" ) ) OR ( "missing person*" ))'
    assert matches(nested, "the number of people killed by disasters")
    assert matches(nested, "disaster reports list missing persons")
    assert not matches(nested, "the number of people killed in the terrible long war and later disasters")
    chained = '"poverty" W/3 "develop*" W/3 "cooperat*"'
    assert matches(chained, "poverty and development cooperation")
    assert not matches(chained, "poverty and development in a long story with no cooperation")


def test_scopus_precedence_changes_what_matches():
    # OR binds tighter than W/n: "x" W/1 ("y" OR "z"), so z far from x does not match alone.
    assert not matches('"x" W/1 "y" OR "z"', "x a b c d z")
    assert matches('"x" W/1 "y" OR "z"', "x a z")


def test_fields_restrict_and_proximity_never_crosses_fields():
    fields = ("title", "abstract", "keywords")
    assert matches('TITLE("malaria")', "Malaria in Kenya", "", "", fields=fields)
    assert not matches('TITLE("malaria")', "Fever in Kenya", "malaria cases", "", fields=fields)
    assert matches('TITLE-ABS-KEY("malaria")', "Fever", "", "malaria", fields=fields)
    assert not matches('"poverty" W/3 "reduction"', "poverty", "reduction", "", fields=fields)
    assert not matches('"poverty reduction"', "about poverty", "reduction matters", "", fields=fields)
    # AND across fields is fine, and TITLE-ABS excludes keywords
    assert matches('"poverty" AND "reduction"', "poverty", "reduction", "", fields=fields)
    assert not matches('TITLE-ABS("malaria")', "x", "y", "malaria", fields=fields)
    # A document with one text column reads it as every field.
    assert matches('TITLE("malaria")', "malaria")


def test_prefilter_triggers_on_the_cheapest_required_side():
    line = QueryLine("t", 1, "t:1", "", parse('"poverty" W/3 ("living" OR "life" OR "child*") AND NOT "x"'))
    m = Matcher([line])
    [trigger_atom] = [a for a, lines in m._trigger_t.items() if 0 in lines]
    assert m._atoms[("loose", "poverty")] == trigger_atom
    # every word of the OR side occurs, but the trigger does not: the line is never a candidate
    assert m._doc("a long life of living with children") is None
    assert m.hits("a long life of living with children") == {}
    # the trigger occurs but the other clause does not: a candidate, rejected before evaluation
    assert m._doc("poverty is rare").candidates == {0}
    assert m.match("poverty is rare") == []
    assert len(m._line_clauses[0]) == 2  # {poverty} and {living, life, child*}; the AND NOT side adds none
    assert m.match("child poverty") == [0]
    assert m.hits("child poverty") == {
        m._atoms[("loose", "poverty")]: {(1, 1)},
        m._atoms[("loose", "child*")]: {(0, 0)},
    }


def test_match_lists_every_matching_line_in_order():
    lines = [
        QueryLine("t", s, f"t:{i}", q, parse(q))
        for i, (s, q) in enumerate([(1, '"poverty"'), (2, '"hunger"'), (1, '"poor"'), (3, '"health"')])
    ]
    m = Matcher(lines)
    got = m.match("Poverty, hunger and poor health")
    assert got == [0, 1, 2, 3]
    assert m.sdgs(got) == [1, 2, 3]
    assert m.match("nothing relevant") == []


def test_agrees_with_naive_engine_on_benchmark_texts(systems, benchmark):
    texts = benchmark["text"].to_list()[::12]  # 105 texts
    for name in ("aurora-v5", "elsevier"):
        compiled, naive = Matcher(systems[name]), NaiveMatcher(systems[name])
        assert [compiled.match(t) for t in texts] == [naive.match(t) for t in texts], name


@pytest.mark.slow
def test_agrees_with_naive_engine_for_every_system(systems, benchmark):
    texts = benchmark["text"].to_list()[1::4][:300]
    for name, qs in systems.items():
        compiled, naive = Matcher(qs), NaiveMatcher(qs)
        assert [compiled.match(t) for t in texts] == [naive.match(t) for t in texts], name


def test_batch_path_equals_per_document_path(aurora, benchmark):
    texts = benchmark["text"].to_list()[:400]
    single = Matcher(aurora)
    assert BatchMatcher(single).match_columns([texts]) == [single.match(t) for t in texts]
    fields = Matcher(aurora, ("title", "abstract", "keywords"))
    titles, abstracts, keywords = [t[:60] for t in texts], [t[60:] for t in texts], [None] * len(texts)
    per_doc = [fields.match(d) for d in zip(titles, abstracts, keywords, strict=True)]
    assert BatchMatcher(fields).match_columns([titles, abstracts, keywords]) == per_doc
    assert sum(1 for x in per_doc if x) > 100


def test_an_or_or_and_inside_proximity_keeps_the_positions_of_every_side():
    # the near alternative is the first or the last of the OR; each AND side stands somewhere else
    for text in ("poverty a b c hunger relief", "poverty relief a b c hunger"):
        assert matches('("poverty" OR "hunger") W/1 "relief"', text)
        assert matches('TITLE("poverty" OR "hunger") W/1 "relief"', text, "", fields=("title", "abstract"))
    assert matches('("poverty" AND "hunger") W/1 "relief"', "hunger a b c poverty relief")
    assert matches('("poverty" AND "hunger" AND NOT "review") W/1 "relief"', "hunger a b c poverty relief")
    assert not matches('("poverty" AND "hunger") W/1 "relief"', "poverty relief")
    nested = '(("poverty" OR "hunger") AND "food") W/1 "relief"'
    assert matches(nested, "poverty a b c hunger relief x x x food")
    assert matches('("malaria" AND "vaccine") OR "polio"', "polio")
    assert not matches('("malaria" AND "vaccine") OR "polio"', "malaria")


def test_a_field_restricts_every_operator_under_it_and_nested_fields_intersect():
    fields = ("title", "abstract")
    assert matches('TITLE("malaria")', "fever and malaria", "", fields=fields)
    assert matches('ABS("malaria")', "fever", "fever and malaria", fields=fields)
    assert not matches('TITLE("poverty" OR "hunger")', "x", "poverty", fields=fields)
    assert not matches('TITLE("malaria" AND "vaccine")', "malaria", "vaccine", fields=fields)
    assert not matches('TITLE("malaria" AND NOT "review")', "x", "malaria", fields=fields)
    assert matches('TITLE("malaria" AND NOT "review")', "malaria", "a review", fields=fields)
    assert matches('TITLE-ABS(TITLE("malaria"))', "malaria", "", fields=fields)
    assert not matches('TITLE-ABS(TITLE("malaria"))', "x", "malaria", fields=fields)
    assert not matches('TITLE(TITLE-ABS("malaria"))', "x", "malaria", fields=fields)
    assert not matches('TITLE-ABS(TITLE("malaria"))', "x", "malaria", "", fields=(*fields, "keywords"))
    assert matches('"hunger"', "x", "hunger", fields=fields)
    # the batch's per-document fallback reads the same positions
    line = QueryLine("t", 1, "t:1", "", parse('TITLE("malaria")'))
    assert BatchMatcher(Matcher([line], fields)).match_columns([["malaria", "x"], ["x", "malaria"]]) == [[0], []]


def test_one_matcher_keeps_an_exact_and_a_loose_phrase_of_the_same_words_apart():
    lines = [QueryLine("t", 1, f"t:{i}", q, parse(q)) for i, q in enumerate(["{organization}", '"organization"'])]
    m = Matcher(QuerySet("t", tuple(lines)))
    assert m.match("a non-governmental organisation") == [1]
    assert m.match("Organization") == [0, 1]
    assert m.match_many(["organisations", "none", [None]]) == [[1], [], []]
    assert matches("{poverty lines}", "the poverty lines") and not matches("{poverty lines}", "the poverty line")


def test_wildcard_shapes():
    # a trailing wildcard on a phrase, exact or loose, as prefix keys; the loose one on normal forms
    assert matches("{wind farm turbine*}", "Wind farm turbines")
    assert matches('"la nina event*"', "La Niña events") and not matches('"el nino*"', "el ninja")
    assert matches('"ecol*"', "Écologie") and not matches("{ecol*}", "écologie") and matches('"e*"', "École")
    assert not matches('"eradicat*"', "eradicable")
    # other wildcards: a pattern confirmed on the raw text
    assert matches('"wom*n*"', "womenfolk") and matches('"wom?n*"', "womenfolk") and matches('"forest**"', "forests")
    assert not matches("wom?n", "a womb of water")
    assert matches('"wom?n leader*"', "women leaders") and not matches('"wom?n leader*"', "women as leaders")
    assert matches('"poverty *"', "poverty lines") and not matches('"poverty *"', "end poverty")
    # no literal fragment to look for: every document is a candidate
    assert matches('"??"', "an apple") and not matches('"??"', "apple") and matches('"*"', "apple")
    assert matches('"zzz" OR "??"', "an apple")
    assert matches('"poverty" AND NOT "??"', "poverty") and not matches('"poverty" AND NOT "??"', "poverty in asia")
    # a term with no word in it never matches
    assert not matches('"poverty" AND "-"', "poverty") and matches('"poverty" OR "-"', "poverty")


def test_pattern_positions_count_words_and_fields():
    from impactrank.sdgmap.streams import GAP

    queries = ['"wom?n"', '"*forest*"', '"wom?n leader*"']
    m = Matcher([QueryLine("t", 1, f"t:{i}", q, parse(q)) for i, q in enumerate(queries)], ("title", "abstract"))
    women, forest, leaders = (m._atoms[("loose", q.strip('"'))] for q in queries)
    assert m.hits(("the women", "")) == {women: {(1, 1)}}
    # a word's position counts the words and separators before it in the document, plus GAP per field
    assert m.hits(("a b", "x y women leaders")) == {women: {(GAP + 5, GAP + 5)}, leaders: {(GAP + 5, GAP + 6)}}
    assert m.hits(("deforestation", "the forests")) == {forest: {(0, 0), (GAP + 3, GAP + 3)}}


def _positions(term: Term, raw: list[str], norm: list[str]) -> set[tuple[int, int]]:
    """Where a phrase stands, by comparing word lists: an exact one on the raw words, a loose one on their normal
    forms; a trailing wildcard's stem starts the last raw word, or (loose) the last normal form."""
    toks = tokenise_query(term.text)
    n, stem = len(toks), toks[-1][:-1] if toks[-1].endswith("*") else None
    forms = [(raw, toks, stem)]
    if term.kind != "exact":
        normal = [normalise_word(t) for t in toks]
        forms = [(norm, normal, None)] if stem is None else [*forms, (norm, normal, normalise_prefix(stem))]
    return {
        (i, i + n - 1)
        for words, want, prefix in forms
        for i in (range(len(words) - n + 1) if n == 1 and prefix else _starts(words, want[0], n))
        if words[i : i + n - 1] == want[:-1]
        and (words[i + n - 1] == want[-1] if prefix is None else words[i + n - 1].startswith(prefix))
    }


def _starts(words: list[str], first: str, n: int) -> list[int]:
    """Where an n-word phrase starting with ``first`` could start."""
    return [i for i, w in enumerate(words[: len(words) - n + 1]) if w == first]


def _holds(node, raw: list[str], norm: list[str], seen: dict) -> set[tuple[int, int]]:
    """The spans where a node holds (an AND, the spans of all its sides); ``seen`` keeps each term's."""
    if isinstance(node, Term):
        if node not in seen:
            seen[node] = _positions(node, raw, norm)
        return seen[node]
    if isinstance(node, Field):
        return _holds(node.child, raw, norm, seen)
    if isinstance(node, Or):
        return set().union(*(_holds(c, raw, norm, seen) for c in node.children))
    if isinstance(node, And):
        parts = [_holds(c, raw, norm, seen) for c in node.children]
        return set().union(*parts) if all(parts) else set()
    if isinstance(node, AndNot):
        return _holds(node.left, raw, norm, seen) if not _holds(node.right, raw, norm, seen) else set()
    left, right = _holds(node.left, raw, norm, seen), _holds(node.right, raw, norm, seen)
    out = set()
    for a, b in left:
        for c, d in right:
            between = c - b - 1 if c > b else a - d - 1 if a > d else -1  # -1: the spans overlap
            if (c > b and between <= node.n) if node.ordered else (between <= node.n and (a, b) != (c, d)):
                out.add((min(a, c), max(b, d)))
    return out


def _plain(node) -> bool:
    if isinstance(node, Term):
        toks = tokenise_query(node.text)
        return (
            bool(toks)
            and toks[-1] != "*"
            and "?" not in node.text
            and all("*" not in t for t in toks[:-1])
            and "*" not in toks[-1][:-1]
        )
    if isinstance(node, Field):
        return _plain(node.child)
    kids = node.children if isinstance(node, (And, Or)) else (node.left, node.right)
    return all(_plain(c) for c in kids)


def test_real_aurora_queries_label_real_texts_as_word_positions_say(aurora, benchmark):
    # the Aurora lines without a wildcard inside a word, on benchmark texts: the labels their words' positions give
    lines = [i for i, line in enumerate(aurora.lines) if _plain(line.ast)]
    m = Matcher(aurora)
    texts = benchmark["text"].to_list()[5::90]
    labelled = 0
    for text in texts:
        raw = tokenise(text)
        norm = [normalise_word(w) for w in raw]
        seen: dict = {}
        expected = [i for i in lines if _holds(aurora.lines[i].ast, raw, norm, seen)]
        assert [i for i in m.match(text) if i in set(lines)] == expected, text[:80]
        labelled += bool(expected)
    assert len(lines) > 300 and labelled >= 5
