"""Acceptance of the reports' and summaries' languages, on THE's real 2020 and 2021 tables: the HTML report (its
charts included) and the summaries of the IMT group, of France and of the whole table, in English, French and
Spanish, have no untranslated catalog entry behind them, no English interface word left in French or Spanish once
the data is taken out (tests/i18n_words.py and tests/report/report_words.py), and only numbers written in their
own language's style."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from impactrank.engine.published.audit import audit_edition
from impactrank.engine.published.audit.models import MODELS
from impactrank.io.groups import members_for
from impactrank.report import charts
from impactrank.report.audit import render_markdown
from impactrank.report.report import render_html, report_context
from impactrank.report.summary import summarise

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_words import REPORT_WORDS

from i18n_words import ENGLISH_WORDS, messages_of, untranslated
from the_workbooks import table_rows

REPO = Path(__file__).resolve().parents[2]
LANGS = ("en", "fr", "es")
WORDS = sorted(set(ENGLISH_WORDS) | set(REPORT_WORDS))
# a number in another language's style: an English decimal point or thousands comma in French or Spanish, a
# decimal comma or a French narrow no-break space in English, a percent sign glued to its number or not ("0,037"
# is three decimals: English never groups a leading zero)
FOREIGN = {
    "en": re.compile(r"\d,\d{1,2}(?!\d)|\d\u202f\d|\d\u00a0%"),
    "fr": re.compile(r"\d\.\d|(?:\d\d|[1-9]),\d{3}(?!\d)|\d%"),
    # Spanish, after CLDR (minimumGroupingDigits 2) and the RAE: "1117" and "11.170", never "1.117"
    "es": re.compile(r"\d\.\d{1,2}(?!\d)|(?:\d\d|[1-9]),\d{3}(?!\d)|\d\u202f\d|\d%|(?<![\d.])\d\.\d{3}(?![\d.])"),
}
UNGROUPED = {  # "1117" ungrouped in English and French; in Spanish from five digits
    lang: re.compile(rf"(?<![\d.,\u202f\u00a0=])\d{{{4 if lang != 'es' else 5},}}(?!\d)") for lang in ("en", "fr", "es")
}


class _Text(HTMLParser):
    """The text a reader sees, scripts, styles and identifiers (<code>: hashes, format names) left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "code")
        self.parts += [v for k, v in attrs if k in ("alt", "aria-label") and v]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "code")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def problems(text: str, lang: str, data: list[str]) -> list[str]:
    """What is wrong with a text in ``lang`` once the data values are taken out."""
    for value in sorted(filter(None, data), key=len, reverse=True):  # an empty name would split every word
        text = text.replace(value, " ")
    found = []
    if lang != "en":
        words = sorted({w for w in WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})
        if words:
            found.append(f"English words {words}")
        if "SDG" in text:
            found.append("SDG instead of " + {"fr": "ODD", "es": "ODS"}[lang])
    if foreign := FOREIGN[lang].findall(text):
        found.append(f"numbers in another language's style {foreign[:5]}")
    if ungrouped := [n for n in UNGROUPED[lang].findall(text) if not 1900 <= int(n) <= 2100]:  # years are not grouped
        found.append(f"numbers without their thousands separator {ungrouped[:5]}")
    return found


def _figure_text(spec: dict) -> str:
    """The words of a chart's interactive twin: titles, axis titles, trace names and labels."""
    figure = charts.plotly_figure(spec)
    layout = figure["layout"]
    parts = [layout["title"]["text"]]
    parts += [layout[axis].get("title", {}).get("text", "") for axis in ("xaxis", "yaxis", "yaxis2") if axis in layout]
    for trace in figure["data"]:
        parts += [str(trace.get("name", ""))] + [str(t) for t in trace.get("text", []) if t]
    return " ".join(parts)


@pytest.fixture(scope="module")
def real(the_tables):
    editions = {e.id: e for e in the_tables.editions}
    e2021, e2020 = editions["2021"], editions["2020"]
    members = members_for([e2021, e2020], REPO / "examples" / "groups" / "imt.csv")
    data = ["IMT"]
    for e in (e2021, e2020):
        data += [*e.institutions["name"].drop_nulls().to_list(), e.source]
        data += [s["file"] for s in e.manifest.get("sources", [])]
        data += e.overall["band"].drop_nulls().unique().to_list()  # THE's band labels, kept as published ("1001+")
    return e2021, e2020, members, data


def test_every_report_message_is_translated():
    english = messages_of("/report/")
    assert len(english) > 60
    for locale in ("fr", "es"):
        assert untranslated(english, locale) == [], f"untranslated in {locale}"


