"""An overall score's formula written in the reader's language from the engine's terms (engine.tables.formula:
weights, scores or intervals, SDGs, the years averaged): the one renderer for the dashboard, the portal's results,
the reports and the command line. It takes the terms or their dictionary (the API's and stored results' form)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from impactrank.i18n.catalogs import gettext, ngettext, sdg_label
from impactrank.i18n.formats import number, number_range, shown


def formula(terms: Any, locale: str) -> str:
    """ "0,22 × 71,40 (ODD 17) + 0,26 × (…) = 87,0", an average's years and the years that drop out worded in
    ``locale``; "" for no formula."""
    if not terms:
        return ""
    f = asdict(terms) if is_dataclass(terms) else terms
    sdgs = _sdgs(f, locale)
    years, dropped, total = f["years"], f["dropped"], _value(f["total"], locale)
    back = f.get("dropped_back", ())  # absent from the formulas stored before it
    if f["single_year"] is None:
        if not years:
            return f"{sdgs} = {total}"
        # a reproduced two-year rule: the SDG terms stand inside the average with the earlier years' scores
        single_year = gettext("single-year", locale)
        earlier = " + ".join(
            f"{_weight(y['weight'], locale)} × {_value(y['value'], locale)} ({y['edition']} {single_year})"
            for y in years[1:]
        )
        return f"{_weight(years[0]['weight'], locale)} × [{sdgs}] + {earlier} = {total}"
    single = _value(f["single_year"], locale)
    if not years:
        if dropped:
            why = gettext(
                "single-year; not in the overall table of edition %(edition)s, so it is the published score", locale
            ) % {"edition": ", ".join(dropped)}
            return f"{sdgs} = {single} ({why})"
        if back:
            why = ngettext(
                "single-year; no edition %(count)s year back was given, so it is the published score",
                "single-year; no edition %(count)s years back was given, so it is the published score",
                back[0],
                locale,
            ) % {"count": number(back[0], locale)}
            return f"{sdgs} = {single} ({why})"
        return f"{sdgs} = {total}"
    averaged = " + ".join(
        f"{_weight(y['weight'], locale)} × {_value(y['value'], locale)} ({_year(y['edition'], locale)})" for y in years
    )
    words = gettext("single-year", locale), gettext("published", locale)
    text = _then(f"{sdgs} = {single} ({words[0]})", f"{words[1]} = {averaged} = {total}", locale)
    for edition in dropped:
        why = gettext("edition %(edition)s drops out: not in its overall table", locale) % {"edition": edition}
        text = _then(text, why, locale)
    for lag in back:
        why = ngettext(
            "the edition %(count)s year back drops out: none was given",
            "the edition %(count)s years back drops out: none was given",
            lag,
            locale,
        ) % {"count": number(lag, locale)}
        text = _then(text, why, locale)
    return text


def _then(text: str, more: str, locale: str) -> str:
    """Two clauses joined by a semicolon, spaced as the language writes it (French: a narrow no-break space
    before it, as impactrank.report.typography spaces it)."""
    return gettext("%(text)s; %(more)s", locale) % {"text": text, "more": more}


def _sdgs(f: dict, locale: str) -> str:
    """The required SDG's term and the best others' sum, each with its weight ("?" for a term not published)."""
    required = _term(f["required"], locale) if f["required"] else "?"
    best = " + ".join(_term(t, locale) for t in f["best"]) or "?"
    return f"{_weight(f['required_weight'], locale)} × {required} + {_weight(f['best_weight'], locale)} × ({best})"


def _term(term: dict, locale: str) -> str:
    return f"{_value(term['value'], locale)} ({sdg_label(term['sdg'], locale)})"


def _value(value: dict, locale: str) -> str:
    """A score, or an interval, with its own decimals in the reader's style."""
    if value["low"] == value["high"]:
        return number(value["low"], locale, value["decimals"])
    return number_range(value["low"], value["high"], locale, value["decimals"])


def _weight(weight: float, locale: str) -> str:
    """A weight with the digits it needs: 0.22, 0.5, 0.333333."""
    return shown(f"{weight:g}", locale)


def _year(edition: str, locale: str) -> str:
    if not edition:
        return gettext("this edition", locale)
    return gettext("edition %(edition)s", locale) % {"edition": edition}
