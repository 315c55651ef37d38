"""Parser for the Scopus advanced-search subset that SDG query systems use.

Precedence follows Scopus: OR binds tightest, then W/n and PRE/n, then AND (juxtaposed terms mean AND),
then AND NOT; parentheses override. Lucene/corpustools forms that text2sdg uses are accepted too
(``<multi word>`` phrases, bare ``NOT`` as AND NOT), so one grammar reads every system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from impactrank.errors import InputError
from impactrank.sdgmap.ast import FIELDS, And, AndNot, Field, Near, Node, Or, Term


@dataclass
class QuerySyntaxError(InputError):
    """Bad query text; ``position`` is the 0-based character offset where parsing failed."""

    position: int = 0


_PROX = re.compile(r"(?i)(W|PRE)/(\d+)")
_FIELD_SET = {f.upper() for f in FIELDS}
_WORD_STOP = set(' \t\r\n\f\v()"{}')
_CLOSERS = {'"': '"', "{": "}", "<": ">"}
_KINDS = {'"': "loose", "{": "exact", "<": "loose"}


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # LP RP TERM AND OR NOT ANDNOT NEAR FIELD EOF
    pos: int
    value: object = None


def _err(message: str, pos: int) -> QuerySyntaxError:
    return QuerySyntaxError(f"{message} at position {pos}", position=pos)


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "(":
            toks.append(_Tok("LP", i))
            i += 1
            continue
        if ch == ")":
            toks.append(_Tok("RP", i))
            i += 1
            continue
        if ch in _CLOSERS:
            end = text.find(_CLOSERS[ch], i + 1)
            if end < 0:
                raise _err(f"unterminated phrase opened with {ch!r}", i)
            body = " ".join(text[i + 1 : end].split())
            if not body:
                raise _err("empty phrase", i)
            toks.append(_Tok("TERM", i, Term(body, _KINDS[ch])))  # type: ignore[arg-type]
            i = end + 1
            continue
        if ch in "}>":
            raise _err(f"unexpected {ch!r}", i)
        j = i
        while j < n and text[j] not in _WORD_STOP:
            j += 1
        word = text[i:j]
        upper = word.upper()
        if word in ("AND", "OR", "NOT"):
            if word == "AND":
                k = j
                while k < n and text[k].isspace():
                    k += 1
                if text[k : k + 3] == "NOT" and (k + 3 == n or text[k + 3] in _WORD_STOP):
                    toks.append(_Tok("ANDNOT", i))
                    i = k + 3
                    continue
            toks.append(_Tok(word, i))
        elif m := _PROX.fullmatch(word):
            dist = int(m.group(2))
            if dist > 255:
                raise _err(f"proximity distance {dist} is above 255", i)
            toks.append(_Tok("NEAR", i, (dist, m.group(1).upper() == "PRE")))
        elif upper in _FIELD_SET and _next_nonspace(text, j) == "(":
            toks.append(_Tok("FIELD", i, upper))
        else:
            toks.append(_Tok("TERM", i, Term(word, "bare")))
        i = j
    toks.append(_Tok("EOF", n))
    return toks


def _next_nonspace(text: str, j: int) -> str:
    while j < len(text) and text[j].isspace():
        j += 1
    return text[j : j + 1]


_OPERAND_START = {"TERM", "LP", "FIELD"}
_DESCRIBE = {"LP": "'('", "RP": "')'", "EOF": "end of query", "ANDNOT": "AND NOT", "NEAR": "proximity operator"}


class _Parser:
    def __init__(self, text: str):
        self.toks = _lex(text)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def _found(self) -> str:
        return _DESCRIBE.get(self.tok.kind, self.tok.kind)

    def parse(self) -> Node:
        if self.tok.kind == "EOF":
            raise _err("empty query", 0)
        node = self.and_not()
        if self.tok.kind != "EOF":
            raise _err(f"unexpected {self._found()}", self.tok.pos)
        return node

    def and_not(self) -> Node:
        left = self.and_()
        while self.tok.kind in ("ANDNOT", "NOT"):
            self.i += 1
            left = AndNot(left, self.and_())
        return left

    def and_(self) -> Node:
        items = [self.near()]
        while self.tok.kind == "AND" or self.tok.kind in _OPERAND_START:
            if self.tok.kind == "AND":
                self.i += 1
            items.append(self.near())
        return _flat(And, items)

    def near(self) -> Node:
        left = self.or_()
        while self.tok.kind == "NEAR":
            dist, ordered = self.tok.value  # type: ignore[misc]
            self.i += 1
            left = Near(left, self.or_(), dist, ordered)
        return left

    def or_(self) -> Node:
        items = [self.unary()]
        while self.tok.kind == "OR":
            self.i += 1
            items.append(self.unary())
        return _flat(Or, items)

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind == "TERM":
            self.i += 1
            return tok.value  # type: ignore[return-value]
        if tok.kind == "FIELD":
            self.i += 2  # the field code and its '('
            node = Field(tok.value, self._group_body(tok.pos))  # type: ignore[arg-type]
            return node
        if tok.kind == "LP":
            self.i += 1
            return self._group_body(tok.pos)
        raise _err(f"expected a term or '(' but found {self._found()}", tok.pos)

    def _group_body(self, open_pos: int) -> Node:
        if self.tok.kind == "RP":
            raise _err("empty parentheses", self.tok.pos)
        node = self.and_not()
        if self.tok.kind != "RP":
            if self.tok.kind == "EOF":
                raise _err("unclosed '(' opened", open_pos)
            raise _err(f"expected ')' but found {self._found()}", self.tok.pos)
        self.i += 1
        return node


def _flat(cls, items: list[Node]) -> Node:
    if len(items) == 1:
        return items[0]
    out: list[Node] = []
    for item in items:
        out.extend(item.children if isinstance(item, cls) else (item,))
    return cls(tuple(out))


MAX_DEPTH = 100
"""Deepest nesting accepted (parentheses, or W/n and PRE/n operators in a line): far beyond real query sets
(Aurora nests 4 deep, with at most a few W/n a line), well within Python's recursion limit for parsing,
matching and printing."""


def parse(text: str) -> Node:
    """Parse one query line into an AST; raise QuerySyntaxError naming the position of the fault."""
    depth = 0
    for pos, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth > MAX_DEPTH:
            raise _err(f"parentheses nested more than {MAX_DEPTH} deep", pos)
    proximity = list(_PROX.finditer(text))
    if len(proximity) > MAX_DEPTH:  # a chain of W/n nests as deeply as parentheses when matched
        raise _err(f"more than {MAX_DEPTH} proximity operators in one query", proximity[MAX_DEPTH].start())
    return _Parser(text).parse()
