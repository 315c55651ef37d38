"""Documents as the matcher reads them: each batch tokenised once, as raw lowercase words and as their normal
forms (singular, US spelling, no accents), fields joined by a separator token and ``GAP`` positions apart so
no phrase or proximity matches across them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from impactrank.sdgmap.normalise import NORM, token_texts

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
    """A batch of documents as the matcher reads them: normal and raw token streams (" w1 w2 … "), and
    whether fields are joined by ``SEP`` tokens."""

    norm: pl.Series
    raw: pl.Series
    fielded: bool

    def bounds(self, raw_s: str) -> list[int] | None:
        """The first token of each field in one document's raw stream (None for a single field)."""
        if not self.fielded:
            return None
        return [0] + [i + 1 for i, t in enumerate(raw_s[1:-1].split(" ")) if t == SEP]


def streams(columns: Sequence[Sequence[str | None]]) -> Streams:
    """Tokenise and normalise a batch column-wise in polars; one Python pass only for new words."""
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
    words = tokens.explode().unique().to_list()
    changed = [(w, v) for w in words if w != (v := NORM[w])]
    raw = " " + joined + " "
    norm = raw
    if changed:
        old, new = zip(*changed, strict=True)
        norm = " " + tokens.list.eval(pl.element().replace(list(old), list(new))).list.join(" ") + " "
    return Streams(norm, raw, len(texts) > 1)
