"""Acceptance of the dashboard's languages: every page type rendered in English, French and Spanish has no
untranslated catalog entry behind it, no English interface word left in French or Spanish once the data is
taken out (tests/i18n_words.py), and only numbers written in the page's own language."""

from __future__ import annotations

import re
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from i18n_words import ENGLISH_WORDS, catalog, messages_of, untranslated

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LANGS = ("en", "fr", "es")
MINI_PAGES = {  # every page type, on the hand-computed mini editions
    "editions": "/editions",
    "overall table": "/editions/2021?country=FR",
    "SDG table": "/editions/2021/sdgs/1",
    "institution": "/editions/2021/institutions/A",
    "country": "/editions/2021/countries/FR",
    "group": "/editions/2021/groups/Network",
    "comparison": "/compare?before=2020&after=2021&group=Network",
    "error": "/no-such-page",
    "error: no such edition": "/editions/1999",  # a user error (InputError), its message from the catalog
    "error: no such institution": "/editions/2021/institutions/ZZ",
    "error: no such page of a table": "/editions/2021?page=99",
    "error: no such group": "/editions/2021/groups/Nobody",
}
# A number in another language's style: an English decimal point or thousands comma, a decimal comma in
# English, CLDR's French narrow no-break space elsewhere, a percent sign glued to its number or not.
FOREIGN_NUMBERS = {
    "en": re.compile(r"\d,\d{1,2}(?!\d)|\d\u202f\d|\d\u00a0%"),
    "fr": re.compile(r"\d\.\d|\d,\d{3},\d|\d%"),
    "es": re.compile(r"\d\.\d{1,2}(?!\d)|\d\u202f\d|\d%"),
}
URL = re.compile(r"/\S*")


