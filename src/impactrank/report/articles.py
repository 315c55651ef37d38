"""Institution names in running text with the article a press writer gives them: "L'Université PSL se classe…",
"à égalité avec l'École des Mines…", "la Universidad de Chile", "del Tecnológico de Monterrey", "with the
University of Tokyo". The name itself is never altered, only preceded.

A name takes an article when its first word is a common noun: a French or Spanish head word from the lists
below (matched without regard to case or accents), or in English "University of", "Institute of" …. A name
that begins with a proper noun, an acronym or a foreign word ("IMT Atlantique", "Nantes Université",
"CentraleSupélec", "Harvard University") stays bare: the writer cannot know its article, and a bare name is
correct French, Spanish and English. In French the head's gender also decides the pronoun and agreement
("Elle est première"); a bare name is "l'établissement", masculine.
"""

from __future__ import annotations

import unicodedata

# French head words → (article, feminine). "l'" before a vowel or a mute h; the first word only, so that
# "Nantes Université" (a proper noun first) stays bare.
_FR = {
    "universite": ("l'", True),
    "ecole": ("l'", True),
    "academie": ("l'", True),
    "institut": ("l'", False),
    "observatoire": ("l'", False),
    "etablissement": ("l'", False),
    "hopital": ("l'", False),
    "centre": ("le", False),
    "college": ("le", False),
    "conservatoire": ("le", False),
    "museum": ("le", False),
    "faculte": ("la", True),
    "fondation": ("la", True),
    "communaute": ("la", True),  # "la Communauté Université Grenoble Alpes"
}

# Spanish head words → article. "Pontificia Universidad …" and "Benemérita Universidad …" take the noun's
# article; a Catalan or Portuguese "Universitat", "Universidade" is "la" in Spanish press as well.
_ES = {
    "universidad": "la",
    "universitat": "la",
    "universidade": "la",
    "pontificia": "la",
    "benemerita": "la",
    "escuela": "la",
    "academia": "la",
    "facultad": "la",
    "fundacion": "la",
    "corporacion": "la",  # "la Corporación Universitaria …"
    "institucion": "la",  # "la Institución Universitaria …"
    "instituto": "el",
    "colegio": "el",
    "centro": "el",
    "tecnologico": "el",
    "politecnico": "el",
}

# English names that read as a common noun phrase: "the University of Tokyo"; "Harvard University" does not.
_EN = ("university of", "institute of", "college of", "academy of", "school of")


def _key(word: str) -> str:
    """ "École" → "ecole": the lists match without case or accents (THE writes "Universite" too)."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)).casefold()


def _head(name: str) -> str:
    """The first word, as a key; a word joined by a hyphen ("Centre-Val de Loire …") is no head noun."""
    words = name.split(maxsplit=1)
    return _key(words[0].rstrip(",;:")) if words else ""


def article(name: str, lang: str) -> str:
    """The definite article ``name`` takes in running text, lower case: "l'", "le", "la", "el", "the"; "" for a
    bare name."""
    if lang == "fr":
        return _FR.get(_head(name), ("", False))[0]
    if lang == "es":
        return _ES.get(_head(name), "")
    if lang == "en":
        return "the" if name.casefold().startswith(_EN) else ""
    return ""


def _joined(art: str, name: str) -> str:
    return f"{art}{name}" if art.endswith("'") else f"{art} {name}" if art else name


def the(name: str, lang: str, capital: bool = False) -> str:
    """ "Université PSL" → "l'Université PSL" ("L'Université PSL" at a sentence's start); "Universidad de
    Chile" → "la Universidad de Chile"; "University of Tokyo" → "the University of Tokyo"; a bare name as
    it is."""
    art = article(name, lang)
    if capital:
        art = art[:1].upper() + art[1:]
    return _joined(art, name)


def the_all(names: list[str], lang: str, capital: bool = False) -> list[str]:
    """Each name with its article, for a list ("l'Université PSL et l'École …"); only the first is capitalised."""
    return [the(name, lang, capital and i == 0) for i, name in enumerate(names)]


_OF = {"fr": {"le": "du", "la": "de la", "l'": "de l'"}, "es": {"el": "del", "la": "de la"}}


def of(name: str, lang: str) -> str:
    """After "de" / "of", contracted: "du Centre …", "de l'Université …", "del Instituto …", "de la
    Universidad …", "of the University of …"; a bare name "de Nantes Université", elided before a vowel in
    French ("d'IMT")."""
    if lang == "en":
        return f"of {the(name, lang)}"
    art = article(name, lang)
    if art:
        return _joined(_OF[lang][art], name)
    return f"d'{name}" if lang == "fr" and _key(name[:1]) in "aeiouy" and name[:1] else f"de {name}"


def feminine(name: str, lang: str) -> bool:
    """Whether the name's head noun is feminine ("Université …" → "Elle est première … classée"); a bare name
    stands for "l'établissement" (fr) or "la institución" (es)."""
    if lang == "fr":
        return _FR.get(_head(name), ("", False))[1]
    if lang == "es":
        return _ES.get(_head(name), "la") == "la"
    return False
