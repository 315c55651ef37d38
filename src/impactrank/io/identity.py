"""Institution identity across editions and sources: stable ids from normalised name and country, alias
files that join renamed institutions, and fuzzy match proposals for a person to confirm."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from impactrank.io.delimited import read_text_table

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
_NON_WORD = re.compile(r"[^0-9a-z\u0080-\uffff]+")


def normalise_name(text: str) -> str:
    """The display name: NFKC-normalised, one space between words (the original is kept beside it)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Comparison key: accents, case, quotes, '&' and punctuation folded away, words joined by '-'."""
    text = unicodedata.normalize("NFKD", normalise_name(text).translate(_QUOTES))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("'", "")
    return _NON_WORD.sub("-", text).strip("-")


def institution_id(name: str, country: str | None) -> str:
    """Stable across editions and sources while name and country are: "au-western-sydney-university"."""
    return f"{(country or 'xx').lower()}-{name_key(name)}"


@dataclass
class Aliases:
    """Known renamings: a name key mapped to an institution id, or to another name whose id it shares."""

    to_id: dict[str, str] = field(default_factory=dict)
    to_name: dict[str, str] = field(default_factory=dict)

    def resolve(self, name: str, country: str | None) -> str:
        key = name_key(name)
        if key in self.to_id:
            return self.to_id[key]
        if key in self.to_name:
            return institution_id(self.to_name[key], country)
        return institution_id(name, country)


def read_aliases(path: str | Path) -> Aliases:
    """Read ``alias,institution_id`` rows, or pairs of names (``name,alias``: the alias joins the name)."""
    table = read_text_table(path)
    header, rows = table.records()
    if len(header) < 2:
        raise table.error(
            "an alias file needs a header of two columns: alias,institution_id or name,alias", row=table.header_row
        )
    header = [h.strip().casefold() for h in header]
    if "institution_id" in header:  # alias → id: the alias column, or the other of the first two
        target = header.index("institution_id")
        source = header.index("alias") if "alias" in header else 1 - target if target < 2 else None
        if source is None:
            raise table.error("an alias file with an institution_id column needs an alias column", row=table.header_row)
    else:  # name, alias: the alias joins the name
        target, source = 0, 1
    aliases = Aliases()
    for number, row in rows:
        cells = [c.strip() for c in row] + [""] * (len(header) - len(row))
        if not cells[source] or not cells[target]:
            raise table.error(
                "expected two non-empty values", row=number, field=header[source if cells[target] else target]
            )
        if "institution_id" in header:
            aliases.to_id[name_key(cells[source])] = cells[target]
        else:
            aliases.to_name[name_key(cells[source])] = cells[target]
    return aliases


def propose_matches(a: pl.DataFrame, b: pl.DataFrame, *, min_score: float = 85.0) -> pl.DataFrame:
    """For each institution of ``b`` without an id in ``a``, the closest unmatched name of ``a`` in the same
    country (or with either country unknown), when its similarity reaches ``min_score`` (0–100)."""
    ids_a, ids_b = set(a["institution_id"]), set(b["institution_id"])
    left = a.filter(~pl.col("institution_id").is_in(list(ids_b)))
    right = b.filter(~pl.col("institution_id").is_in(list(ids_a)))
    keys_a = [name_key(n).replace("-", " ") for n in left["name"]]
    keys_b = [name_key(n).replace("-", " ") for n in right["name"]]
    rows = []
    if keys_a and keys_b:
        scores = process.cdist(keys_b, keys_a, scorer=fuzz.token_sort_ratio, workers=1)
        codes = {c: k for k, c in enumerate(sorted({*left["country"].drop_nulls(), *right["country"].drop_nulls()}))}
        code_a = np.array([codes.get(c, -1) for c in left["country"]])
        code_b = np.array([codes.get(c, -1) for c in right["country"]])
        same_place = (code_b[:, None] == code_a[None, :]) | (code_b[:, None] < 0) | (code_a[None, :] < 0)
        scores = np.where(same_place, scores, -1.0)
        best_j = scores.argmax(axis=1)
        for i, rec in enumerate(right.iter_rows(named=True)):
            j = int(best_j[i])
            if scores[i, j] >= min_score:
                rows.append(
                    {
                        "alias": rec["name"],
                        "institution_id": left["institution_id"][j],
                        "score": round(float(scores[i, j]), 1),
                        "name": left["name"][j],
                        "alias_id": rec["institution_id"],
                        "country": rec["country"] or left["country"][j],
                    }
                )
    schema = {
        "alias": pl.String,
        "institution_id": pl.String,
        "score": pl.Float64,
        "name": pl.String,
        "alias_id": pl.String,
        "country": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).sort(["score", "alias"], descending=[True, False])
