"""Compiled matcher: one Aho–Corasick pass finds every phrase of every query, then only the query lines
that one of those phrases can trigger are evaluated.

Each document becomes two token streams joined by single spaces, the raw lowercase words and their
normal forms (singular, US spelling, no accents); a loose phrase is a whole-word key on the normal
stream, an exact phrase on the raw stream, a trailing wildcard a prefix key on both. Rarer wildcards
(``wom?n``, ``*forest*``) are found by a literal fragment and confirmed by a regular expression.
Token positions give W/n and PRE/n; fields sit ``GAP`` positions apart so nothing matches across them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter

import ahocorasick

from impactrank.sdgmap.ast import And, AndNot, Field, Near, Node, Or, Term
from impactrank.sdgmap.loaders import QueryLine, QuerySet
from impactrank.sdgmap.normalise import NORM, normalise_prefix, tokenise, tokenise_query
from impactrank.sdgmap.streams import CANONICAL_FIELDS, FIELD_CODES, GAP, SEP

Span = tuple[int, int]
Hits = dict[int, set[Span]]
Evaluator = Callable[[Hits], object]

_TRUE: set[Span] = {(0, 0)}


@dataclass(frozen=True)
class _RegexAtom:
    pattern: re.Pattern[str]
    ntok: int


class Matcher:
    """A query set compiled for fast repeated matching; build once, call :meth:`match` per document."""

    def __init__(self, queries: QuerySet | Sequence[QueryLine], fields: Sequence[str] = ("text",)):
        self.lines: tuple[QueryLine, ...] = tuple(queries.lines if isinstance(queries, QuerySet) else queries)
        self.fields = tuple(fields)
        self._norm = NORM
        self._atoms: dict[tuple[str, str], int] = {}
        self._keys: dict[str, dict[str, list[tuple[int, int]]]] = {"n": {}, "r": {}}
        self._regex: dict[int, _RegexAtom] = {}
        self._regex_always: list[int] = []
        self._trigger: dict[int, list[int]] = {}
        self._evaluators: list[Evaluator] = []
        self._pending_kids: dict[int, list[int]] = {}
        self._pending_ors: list[tuple[frozenset[int], set[int]]] = []
        self._key_atoms: list[tuple[int, ...]] = []  # key id → atoms it finds (filled with the automata)
        self._atom_clauses: list[list[frozenset[int]]] = []
        for index, line in enumerate(self.lines):
            self._evaluators.append(self._compile(line.ast, None, False))
            self._atom_clauses.append(self._clauses(line.ast))
            for atom in sorted(self._required(line.ast)):
                self._trigger.setdefault(atom, []).append(index)
        self._trigger_t = {a: tuple(v) for a, v in self._trigger.items()}
        self._build_tables()
        self.sdg_of_line = [line.sdg for line in self.lines]

    def _build_tables(self) -> None:
        """Number every automaton key; per key the lines it can trigger, per atom the keys that find it."""
        self._key_lines: list[frozenset[int]] = []
        self._atom_keys: dict[int, list[tuple[int, int, int, str]]] = {}  # aid → (stream, kid, ntok, key)
        self._regex_chunk_keys: dict[int, int] = {}  # regex atom → the key of its literal fragment
        autos = []
        for stream_no, stream in enumerate(("n", "r")):
            keyed = {}
            for key, values in sorted(self._keys[stream].items()):
                kid = len(self._key_lines)
                keyed[key] = kid
                lines: set[int] = set()
                for aid, ntok in values:
                    lines.update(self._trigger_t.get(aid, ()))
                    if ntok < 0:
                        self._regex_chunk_keys[aid] = kid
                    else:
                        self._atom_keys.setdefault(aid, []).append((stream_no, kid, ntok, key))
                self._key_lines.append(frozenset(lines))
                self._key_atoms.append(tuple(sorted({aid for aid, _ in values})))
            autos.append(self._automaton(keyed))
        self._auto_n, self._auto_r = autos
        self._always_lines = frozenset(i for a in self._regex_always for i in self._trigger_t.get(a, ()))
        self._atom_kids: dict[int, frozenset[int]] = {}
        for aid, keys in self._atom_keys.items():
            self._atom_kids[aid] = frozenset(k[1] for k in keys)
        for aid, kid in self._regex_chunk_keys.items():
            self._atom_kids[aid] = self._atom_kids.get(aid, frozenset()) | {kid}
        # the clauses in key ids; an atom found only by a regex without a fragment makes its clause void
        always = set(self._regex_always)
        self._line_clauses: list[tuple[frozenset[int], ...]] = []
        for clauses in self._atom_clauses:
            kid_clauses = {
                frozenset(k for a in c for k in self._atom_kids.get(a, ())) for c in clauses if not c & always
            }
            self._line_clauses.append(tuple(sorted(kid_clauses, key=lambda c: (len(c), sorted(c)))))
        # closures compiled before the keys were numbered get their key ids now
        for aid, kids in self._pending_kids.items():
            kids.extend(sorted(self._atom_kids.get(aid, ())))
        for aids, or_kids in self._pending_ors:
            or_kids.update(k for a in aids for k in self._atom_kids.get(a, ()))

    # -- compilation -------------------------------------------------------------------------------
    @staticmethod
    def _automaton(keys: dict[str, int]):
        if not keys:
            return None
        auto = ahocorasick.Automaton()
        for key, kid in keys.items():
            auto.add_word(key, kid)
        auto.make_automaton()
        return auto

    def _atom(self, term: Term) -> int:
        ident = (term.kind if term.kind == "exact" else "loose", term.text)
        if ident in self._atoms:
            return self._atoms[ident]
        aid = len(self._atoms)
        self._atoms[ident] = aid
        toks = tokenise_query(term.text)
        if not toks:
            return aid  # nothing to find: the term never matches
        wild = ["*" in t or "?" in t for t in toks]
        n = len(toks)
        if not any(wild):
            if term.kind == "exact":
                self._add_key("r", " " + " ".join(toks) + " ", aid, n)
            else:
                self._add_key("n", " " + " ".join(self._norm[t] for t in toks) + " ", aid, n)
            return aid
        last = toks[-1]
        simple_prefix = (
            not any(wild[:-1]) and last.endswith("*") and "*" not in last[:-1] and "?" not in last and len(last) > 1
        )
        if simple_prefix:
            head_raw = "".join(t + " " for t in toks[:-1])
            self._add_key("r", " " + head_raw + last[:-1], aid, n)
            if term.kind != "exact":
                head_norm = "".join(self._norm[t] + " " for t in toks[:-1])
                self._add_key("n", " " + head_norm + normalise_prefix(last[:-1]), aid, n)
            return aid
        parts = []
        for t in toks:
            if t.strip("*?") == "" and "*" in t:
                parts.append("[^ ]+")
            else:
                parts.append("".join("[^ ]*" if c == "*" else "[^ ]" if c == "?" else re.escape(c) for c in t))
        pattern = re.compile("(?<= )" + " ".join(parts) + "(?= )")
        self._regex[aid] = _RegexAtom(pattern, n)
        chunk = max((c for t in toks for c in re.split(r"[*?]", t)), key=len)
        if chunk:
            self._add_key("r", chunk, aid, -1)
        else:
            self._regex_always.append(aid)
        return aid

    def _add_key(self, stream: str, key: str, aid: int, ntok: int) -> None:
        # ntok < 0 marks a fragment that only nominates a regex atom for checking.
        self._keys[stream].setdefault(key, []).append((aid, ntok))

    def _allowed(self, code: str, outer: frozenset[int] | None) -> frozenset[int] | None:
        names = FIELD_CODES.get(code, CANONICAL_FIELDS)
        allowed = frozenset(i for i, f in enumerate(self.fields) if f in names or f not in CANONICAL_FIELDS)
        if outer is not None:
            allowed &= outer
        return None if len(allowed) == len(self.fields) else allowed

    def _compile(self, node: Node, allowed: frozenset[int] | None, spans: bool) -> Evaluator:
        """A closure returning a truthy set of spans (or None); spans are only built where W/n needs them."""
        if isinstance(node, Term):
            aid = self._atom(node)
            # key ids are filled in once the automata are built; a fragment-less regex atom has none
            kids = None if aid in self._regex_always else self._pending_kids.setdefault(aid, [])

            def term(h: _DocHits, aid=aid, kids=kids, allowed=allowed):
                if kids is not None and h.found.isdisjoint(kids):
                    return None
                found = h.spans(aid)
                if allowed is None or not found:
                    return found
                return {s for s in found if s[0] // GAP in allowed} or None

            return term
        if isinstance(node, Field):
            return self._compile(node.child, self._allowed(node.field, allowed), spans)
        if isinstance(node, Or):
            if allowed is None and all(isinstance(c, Term) for c in node.children):
                aids = frozenset(self._atom(c) for c in node.children)  # type: ignore[arg-type]
                if not aids & set(self._regex_always):
                    or_kids: set[int] = set()
                    self._pending_ors.append((aids, or_kids))
                    return _or_of_terms(aids, or_kids, self._key_atoms, spans)
            fs = tuple(self._compile(c, allowed, spans) for c in node.children)
            if spans:

                def or_spans(h: Hits):
                    out: set[Span] = set()
                    for f in fs:
                        r = f(h)
                        if r:
                            out |= r
                    return out or None

                return or_spans

            def or_any(h: Hits):
                for f in fs:
                    r = f(h)
                    if r:
                        return r
                return None

            return or_any
        if isinstance(node, And):
            fs = tuple(self._compile(c, allowed, spans) for c in node.children)

            def and_all(h: Hits):
                out: set[Span] = set()
                for f in fs:
                    r = f(h)
                    if not r:
                        return None
                    if spans:
                        out |= r
                return out if spans else _TRUE

            return and_all
        if isinstance(node, AndNot):
            lf = self._compile(node.left, allowed, spans)
            rf = self._compile(node.right, allowed, False)

            def and_not(h: Hits):
                r = lf(h)
                if not r or rf(h):
                    return None
                return r

            return and_not
        if isinstance(node, Near):
            lf = self._compile(node.left, allowed, True)
            rf = self._compile(node.right, allowed, True)
            return _near(lf, rf, node.n, node.ordered, spans)
        raise TypeError(f"not a query node: {node!r}")

    def _clauses(self, node: Node) -> list[frozenset[int]]:
        """Sets of atoms of which each must have at least one occurrence: a cheap check before evaluating."""
        if isinstance(node, Term):
            return [frozenset({self._atom(node)})]
        if isinstance(node, Field):
            return self._clauses(node.child)
        if isinstance(node, AndNot):
            return self._clauses(node.left)
        if isinstance(node, Or):
            return [frozenset(self._required(node))]
        children = node.children if isinstance(node, And) else (node.left, node.right)
        return [c for child in children for c in self._clauses(child)]

    def _required(self, node: Node) -> set[int]:
        """Atoms of which at least one must occur for ``node`` to match: the prefilter's trigger set."""
        if isinstance(node, Term):
            return {self._atom(node)}
        if isinstance(node, Field):
            return self._required(node.child)
        if isinstance(node, Or):
            return set().union(*(self._required(c) for c in node.children))
        if isinstance(node, AndNot):
            return self._required(node.left)
        children = node.children if isinstance(node, And) else (node.left, node.right)
        return min((self._required(c) for c in children), key=len)

    # -- matching ----------------------------------------------------------------------------------
    def _doc(self, texts: Sequence[str | None] | str) -> _DocHits | None:
        """Scan one document; None when no query line can match it."""
        if isinstance(texts, str):
            texts = (texts,)
        if len(texts) == 1:
            raw = tokenise(texts[0]) if texts[0] else []
            bounds = None
        else:
            raw = []
            bounds = []
            for text in texts:
                if bounds:
                    raw.append(SEP)
                bounds.append(len(raw))
                if text:
                    raw.extend(tokenise(text))
        norm_s = " " + " ".join(map(self._norm.__getitem__, raw)) + " "
        raw_s = " " + " ".join(raw) + " "
        return self._scan(norm_s, raw_s, bounds)

    def _hits(self, norm_s: str, raw_s: str, bounds: list[int] | None) -> _DocHits:
        """The automata pass; only the set of keys found is built here, positions wait until needed."""
        found = set(map(_second, self._auto_n.iter(norm_s))) if self._auto_n is not None else set()
        if self._auto_r is not None:
            found.update(map(_second, self._auto_r.iter(raw_s)))
        return _DocHits(self, found, norm_s, raw_s, bounds)

    def _scan(self, norm_s: str, raw_s: str, bounds: list[int] | None) -> _DocHits | None:
        """The document's hits with the query lines they can trigger; None when there are none."""
        doc = self._hits(norm_s, raw_s, bounds)
        if not doc.found and not self._always_lines:
            return None
        key_lines = self._key_lines
        doc.candidates = set(self._always_lines).union(*[key_lines[k] for k in doc.found])
        return doc if doc.candidates else None

    def hits(self, texts: Sequence[str | None] | str) -> Hits:
        """Every phrase occurrence in one document: atom → set of (first, last) token positions."""
        doc = self._doc(texts)
        if doc is None:
            return {}
        return {aid: spans for aid in range(len(self._atoms)) if (spans := doc.spans(aid))}

    def match(self, texts: Sequence[str | None] | str) -> list[int]:
        """Indexes (into ``self.lines``) of the query lines that match one document, ascending."""
        doc = self._doc(texts)
        if doc is None:
            return []
        return self._evaluate(doc)

    def _evaluate(self, doc: _DocHits) -> list[int]:
        evaluators = self._evaluators
        line_clauses = self._line_clauses
        found = doc.found
        out = []
        for i in sorted(doc.candidates):
            for clause in line_clauses[i]:
                if found.isdisjoint(clause):
                    break
            else:
                if evaluators[i](doc):
                    out.append(i)
        return out

    def match_many(self, docs: Iterable[Sequence[str | None] | str]) -> list[list[int]]:
        return [self.match(d) for d in docs]

    def sdgs(self, matched: Iterable[int]) -> list[int]:
        return sorted({self.sdg_of_line[i] for i in matched})

    @property
    def literal_keys(self) -> list[str]:
        """Every key of the automata, for benchmarks that need the plain Aho–Corasick floor."""
        return sorted(set(self._keys["n"]) | set(self._keys["r"]))


