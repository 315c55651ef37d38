"""French and English numbers, ranks and punctuation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impactrank.report import typography as ty

NB, NNB = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        (1115, "1,115", f"1{NNB}115"),
        (766, "766", "766"),
        (100000, "100,000", f"100{NNB}000"),
        (1234567, "1,234,567", f"1{NNB}234{NNB}567"),
    ],
)
def test_thousands(value, en, fr):
    assert ty.number(value, "en") == en
    assert ty.number(value, "fr") == fr


def test_decimals_and_percent():
    assert ty.number(39.25, "fr", 1) in ("39,2", "39,3")  # float rounding of the half; never "39.2"
    assert ty.percent(45.56, "en") == "45.6%"
    assert ty.percent(45.56, "fr") == f"45,6{NB}%"
    assert ty.signed_percent(45.6, "en") == "+46%"
    assert ty.signed_percent(-3.2, "fr") == f"−3{NB}%"


@pytest.mark.parametrize(
    ("n", "en", "fr"),
    [
        (1, "1st", "1er"),
        (2, "2nd", "2e"),
        (3, "3rd", "3e"),
        (4, "4th", "4e"),
        (11, "11th", "11e"),
        (12, "12th", "12e"),
        (13, "13th", "13e"),
        (21, "21st", "21e"),
        (55, "55th", "55e"),
        (112, "112th", "112e"),
    ],
)
def test_ordinals(n, en, fr):
    assert ty.ordinal(n, "en") == en
    assert ty.ordinal(n, "fr") == fr


def test_rank_phrases():
    assert ty.rank_phrase("=12", "en") == "joint 12th"
    assert ty.rank_phrase("=12", "fr") == "12e ex æquo"
    assert ty.rank_phrase("101–200", "fr") == "101–200"
    assert ty.rank_phrase("1", "en") == "1st"


def test_french_punctuation():
    text = ty.french_punctuation('Résultat: 3 écoles; bravo! Vraiment? Le "top 200" à 12:30 sur https://x.fr/a:b')
    assert text == (
        f"Résultat{NB}: 3 écoles{NNB}; bravo{NNB}! Vraiment{NNB}? Le «{NB}top 200{NB}» à 12:30 sur https://x.fr/a:b"
    )
    assert ty.french_punctuation("« Faim zéro »") == f"«{NB}Faim zéro{NB}»"
    assert ty.french_punctuation(f"x{NB}: y") == f"x{NB}: y"  # idempotent on already spaced text


@given(st.text(alphabet="ab :;!?«» 12", max_size=40))
def test_french_punctuation_is_idempotent(text):
    once = ty.french_punctuation(text)
    assert ty.french_punctuation(once) == once


def test_english_punctuation_removes_spaces_before_marks():
    assert ty.english_punctuation(f"Result : 3 schools ; 45{NB}%") == "Result: 3 schools; 45%"


def test_join_names_and_institutions_of():
    assert ty.join_names(["A", "B", "C"], "en") == "A, B and C"
    assert ty.join_names(["A", "B"], "fr") == "A et B"
    assert ty.institutions_of("FR", "France", "fr") == "établissements français"
    assert ty.institutions_of("FR", "France", "en") == "French institutions"
    assert ty.institutions_of("BT", "Bhutan", "en") == "institutions in Bhutan"
    with pytest.raises(ValueError):
        ty.join_names(["A", "B"], "de")


def test_first_feminine_and_ordinals_of_large_numbers():
    assert ty.ordinal(1, "fr", feminine=True) == "1re"
    assert ty.ordinal(1, "fr") == "1er" and ty.ordinal(1, "en", feminine=True) == "1st"
    assert ty.ordinal(1115, "fr") == f"1{NNB}115e"  # thousands as French writes them
    assert ty.ordinal(1115, "en") == "1,115th"
    # the teens of each hundred take "th"; the other tens their last digit's suffix
    assert [ty.ordinal(n, "en") for n in (10, 20, 111, 121, 122, 1011, 1023)] == [
        "10th",
        "20th",
        "111th",
        "121st",
        "122nd",
        "1,011th",
        "1,023rd",
    ]


def test_no_growth_shows_a_plus_sign():
    assert ty.signed_percent(0, "en") == "+0%"
    assert ty.signed_percent(0.4, "en") == "+0%"
    assert ty.signed_percent(0.4, "fr") == f"+0{NB}%"


def test_empty_inputs_give_empty_text():
    assert ty.rank_phrase(None, "en") == "" and ty.rank_phrase("", "fr") == ""
    assert ty.join_names([], "en") == "" and ty.join_names(["A"], "fr") == "A"


def test_an_unknown_language_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"^language must be one of en, fr, es, not 'de'$"):
        ty.number(1, "de")
    assert ty.number(1117, "es") == "1117" and ty.number(11170, "es") == "11.170" and ty.ordinal(55, "es") == "55.º"
    assert ty.percent_range(39.2, 52.1, "fr") == f"39,2–52,1{NB}%" and ty.percent_range(9.0, 17.9, "en") == "9.0–17.9%"
    assert ty.rank_phrase("=12", "es") == "12.º ex aequo" and ty.join_names(["A", "B"], "es") == "A y B"


def test_institution_of_in_the_singular():
    # French adjectives in -ais/-ois are the same in the singular; others lose the plural "s"
    assert ty.institution_of("FR", "France", "fr") == "établissement français"
    assert ty.institution_of("cn", "Chine", "fr") == "établissement chinois"
    assert ty.institution_of("DE", "Allemagne", "fr") == "établissement allemand"
    assert ty.institution_of("GB", "Royaume-Uni", "fr") == "établissement britannique"
    assert ty.institution_of("XX", "Ruritanie", "fr") == "établissement du pays « Ruritanie »"
    assert ty.institution_of("fr", "France", "en") == "French institution"
    assert ty.institution_of("XX", "Ruritania", "en") == "institution in Ruritania"
    assert ty.institutions_of("XX", "Ruritanie", "fr") == "établissements du pays « Ruritanie »"
    assert ty.institutions_of("de", "Germany", "en") == "German institutions"
