"""The reader's language: one translation mechanism for every interface string (gettext catalogs managed with
Babel under ``impactrank/locale``, compiled by ``make``), the choice of language from a request, and numbers,
percentages, ranges, dates and country names formatted by Babel's CLDR data.

Templates get all of it through :func:`impactrank.i18n.templates.install`; Python code calls the functions here.
"""

from __future__ import annotations

from impactrank.i18n.catalogs import LOCALE_DIR, N_, gettext, label, languages, ngettext, sdg_label, translations
from impactrank.i18n.formats import date, moment, number, number_range, percent, shown
from impactrank.i18n.formula import formula
from impactrank.i18n.locales import DEFAULT, LOCALES, check_locale
from impactrank.i18n.negotiation import COOKIE, language_url, negotiate, request_locale

__all__ = [
    "COOKIE",
    "DEFAULT",
    "LOCALES",
    "LOCALE_DIR",
    "N_",
    "check_locale",
    "date",
    "formula",
    "gettext",
    "label",
    "language_url",
    "languages",
    "moment",
    "negotiate",
    "ngettext",
    "number",
    "number_range",
    "percent",
    "request_locale",
    "sdg_label",
    "shown",
    "translations",
]