def test_the_word_list_comes_from_the_englishcatalog():
    english = " ".join(m.id if isinstance(m.id, str) else " ".join(m.id) for m in messages_of("/report/"))
    assert [w for w in REPORT_WORDS if not re.search(rf"\b{re.escape(w)}\b", english)] == []


@pytest.mark.parametrize("lang", LANGS)
def test_report_in_each_language(real, lang):
    e2021, e2020, members, data = real
    html = render_html(e2021, previous=e2020, group="IMT", members=members, lang=lang)
    assert f'<html lang="{lang}">' in html
    parser = _Text()
    parser.feed(html)
    ctx = report_context(e2021, previous=e2020, group="IMT", members=members, lang=lang)
    specs = [ctx["charts"]["distribution"], ctx["charts"]["participation"], ctx["charts"]["movement"]]
    found = {
        "page": problems(" ".join(parser.parts), lang, data),
        "charts": problems(" ".join(_figure_text(s) for s in specs + ctx["charts"]["profiles"]), lang, data),
    }
    assert found == {"page": [], "charts": []}


@pytest.mark.parametrize("lang", LANGS)
def test_summaries_in_each_language(real, lang):
    e2021, e2020, members, data = real
    found = {}
    for name, selection in {
        "group": {"group": "IMT", "members": members},
        "country": {"country": "FR"},
        "whole table": {},
    }.items():
        text = summarise(e2021, previous=e2020, lang=lang, **selection).to_markdown()
        if wrong := problems(text, lang, data):
            found[name] = wrong
    assert found == {}


def test_each_language_says_it_its_own_way(real):
    """The same fact in three languages, read from the tables: France's 2021 count, 18 institutions."""
    e2021, e2020, _, _ = real
    texts = {lang: summarise(e2021, previous=e2020, country="FR", lang=lang).to_markdown() for lang in LANGS}
    assert texts["fr"].startswith("## Classement d'impact 2021 (France)")
    assert texts["es"].startswith("## Clasificación de impacto 2021 (Francia)")
    rows, by_country = table_rows()
    count, field = by_country["overall", 2021, "France"], rows["overall", 2021]
    assert f"Établissements français classés\u00a0: {count}" in texts["fr"]
    assert f"Instituciones de Francia clasificadas: {count}" in texts["es"]
    grouped = {"fr": f"{field // 1000}\u202f{field % 1000:03d}", "es": f"{field}"}  # (four digits: not in Spanish)
    assert 1000 <= field < 10_000
    assert grouped["fr"] in texts["fr"] and grouped["es"] in texts["es"] and f"{field:,}" in texts["en"]


def test_the_checks_find_what_the_french_report_had():
    """The faults the French report of 2021 showed before: each is found."""
    assert problems("(imported, 17 SDG tables)", "fr", []) == [
        "English words ['SDG', 'imported', 'tables']",
        "SDG instead of ODD",
    ]
    assert problems("recule, progressed", "fr", []) == ["English words ['progressed']"]
    assert problems("1117 établissements", "fr", []) == ["numbers without their thousands separator ['1117']"]
    assert problems("(2021\u00a0: 1\u202f117 classés), 39.2–52.1", "fr", []) == [
        "numbers in another language's style ['9.2', '2.1']"
    ]
    assert problems("45,4 %, 1117, 11.170", "es", []) == [] and problems("45,4 %", "en", []) != []
    assert problems("1.117", "es", []) == ["numbers in another language's style ['1.117']"]
    assert problems("11170", "es", []) == ["numbers without their thousands separator ['11170']"]
    assert problems("Sorbonne University : rang 5", "fr", ["Sorbonne University"]) == []


@pytest.mark.parametrize("lang", LANGS)
def test_audit_in_each_language(real, lang):
    """The audit's Markdown of 2021: every heading, finding and number in the reader's language; the codes it
    quotes (models, row flags) are identifiers, in backticks or bold, and taken out as data."""
    e2021, _, _, data = real
    audit = audit_edition(e2021).to_dict()
    text = render_markdown(audit, lang)
    codes = [*MODELS, *audit["quality"]]
    assert problems(re.sub(r"`[^`]*`", " ", text), lang, data + codes) == []
    rows, _ = table_rows()
    count = rows["overall", 2021]
    grouped = {
        "en": f"{count:,}",
        "fr": f"{count // 1000}\u202f{count % 1000:03d}",
        "es": f"{count}" if count < 10_000 else f"{count // 1000}.{count % 1000:03d}",  # four digits: ungrouped
    }
    said = {
        "en": f"{grouped['en']} rows in the overall table.",
        "fr": f"{grouped['fr']} lignes dans le classement général.",
        "es": f"{grouped['es']} filas en la clasificación general.",
    }[lang]
    assert said in text.splitlines()
    heading = {"en": "## Consistency", "fr": "## Cohérence", "es": "## Coherencia"}[lang]
    assert heading in text.splitlines()
