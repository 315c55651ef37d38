"""Jinja2 in the reader's language: :func:`install` adds Jinja2's i18n extension (``{{ _("…") }}`` and
``{% trans %}``, new-style: ``_("SDG %(number)s", number=13)``) and the formatting filters to an environment;
:func:`rendering` sets the language of the renders inside it. The language lives in a context variable, so
one environment serves every request, each in its own language; :func:`localized` gives the environment whose
templates have their constant text already translated into one language."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from jinja2 import Environment, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.visitor import NodeTransformer

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


_overlays: weakref.WeakKeyDictionary[Environment, dict[str, Environment]] = weakref.WeakKeyDictionary()


def localized(env: Environment, locale: str) -> Environment:
    """``env`` with its templates compiled for ``locale``: each ``_("…")`` or ``gettext("…")`` of a constant
    message translated once, when the template is compiled, instead of at every render (a page holds dozens).
    Renders still go inside :func:`rendering`, which the filters and other messages follow."""
    by_locale = _overlays.setdefault(env, {})
    overlay = by_locale.get(locale)
    if overlay is None:
        overlay = env.overlay(cache_size=400)  # its own cache: the templates compiled for this language
        overlay.code_generator_class = type("Translated", (_Translated,), {"locale": check_locale(locale)})
        overlay = by_locale.setdefault(locale, overlay)
    return overlay


class _Translated(CodeGenerator):
    """Jinja2's code generator, with constant messages translated into ``locale`` first."""

    locale = DEFAULT

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        super().visit_Template(_ConstantMessages(catalogs.translations(self.locale).gettext).visit(node), frame)


class _ConstantMessages(NodeTransformer):
    """``_("text", name=value)`` → ``Markup("translation") % {"name": value}``: what the i18n extension's
    new-style gettext returns at render time (the translation marked safe where autoescaping, then formatted
    with the escaped values, even without any), computed once."""

    def __init__(self, translate: Callable[[str], str]) -> None:
        self.translate = translate

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name in ("_", "gettext")
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = nodes.MarkSafeIfAutoescape(nodes.Const(self.translate(node.args[0].value)), lineno=node.lineno)
        pairs = [nodes.Pair(nodes.Const(k.key), k.value, lineno=node.lineno) for k in node.kwargs]
        return nodes.Mod(text, nodes.Dict(pairs, lineno=node.lineno), lineno=node.lineno)
