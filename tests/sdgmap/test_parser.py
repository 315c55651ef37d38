"""Parser: Scopus precedence, positions in errors, round trips, every real query line, fuzzing."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactrank.errors import InputError
from impactrank.sdgmap.ast import And, AndNot, Field, Near, Or, Term, to_query
from impactrank.sdgmap.parser import QuerySyntaxError, parse


def b(text: str) -> Term:
    return Term(text, "bare")


def q(text: str) -> Term:
    return Term(text, "loose")


def test_scopus_precedence_or_then_proximity_then_and():
    # The Scopus help's own example: a W/15 b AND c OR d is (a W/15 b) AND (c OR d).
    assert parse("a W/15 b AND c OR d") == And((Near(b("a"), b("b"), 15), Or((b("c"), b("d")))))


def test_or_binds_tighter_than_proximity():
    assert parse('"x" W/3 "y" OR "z"') == Near(q("x"), Or((q("y"), q("z"))), 3)


def test_and_not_binds_loosest_and_is_left_associative():
    assert parse("a AND b AND NOT c OR d AND NOT e") == AndNot(
        AndNot(And((b("a"), b("b"))), Or((b("c"), b("d")))), b("e")
    )


def test_juxtaposed_terms_mean_and():
    assert parse("heart attack") == And((b("heart"), b("attack")))
    assert parse('"a" ("b" OR "c")') == And((q("a"), Or((q("b"), q("c")))))


def test_parentheses_override_precedence():
    assert parse("(a OR b) AND c") == And((Or((b("a"), b("b"))), b("c")))
    assert parse("a OR (b AND c)") == Or((b("a"), And((b("b"), b("c")))))


def test_proximity_chains_nest_and_take_groups():
    assert parse("a PRE/6 b PRE/6 c") == Near(Near(b("a"), b("b"), 6, True), b("c"), 6, True)
    assert parse('("a") W/3 (("b" OR "c") W/3 ("d"))') == Near(q("a"), Near(Or((q("b"), q("c"))), q("d"), 3), 3)
    assert parse("a w/0 b") == Near(b("a"), b("b"), 0)


def test_phrase_kinds_and_wildcards_are_kept_verbatim():
    assert parse('"wind turbine*"') == Term("wind turbine*", "loose")
    assert parse("{heart-attack}") == Term("heart-attack", "exact")
    assert parse("<poverty alleviation>") == Term("poverty alleviation", "loose")
    assert parse("wom?n") == Term("wom?n", "bare")
    assert parse('"  poverty   line "') == Term("poverty line", "loose")


def test_field_wrappers():
    assert parse('TITLE-ABS-KEY("a" AND "b")') == Field("TITLE-ABS-KEY", And((q("a"), q("b"))))
    assert parse("title(a) OR authkey (b)") == Or((Field("TITLE", b("a")), Field("AUTHKEY", b("b"))))
    # A field code not followed by '(' is just a word.
    assert parse("abs x") == And((b("abs"), b("x")))


def test_lucene_not_is_and_not():
    assert parse("a NOT b") == AndNot(b("a"), b("b"))


END = "expected a term or '(' but found end of query"


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ('"poverty" AND', 13, END),
        ('("a" OR "b"', 0, "unclosed '(' opened"),
        ('x TITLE("a"', 2, "unclosed '(' opened"),  # at the field's code
        ('"a" OR "b")', 10, "unexpected ')'"),
        ('"a" W/3', 7, END),
        ('TITLE("x" OR )', 13, "expected a term or '(' but found ')'"),
        ('"abc', 0, "unterminated phrase opened with '\"'"),
        ("{abc", 0, "unterminated phrase opened with '{'"),
        ("a W/300 b", 2, "proximity distance 300 is above 255"),
        ("a W/256 b", 2, "proximity distance 256 is above 255"),
        ('a ""', 2, "empty phrase"),
        ("()", 1, "empty parentheses"),
        ("", 0, "empty query"),
        ("OR a", 0, "expected a term or '(' but found OR"),
        ("a AND W/3 b", 6, "expected a term or '(' but found proximity operator"),
        ("a OR AND NOT b", 5, "expected a term or '(' but found AND NOT"),
        ("a AND NOT", 9, END),
        ("a }", 2, "unexpected '}'"),
    ],
)
def test_syntax_errors_name_their_position(text, position, message):
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    assert info.value.position == position
    assert str(info.value) == f"{message} at position {position}"
    assert isinstance(info.value, InputError)


def test_edges_of_the_lexer():
    assert parse("a W/255 b") == Near(b("a"), b("b"), 255)  # the largest distance accepted
    assert parse("a AND NOTE") == And((b("a"), b("NOTE")))  # NOT only as a word of its own
    assert parse("a AND NOT(b OR c)") == AndNot(b("a"), Or((b("b"), b("c"))))
    assert parse("heart abs") == And((b("heart"), b("abs")))  # a field code ending the line is a word
    assert parse("Xenon") == b("Xenon")
    assert parse("a AND (b AND c)") == And((b("a"), b("b"), b("c")))  # nested ANDs flattened


def test_to_query_is_canonical_text():
    tree = parse('TITLE-ABS-KEY(("a" OR "b") W/3 "c" AND NOT {d e})')
    assert to_query(tree) == 'TITLE-ABS-KEY("a" OR "b" W/3 "c" AND NOT {d e})'
    assert to_query(parse("a OR (b AND c)")) == "a OR (b AND c)"
    assert to_query(parse("a W/2 (b W/2 c)")) == "a W/2 (b W/2 c)"
    assert to_query(parse("a AND NOT (b AND NOT c)")) == "a AND NOT (b AND NOT c)"


def test_every_real_query_line_parses_and_round_trips(systems):
    counts = {name: len(qs.lines) for name, qs in systems.items()}
    assert counts == {"aurora-v5": 378, "elsevier": 16, "auckland": 16, "siris": 3445, "sdsn": 847, "sdgo": 4122}
    for qs in systems.values():
        for line in qs.lines:
            assert parse(to_query(line.ast)) == line.ast, line.line_id


# -- property-based ------------------------------------------------------------------------------

_words = st.text(alphabet="abcxyz*?-", min_size=1, max_size=6).filter(lambda w: w.strip("-") != "")
_terms = st.one_of(
    st.builds(Term, _words.map(lambda w: w.replace("-", "") or "a"), st.just("bare")),
    st.builds(
        Term,
        st.text(alphabet="ab c*?'-", min_size=1, max_size=10).map(" ".join).map(lambda s: " ".join(s.split()) or "a"),
        st.sampled_from(["loose", "exact"]),
    ),
)


def _trees(children):
    return st.one_of(
        st.builds(lambda xs: Or(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda xs: And(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(AndNot, children, children),
        st.builds(Near, children, children, st.integers(0, 255), st.booleans()),
        st.builds(Field, st.sampled_from(["TITLE-ABS-KEY", "TITLE", "ABS", "KEY", "AUTHKEY", "TITLE-ABS"]), children),
    )


def _normal(node):
    """Flatten nested And/Or as the parser does, so generated trees compare with parsed ones."""
    if isinstance(node, (And, Or)):
        kids = []
        for c in map(_normal, node.children):
            kids.extend(c.children if type(c) is type(node) else (c,))
        return type(node)(tuple(kids))
    if isinstance(node, AndNot):
        return AndNot(_normal(node.left), _normal(node.right))
    if isinstance(node, Near):
        return Near(_normal(node.left), _normal(node.right), node.n, node.ordered)
    if isinstance(node, Field):
        return Field(node.field, _normal(node.child))
    return node


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_terms, _trees, max_leaves=10))
def test_ast_text_ast_round_trip(tree):
    tree = _normal(tree)
    assert parse(to_query(tree)) == tree


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*'ab "(){}<>*?-/ ñ', "AND", "OR", "NOT", "AND NOT", "W/3", "PRE/2", "W/999", "TITLE-ABS-KEY", "TITLE("]
        ),
        max_size=25,
    ).map("".join)
)
def test_fuzzing_never_crashes_only_raises_syntax_errors(text):
    try:
        tree = parse(text)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        return
    assert parse(to_query(tree)) == tree


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_fuzzing_arbitrary_unicode(text):
    with contextlib.suppress(QuerySyntaxError):
        parse(text)


def test_absurd_nesting_is_a_syntax_error_not_a_crash():
    from impactrank.sdgmap.parser import MAX_DEPTH, QuerySyntaxError, parse

    with pytest.raises(QuerySyntaxError, match=f"nested more than {MAX_DEPTH} deep at position {MAX_DEPTH}"):
        parse("(" * 150 + "a" + ")" * 150)
    with pytest.raises(QuerySyntaxError, match="proximity operators"):
        parse(" W/1 ".join(["w"] * 3000))
    assert parse("(" * 20 + "a" + ")" * 20) == b("a")
    assert parse(" ".join(["(a)"] * (MAX_DEPTH + 1))) == And((b("a"),) * (MAX_DEPTH + 1))  # depth: what is open
    chain = " W/1 ".join(["w"] * (MAX_DEPTH + 1))  # MAX_DEPTH operators: accepted
    assert isinstance(parse(chain), Near)
    longer = chain + " W/1 w"
    with pytest.raises(QuerySyntaxError) as info:
        parse(longer)
    assert info.value.position == len(chain) + 1  # at the first operator past the limit
