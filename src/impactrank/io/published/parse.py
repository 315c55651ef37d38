"""Parsers for the strings published tables show: display ranks ("=7", "101–200", "1001+") and scores or
score ranges ("81.9–86.9"). They never raise: a string either parses or returns None, so a messy row is
flagged instead of crashing the import."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

DASH = "–"  # THE's en dash
_DASHES = "-‐‑‒–—―−~"  # hyphen, non-breaking hyphen, figure dash, en/em dash, bar, minus, tilde
_DASH_RE = re.compile(f"\\s*[{re.escape(_DASHES)}]\\s*")
_EXACT_RANK = re.compile(r"(=?)\s*(\d{1,6})")
_BAND = re.compile(r"(\d{1,6})–(\d{1,6})")
_OPEN_BAND = re.compile(r"(\d{1,6})\s*\+")
_NUMBER = r"\d{1,3}(?:\.\d+)?"
_SCORE = re.compile(f"({_NUMBER})")
_RANGE = re.compile(f"({_NUMBER})–({_NUMBER})")


def _clean(text: object) -> str:
    """Any cell as one spelling: NFKC, stripped, every dash THE's en dash without spaces; None as ""."""
    text = unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()
    return _DASH_RE.sub(DASH, text)


@dataclass(frozen=True)
class Rank:
    """A displayed rank: exact (low == high, maybe tied) or a band; an open band ("1001+") has no end."""

    low: int
    high: int | None
    tied: bool = False
    banded: bool = False

    @property
    def display(self) -> str:
        if not self.banded:
            ends = f"{self.low}" if self.high in (None, self.low) else f"{self.low}{DASH}{self.high}"
            return f"{'=' if self.tied else ''}{ends}"
        return f"{self.low}+" if self.high is None else f"{self.low}{DASH}{self.high}"


def parse_rank(text: str | None) -> Rank | None:
    s = _clean(text)
    if m := _EXACT_RANK.fullmatch(s):
        n = int(m.group(2))
        return Rank(n, n, tied=bool(m.group(1))) if n >= 1 else None
    if m := _BAND.fullmatch(s):
        low, high = int(m.group(1)), int(m.group(2))
        return Rank(low, high, banded=True) if 1 <= low <= high else None
    if m := _OPEN_BAND.fullmatch(s):
        low = int(m.group(1))
        return Rank(low, None, banded=True) if low >= 1 else None
    return None


@dataclass(frozen=True)
class Score:
    """A displayed score: exact (``ranged`` False, low == high) or a published range low–high."""

    low: float
    high: float
    ranged: bool = False

    @property
    def exact(self) -> float | None:
        return None if self.ranged else self.low

    @property
    def display(self) -> str:
        return f"{_fmt(self.low)}{DASH}{_fmt(self.high)}" if self.ranged else _fmt(self.low)


def _fmt(value: float) -> str:
    """One decimal as THE shows scores, more only when the source had more."""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:.10g}"


def parse_score(text: str | None) -> Score | None:
    """Scores are 0–100; anything else (or a reversed range) is not a score."""
    s = _clean(text)
    if m := _SCORE.fullmatch(s):
        v = float(m.group(1))
        return Score(v, v) if v <= 100 else None
    if m := _RANGE.fullmatch(s):
        low, high = float(m.group(1)), float(m.group(2))
        return Score(low, high, ranged=True) if low <= high <= 100 else None
    return None


# Cached here, not by decorator: mutation testing (mutmut) leaves decorated functions unmutated. A table repeats
# its ranks and scores many times.
parse_rank = lru_cache(maxsize=8192)(parse_rank)
parse_score = lru_cache(maxsize=16384)(parse_score)


def canonical(text: str) -> str:
    """The display string as THE writes it (en dash, no spaces around it), for round-trip checks."""
    return _clean(text)


def cell_text(value: object) -> str:
    """A JSON/spreadsheet cell as the text a reader would have seen (96 → "96", 91.1 → "91.1")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Card:
    """THE's per-institution card: the top SDGs' (number, score) in published order, then SDG 17's score.
    A score the card does not show is "" (THE hides SDG 16 for some institutions from 2022)."""

    pairs: tuple[tuple[str, str], ...]
    sdg17: str
    flags: tuple[str, ...] = ()


_CARD_TAIL = re.compile(r"\s*sdg\s+descriptions?\s*$", re.IGNORECASE)
_SDG_NUMBER = re.compile(r"0*(\d{1,2})")


def parse_card(text: str | None) -> Card:
    """ "15 94.9  14 95.8  3 89.1  17 97.8  SDG Descriptions" → pairs (15, 94.9), (14, 95.8), (3, 89.1) and
    SDG 17 at 97.8. A number of 1–17 is an SDG and a decimal, a range or a larger number is a score; the card
    separates its pairs by two spaces, so a group's last number is its score ("11 82", "16 4 75.2": SDG 16
    shown without a score, then SDG 4 at 75.2). Anything else is kept out and flagged ``card_unparsed``, a
    repeated SDG 17 ``sdg_number_repeated``. Never raises."""
    if text is None:
        return Card((), "")
    groups = [g.split() for g in re.split(r"\s{2,}", _CARD_TAIL.sub("", _clean(text)).strip()) if g.strip()]
    tokens = [(t, len(g) > 1 and len(groups) > 1 and k == len(g) - 1) for g in groups for k, t in enumerate(g)]
    pairs: list[tuple[str, str]] = []
    sdg17: str | None = None
    flags: list[str] = []
    i = 0
    while i < len(tokens):
        m = _SDG_NUMBER.fullmatch(tokens[i][0])
        if m is None or not 1 <= int(m.group(1)) <= 17 or tokens[i][1]:
            flags.append("card_unparsed")
            i += 1
            continue
        number = m.group(1)
        score = ""
        if i + 1 < len(tokens) and _is_card_score(*tokens[i + 1]):
            score = tokens[i + 1][0]
            i += 1
        i += 1
        if number == "17":
            if sdg17 is not None:
                flags.append("sdg_number_repeated")
            else:
                sdg17 = score
        else:
            pairs.append((number, score))
    return Card(tuple(pairs), sdg17 or "", tuple(dict.fromkeys(flags)))


def _is_card_score(token: str, ends_group: bool) -> bool:
    """A score has a decimal point, is a range, is above 17, or closes its two-space group."""
    if parse_score(token) is None:
        return False
    return "." in token or DASH in token or ends_group or (token.isdigit() and int(token) > 17)
