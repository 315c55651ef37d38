"""The automaton keys found word by word: each key is a short sequence of word tests, each word of a batch is
tested once (and remembered), and a key's later words are checked by position arithmetic over the batch's
token array in numpy. This finds exactly what an Aho–Corasick pass over the normal and raw streams finds,
without building the normal stream or scanning any text twice.

A word test is one of: the raw word equals a string, its normal form equals a string, the raw word or the
normal form starts with a stem (a trailing wildcard), the raw word contains a fragment (a wildcard inside a
word, confirmed later by its pattern). Keys never contain the field separator, so none matches across fields.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from impactrank.sdgmap.normalise import NORM

RAW_EQ, NORM_EQ, RAW_PREFIX, NORM_PREFIX, CONTAINS = range(5)
_CACHE_LIMIT = 2_000_000  # words remembered, as the normal-form cache


class KeyFinder:
    """Keys of the normal stream (ids 0 …) then of the raw stream, as the matcher numbers them."""

    def __init__(self, norm_keys: Sequence[str], raw_keys: Sequence[str]):
        self._tests: dict[tuple[int, str], int] = {}
        single: dict[int, list[int]] = {}
        multi: list[tuple[int, tuple[int, ...]]] = []
        for kid, (stream, key) in enumerate([*((0, k) for k in norm_keys), *((1, k) for k in raw_keys)]):
            tests = self._key_tests(stream, key)
            if len(tests) == 1:
                single.setdefault(tests[0], []).append(kid)
            else:
                multi.append((kid, tests))
        n_tests = self._n_tests = len(self._tests)
        text_len = [len(text) for _, text in self._tests]  # in id order
        self._single = _csr(single, n_tests)
        # a phrase is looked for from its longest word (the rarest, as a rule: not "the" or "of"); its other
        # words are checked where they must stand. Each phrase's tests padded with -1
        self._multi_kid = np.array([k for k, _ in multi], dtype=np.intp)
        self._multi_len = np.array([len(t) for _, t in multi], dtype=np.intp)
        self._anchor = np.array([max(range(len(t)), key=lambda j: text_len[t[j]]) for _, t in multi], dtype=np.intp)
        width = max((len(t) for _, t in multi), default=1)
        self._multi_tests = np.full((len(multi), width), -1, dtype=np.int64)
        by_anchor: dict[int, list[int]] = {}
        for i, (_, tests) in enumerate(multi):
            self._multi_tests[i, : len(tests)] = tests
            by_anchor.setdefault(tests[self._anchor[i]], []).append(i)
        self._by_anchor = _csr(by_anchor, n_tests)
        # the tests a token is expanded for: a one-word key's, or a phrase's anchor
        self._expanded = np.zeros(n_tests, dtype=bool)
        self._expanded[[*single, *by_anchor]] = True
        # word tests by kind, for testing a new word
        self._eq = ({}, {})
        self._prefix: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self._chunks: list[tuple[str, int]] = []
        for (kind, text), tid in self._tests.items():
            if kind in (RAW_EQ, NORM_EQ):
                self._eq[kind - RAW_EQ][text] = tid
            elif kind in (RAW_PREFIX, NORM_PREFIX):
                self._prefix[kind - RAW_PREFIX][text] = tid
            else:
                self._chunks.append((text, tid))
        self._lengths = tuple(sorted({len(s) for s in p}) for p in self._prefix)
        self._words: dict[str, tuple[int, ...]] = {}

    def _test(self, kind: int, text: str) -> int:
        return self._tests.setdefault((kind, text), len(self._tests))

    def _key_tests(self, stream: int, key: str) -> tuple[int, ...]:
        """A key as the matcher writes it: " w1 w2 " (whole words), " w1 ste" (the last word a prefix), or a
        fragment without spaces (raw stream only)."""
        eq, prefix = (NORM_EQ, NORM_PREFIX) if stream == 0 else (RAW_EQ, RAW_PREFIX)
        if not key.startswith(" "):
            return (self._test(CONTAINS, key),)
        words = key[1:].split(" ")
        if key.endswith(" "):
            return tuple(self._test(eq, w) for w in words[:-1])
        return (*(self._test(eq, w) for w in words[:-1]), self._test(prefix, words[-1]))

    def word_tests(self, word: str) -> tuple[int, ...]:
        """The ids of the word tests one word passes, ascending."""
        found = self._words.get(word)
        if found is not None:
            return found
        norm = NORM[word]
        out = []
        for form, eq, prefix, lengths in zip((word, norm), self._eq, self._prefix, self._lengths, strict=True):
            if (tid := eq.get(form)) is not None:
                out.append(tid)
            for n in lengths:
                if n > len(form):
                    break
                if (tid := prefix.get(form[:n])) is not None:
                    out.append(tid)
        out.extend(tid for chunk, tid in self._chunks if chunk in word)
        found = tuple(sorted(out))
        if len(self._words) < _CACHE_LIMIT:
            self._words[word] = found
        return found

    def find(self, words: pl.Series, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every key occurrence in a batch given as its tokens in order and each document's token count:
        document, key id and the position of the key's first word in the document, one row per occurrence."""
        n_tok = len(words)
        if not n_tok:
            return (np.zeros(0, dtype=np.intp),) * 3
        # each token as an index into the batch's vocabulary: equal words share a categorical code
        codes = words.cast(pl.Categorical)
        vocab = codes.unique()
        vocab_codes = vocab.to_physical().to_numpy()
        index = np.empty(int(vocab_codes.max()) + 1, dtype=np.intp)
        index[vocab_codes] = np.arange(len(vocab_codes))
        local = index[codes.to_physical().to_numpy()]
        tests = list(map(self.word_tests, vocab.cast(pl.String).to_list()))
        counts = np.fromiter(map(len, tests), dtype=np.intp, count=len(tests))
        flat = np.fromiter((t for ts in tests for t in ts), dtype=np.int64, count=int(counts.sum()))
        word = np.repeat(np.arange(len(vocab)), counts)
        passed = word * self._n_tests + flat  # every (word, test) passed, sorted
        keep = self._expanded[flat]
        flat, counts = flat[keep], np.bincount(word[keep], minlength=len(vocab))
        starts = np.cumsum(counts) - counts
        # (token, test) pairs in token order for the tests tokens are expanded for
        per_tok = counts[local]
        tok = np.repeat(np.arange(n_tok), per_tok)
        test = flat[starts[local[tok]] + np.arange(len(tok)) - np.repeat(np.cumsum(per_tok) - per_tok, per_tok)]
        doc_of = np.repeat(np.arange(len(lengths)), lengths)
        doc_start = np.cumsum(lengths) - lengths
        hit_tok, hit_kid = _expand(self._single, tok, test)
        anchor_tok, cand = _expand(self._by_anchor, tok, test)
        if len(cand):
            first = anchor_tok - self._anchor[cand]  # where the phrase would start
            doc = doc_of[anchor_tok]
            alive = (first >= doc_start[doc]) & (first + self._multi_len[cand] <= doc_start[doc] + lengths[doc])
            for j in range(self._multi_tests.shape[1]):
                need = np.flatnonzero(alive & (self._multi_len[cand] > j) & (self._anchor[cand] != j))
                q = local[first[need] + j] * self._n_tests + self._multi_tests[cand[need], j]
                at = np.minimum(np.searchsorted(passed, q), len(passed) - 1)
                alive[need] = passed[at] == q
            hit_tok = np.concatenate([hit_tok, first[alive]])
            hit_kid = np.concatenate([hit_kid, self._multi_kid[cand[alive]]])
        doc = doc_of[hit_tok]
        return doc, hit_kid, hit_tok - doc_start[doc]


def _csr(groups: dict[int, list[int]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per test id the values listed for it, as (offsets of length n + 1, values)."""
    counts = np.zeros(n, dtype=np.intp)
    for tid, values in groups.items():
        counts[tid] = len(values)
    offsets = np.zeros(n + 1, dtype=np.intp)
    np.cumsum(counts, out=offsets[1:])
    values = np.zeros(int(offsets[-1]), dtype=np.intp)
    for tid, vals in groups.items():
        values[offsets[tid] : offsets[tid + 1]] = vals
    return offsets, values


def _expand(table: tuple[np.ndarray, np.ndarray], tok: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(token, value) for every value the table lists under each (token, test) pair's test."""
    offsets, values = table
    n = offsets[test + 1] - offsets[test]
    rows = np.repeat(np.arange(len(tok)), n)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n)
    return tok[rows], values[offsets[test[rows]] + within]
