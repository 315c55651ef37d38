"""Country names as ranking tables spell them, to ISO alpha-2."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impactrank.countries import to_alpha2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Taiwan", "TW"),
        ("臺灣", "TW"),
        ("Hong Kong", "HK"),
        ("Macao", "MO"),
        ("Russian Federation", "RU"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Czech Republic", "CZ"),
        ("Iran", "IR"),
        ("Palestine", "PS"),
        ("South Korea", "KR"),
        ("Curaçao", "CW"),
        ("Kosovo", "XK"),
        ("Turks and Caicos Islands", "TC"),
        ("United States", "US"),
        ("  united   kingdom ", "GB"),
        ("Côte d’Ivoire", "CI"),
        ("fr", "FR"),
        ("Brunei Darussalam", "BN"),
        ("Northern Cyprus", "CY"),
    ],
)
def test_spellings(text, code):
    assert to_alpha2(text) == code


@pytest.mark.parametrize("text", ["", "   ", None, "Atlantis", "004", "zz"])
def test_unresolved(text):
    assert to_alpha2(text) is None


@given(st.text())
def test_never_crashes(text):
    code = to_alpha2(text)
    assert code is None or (len(code) == 2 and code.isupper())
