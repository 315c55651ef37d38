"""The reader's language: CLDR formats as Babel gives them, the choice of language from a request, country
names and SDG labels per language, the catalogs (complete, compiled, covering every string of the code), and
Jinja2 environments rendering in the language of each request."""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import re
import warnings
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from fastapi import FastAPI, Request
from jinja2 import DictLoader, Environment

from i18n_words import catalog
from impactrank import i18n
from impactrank.countries import country_name
from impactrank.i18n import templates
from impactrank.pages import Pages

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
NBSP, NNBSP = "\u00a0", "\u202f"


# ---------------------------------------------------------------------------------------------------------
# formats: the strings CLDR prescribes, written out by hand


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", f"1{NNBSP}117"),  # CLDR's French group separator is the narrow no-break space U+202F
        ("en", "1,117"),
        # CLDR gives Spanish minimumGroupingDigits 2 ("1117", the RAE's rule), which Babel does not apply
        ("es", "1117"),
    ],
)
def test_thousands(locale, expected):
    assert i18n.number(1117, locale) == expected


def test_decimals_and_larger_numbers():
    assert i18n.number(1117.25, "fr", 1) == f"1{NNBSP}117,2"  # an exact tie: to even, as Python rounds
    assert i18n.number(1117.25, "en", 1) == "1,117.2"
    assert i18n.number(45.45, "fr", 1) == "45,5"  # 45.45 is a little above in binary: up, as Python rounds
    assert i18n.number(1234567.891, "es", 2) == "1.234.567,89"
    assert i18n.number(-5, "en") == "-5"
    assert i18n.number(39.0, "fr", 0) == "39"


def test_a_zero_is_written_without_a_sign_whichever_zero_came_first():
    """-0.0 and 0.0 are one key to a cache: both are written "0", in either order, as numbers and percents."""
    from decimal import Decimal

    for first, second in ((-0.0, 0.0), (0.0, -0.0)):
        i18n.number.cache_clear()
        i18n.percent.__wrapped__.cache_clear()
        for value in (first, second):
            assert i18n.number(value, "en", 1) == "0.0"
            assert i18n.percent(value, "en", 1) == "0.0%"
    assert i18n.number(Decimal("-0"), "fr", 0) == "0"
    assert i18n.number(-0.04, "en", 1) == "-0.0"  # a negative number rounded to zero keeps its sign


def test_rounding_is_pythons_own():
    """The digits never depend on the formatter: the same as Python's format of the same float, in English."""
    values = [i / 8 for i in range(-80, 80)] + [i * 0.05 for i in range(400)] + [45.45, 2.675, 1e-7, 123456.789]
    for decimals in (0, 1, 2):
        for value in values:
            assert i18n.number(value, "en", decimals) == f"{value:,.{decimals}f}", (value, decimals)
            assert i18n.percent(value, "en", decimals) == f"{value:,.{decimals}f}%", (value, decimals)


