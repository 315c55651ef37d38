"""The query AST: small frozen nodes, comparable and hashable so that round trips can be asserted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TermKind = Literal["loose", "exact", "bare"]

FIELDS = ("TITLE-ABS-KEY", "TITLE-ABS", "TITLE", "ABS", "KEY", "AUTHKEY")


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase. ``loose`` = "double quotes" (variants match), ``exact`` = {braces}, ``bare`` = unquoted."""

    text: str
    kind: TermKind = "loose"


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AndNot:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Near:
    """W/n (``ordered=False``) or PRE/n (``ordered=True``): at most ``n`` words between the two sides."""

    left: Node
    right: Node
    n: int
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """A field wrapper such as TITLE-ABS-KEY( … ): restricts where the child may match."""

    field: str
    child: Node


Node = Term | Or | And | AndNot | Near | Field

# Scopus precedence, tightest first: OR, then W/n and PRE/n, then AND, then AND NOT.
_PREC = {Term: 9, Field: 9, Or: 4, Near: 3, And: 2, AndNot: 1}


def _wrap(node: Node, parent_prec: int, strict: bool) -> str:
    text = to_query(node)
    prec = _PREC[type(node)]
    if prec < parent_prec or (strict and prec == parent_prec):
        return f"({text})"
    return text


def to_query(node: Node) -> str:
    """Canonical Scopus text; parentheses only where precedence needs them, so parse(to_query(x)) == x."""
    if isinstance(node, Term):
        if node.kind == "exact":
            return "{" + node.text + "}"
        if node.kind == "bare":
            return node.text
        # A Lucene <phrase> may hold a double quote; keep it readable by the lexer.
        return f'"{node.text}"' if '"' not in node.text else f"<{node.text}>"
    if isinstance(node, Field):
        return f"{node.field}({to_query(node.child)})"
    if isinstance(node, Or):
        return " OR ".join(_wrap(c, 4, True) for c in node.children)
    if isinstance(node, And):
        return " AND ".join(_wrap(c, 2, True) for c in node.children)
    if isinstance(node, AndNot):
        return f"{_wrap(node.left, 1, False)} AND NOT {_wrap(node.right, 1, True)}"
    if isinstance(node, Near):
        op = f"PRE/{node.n}" if node.ordered else f"W/{node.n}"
        return f"{_wrap(node.left, 3, False)} {op} {_wrap(node.right, 3, True)}"
    raise TypeError(f"not a query node: {node!r}")


def iter_terms(node: Node, positive_only: bool = False):
    """Every Term under ``node``; with ``positive_only`` the excluded side of AND NOT is skipped."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Field):
        yield from iter_terms(node.child, positive_only)
    elif isinstance(node, (Or, And)):
        for c in node.children:
            yield from iter_terms(c, positive_only)
    elif isinstance(node, AndNot):
        yield from iter_terms(node.left, positive_only)
        if not positive_only:
            yield from iter_terms(node.right, positive_only)
    elif isinstance(node, Near):
        yield from iter_terms(node.left, positive_only)
        yield from iter_terms(node.right, positive_only)
