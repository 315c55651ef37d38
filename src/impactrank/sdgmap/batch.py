"""A batch of documents evaluated at once, as ``sdg classify`` runs it.

Which automaton keys each document holds comes from the batch's words (:class:`KeyFinder`: each word tested
once, a phrase's later words by position arithmetic in numpy), as a keys × documents boolean matrix; the
query lines' AND, OR and AND NOT then run on numpy columns over all the documents of the batch. Each node
gives a lower and an upper bound of its truth per document: they are equal except under W/n, PRE/n and
field restrictions, which need token positions;
only the documents between the two bounds go through the per-document evaluator of :class:`Matcher`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

import numpy as np

from impactrank.sdgmap.ast import And, AndNot, Field, Near, Node, Or, Term, iter_terms
from impactrank.sdgmap.matcher import Matcher, _DocHits
from impactrank.sdgmap.near import NearTable, Side
from impactrank.sdgmap.streams import GAP, SEP, Streams, streams
from impactrank.sdgmap.tokens import KeyFinder

Bounds = tuple[np.ndarray, np.ndarray]  # lower, upper: the same array where the node's truth is settled
NodeFn = Callable[[np.ndarray, np.ndarray], Bounds]


class BatchMatcher:
    """A :class:`Matcher`'s query lines over a whole batch; the same lines match as one document at a time."""

    def __init__(self, matcher: Matcher):
        m = self.m = matcher
        # key ids as the matcher numbers them: normal-stream keys in sorted order, then raw-stream keys
        self._keys = (sorted(m._keys["n"]), sorted(m._keys["r"]))
        self._n_keys = len(self._keys[0]) + len(self._keys[1])
        kids = [sorted({k[1] for k in m._atom_keys.get(a, ())}) for a in range(len(m._atoms))]
        width = max(map(len, kids), default=0) or 1
        # per atom the rows of its keys, padded with an always-empty row; a regex atom has none
        self._atom_rows = np.array([k + [self._n_keys] * (width - len(k)) for k in kids], dtype=np.intp)
        self._atom_rows = self._atom_rows.reshape(len(kids), width)
        # a wildcard inside a word is settled by its pattern, in Rust's regex: the spaces around it are
        # matched instead of looked around, which finds the same documents
        self._regex = [
            (
                aid,
                " " + rx.pattern.pattern.removeprefix("(?<= )").removesuffix("(?= )") + " ",
                m._regex_chunk_keys.get(aid),
            )
            for aid, rx in sorted(m._regex.items())
        ]
        self._finder = KeyFinder(*self._keys)
        self._nears: list[tuple[Side, Side, int, bool]] = []  # W/n settled in numpy: rows after the atoms'
        self._lines = [self._compile(line.ast, None) for line in m.lines]
        self._near = NearTable(self._n_keys, self._nears)
        # the keys whose positions a document left open can be asked for: those of lines that are not exact
        self._open_keys = np.zeros(self._n_keys + 1, dtype=bool)
        for line, (_, exact) in zip(m.lines, self._lines, strict=True):
            if not exact:
                self._open_keys[[k for t in iter_terms(line.ast) for k in m._atom_kids.get(m._atom(t), ())]] = True

    def _compile(self, node: Node, allowed: frozenset[int] | None) -> tuple[NodeFn, bool]:
        """The node's bounds as a function of the atoms × documents matrix, and whether they are always equal."""
        if isinstance(node, Term):
            aid = self.m._atom(node)
            if allowed is None:
                return (lambda at, zero: (at[aid], at[aid])), True
            return (lambda at, zero: (zero, at[aid])), False  # present somewhere, perhaps not in its fields
        if isinstance(node, Field):
            return self._compile(node.child, self.m._allowed(node.field, allowed))
        if isinstance(node, Near):
            left, right = self._side(node.left), self._side(node.right)
            if allowed is None and left is not None and right is not None:
                row = len(self.m._atoms) + len(self._nears)
                self._nears.append((left, right, node.n, node.ordered))
                return (lambda at, zero: (at[row], at[row])), True
            (lf, _), (rf, _) = self._compile(node.left, allowed), self._compile(node.right, allowed)
            return (lambda at, zero: (zero, lf(at, zero)[1] & rf(at, zero)[1])), False
        if isinstance(node, AndNot):
            (lf, lx), (rf, rx) = self._compile(node.left, allowed), self._compile(node.right, allowed)

            def and_not(at: np.ndarray, zero: np.ndarray) -> Bounds:
                (llo, lhi), (rlo, rhi) = lf(at, zero), rf(at, zero)
                lo = llo & ~rhi
                return lo, lo if lx and rx else lhi & ~rlo

            return and_not, lx and rx
        if isinstance(node, (Or, And)):
            reduce = np.logical_or.reduce if isinstance(node, Or) else np.logical_and.reduce
            parts = [self._compile(c, allowed) for c in node.children]
            exact = all(x for _, x in parts)
            if exact and all(isinstance(c, Term) for c in node.children):
                rows = np.array([self.m._atom(c) for c in node.children], dtype=np.intp)  # type: ignore[arg-type]

                def terms(at: np.ndarray, zero: np.ndarray) -> Bounds:
                    v = reduce(at[rows])
                    return v, v

                return terms, True
            fs = [f for f, _ in parts]

            def combine(at: np.ndarray, zero: np.ndarray) -> Bounds:
                bounds = [f(at, zero) for f in fs]
                lo = reduce([b[0] for b in bounds])
                return lo, lo if exact else reduce([b[1] for b in bounds])

            return combine, exact
        raise TypeError(f"not a query node: {node!r}")

    def _side(self, node: Node) -> Side | None:
        """The keys (with their word counts) of a W/n side that is a word, a phrase or an OR of them, with no
        wildcard inside a word; None for any other side."""
        terms = node.children if isinstance(node, Or) else (node,)
        if not all(isinstance(t, Term) for t in terms):
            return None
        aids = [self.m._atom(t) for t in terms]  # type: ignore[arg-type]
        if any(a in self.m._regex for a in aids):
            return None
        return [(kid, ntok) for a in aids for _, kid, ntok, _ in self.m._atom_keys.get(a, ())]

    def _found(self, batch: Streams) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Atoms × documents: does the atom occur in the document (any field); and every key occurrence as
        document, key id and token position."""
        n = len(batch.raw)
        found = np.zeros((self._n_keys + 1, n), dtype=bool)
        hits = self._finder.find(batch.words, batch.lengths)
        found[hits[1], hits[0]] = True
        at = np.empty((len(self._atom_rows) + self._near.n_nodes, n), dtype=bool)
        at[: len(self._atom_rows)] = found[self._atom_rows].any(axis=1)
        if self._near.n_nodes:
            docs, kids, pos = hits
            if batch.fielded:  # positions of different fields GAP apart, as the matcher counts them
                seps = np.cumsum((batch.words == SEP).to_numpy())
                pos = pos + GAP * seps[np.cumsum(batch.lengths)[docs] - batch.lengths[docs] + pos]
            at[len(self._atom_rows) :] = self._near.evaluate(docs, kids, pos, n)
        for aid, pattern, kid in self._regex:  # only where the pattern's literal fragment occurs, if it has one
            where = np.arange(n) if kid is None else np.flatnonzero(found[kid])
            if len(where):
                at[aid, where] = batch.raw.gather(where).str.contains(pattern).to_numpy()
        return at, hits

    def match_streams(self, batch: Streams) -> list[list[int]]:
        """Per document the indexes of the query lines that match, ascending, as :meth:`Matcher.match` gives."""
        return _groups(*np.nonzero(self.matrix(batch).T), len(batch.raw))

    def matrix(self, batch: Streams) -> np.ndarray:
        """Lines × documents: does the query line match the document."""
        n = len(batch.raw)
        at, (hit_docs, hit_kids, hit_pos) = self._found(batch)
        zero = np.zeros(n, dtype=bool)
        matched = np.zeros((len(self._lines), n), dtype=bool)
        docs, lines = [], []  # the (document, line) pairs the bounds leave open
        for i, (f, exact) in enumerate(self._lines):
            lo, hi = f(at, zero)
            matched[i] = lo
            if not exact:
                d = np.flatnonzero(hi ^ lo)  # hi where lo is false
                if len(d):
                    docs.append(d)
                    lines.append(np.full(len(d), i))
        if not docs:
            return matched
        order = np.argsort(np.concatenate(docs), kind="stable")  # by document, lines ascending
        docs, lines = np.concatenate(docs)[order], np.concatenate(lines)[order]
        open_docs, nth = np.unique(docs, return_inverse=True)
        nth_of = np.full(n, -1)
        nth_of[open_docs] = np.arange(len(open_docs))
        rank = nth_of[hit_docs]
        sel = np.flatnonzero((rank >= 0) & self._open_keys[hit_kids])
        sel = sel[np.lexsort((hit_kids[sel], rank[sel]))]  # by document, then key
        ends = np.cumsum(np.bincount(rank[sel], minlength=len(open_docs))).tolist()
        kids, pos = hit_kids[sel].tolist(), hit_pos[sel].tolist()
        open_lines = _groups(nth, lines, len(open_docs))
        raw = batch.raw.gather(open_docs).to_list()
        evaluators = self.m._evaluators
        for j, (d, a, b, doc_lines) in enumerate(zip(open_docs.tolist(), [0, *ends], ends, open_lines, strict=False)):
            doc = _Occurrences(self.m, kids[a:b], pos[a:b], raw[j], batch.bounds(raw[j]))
            for i in doc_lines:
                if evaluators[i](doc):
                    matched[i, d] = True
        return matched

    def match_columns(self, columns: Sequence[Sequence[str | None]]) -> list[list[int]]:
        """Match a batch given as one sequence per field."""
        return self.match_streams(streams(columns))


def _groups(rows: np.ndarray, cols: np.ndarray, n: int) -> list[list[int]]:
    """Sorted (row, col) pairs as each row's list of cols, for rows 0 … n-1."""
    ends = np.cumsum(np.bincount(rows, minlength=n)).tolist()
    flat = cols.tolist()
    return [flat[a:b] for a, b in zip([0, *ends], ends, strict=False)]  # starts: one more than ends


class _Occurrences(_DocHits):
    """One document of a batch: key positions from the batch's word-level pass, not from searching its text."""

    __slots__ = ("kids", "pos")

    def __init__(self, m: Matcher, kids: list[int], pos: list[int], raw_s: str, bounds: list[int] | None):
        super().__init__(m, set(kids), "", raw_s, bounds)
        self.kids, self.pos = kids, pos  # sorted by key id

    def occurrences(self, stream_no: int, kid: int, key: str) -> list[int]:
        return self.pos[bisect_left(self.kids, kid) : bisect_right(self.kids, kid)]
