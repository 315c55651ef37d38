"""Numbers, percentages, ranges and dates as the reader's language writes them, from Babel's CLDR data:
"1 117" (a narrow no-break space in French), "1,117", "45,4 %" (a no-break space), "56,6–66,2",
"11 novembre 2025". A missing value is shown as "–" in every language."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
import re
from collections.abc import Callable
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_percent, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from impactrank.i18n.catalogs import translations
from impactrank.i18n.locales import check_locale

MISSING = "–"
_DIGITS = re.compile(r"0(?:\.[0#]*)?")


def _missing(value: float | int | Decimal | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _exact(value: float | int | Decimal) -> Decimal:
    """A float's exact binary value, so that rounding is Python's own (``f"{45.45:.1f}"`` is "45.5", 12.25 to one
    decimal "12.2"): the digits a reader sees never depend on which formatter printed them."""
    return Decimal(value)


def _pattern(pattern: str, decimals: int) -> str:
    """The locale's own pattern (grouping, sign and "%" placement kept) with exactly ``decimals`` decimals."""
    return _DIGITS.sub("0" + ("." + "0" * decimals if decimals else ""), pattern, count=1)


def _or_missing(format: Callable[[float | int | Decimal, str, int], str]) -> Callable[..., str]:
    """A formatter of (value, locale, decimals) that writes "–" for a missing value (None or NaN), so that what
    it formats, and keeps once formatted, is always a number. A zero is written without a sign: the caches take
    -0.0 and 0.0 for one key, so a signed zero would print as whichever came first. Its arguments are named:
    passed on as ``*args``, they would add half again to the time of a number already formatted."""
    default = inspect.signature(format).parameters["decimals"].default

    @functools.wraps(format)
    def guarded(value: float | int | Decimal | None, locale: str, decimals: int = default) -> str:
        if _missing(value):
            return MISSING
        return format(abs(value) if value == 0 else value, locale, decimals)

    return guarded


@functools.lru_cache(maxsize=1 << 16, typed=True)  # pages write the same ranks, scores and weights many times
def number(value: float | int | Decimal | None, locale: str, decimals: int = 0) -> str:
    """1117 → "1 117" (fr), "1,117" (en), "1.117" (es); rounded as Python rounds (see :func:`_exact`); "–" for a
    missing value. A finite float's own format rounds its exact binary value too, with the same digits, in a fifth
    of the time. Kept once written, the cache first: most of an institution page's 300 numbers were written
    before, and a call through a wrapper cost as much as the format. A zero is written without a sign, as the
    cache takes -0.0 and 0.0 for one key."""
    if _missing(value):
        return MISSING
    if value == 0:
        value = abs(value)
    exact = value if type(value) is float and math.isfinite(value) else _exact(value)
    return _localised(f"{exact:,.{decimals}f}", locale)


def numbers(values: list, locale: str, decimals: int = 0) -> list[str]:
    """:func:`number` of each value, the nonzero finite floats formatted here and given the locale's signs by one
    ``translate`` of their joined text: an institution page's metric tables write some 200 raw values, scores and
    contributions (the scores and contributions mostly new to number's cache), and a call each took 1.5 times as
    long as a column at a time."""
    spec = f",.{decimals}f"
    texts = [format(v, spec) if type(v) is float and v and math.isfinite(v) else None for v in values]
    if _own_signs(locale) is not None:
        fast = iter(_localised("\n".join(t for t in texts if t is not None), locale).split("\n"))
        texts = [None if t is None else next(fast) for t in texts]
    return [number(v, locale, decimals) if t is None else t for t, v in zip(texts, values, strict=True)]


# CLDR's minimumGroupingDigits, which Babel does not apply: Spanish groups a number's thousands from five digits
# on ("1117", "11.170"), as the RAE's Ortografía asks of four-digit numbers
_UNGROUPED_FOUR = {"es"}
_FOUR_DIGITS = re.compile(r"(?<![\d,])(-?\d),(?=\d{3}(?![\d,]))")


def _localised(text: str, locale: str) -> str:
    """Python's "1,117.25" (one number, or several a line each) with the locale's signs and grouping."""
    if locale in _UNGROUPED_FOUR:
        text = _FOUR_DIGITS.sub(r"\1", text)
    return text.translate(_symbols(locale))


@functools.cache
def _own_signs(locale: str) -> dict[int, str] | None:
    """:func:`_symbols`, or None where they are Python's own signs (English's): a translate would change nothing."""
    signs = _symbols(locale)
    return None if all(chr(k) == v for k, v in signs.items()) else signs


