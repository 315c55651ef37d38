"""Jinja2 in the reader's language: :func:`install` adds Jinja2's i18n extension (``{{ _("…") }}`` and
``{% trans %}``, new-style: ``_("SDG %(number)s", number=13)``) and the formatting filters to an environment;
:func:`rendering` sets the language of the renders inside it. The language lives in a context variable, so
one environment serves every request, each in its own language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from jinja2 import Environment, pass_context

from impactrank.countries import country_name
from impactrank.i18n import catalogs, formats, negotiation
from impactrank.i18n.formula import formula
from impactrank.i18n.locales import DEFAULT, check_locale

_current: ContextVar[str] = ContextVar("impactrank_locale", default=DEFAULT)


def current() -> str:
    """The language of the render under way (English outside :func:`rendering`)."""
    return _current.get()


@contextmanager
def rendering(locale: str) -> Iterator[str]:
    """Renders inside this block speak ``locale``."""
    token = _current.set(check_locale(locale))
    try:
        yield locale
    finally:
        _current.reset(token)


def speak(locale: str) -> str:
    """From here on, this context speaks ``locale``: a command-line run, which has one reader."""
    _current.set(check_locale(locale))
    return locale


def _per_render(function: Callable) -> Callable:
    """A filter Jinja2 must call at each render: without ``pass_context`` it would fold a constant argument
    (``{{ 1117|number }}``) into the compiled template, in the language of the first render."""
    return pass_context(lambda _context, *args: function(*args))


@pass_context
def _language_url(context, locale: str) -> str:
    """The page being rendered in another language (its request's path and query, ``lang`` set)."""
    request = context["request"]
    return negotiation.language_url(request.url.path, request.url.query, locale)


def install(env: Environment) -> Environment:
    """Give ``env`` the catalogs (``_``, ``gettext``, ``ngettext``, ``pgettext``), the filters ``number``,
    ``percent``, ``number_range``, ``shown``, ``date``, ``country``, ``sdg`` and ``formula``, and the globals
    ``locale()``, ``languages()`` and ``language_url(code)`` (for a page's switch and its hreflang alternates), all
    following :func:`rendering`."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(
        lambda message: catalogs.translations(current()).gettext(message),
        lambda singular, plural, n: catalogs.translations(current()).ngettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: catalogs.translations(current()).pgettext(context, message),
        npgettext=lambda context, singular, plural, n: catalogs.translations(current()).npgettext(
            context, singular, plural, n
        ),
    )
    filters = {
        "number": lambda value, decimals=0: formats.number(value, current(), decimals),
        "percent": lambda value, decimals=1: formats.percent(value, current(), decimals),
        "number_range": lambda low, high, decimals=1: formats.number_range(low, high, current(), decimals),
        "shown": lambda text: formats.shown(text, current()),
        "date": lambda value: formats.date(value, current()),
        "country": lambda code: country_name(code, current()),
        "sdg": lambda number: catalogs.sdg_label(number, current()),
        "formula": lambda text: formula(text, current()),
    }
    env.filters.update({name: _per_render(f) for name, f in filters.items()})
    env.globals.update(locale=current, languages=lambda: catalogs.languages(current()), language_url=_language_url)
    return env