def test_a_float_has_the_digits_of_its_exact_value():
    """Formatted from the float itself: the digits of its exact binary value, as Decimal writes them, at ties,
    at the ends of the float range and for infinities."""
    from decimal import Decimal

    rng = random.Random(7)
    values = [rng.uniform(-1e9, 1e9) for _ in range(2000)] + [i / 16 for i in range(-40, 40)]
    values += [0.125, 2.675, 5e-324, 1e300, -1e22, 0.5, 1.5, 2.5, math.inf, -math.inf]
    for decimals in (0, 1, 2, 3, 4):
        for value in values:
            expected = f"{Decimal(value):,.{decimals}f}"
            assert i18n.number(value, "en", decimals) == expected, (value, decimals)


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_numbers_are_babels_in_every_language(locale):
    """Numbers are written without Babel per call: the same text as Babel's format_decimal with the locale's
    pattern at the same decimals, on negatives, ties, large values and integers."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    rng = random.Random(5)
    values = [rng.uniform(-2e6, 2e6) for _ in range(2000)] + [i / 8 for i in range(-80, 80)] + [0, -0.04, 7, -1117]
    values += [rng.randint(-(10**12), 10**12) for _ in range(200)] + [Decimal("1117.25"), 2.675, 1e-7]
    for decimals in (0, 1, 2, 3):
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        for value in values:
            expected = format_decimal(Decimal(value), format=pattern, locale=locale)
            if locale == "es":  # Babel groups a four-digit number, CLDR's minimumGroupingDigits 2 does not
                expected = re.sub(r"^(-?\d)\.(\d{3})(?=,|$)", r"\1\2", expected)
            assert i18n.number(value, locale, decimals) == expected, (value, decimals)


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_a_column_of_numbers_is_each_number(locale):
    """formats.numbers writes each value as number() does: floats of every sign and size, zeros of either sign,
    None, NaN, infinities, integers and decimals, mixed in one column, in every language."""
    from decimal import Decimal

    from impactrank.i18n.formats import numbers

    rng = random.Random(11)
    values = [rng.uniform(-2e6, 2e6) for _ in range(500)] + [i / 8 for i in range(-40, 40)] + [-0.04, 2.675, 1e-7]
    values += [0.0, -0.0, None, math.nan, math.inf, -math.inf, 0, 7, -1117, 10**12, Decimal("1117.25")]
    rng.shuffle(values)
    for decimals in (0, 1, 2, 3, 4):
        assert numbers(values, locale, decimals) == [i18n.number(v, locale, decimals) for v in values], decimals
    assert numbers([], locale, 2) == []
    assert numbers([None, -0.0], locale, 1) == ["–", i18n.number(0.0, locale, 1)]


def test_percentages():
    assert i18n.percent(45.4, "fr") == f"45,4{NBSP}%"  # CLDR's French percent sign follows a no-break space
    assert i18n.percent(45.4, "es") == f"45,4{NBSP}%"
    assert i18n.percent(45.4, "en") == "45.4%"
    assert i18n.percent(45.44, "en", 0) == "45%"
    assert i18n.percent(0.05, "fr", 2) == f"0,05{NBSP}%"


def test_ranges():
    assert i18n.number_range(56.6, 66.2, "fr") == "56,6–66,2"
    assert i18n.number_range(56.6, 66.2, "es") == "56,6–66,2"
    assert i18n.number_range(56.6, 66.2, "en") == "56.6–66.2"
    assert i18n.number_range(1001, 1500, "fr", 0) == f"1{NNBSP}001–1{NNBSP}500"
    assert (
        i18n.number_range(1.0, 1.04, "fr") == "1,0" and i18n.number_range(0.96, 1.04, "en") == "1.0"
    )  # ends that read alike


@pytest.mark.parametrize(
    ("text", "en", "fr", "es"),
    [
        ("801–1000", "801–1000", "801–1000", "801–1000"),  # THE's bands, as published, in every language
        ("1001+", "1001+", "1001+", "1001+"),
        ("=12", "=12", "=12", "=12"),
        ("1–100", "1–100", "1–100", "1–100"),
        ("10001–12000", "10,001–12,000", f"10{NNBSP}001–12{NNBSP}000", "10.001–12.000"),  # five digits: grouped
        ("56.6–66.2", "56.6–66.2", "56,6–66,2", "56,6–66,2"),
        ("87.0", "87.0", "87,0", "87,0"),
        ("45 (38–57)", "45 (38–57)", "45 (38–57)", "45 (38–57)"),
        ("1,117.5", "1,117.5", f"1{NNBSP}117,5", "1117,5"),
        (None, "–", "–", "–"),
    ],
)
def test_ranks_bands_and_displayed_scores(text, en, fr, es):
    """One style for a rank, band or displayed score on every surface (dashboard, reports, summaries, CLI)."""
    assert [i18n.shown(text, locale) for locale in ("en", "fr", "es")] == [en, fr, es]


def test_dates():
    day = dt.date(2025, 11, 11)
    assert i18n.date(day, "fr") == "11 novembre 2025"
    assert i18n.date(day, "en") == "November 11, 2025"
    assert i18n.date(day, "es") == "11 de noviembre de 2025"
    assert i18n.date(dt.datetime(2025, 1, 1, 12, 30), "fr") == "1 janvier 2025"


def test_moments_as_the_portal_shows_them():
    """A deadline to the minute: English keeps the portal's ISO form, French and Spanish write the month."""
    moment = dt.datetime(2025, 11, 11, 23, 59)
    assert [i18n.moment(moment, locale) for locale in ("en", "fr", "es")] == [
        "2025-11-11 23:59",
        "11 novembre 2025 à 23:59",
        "11 de noviembre de 2025, 23:59",
    ]
    assert i18n.moment(dt.date(2025, 11, 11), "fr") == "11 novembre 2025"


