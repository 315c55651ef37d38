"""Documents as the matcher reads them: each batch tokenised once into lowercase words, fields joined by a
separator token and ``GAP`` positions apart so no phrase or proximity matches across them. The batch keeps
its raw stream (" w1 w2 … ", for wildcards inside words) and its words in order (for every other key); normal
forms are looked up word by word, so no normal stream is built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.sdgmap.normalise import token_texts

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
    """A batch of documents as the matcher reads them: the raw token streams (" w1 w2 … "), every token of
    the batch in order with each document's count, and whether fields are joined by ``SEP`` tokens."""

    raw: pl.Series
    words: pl.Series
    lengths: np.ndarray
    fielded: bool

    def bounds(self, raw_s: str) -> list[int] | None:
        """The first token of each field in one document's raw stream (None for a single field)."""
        if not self.fielded:
            return None
        return [0] + [i + 1 for i, t in enumerate(raw_s[1:-1].split(" ")) if t == SEP]


def streams(columns: Sequence[Sequence[str | None]]) -> Streams:
    """Tokenise a batch column-wise in polars."""
    texts = [
        token_texts(col if isinstance(col, pl.Series) else pl.Series(values=list(col), dtype=pl.String))
        for col in columns
    ]
    if not texts:
        raise ValueError("no text fields")
    joined = texts[0]
    if len(texts) > 1:  # an empty field leaves two spaces side by side: one is dropped
        frame = pl.DataFrame({f"f{i}": t for i, t in enumerate(texts)})
        joined = frame.select(pl.concat_str(pl.all(), separator=f" {SEP} ")).to_series()
        joined = joined.str.replace_all(" {2,}", " ").str.strip_chars(" ")
    tokens = joined.str.split(" ")
    return Streams(" " + joined + " ", tokens.explode(), tokens.list.len().to_numpy().astype(np.intp), len(texts) > 1)