@functools.cache
def _symbols(locale: str) -> dict[int, str]:
    """The locale's group, decimal and minus signs as a ``str.translate`` table over Python's own "1,117.2":
    Babel's ``format_decimal`` takes tens of microseconds a call and a page writes hundreds of numbers. Sound
    for the shipped languages' pattern ("#,##0.###": groups of three, a leading minus, no prefix or suffix;
    tests/test_i18n.py compares it with Babel's on many values)."""
    code = check_locale(locale)
    return str.maketrans({",": get_group_symbol(code), ".": get_decimal_symbol(code), "-": get_minus_sign_symbol(code)})


def decimal_mark(locale: str) -> str:
    """The locale's decimal mark: "," (fr, es), "." (en)."""
    return _symbols(locale)[ord(".")]


@_or_missing
@functools.lru_cache(maxsize=1 << 12, typed=True)  # Babel parses the locale and the pattern at every call
def percent(value: float | int | Decimal | None, locale: str, decimals: int = 1) -> str:
    """A value already in percent: 45.4 → "45,4 %" (fr, es: a no-break space), "45.4%" (en)."""
    pattern = _pattern(Locale.parse(check_locale(locale)).percent_formats[None].pattern, decimals)
    return format_percent(_exact(value) / 100, format=pattern, locale=locale)


def number_range(
    low: float | int | Decimal | None, high: float | int | Decimal | None, locale: str, decimals: int = 1
) -> str:
    """A published interval: 56.6, 66.2 → "56,6–66,2" (the joining pattern is the catalog's); one number when
    both ends read the same ("1,0", not "1,0–1,0")."""
    if _missing(low) or _missing(high):
        return MISSING
    low_text, high_text = number(low, locale, decimals), number(high, locale, decimals)
    if low_text == high_text:
        return low_text
    return translations(locale).gettext("%(low)s–%(high)s") % {"low": low_text, "high": high_text}


def date(value: dt.date | None, locale: str) -> str:
    """A day in CLDR's long form: "11 novembre 2025", "November 11, 2025", "11 de noviembre de 2025"."""
    if value is None:
        return MISSING
    return format_date(value, format="long", locale=check_locale(locale))


_SHOWN_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_GROUPED_FROM = 10_000  # CLDR's minimum grouping digits of two: "1001+" stays whole, 12345 is grouped


def _shown_number(match: re.Match, locale: str) -> str:
    text = match.group(0).replace(",", "")
    whole, _, decimals = text.partition(".")
    if not decimals and int(whole) < _GROUPED_FROM:
        return whole
    return number(Decimal(text), locale, len(decimals))


def shown(text: str | None, locale: str) -> str:
    """A rank, band or score as a table displays it ("=12", "801–1000", "1001+", "39.2–52.1", "45 (38–57)"),
    with its numbers in the reader's style: decimals with the language's mark and as many digits as shown
    ("39,2–52,1"); ranks and band ends grouped only from five digits (CLDR's minimum grouping of two, Spanish's
    own rule), so a band reads "801–1000" in every language, as THE publishes it. None or "" is "–"."""
    if text is None or text == "":
        return MISSING
    return _shown(str(text), locale)


@functools.lru_cache(maxsize=1 << 16)
def _shown(text: str, locale: str) -> str:
    """Kept once written: the same ranks, bands and scores recur on every page."""
    check_locale(locale)
    return _SHOWN_NUMBER.sub(lambda m: _shown_number(m, locale), text)


def moment(value: dt.datetime | dt.date | None, locale: str) -> str:
    """A day, or a day and time (UTC, to the minute), as the catalog's CLDR pattern writes it: "2025-11-11 23:59"
    in English, as the portal always showed it, "11 novembre 2025 23:59", "11 de noviembre de 2025 23:59"."""
    if value is None:
        return MISSING
    if not isinstance(value, dt.datetime):
        return format_date(value, translations(locale).gettext("yyyy-MM-dd"), locale=check_locale(locale))
    return format_datetime(value, translations(locale).gettext("yyyy-MM-dd HH:mm"), locale=check_locale(locale))


_TYPED_SPACES = str.maketrans("", "", " \u00a0\u202f")


def typed_number(text: str, locale: str) -> str:
    """A number as a person types it in ``locale``, in the form Python reads: "12,5" and "1 234,5" in French or
    Spanish are "12.5" and "1234.5"; "12.5" stays (a point is read as the decimal mark when no comma is there).
    What is not a number stays as it is, to be refused by the caller's check."""
    text = text.strip().translate(_TYPED_SPACES)
    if "," in text and get_decimal_symbol(check_locale(locale)) == ",":
        return text.replace(".", "").replace(",", ".")
    return text


def typed_text(value: float | None, locale: str) -> str:
    """A stored number as a person would type it back in ``locale``: 140 rather than 140.0, "12,5" in French;
    nothing for no value."""
    if value is None:
        return ""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", get_decimal_symbol(check_locale(locale)))