@pytest.mark.parametrize("locale", ["fr", "es"])
def test_no_translation_is_written_twice_over(locale):
    """A multi-line translation refilled by a text edit that matched its first line is its text repeated."""
    repeated = [
        m.id
        for m in catalog(locale)
        if isinstance(m.string, str)
        and len(m.string) > 1
        and any(len(m.string) % k == 0 and m.string[: len(m.string) // k] * k == m.string for k in (2, 3, 4))
    ]
    assert repeated == []


def test_missing_values_are_a_dash_in_every_language():
    for locale in i18n.LOCALES:
        assert i18n.number(None, locale) == i18n.number(math.nan, locale) == "–"
        assert i18n.percent(None, locale) == i18n.number_range(1.0, None, locale) == i18n.date(None, locale) == "–"
        assert i18n.percent(math.nan, locale) == i18n.number(None, locale, 2) == i18n.percent(None, locale, 0) == "–"


def test_unsupported_language_is_refused():
    with pytest.raises(ValueError, match="language must be one of en, fr, es, not 'de'"):
        i18n.number(1, "de")
    with pytest.raises(ValueError, match="not 'de'"):
        i18n.translations("de")


# ---------------------------------------------------------------------------------------------------------
# names from CLDR and from the catalogs


@pytest.mark.parametrize(
    ("code", "locale", "expected"),
    [
        ("FR", "fr", "France"),
        ("FR", "es", "Francia"),
        ("FR", "en", "France"),
        ("NG", "fr", "Nigeria"),
        ("NG", "es", "Nigeria"),
        ("KR", "fr", "Corée du Sud"),
        ("GB", "es", "Reino Unido"),
        ("DE", "fr", "Allemagne"),
        ("US", "en", "United States"),
        ("XK", "fr", "Kosovo"),
        ("ZZZ", "fr", "ZZZ"),  # no name: the code itself
    ],
)
def test_country_names_in_the_readers_language(code, locale, expected):
    assert country_name(code, locale) == expected


def test_sdg_labels():
    assert [i18n.sdg_label(13, locale) for locale in ("en", "fr", "es")] == ["SDG 13", "ODD 13", "ODS 13"]


def test_language_switch_names_each_language_in_itself():
    assert i18n.languages("fr") == {
        "label": "Langue",
        "current": "fr",
        "options": [("en", "English"), ("fr", "Français"), ("es", "Español")],
    }
    assert i18n.languages("es")["label"] == "Idioma"
    assert i18n.languages("en")["label"] == "Language"


# ---------------------------------------------------------------------------------------------------------
# negotiation: ?lang= first, then the cookie, then Accept-Language, then English


def test_negotiation_order():
    assert i18n.negotiate("fr", "es", "en") == "fr"
    assert i18n.negotiate(None, "es", "fr") == "es"
    assert i18n.negotiate("de", "es", "fr") == "es"  # an unsupported choice says nothing
    assert i18n.negotiate("", "", "fr") == "fr"
    assert i18n.negotiate(None, None, None) == "en"
    assert i18n.negotiate("FR", None, None) == "fr"
    assert i18n.negotiate("es-MX", None, None) == "es"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5", "fr"),
        ("de-DE, de;q=0.9, es;q=0.5, fr;q=0.7", "fr"),  # by weight, not by position
        ("en;q=0.5, es", "es"),
        ("es;q=0, fr;q=0.1", "fr"),  # q=0 means "not this one"
        ("de, *", "en"),
        ("fr;q=oops, es;q=0.2", "es"),  # a malformed weight counts as not wanted
        ("", "en"),
    ],
)
def test_accept_language(header, expected):
    assert i18n.negotiate(None, None, header) == expected


