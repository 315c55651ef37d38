"""The compiled gettext catalogs (``locale/<lang>/LC_MESSAGES/messages.mo``, built from the ``.po`` files by
``make``) and the interface strings Python code asks of them."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.support import Translations

from impactrank.i18n.locales import LOCALES, check_locale

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """The compiled catalog of a supported language; a missing one is an installation error saying how to
    build it."""
    path = LOCALE_DIR / check_locale(locale) / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        raise FileNotFoundError(f"the compiled catalog {path} is missing: run 'make' (it compiles the catalogs)")
    with path.open("rb") as fp:
        return Translations(fp, domain=DOMAIN)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined (``make catalogs`` finds it); it is translated where
    it is shown, in the reader's language."""
    return message


def gettext(message: str, locale: str) -> str:
    return translations(locale).gettext(message)


def ngettext(singular: str, plural: str, n: int, locale: str) -> str:
    return translations(locale).ngettext(singular, plural, n)


def sdg_label(number: int, locale: str) -> str:
    """A goal's short label: "SDG 13", "ODD 13", "ODS 13"."""
    return translations(locale).gettext("SDG %(number)s") % {"number": number}


def label(text: str, locale: str) -> str:
    """A methodology's SDG or metric label in ``locale`` (its catalog entry, from :mod:`impactrank.i18n.extract`,
    writes a literal "%" doubled, as every catalog message does: "the top 10%% of journals")."""
    return translations(locale).gettext(text.replace("%", "%%")) % ()


@cache  # every page's switch: Babel parses each language's locale at each call
def languages(locale: str) -> dict:
    """What a language switch shows (read only): its label in the reader's language and each language under its
    own name (CLDR's, capitalised as at the start of a menu entry: "English", "Français", "Español")."""
    options = [(code, Locale.parse(code).get_display_name(code).capitalize()) for code in LOCALES]
    return {"label": translations(locale).gettext("Language"), "current": locale, "options": options}