_PENDING = object()  # not computed yet
_second = itemgetter(1)


class _DocHits(dict):
    """One scanned document: the keys found, and atom → spans computed on first use (only for atoms that
    a candidate line asks about and whose keys were found; a key's occurrences are then looked up)."""

    __slots__ = ("bounds", "candidates", "found", "m", "norm_s", "raw_s")

    def __init__(self, m: Matcher, found: set[int], norm_s: str, raw_s: str, bounds: list[int] | None):
        super().__init__()
        self.m, self.found, self.norm_s, self.raw_s, self.bounds = m, found, norm_s, raw_s, bounds
        self.candidates: set[int] = set()

    def spans(self, aid: int) -> set[Span] | None:
        found = self.get(aid, _PENDING)
        return self.compute(aid) if found is _PENDING else found

    def compute(self, aid: int) -> set[Span] | None:
        m = self.m
        spans: set[Span] = set()
        found = self.found
        bounds = self.bounds
        for stream_no, kid, ntok, key in m._atom_keys.get(aid, ()):
            if kid in found:
                for tok in self.occurrences(stream_no, kid, key):
                    i = tok + GAP * (bisect_right(bounds, tok) - 1) if bounds else tok
                    spans.add((i, i + ntok - 1))
        rx = m._regex.get(aid)
        if rx is not None and (aid in m._regex_always or m._regex_chunk_keys.get(aid) in found):
            count = self.raw_s.count
            for hit in rx.pattern.finditer(self.raw_s):
                i = count(" ", 0, hit.start()) - 1
                if bounds:
                    i += GAP * (bisect_right(bounds, i) - 1)
                spans.add((i, i + rx.ntok - 1))
        result = spans or None
        self[aid] = result
        return result

    def occurrences(self, stream_no: int, kid: int, key: str) -> Iterator[int]:
        """The token position of every occurrence of a key the document holds, overlapping ones too."""
        stream = self.norm_s if stream_no == 0 else self.raw_s
        count, find = stream.count, stream.find
        at = find(key)
        tok = prev = 0
        while at >= 0:  # a key starts with the space before its first word
            tok += count(" ", prev, at)  # the spaces before it: the token's position
            prev = at
            yield tok
            at = find(key, at + 1)


def _or_of_terms(aids: frozenset[int], kids: set[int], key_atoms: list[tuple[int, ...]], spans: bool) -> Evaluator:
    """The commonest shape, ("a*" OR "b" OR …): one C-level set intersection with the keys found."""

    def or_terms(h: _DocHits):
        hit = h.found & kids
        if not hit:
            return None
        out: set[Span] | None = None
        for aid in sorted({a for k in hit for a in key_atoms[k]} & aids):
            found = h.spans(aid)
            if found:
                if not spans:
                    return found
                out = found if out is None else out | found
        return out

    return or_terms


def _near(lf: Evaluator, rf: Evaluator, n: int, ordered: bool, spans: bool) -> Evaluator:
    def near(h: Hits):
        left = lf(h)
        if not left:
            return None
        right = rf(h)
        if not right:
            return None
        out: set[Span] = set()
        for a, b in left:
            for c, d in right:
                # words strictly between the two sides; unordered, overlapping sides count unless identical
                ok = (c > b and c - b - 1 <= n) if ordered else (max(c - b, a - d) - 1 <= n and (a != c or b != d))
                if ok:
                    if not spans:
                        return _TRUE
                    out.add((min(a, c), max(b, d)))
        return out or None

    return near