# ---------------------------------------------------------------------------------------------------------
# catalogs


def _key(text: str | list | tuple) -> tuple:
    """A message's id or translation as a tuple (a plural entry has several forms)."""
    return (text,) if isinstance(text, str) else tuple(text)


def test_every_catalog_compiles_and_the_compiled_file_is_current():
    for locale in i18n.LOCALES:
        po = catalog(locale)
        assert list(po.check()) == [], locale  # placeholders agree between msgid and msgstr
        buffer = io.BytesIO()
        write_mo(buffer, po)
        assert len(buffer.getvalue()) > 0
        translated = {_key(m.id): _key(m.string) for m in po if m.id and all(_key(m.string)) and not m.fuzzy}
        translated = {k: v for k, v in translated.items() if k != v}
        with (i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.mo").open("rb") as fp:
            # a translation the same as its English (and an untranslated plural, compiled as its own English forms)
            # reads as no entry
            compiled = {_key(m.id): _key(m.string) for m in read_mo(fp) if m.id and _key(m.string) != _key(m.id)}
        assert compiled == translated, f"{locale}: run 'make' to compile the catalog again"


@pytest.mark.parametrize("locale", ["fr", "es"])
def test_no_entry_is_left_untranslated(locale):
    left = [m.id for m in catalog(locale) if m.id and (not m.string or m.fuzzy)]
    assert left == [], f"untranslated in {locale} (translate them in the .po file): {left}"


def test_french_entries_space_their_marks_as_french_does():
    """A no-break space before ":" and a narrow one before ";", "!" and "?", in every French entry: the portal and
    the CLI print them as they are (the reports' texts get theirs after rendering, but not these)."""
    plain = [
        m.string for m in catalog("fr") if m.id and isinstance(m.string, str) and re.search(r"\S [:;!?]", m.string)
    ]
    assert plain == []
    late = [
        m.string for m in catalog("fr") if m.id and isinstance(m.string, str) and re.search(r"\S\u00a0[;!?]", m.string)
    ]
    assert late == []


def test_catalogs_hold_every_string_of_the_code_and_templates():
    """What `make catalogs` would extract (babel.cfg's mapping) is in every catalog: a string added to the code
    or a template without `make catalogs` fails here."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # Babel's own reading, its [extractors] included
    extracted = {message for _, _, message, _, _ in extract_from_dir(ROOT / "src", method_map, options_map)}
    extracted = {m if isinstance(m, str) else m[0] for m in extracted}
    assert {"SDG %(number)s", "Language", "%(low)s–%(high)s"} <= extracted
    for locale in i18n.LOCALES:
        missing = extracted - {_key(m.id)[0] for m in catalog(locale) if m.id}
        assert missing == set(), f"not in the {locale} catalog (run 'make catalogs'): {sorted(missing)}"


# ---------------------------------------------------------------------------------------------------------
# templates


def _env(source: str) -> Environment:
    return templates.install(Environment(loader=DictLoader({"t": source}), autoescape=True))


def test_templates_render_in_the_language_of_the_render():
    env = _env(
        '{{ locale() }}|{{ _("SDG %(number)s", number=13) }}|{% trans %}Language{% endtrans %}|{{ 1117|number }}'
        "|{{ 45.4|percent }}|{{ 56.6|number_range(66.2) }}|{{ day|date }}|{{ 'NG'|country }}|{{ 7|sdg }}"
    )
    day = dt.date(2025, 11, 11)
    with templates.rendering("fr"):
        french = env.get_template("t").render(day=day)
    assert french == f"fr|ODD 13|Langue|1{NNBSP}117|45,4{NBSP}%|56,6–66,2|11 novembre 2025|Nigeria|ODD 7"
    with templates.rendering("es"):
        spanish = env.get_template("t").render(day=day)
    assert spanish == f"es|ODS 13|Idioma|1117|45,4{NBSP}%|56,6–66,2|11 de noviembre de 2025|Nigeria|ODS 7"
    assert (
        env.get_template("t").render(day=day)
        == "en|SDG 13|Language|1,117|45.4%|56.6–66.2|November 11, 2025|Nigeria|SDG 7"
    )


def test_translated_text_is_escaped_but_its_placeholders_are_not_html():
    env = _env('{{ _("SDG %(number)s", number=n) }}')
    assert env.get_template("t").render(n="<b>13</b>") == "SDG &lt;b&gt;13&lt;/b&gt;"


def test_constant_messages_are_translated_when_compiled_and_render_as_at_render_time():
    source = (
        '{{ _("SDG %(number)s", number=n) }}|{% trans %}Language{% endtrans %}|{{ _("Top %% of field") }}'
        '|{{ _("counted") if n else _("yes") }}|{{ gettext("Rank") }}|{{ 7|sdg }}'
    )
    env = _env(source)
    for locale in ("en", "fr", "es"):
        folded = templates.localized(env, locale)
        assert folded is templates.localized(env, locale)  # compiled once per language
        code = folded.compile(source, raw=True)
        assert "gettext" not in code and "'_'" not in code  # no catalog look-up left for the render
        with templates.rendering(locale):
            assert folded.get_template("t").render(n="<b>13</b>") == env.get_template("t").render(n="<b>13</b>")
    with templates.rendering("fr"):
        french = templates.localized(env, "fr").get_template("t").render(n=13)
    assert french == "ODD 13|Langue|Rang en % de l’effectif|retenu|Rang|ODD 7"


def test_language_urls_keep_the_other_parameters():
    assert (
        i18n.language_url("/editions/2021", "country=FR&lang=en&page=2", "fr")
        == "/editions/2021?country=FR&page=2&lang=fr"
    )
    assert i18n.language_url("/", "", "es") == "/?lang=es"
    assert i18n.language_url("/s", "q=a+%26+b&empty=", "en") == "/s?q=a+%26+b&empty=&lang=en"
    with pytest.raises(ValueError, match="not 'de'"):
        i18n.language_url("/", "", "de")


def test_pages_answer_in_the_requests_language_and_keep_an_explicit_choice():
    app = FastAPI()
    pages = Pages(app, _env('<html lang="{{ locale() }}">{{ 13|sdg }}</html>'))

    @pages.page("/goal", "t")
    def goal(request: Request):
        return {}

    client = TestClient(app)
    chosen = client.get("/goal?lang=es", headers={"Accept-Language": "fr"})
    assert chosen.text == '<html lang="es">ODS 13</html>'
    assert chosen.headers["content-language"] == "es"
    assert chosen.headers["vary"] == "Accept-Language, Cookie"
    assert chosen.cookies.get(i18n.COOKIE) == "es"
    assert "samesite=lax" in chosen.headers["set-cookie"].lower()
    kept = client.get("/goal", headers={"Accept-Language": "fr"})  # the client sends the cookie back
    assert kept.text == '<html lang="es">ODS 13</html>' and "set-cookie" not in kept.headers
    client.cookies.clear()
    assert client.get("/goal", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text == '<html lang="fr">ODD 13</html>'
    assert client.get("/goal").text == '<html lang="en">SDG 13</html>'
    assert client.get("/api/goal").json() == {}


def test_a_page_links_to_itself_in_each_language():
    app = FastAPI()
    pages = Pages(
        app,
        _env(
            '{% for code, name in languages().options %}<a href="{{ language_url(code) }}">{{ name }}</a>{% endfor %}'
        ),
    )

    @pages.page("/table", "t")
    def table(request: Request, country: str = ""):
        return {}

    links = TestClient(app).get("/table?country=FR&lang=fr").text
    assert links == (
        '<a href="/table?country=FR&amp;lang=en">English</a><a href="/table?country=FR&amp;lang=fr">Français</a>'
        '<a href="/table?country=FR&amp;lang=es">Español</a>'
    )
