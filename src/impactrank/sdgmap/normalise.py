"""Tokenisation and normalisation as Scopus approximates them.

Both the query words and the document words go through the same functions, so a rule only has to map
variants onto one form (singular, US spelling, no accents); it never has to produce a real word.
Hyphens and punctuation separate words; possessive 's is dropped.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

TOKEN_RE = re.compile(r"[^\W_]+")
# The same word class in polars' Rust regex; a test checks every assigned code point.
TOKEN_CHARS_RUST = r"\p{L}\p{N}"
QUERY_TOKEN_RE = re.compile(r"[^\W_*?]*[*?][^\W_*?]*(?:[*?][^\W_*?]*)*|[^\W_]+")
POSSESSIVE_RE = re.compile(r"['’]s\b")

_IRREGULAR = {
    "women": "woman",
    "men": "man",
    "children": "child",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "programme": "program",
    "programmes": "program",
    "ageing": "aging",
    "judgement": "judgment",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "grey": "gray",
    "tyre": "tire",
    "tyres": "tire",
    "aluminium": "aluminum",
    "sulphur": "sulfur",
    "mould": "mold",
    "plough": "plow",
    "cheque": "check",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analogue": "analog",
}
# Words whose final s is not a plural, or whose singular would collide with another word (AIDS vs aid).
_KEEP_S = frozenset(
    {
        *("aids", "news", "series", "species", "means", "gas", "bus", "yes", "this", "its", "his", "has", "was"),
        *("does", "is", "as", "us", "thus", "plus", "chaos", "lens", "bias", "atlas", "canvas", "alias", "census"),
        *("virus", "status", "focus", "campus", "bonus", "consensus"),
    }
)
_ISE = re.compile(r"^(.{3,})is(e|ed|er|ing)$")
_YSE = re.compile(r"^(.+)ys(e|ed|er|ing)$")
_OUR = re.compile(r"^(.{2,})our(al|ally|ed|ing|able|ite|er|ful|less)?$")
_OUR_KEEP = frozenset(
    {"four", "hour", "your", "tour", "pour", "sour", "flour", "detour", "contour", "devour", "scour", "amour"}
)
_RE = re.compile(r"^(.*)(cent|met|lit|fib|theat|calib|somb|spect|lust|meag)re$")
_LL = re.compile(
    r"^(.*(?:model|label|travel|cancel|fuel|signal|channel|counsel|level|total|tunnel|jewel|dial))l(ing|ed|er)$"
)
_AE = re.compile(r"(?<=[a-z])ae(?=[a-z])")
_OE = re.compile(r"(diarrhoe|foet|oedem|oesoph|oestr|manoeuv|coeliac|amoeb|homoeo|apnoe|dyspnoe|gonorrhoe)")


def fold(word: str) -> str:
    """Lowercase without accents (niño → nino), as Scopus matches them."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.endswith("s") or word in _KEEP_S or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    return word[:-1]


def us_spelling(word: str) -> str:
    """British → American spelling on common suffixes; applied to query and text alike."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if "isation" in word:
        word = word.replace("isation", "ization")
    elif (m := _ISE.match(word)) is not None:
        word = f"{m.group(1)}iz{m.group(2)}"
    elif (m := _YSE.match(word)) is not None:
        word = f"{m.group(1)}yz{m.group(2)}"
    elif word not in _OUR_KEEP and (m := _OUR.match(word)) is not None:
        word = f"{m.group(1)}or{m.group(2) or ''}"
    elif (m := _RE.match(word)) is not None:
        word = f"{m.group(1)}{m.group(2)}er"
    elif (m := _LL.match(word)) is not None:
        word = f"{m.group(1)}{m.group(2)}"
    if "ae" in word:
        word = _AE.sub("e", word)
    if "oe" in word and _OE.search(word):
        word = word.replace("oe", "e")
    return word


def normalise_word(word: str) -> str:
    """The form a loose phrase compares on: folded, singular, US spelling."""
    return us_spelling(singular(fold(word)))


def normalise_prefix(prefix: str) -> str:
    """A wildcard stem (``behaviour*``): spelling rules that are safe on a word's beginning only."""
    p = fold(prefix)
    if p.endswith("our") and len(p) > 4 and p not in _OUR_KEEP:
        p = p[:-3] + "or"
    if "isation" in p:
        p = p.replace("isation", "ization")
    if "ae" in p:
        p = _AE.sub("e", p)
    if "oe" in p and _OE.search(p):
        p = p.replace("oe", "e")
    return p


class NormCache(dict):
    """word → normal form, filled on first sight; the vocabulary is small next to the text volume."""

    def __missing__(self, word: str) -> str:
        value = normalise_word(word)
        if len(self) < 2_000_000:
            self[word] = value
        return value


NORM = NormCache()  # shared: normalisation is a pure function of the word


def tokenise(text: str) -> list[str]:
    """Lowercase word tokens (NFKC first); punctuation and hyphens split, possessive 's dropped."""
    return TOKEN_RE.findall(POSSESSIVE_RE.sub("", unicodedata.normalize("NFKC", text).lower()))


# A run of other characters that is not already one space (one space is the commonest separator: left alone)
_SEPARATORS = f"[^{TOKEN_CHARS_RUST}]*[^{TOKEN_CHARS_RUST} ][^{TOKEN_CHARS_RUST}]*|  +"


def token_texts(texts: pl.Series) -> pl.Series:
    """:func:`tokenise` for a whole column at once, in polars: each text's tokens joined by single spaces
    (the runs of other characters become one space), far less Python than a list per text."""
    texts = texts.cast(pl.String).fill_null("")
    unicode = texts.str.len_bytes() != texts.str.len_chars()  # NFKC leaves ASCII as it is: normalise the rest
    if unicode.any():  # Python's NFKC, as tokenise's: it returns a text already in that form after a quick check
        nfkc = [unicodedata.normalize("NFKC", t) for t in texts.filter(unicode).to_list()]
        texts = texts.scatter(unicode.arg_true(), pl.Series(nfkc, dtype=pl.String))
    lowered = texts.str.to_lowercase().str.replace_all(POSSESSIVE_RE.pattern, "")
    return lowered.str.replace_all(_SEPARATORS, " ").str.strip_chars(" ")


def tokenise_query(text: str) -> list[str]:
    """Like :func:`tokenise` but keeps the wildcards ``*`` and ``?`` inside words."""
    return QUERY_TOKEN_RE.findall(POSSESSIVE_RE.sub("", text.lower()))
