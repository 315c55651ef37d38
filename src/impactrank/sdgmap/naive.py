"""A deliberately simple reference engine: every query line, every document, one regular expression
per term, no prefilter. Slow by design; it is the yardstick for the compiled :class:`Matcher` in tests
and benchmarks, and must agree with it on every document."""

from __future__ import annotations

import re
from collections.abc import Sequence

from impactrank.sdgmap.ast import And, AndNot, Field, Near, Node, Or, Term
from impactrank.sdgmap.loaders import QueryLine, QuerySet
from impactrank.sdgmap.normalise import NormCache, normalise_prefix, tokenise, tokenise_query
from impactrank.sdgmap.streams import CANONICAL_FIELDS, FIELD_CODES, GAP, SEP

Span = tuple[int, int]


class NaiveMatcher:
    def __init__(self, queries: QuerySet | Sequence[QueryLine], fields: Sequence[str] = ("text",)):
        self.lines = tuple(queries.lines if isinstance(queries, QuerySet) else queries)
        self.fields = tuple(fields)
        self._norm = NormCache()
        self._patterns: dict[Term, list[tuple[str, re.Pattern[str], int]]] = {}

    def _term_patterns(self, term: Term) -> list[tuple[str, re.Pattern[str], int]]:
        if term in self._patterns:
            return self._patterns[term]
        toks = tokenise_query(term.text)
        out: list[tuple[str, re.Pattern[str], int]] = []
        n = len(toks)
        wild = any("*" in t or "?" in t for t in toks)
        if not toks:
            pass
        elif not wild:
            stream, words = ("r", toks) if term.kind == "exact" else ("n", [self._norm[t] for t in toks])
            out.append((stream, re.compile("(?<= )" + re.escape(" ".join(words)) + "(?= )"), n))
        elif (
            toks[-1].endswith("*")
            and toks[-1].count("*") == 1
            and "?" not in toks[-1]
            and len(toks[-1]) > 1
            and not any("*" in t or "?" in t for t in toks[:-1])
        ):
            stem = toks[-1][:-1]
            out.append(("r", re.compile("(?<= )" + re.escape(" ".join([*toks[:-1], stem]))), n))
            if term.kind != "exact":
                words = [self._norm[t] for t in toks[:-1]] + [normalise_prefix(stem)]
                out.append(("n", re.compile("(?<= )" + re.escape(" ".join(words))), n))
        else:
            parts = [
                "[^ ]+"
                if t.strip("*?") == "" and "*" in t
                else "".join("[^ ]*" if c == "*" else "[^ ]" if c == "?" else re.escape(c) for c in t)
                for t in toks
            ]
            out.append(("r", re.compile("(?<= )" + " ".join(parts) + "(?= )"), n))
        self._patterns[term] = out
        return out

    def match(self, texts: Sequence[str | None] | str) -> list[int]:
        if isinstance(texts, str):
            texts = (texts,)
        raw: list[str] = []
        field_of: list[int] = []
        for f, text in enumerate(texts):
            if raw:
                raw.append(SEP)
                field_of.append(-1)
            toks = tokenise(text) if text else []
            raw.extend(toks)
            field_of.extend([f] * len(toks))
        streams = {"r": " " + " ".join(raw) + " ", "n": " " + " ".join(self._norm[t] for t in raw) + " "}

        def term_spans(term: Term, allowed: frozenset[int] | None) -> set[Span]:
            spans = set()
            for stream, pattern, n in self._term_patterns(term):
                s = streams[stream]
                for m in pattern.finditer(s):
                    i = s.count(" ", 0, m.start()) - 1
                    f = field_of[i]
                    if allowed is None or f in allowed:
                        spans.add((i + GAP * f, i + n - 1 + GAP * f))
            return spans

        def ev(node: Node, allowed: frozenset[int] | None) -> set[Span]:
            if isinstance(node, Term):
                return term_spans(node, allowed)
            if isinstance(node, Field):
                names = FIELD_CODES.get(node.field, CANONICAL_FIELDS)
                mine = frozenset(i for i, f in enumerate(self.fields) if f in names or f not in CANONICAL_FIELDS)
                return ev(node.child, mine if allowed is None else mine & allowed)
            if isinstance(node, Or):
                return set().union(*(ev(c, allowed) for c in node.children))
            if isinstance(node, And):
                parts = [ev(c, allowed) for c in node.children]
                return set().union(*parts) if all(parts) else set()
            if isinstance(node, AndNot):
                left = ev(node.left, allowed)
                return left if left and not ev(node.right, allowed) else set()
            if isinstance(node, Near):
                left, right = ev(node.left, allowed), ev(node.right, allowed)
                out = set()
                for a, b in left:
                    for c, d in right:
                        if node.ordered:
                            ok = c > b and c - b - 1 <= node.n
                        else:
                            ok = max(c - b, a - d) - 1 <= node.n and (a, b) != (c, d)
                        if ok:
                            out.add((min(a, c), max(b, d)))
                return out
            raise TypeError(node)

        return [i for i, line in enumerate(self.lines) if ev(line.ast, None)]
