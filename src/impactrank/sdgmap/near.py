"""W/n and PRE/n over a whole batch in numpy, for the common shape: a word or phrase, or an OR of them, on each
side. Every occurrence of a side is a span of token positions; a node holds in a document when a span of one
side and a span of the other are close enough, as :class:`Matcher` decides it (at most ``n`` words strictly
between them; unordered, overlapping spans count unless identical; PRE/n needs the left side first).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Side = Sequence[tuple[int, int]]  # (key id, the key's word count) of every key that finds the side


class NearTable:
    """Nodes × documents: does each node hold; built once per matcher, evaluated once per batch."""

    def __init__(self, n_keys: int, nodes: Sequence[tuple[Side, Side, int, bool]]):
        self.n_nodes = len(nodes)
        entries = sorted(
            (kid, node, side, ntok)
            for node, (left, right, _, _) in enumerate(nodes)
            for side, keys in enumerate((left, right))
            for kid, ntok in keys
        )
        table = np.array(entries, dtype=np.int64).reshape(len(entries), 4)
        self._offsets = np.searchsorted(table[:, 0], np.arange(n_keys + 1))  # per key its rows of the table
        self._node, self._side, self._ntok = table[:, 1], table[:, 2], table[:, 3]
        self._gap = np.array([n for _, _, n, _ in nodes], dtype=np.int64)
        self._ordered = np.array([o for _, _, _, o in nodes], dtype=bool)

    def evaluate(self, docs: np.ndarray, kids: np.ndarray, pos: np.ndarray, n_docs: int) -> np.ndarray:
        """``docs``, ``kids``, ``pos``: every key occurrence of the batch (positions with fields ``GAP`` apart)."""
        out = np.zeros((self.n_nodes, n_docs), dtype=bool)
        count = self._offsets[kids + 1] - self._offsets[kids]
        hit = np.repeat(np.arange(len(kids)), count)
        row = np.repeat(self._offsets[kids] - np.cumsum(count) + count, count) + np.arange(len(hit))
        node, start = self._node[row], pos[hit]
        end = start + self._ntok[row] - 1
        group, side = node * n_docs + docs[hit], self._side[row]
        has = np.zeros((2, self.n_nodes * n_docs), dtype=bool)  # (node, document) groups holding each side
        has[side, group] = True
        keep = (has[0] & has[1])[group]  # only groups holding both sides are paired
        left, right = np.flatnonzero(keep & (side == 0)), np.flatnonzero(keep & (side == 1))
        right = right[np.argsort(group[right], kind="stable")]
        lo = np.searchsorted(group[right], group[left], "left")
        n_pairs = np.searchsorted(group[right], group[left], "right") - lo
        li = np.repeat(left, n_pairs)
        ri = right[np.repeat(lo - np.cumsum(n_pairs) + n_pairs, n_pairs) + np.arange(len(li))]
        a, b, c, d = start[li], end[li], start[ri], end[ri]
        gap, ordered = self._gap[node[li]], self._ordered[node[li]]
        close = np.where(
            ordered,
            (c > b) & (c - b - 1 <= gap),
            (np.maximum(c - b, a - d) - 1 <= gap) & ((a != c) | (b != d)),
        )
        g = group[li[close]]
        out[g // n_docs, g % n_docs] = True
        return out
