"""The one renderer of an overall score's formula (impactrank.i18n.formula) over the engine's terms: each shape
(single-year, averaged, a year dropping out, THE's two-year rule reproduced) in English, French and Spanish, with
the reader's decimals, SDG labels and words, from the terms or from their dictionary (the API's form)."""

from __future__ import annotations

import re

import pytest

from i18n_words import ENGLISH_WORDS
from impactrank.engine.tables.formula import Formula, SdgTerm, Value, YearTerm
from impactrank.i18n.formula import formula

SDGS = dict(
    required_weight=0.22,
    required=SdgTerm(17, Value(64.5, 73.4, 1)),
    best_weight=0.26,
    best=(SdgTerm(8, Value(71.4, 80.3, 1)), SdgTerm(9, Value(85.7, 85.9, 1))),
)
SDG_TEXT = {
    "en": "0.22 × 64.5–73.4 (SDG 17) + 0.26 × (71.4–80.3 (SDG 8) + 85.7–85.9 (SDG 9))",
    "fr": "0,22 × 64,5–73,4 (ODD 17) + 0,26 × (71,4–80,3 (ODD 8) + 85,7–85,9 (ODD 9))",
    "es": "0,22 × 64,5–73,4 (ODS 17) + 0,26 × (71,4–80,3 (ODS 8) + 85,7–85,9 (ODS 9))",
}


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text)) & set(ENGLISH_WORDS)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_reproduced_two_year_rule_in_each_language(lang):
    terms = Formula(
        **SDGS,
        single_year=None,
        total=Value(82.9, 85.7, 1),
        years=(YearTerm("", 0.5, None), YearTerm("2022", 0.5, Value(76.9, 82.0, 1))),
    )
    tail = {
        "en": "0.5 × 76.9–82.0 (2022 single-year) = 82.9–85.7",
        "fr": "0,5 × 76,9–82,0 (2022 sur une année) = 82,9–85,7",
        "es": "0,5 × 76,9–82,0 (2022 de un año) = 82,9–85,7",
    }[lang]
    said = formula(terms, lang)
    assert said == f"{'0.5' if lang == 'en' else '0,5'} × [{SDG_TEXT[lang]}] + {tail}"
    assert formula(terms.to_dict(), lang) == said  # the API's form says the same
    assert lang == "en" or not english_words(said)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_single_year_averaged_and_dropped_years_in_each_language(lang):
    single = Formula(**SDGS, single_year=Value.of(77.04, 1), total=Value.of(77.04, 1))
    assert formula(single, lang) == f"{SDG_TEXT[lang]} = {'77.0' if lang == 'en' else '77,0'}"
    averaged = formula(
        Formula(
            **SDGS,
            single_year=Value.of(61, 1),
            total=Value.of(74, 1),
            years=(YearTerm("", 0.5, Value.of(61, 1)), YearTerm("2022", 0.5, Value.of(87, 1))),
            dropped=("2021",),
        ),
        lang,
    )
    assert (
        averaged
        == SDG_TEXT[lang]
        + {
            "en": " = 61.0 (single-year); published = 0.5 × 61.0 (this edition) + 0.5 × 87.0 (edition 2022) = 74.0; "
            "edition 2021 drops out: not in its overall table",
            "fr": " = 61,0 (sur une année)\u202f; publié = 0,5 × 61,0 (cette édition) + 0,5 × 87,0 (édition 2022) = "
            "74,0\u202f; l’édition 2021 ne compte pas\u00a0: absente de son classement général",
            "es": " = 61,0 (de un año); publicado = 0,5 × 61,0 (esta edición) + 0,5 × 87,0 (edición 2022) = 74,0; "
            "la edición 2021 no cuenta: no figura en su clasificación general",
        }[lang]
    )
    newcomer = formula(Formula(**SDGS, single_year=Value.of(37, 1), total=Value.of(37, 1), dropped=("2022",)), lang)
    assert (
        newcomer
        == SDG_TEXT[lang]
        + {
            "en": " = 37.0 (single-year; not in the overall table of edition 2022, so it is the published score)",
            "fr": " = 37,0 (sur une année\u202f; absent du classement général de l’édition 2022, c’est donc le score "
            "publié)",
            "es": " = 37,0 (de un año; ausente de la clasificación general de la edición 2022, es por tanto la "
            "puntuación publicada)",
        }[lang]
    )
    for said in (averaged, newcomer):
        assert lang == "en" or not english_words(said), said
    assert formula(None, lang) == ""


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_year_whose_edition_was_not_given_is_counted_back(lang):
    """A build not given last year's edition: the year that drops out is named by how far back it is, with the
    language's plural."""
    averaged = formula(Formula(**SDGS, single_year=Value.of(61, 1), total=Value.of(61, 1), dropped_back=(1, 2)), lang)
    assert (
        averaged
        == SDG_TEXT[lang]
        + {
            "en": " = 61.0 (single-year; no edition 1 year back was given, so it is the published score)",
            "fr": " = 61,0 (sur une année\u202f; aucune édition d’il y a 1 an n’a été donnée, c’est donc le score "
            "publié)",
            "es": " = 61,0 (de un año; no se dio la edición de hace 1 año, es por tanto la puntuación publicada)",
        }[lang]
    )
    two = formula(
        Formula(
            **SDGS,
            single_year=Value.of(61, 1),
            total=Value.of(70, 1),
            years=(YearTerm("", 0.5, Value.of(61, 1)), YearTerm("2022", 0.5, Value.of(79, 1))),
            dropped_back=(2,),
        ),
        lang,
    )
    assert two.endswith(
        {
            "en": "= 70.0; the edition 2 years back drops out: none was given",
            "fr": "= 70,0\u202f; l’édition d’il y a 2 ans ne compte pas\u00a0: aucune n’a été donnée",
            "es": "= 70,0; la edición de hace 2 años no cuenta: no se dio ninguna",
        }[lang]
    )
    assert lang == "en" or not english_words(averaged + two)
