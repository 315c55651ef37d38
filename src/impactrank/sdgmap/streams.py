"""Documents as the matcher reads them: each batch tokenised once, as raw lowercase words and as their normal
forms (singular, US spelling, no accents), fields joined by a separator token and ``GAP`` positions apart so
no phrase or proximity matches across them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from impactrank.sdgmap.normalise import NORM, tokenise_series

GAP = 1 << 20
SEP = "\x00"  # a token between fields: no key contains it, so phrases cannot cross fields

# Which document fields each Scopus field code reads; a field with another name (e.g. "text") counts as all.
FIELD_CODES = {
    "TITLE-ABS-KEY": {"title", "abstract", "keywords"},
    "TITLE-ABS": {"title", "abstract"},
    "TITLE": {"title"},
    "ABS": {"abstract"},
    "KEY": {"keywords"},
    "AUTHKEY": {"keywords"},
}
CANONICAL_FIELDS = {"title", "abstract", "keywords"}


@dataclass(frozen=True)
class Streams:
    """A batch of documents as the matcher reads them: normal and raw token streams, field starts."""

    norm: list[str]
    raw: list[str]
    bounds: list[list[int] | None]


def streams(columns: Sequence[Sequence[str | None]]) -> Streams:
    """Tokenise and normalise a batch column-wise in polars; one Python pass only for new words."""
    lists = [
        tokenise_series(col if isinstance(col, pl.Series) else pl.Series(values=list(col), dtype=pl.String))
        for col in columns
    ]
    if not lists:
        raise ValueError("no text fields")
    n = len(lists[0])
    if len(lists) == 1:
        tokens = lists[0]
        bounds: list[list[int] | None] = [None] * n
    else:
        frame = pl.DataFrame({f"f{i}": s for i, s in enumerate(lists)})
        parts: list[pl.Expr] = []
        for i in range(len(lists)):
            if i:
                parts.append(pl.lit([SEP], dtype=pl.List(pl.String)))
            parts.append(pl.col(f"f{i}"))
        tokens = frame.select(pl.concat_list(parts)).to_series()
        lens = [s.list.len().to_list() for s in lists]
        bounds = []
        for row in zip(*lens, strict=True):
            starts, pos = [], 0
            for length in row:
                starts.append(pos)
                pos += length + 1
            bounds.append(starts)
    vocab = tokens.explode(empty_as_null=True).drop_nulls().unique()
    words = vocab.to_list()
    normal = [NORM[w] for w in words]
    changed = [(w, v) for w, v in zip(words, normal, strict=True) if w != v]
    if changed:
        old, new = zip(*changed, strict=True)
        norm_tokens = tokens.list.eval(pl.element().replace(list(old), list(new)))
    else:
        norm_tokens = tokens
    norm = (" " + norm_tokens.list.join(" ") + " ").to_list()
    raw = (" " + tokens.list.join(" ") + " ").to_list()
    return Streams(norm, raw, bounds)
