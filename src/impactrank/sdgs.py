"""The 17 UN Sustainable Development Goals: their short names in English, French and Spanish, and the reading of a
goal's name as spreadsheets and scraped tables write it ("Industry, Innovation, and Infrastructure",
"Reducing inequalities", "Faim zéro", "SDG 13: Climate action")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

N_SDGS = 17

# Short names, as the UN and THE use them.
SDG_NAMES: dict[str, dict[int, str]] = {
    "en": {
        1: "No poverty",
        2: "Zero hunger",
        3: "Good health and well-being",
        4: "Quality education",
        5: "Gender equality",
        6: "Clean water and sanitation",
        7: "Affordable and clean energy",
        8: "Decent work and economic growth",
        9: "Industry, innovation and infrastructure",
        10: "Reduced inequalities",
        11: "Sustainable cities and communities",
        12: "Responsible consumption and production",
        13: "Climate action",
        14: "Life below water",
        15: "Life on land",
        16: "Peace, justice and strong institutions",
        17: "Partnerships for the goals",
    },
    "fr": {
        1: "Pas de pauvreté",
        2: "Faim « zéro »",
        3: "Bonne santé et bien-être",
        4: "Éducation de qualité",
        5: "Égalité entre les sexes",
        6: "Eau propre et assainissement",
        7: "Énergie propre et d'un coût abordable",
        8: "Travail décent et croissance économique",
        9: "Industrie, innovation et infrastructure",
        10: "Inégalités réduites",
        11: "Villes et communautés durables",
        12: "Consommation et production responsables",
        13: "Lutte contre les changements climatiques",
        14: "Vie aquatique",
        15: "Vie terrestre",
        16: "Paix, justice et institutions efficaces",
        17: "Partenariats pour la réalisation des objectifs",
    },
    "es": {
        1: "Fin de la pobreza",
        2: "Hambre cero",
        3: "Salud y bienestar",
        4: "Educación de calidad",
        5: "Igualdad de género",
        6: "Agua limpia y saneamiento",
        7: "Energía asequible y no contaminante",
        8: "Trabajo decente y crecimiento económico",
        9: "Industria, innovación e infraestructura",
        10: "Reducción de las desigualdades",
        11: "Ciudades y comunidades sostenibles",
        12: "Producción y consumo responsables",
        13: "Acción por el clima",
        14: "Vida submarina",
        15: "Vida de ecosistemas terrestres",
        16: "Paz, justicia e instituciones sólidas",
        17: "Alianzas para lograr los objetivos",
    },
}

# Other wordings seen in THE's tables and the UN's French texts.
_VARIANTS: dict[int, tuple[str, ...]] = {
    2: ("Faim zéro", "Éliminer la faim"),
    3: ("Good health and wellbeing", "Good health", "Bonne santé"),
    7: ("Énergie propre et abordable", "Énergie propre et d'un coût abordable"),
    9: ("Industry, innovation and infrastructures", "Industrie, innovation et infrastructures"),
    10: ("Reducing inequalities", "Reduced inequality", "Réduction des inégalités", "Inégalités réduites"),
    12: ("Consommation et production durables",),
    13: ("Mesures relatives à la lutte contre les changements climatiques", "Action climatique"),
    14: ("Vie aquatique marine",),
    16: ("Paix, justice et institutions fortes",),
    17: ("Partnership for the goals", "Partenariats pour les objectifs"),
}

_NUMBERED = re.compile(r"(sdg|odd|goal|objectif)?\s*0*(\d{1,2})\b\s*[:.)–-]?\s*(.*)")
_STOP = {"and", "et", "the", "for", "of", "de", "des", "du", "la", "le", "les", "pour", "d", "l", "un", "une"}


def _key(text: str) -> str:
    """Words of a name with case, accents, punctuation, "&" and small linking words folded away."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w for w in words if w not in _STOP)


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    index: dict[str, int] = {}
    for names in SDG_NAMES.values():
        for number, name in names.items():
            index[_key(name)] = number
    for number, names in _VARIANTS.items():
        for name in names:
            index[_key(name)] = number
    return index


def sdg_from_name(text: str | None) -> int | None:
    """The goal a header or label names, or None. A number ("SDG 13", "13 – Climate action") must agree with
    the name when both are given; "SDG 5" alone names goal 5, a bare "5" names nothing."""
    if not isinstance(text, str) or not text.strip():
        return None
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    number = None
    if m := _NUMBERED.fullmatch(folded):
        if not m.group(1) and not m.group(3):
            return None
        number, folded = int(m.group(2)), m.group(3)
        if not 1 <= number <= N_SDGS:
            return None
    named = _index().get(_key(folded)) if folded else None
    if number is None:
        return named
    return number if named in (None, number) and (named is not None or not folded) else None
