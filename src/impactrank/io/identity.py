"""Institution identity across editions and sources: stable ids from normalised name and country, alias
files that join renamed institutions, and fuzzy match proposals for a person to confirm."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz

from impactrank.errors import N_, InputError
from impactrank.io import display_names
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
    # names used in other languages (name_fr, name_es … columns), by id or by the name key of the name of record
    display_by_id: dict[str, dict[str, str]] = field(default_factory=dict)
    display_by_name: dict[str, dict[str, str]] = field(default_factory=dict)

    def display_names(self, institutions: pl.DataFrame) -> dict[str, dict[str, str]]:
        """Each institution's display names, by id, from this file's name_<lang> columns."""
        if not self.display_by_id and not self.display_by_name:
            return {}
        out = {}
        for iid, name in institutions.select("institution_id", "name").iter_rows():
            names = self.display_by_id.get(iid) or self.display_by_name.get(name_key(name or ""))
            if names:
                out[iid] = names
        return out

    def resolve(self, name: str, country: str | None) -> str:
        key = name_key(name)
        if key in self.to_id:
            return self.to_id[key]
        if key in self.to_name:
            return institution_id(self.to_name[key], country)
        return institution_id(name, country)


def read_aliases(path: str | Path) -> Aliases:
    """Read ``alias,institution_id`` rows, or pairs of names (``name,alias``: the alias joins the name); optional
    ``name_fr``, ``name_es`` … columns give the institution's name in that language (for display only)."""
    table = read_text_table(path)
    header, rows = table.records()
    if len(header) < 2:
        raise table.error(
            N_("an alias file needs a header of two columns: alias,institution_id or name,alias"), row=table.header_row
        )
    header = [h.strip().casefold() for h in header]
    if "institution_id" in header:  # alias → id: the alias column, or the other of the first two
        target = header.index("institution_id")
        source = header.index("alias") if "alias" in header else 1 - target if target < 2 else None
        if source is None:
            raise table.error(
                N_("an alias file with an institution_id column needs an alias column"), row=table.header_row
            )
    else:  # name, alias: the alias joins the name
        target, source = 0, 1
    aliases = Aliases()
    for number, row in rows:
        cells = [c.strip() for c in row] + [""] * (len(header) - len(row))
        if not cells[source] or not cells[target]:
            raise table.error(
                N_("expected two non-empty values"), row=number, field=header[source if cells[target] else target]
            )
        names = display_names.from_cells(header, cells)
        if "institution_id" in header:
            aliases.to_id[name_key(cells[source])] = cells[target]
            if names:
                aliases.display_by_id[cells[target]] = names
        else:
            aliases.to_name[name_key(cells[source])] = cells[target]
            if names:  # for the institution whichever of the two names a table gives it
                aliases.display_by_name[name_key(cells[target])] = names
                aliases.display_by_name[name_key(cells[source])] = names
    return aliases


def read_alias_files(paths: Sequence[str | Path]) -> Aliases:
    """Several alias files as one (``--aliases`` given more than once): an alias two files send to different
    places is refused, naming the alias and both files."""
    merged, given_by = Aliases(), {}
    for path in paths:
        one = read_aliases(path)
        for mine, theirs in ((merged.to_id, one.to_id), (merged.to_name, one.to_name)):
            for key, target in theirs.items():
                if mine.get(key, target) != target:
                    raise InputError(
                        N_("alias %(alias)r joins %(here)r here but %(there)r in %(earlier)s"),
                        file=Path(path).name,
                        params={"alias": key, "here": target, "there": mine[key], "earlier": given_by[key]},
                    )
                mine[key], given_by[key] = target, Path(path).name
        merged.display_by_id |= one.display_by_id
        merged.display_by_name |= one.display_by_name
    return merged


def propose_matches(a: pl.DataFrame, b: pl.DataFrame, *, min_score: float = 50.0) -> pl.DataFrame:
    """Renames for a person to confirm: an institution of ``a`` that is gone from ``b`` paired with one new in
    ``b``, in the same country (or with either country unknown), on evidence — one's name is a known alias of
    the other, or the two names share a word that no other name of either table uses ("Cergy") — and a name
    similarity (0–100) of at least ``min_score`` (an alias needs none). Blank names are never paired; each
    institution at most once, aliases first, then by similarity."""
    named_a, named_b = _named(a), _named(b)
    ids_a, ids_b = set(a["institution_id"]), set(b["institution_id"])
    left = [r for r in named_a if r["institution_id"] not in ids_b]
    right = [r for r in named_b if r["institution_id"] not in ids_a]
    uses = Counter(w for key in {r["key"] for r in (*named_a, *named_b)} for w in set(key.split("-")))
    candidates = []
    for rb in right:
        for ra in left:
            if rb["country"] and ra["country"] and rb["country"] != ra["country"]:
                continue
            evidence = _evidence(ra, rb, uses)
            if evidence is None:
                continue
            score = fuzz.token_sort_ratio(ra["key"].replace("-", " "), rb["key"].replace("-", " "))
            if score >= min_score or evidence == "alias":
                candidates.append((evidence != "alias", -round(score, 1), rb["name"], ra, rb, evidence))
    rows, taken = [], set()
    for _, score, _, ra, rb, evidence in sorted(candidates, key=lambda c: c[:3]):
        if ra["institution_id"] in taken or rb["institution_id"] in taken:
            continue
        taken |= {ra["institution_id"], rb["institution_id"]}
        rows.append(
            {
                "alias": rb["name"],
                "institution_id": ra["institution_id"],
                "score": -score,
                "name": ra["name"],
                "alias_id": rb["institution_id"],
                "country": rb["country"] or ra["country"],
                "evidence": evidence,
            }
        )
    schema = {
        "alias": pl.String,
        "institution_id": pl.String,
        "score": pl.Float64,
        "name": pl.String,
        "alias_id": pl.String,
        "country": pl.String,
        "evidence": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _named(table: pl.DataFrame) -> list[dict]:
    """Each named institution once, with its name key and its known aliases' keys."""
    aliases = table["aliases"] if "aliases" in table.columns else [None] * table.height
    out = {}
    columns = (table["institution_id"], table["name"], table["country"], aliases)
    for iid, name, country, known in zip(*columns, strict=True):
        key = name_key(name or "")
        if key and iid not in out:
            others = {name_key(n) for n in (known or "").split(";")} - {""}
            out[iid] = {"institution_id": iid, "name": name, "country": country, "key": key, "aliases": others}
    return list(out.values())


def _evidence(ra: dict, rb: dict, uses: Counter) -> str | None:
    """ "alias" when one is known by the other's name; "word: cergy" for a shared word of three letters or more
    that only these two names use; else None."""
    if ra["key"] in rb["aliases"] or rb["key"] in ra["aliases"]:
        return "alias"
    shared = set(ra["key"].split("-")) & set(rb["key"].split("-"))
    own = sorted(w for w in shared if uses[w] == 2 and len(w) > 2 and not w.isdigit())
    return f"word: {' '.join(own)}" if own else None