class _Text(HTMLParser):
    """The text a reader sees (and the title), scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str, data: list[str]) -> str:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    for name in sorted({d for d in data if d.strip()}, key=len, reverse=True):  # data speaks its own language
        text = text.replace(name, " ")
    return URL.sub(" ", text)


def in_language(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def check_page(html: str, lang: str, data: list[str]) -> list[str]:
    """What is wrong with a page in ``lang``: its declared language, English words, foreign numbers."""
    problems = []
    if f'<html lang="{lang}">' not in html:
        problems.append("<html lang> is not the page's language")
    text = visible_text(html, data)
    if lang != "en":
        words = sorted({w for w in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})
        if words:
            problems.append(f"English words {words}")
        sdg = {"fr": "ODD", "es": "ODS"}[lang]
        if "SDG" in text or (re.search(r"\bOD[DS]\b", text) and sdg not in text):
            problems.append(f"SDG labels are not {sdg}")
    foreign = FOREIGN_NUMBERS[lang].findall(text)
    if foreign:
        problems.append(f"numbers in another language's style {foreign[:5]}")
    return problems


def test_every_dashboard_message_is_translated():
    dashboard = messages_of("/web/")
    assert len(dashboard) > 100
    for locale in ("fr", "es"):
        left = untranslated(dashboard, locale)
        assert left == [], f"untranslated in {locale}: {left}"


def test_the_word_list_comes_from_the_englishcatalog():
    english = " ".join(m.id if isinstance(m.id, str) else " ".join(m.id) for m in catalog("en") if m.id)
    assert [w for w in ENGLISH_WORDS if not re.search(rf"\b{re.escape(w)}\b", english)] == []


def _data(editions) -> list[str]:
    names = []
    for e in editions:
        names += [n for n in e.institutions["name"].drop_nulls().to_list()]
        names += [g for gs in e.institutions["groups"].drop_nulls().to_list() for g in gs.split(";") if g]
        names += [e.source]
        if e.metric_scores.height:
            names += e.metric_scores["metric"].unique().to_list()
        # the methodology's metric labels, THE's English words marked lang="en" on the page
        names += [m["label"] for s in (e.methodology or {}).get("sdgs", []) for m in s["metrics"] if m.get("label")]
    return names


@pytest.mark.parametrize("lang", LANGS)
def test_mini_pages_in_each_language(client, editions, lang):
    reader = TestClient(client.app)
    data = _data(editions.values())
    problems = {}
    for name, url in MINI_PAGES.items():
        page = reader.get(in_language(url, lang))
        assert page.status_code == (404 if name.startswith("error") else 200), (name, page.text[:300])
        found = check_page(page.text, lang, data)
        if found:
            problems[name] = found
    assert problems == {}


def test_french_and_spanish_pages_say_it_their_way(client):
    reader = TestClient(client.app)
    fr = reader.get("/editions/2021/countries/FR?lang=fr").text
    assert "<h1>France, édition 2021</h1>" in fr
    assert 'href="/report?edition=2021&amp;country=FR&amp;lang=fr"' in fr
    assert '<html lang="fr">' in fr and 'hreflang="es" href="/editions/2021/countries/FR?lang=es"' in fr
    es = reader.get("/editions/2021/countries/DE?lang=es").text
    assert "<h1>Alemania, edición 2021</h1>" in es and "lang=es" in es
    overall = reader.get("/editions/2021?lang=fr").text
    assert 'aria-label="ODD 1"' in overall and ">Allemagne</a>" in overall


def test_published_pages_in_each_language(the_tables, tmp_path_factory):
    """The real 2021 edition as THE published it: an institution (IMT Atlantique), its what-if, France and an
    SDG table, each in every language."""
    from impactrank.io.workspace import Workspace
    from impactrank.web.app import create_app

    path = tmp_path_factory.mktemp("i18n") / "ws.duckdb"
    with Workspace(path) as ws:
        for edition in the_tables.editions:
            ws.save(edition)
    client = TestClient(create_app(path))
    e2021 = next(e for e in the_tables.editions if e.id == "2021")
    imt = e2021.institutions.filter(e2021.institutions["name"] == "IMT Atlantique")["institution_id"][0]
    urls = {
        "institution": f"/editions/2021/institutions/{imt}",
        "what-if": f"/editions/2021/institutions/{imt}/whatif?s13=70",
        "country": "/editions/2021/countries/FR",
        "SDG table": "/editions/2021/sdgs/17?country=FR",
        "overall table": "/editions/2021?country=FR",
        "comparison": "/compare?before=2020&after=2021&country=FR",
        "editions": "/editions",
        "error: no overall table": "/editions/2019",  # THE published SDG tables only that year
    }
    data = _data(the_tables.editions)
    problems = {}
    for lang in LANGS:
        for name, url in urls.items():
            page = client.get(in_language(url, lang))
            assert page.status_code == (404 if name.startswith("error") else 200), (name, lang, page.text[:300])
            found = check_page(page.text, lang, data)
            if found:
                problems[f"{name} ({lang})"] = found
    assert problems == {}


def test_the_checks_find_english_and_english_numbers(client, editions):
    """The detector itself: the English overall table read as if it were French is caught on each count."""
    english = TestClient(client.app).get("/editions/2021?lang=en").text.replace('lang="en"', 'lang="fr"')
    found = check_page(english, "fr", _data(editions.values()))
    assert len(found) == 3 and found[0].startswith("English words") and found[2].startswith("numbers")


def test_why_thes_formula_cannot_be_reproduced_in_each_language(the_tables, tmp_path):
    """THE's 2023 edition alone: its two-year average needs 2022, so IMT Atlantique's page says why the formula
    cannot be reproduced, in the page's language (the API keeps the English message)."""
    from impactrank.io.workspace import Workspace
    from impactrank.web.app import create_app

    e2023 = next(e for e in the_tables.editions if e.id == "2023")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.save(e2023)
    client = TestClient(create_app(tmp_path / "ws.duckdb"))
    imt = e2023.institutions.filter(e2023.institutions["name"] == "IMT Atlantique")["institution_id"][0]
    url = f"/editions/2023/institutions/{imt}"
    api = client.get(f"/api{url}").json()["not_reproduced"]
    assert api.startswith("edition 2023's published overall scores are not reproduced by the single-year rule")
    said = {}
    for lang in ("fr", "es"):
        page = client.get(in_language(url, lang)).text
        said[lang] = re.search(r'<p id="formula-missing">(.*?)</p>', page, re.S)[1]
        assert check_page(page, lang, _data([e2023])) == [], lang
    assert said["fr"].startswith("La formule globale de THE ne peut pas être reproduite ici\u00a0: les scores globaux")
    assert said["es"].startswith("La fórmula global de THE no puede reproducirse aquí: las puntuaciones generales")
