"""A methodology naming a method the engine does not know is refused, the kind of method (a registry's catalog
entry) and the known ones worded in the reader's language."""

from __future__ import annotations

import re

import pytest

from i18n_words import ENGLISH_WORDS
from impactrank.engine.checks import check_methodology
from impactrank.engine.scoring.missing import MISSING_RULES
from impactrank.engine.tables.ranking import TIE_RULES
from impactrank.errors import InputError
from impactrank.methodology import load_methodology

KIND = {  # each registry's kind as each language names it
    "missing_rule": {"en": "missing-data rule", "fr": "règle des données manquantes", "es": "regla de datos ausentes"},
    "ranking.tie_rule": {"en": "tie rule", "fr": "règle des ex æquo", "es": "regla de empates"},
}
SAID = {
    "en": "unknown {kind} method 'guess' (known: {known})",
    "fr": "méthode 'guess' inconnue pour «\u00a0{kind}\u00a0» (connues\u00a0: {known})",
    "es": "método 'guess' desconocido para «{kind}» (conocidos: {known})",
}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_an_unknown_method_is_refused_in_the_readers_language(lang):
    m = load_methodology("the-2023")
    cases = {
        "missing_rule": (m.model_copy(update={"missing_rule": "guess"}), MISSING_RULES),
        "ranking.tie_rule": (
            m.model_copy(update={"ranking": m.ranking.model_copy(update={"tie_rule": "guess"})}),
            TIE_RULES,
        ),
    }
    for field, (methodology, registry) in cases.items():
        with pytest.raises(InputError) as caught:
            check_methodology(methodology, "mine.yaml")
        said = caught.value
        assert (said.file, said.field) == ("mine.yaml", field)
        known = ", ".join(sorted(registry))
        assert said.text(lang, located=False) == SAID[lang].format(kind=KIND[field][lang], known=known)
        words = set(re.findall(r"[A-Za-z]+", said.text(lang, located=False).replace(known, "")))
        assert lang == "en" or not words & set(ENGLISH_WORDS), words
