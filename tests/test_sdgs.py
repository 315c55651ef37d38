"""The goals named as spreadsheets and scraped tables write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impactrank.sdgs import SDG_NAMES, sdg_from_name


@pytest.mark.parametrize(
    ("text", "sdg"),
    [
        ("Industry, Innovation, and Infrastructure", 9),
        ("Industry & innovation and infrastructure", 9),
        ("Reducing inequalities", 10),
        ("Good health and well-being", 3),
        ("GOOD HEALTH & WELL-BEING", 3),
        ("Partnerships for the goals", 17),
        ("Life on land", 15),
        ("Faim zéro", 2),
        ("Faim « zéro »", 2),
        ("Vie terrestre", 15),
        ("Paix, justice et institutions efficaces", 16),
        ("SDG 13: Climate action", 13),
        ("13 – Climate action", 13),
        ("SDG 5", 5),
        ("ODD 15", 15),
    ],
)
def test_goal_names(text, sdg):
    assert sdg_from_name(text) == sdg


@pytest.mark.parametrize(
    "text", ["Overall", "Best scores by rank", "5", "2020", "SDG 12 Climate action", "SDG 18", "Banana", "", None]
)
def test_not_goal_names(text):
    assert sdg_from_name(text) is None


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("sdg", range(1, 18))
def test_every_official_name_in_both_languages(lang, sdg):
    assert sdg_from_name(SDG_NAMES[lang][sdg]) == sdg


@given(st.sampled_from(range(1, 18)), st.sampled_from(["en", "fr"]), st.data())
def test_case_and_punctuation_do_not_matter(sdg, lang, data):
    name = SDG_NAMES[lang][sdg]
    upper = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    varied = "".join(c.upper() if u else c.lower() for c, u in zip(name, upper, strict=True))
    varied = varied.replace(" and ", data.draw(st.sampled_from([" and ", " & ", ", and "])))
    assert sdg_from_name(varied) == sdg


@given(st.text(max_size=60))
def test_any_text_names_a_goal_or_nothing(text):
    assert sdg_from_name(text) in (None, *range(1, 18))
