"""An SDG chip: the goal's colour with its number in a contrasting ink (the number carries the meaning, not the
colour), labelled in the reader's language. Its fixed part is written once per goal and language: a page shows a
dozen chips, and a template macro per chip cost more than the rest of its table row."""

from __future__ import annotations

import functools

from markupsafe import Markup, escape

from impactrank.i18n.catalogs import sdg_label
from impactrank.report.charts import SDG_COLOURS
from impactrank.web.contrast import SDG_INK


@functools.cache
def _parts(sdg: int, locale: str) -> tuple[str, str]:
    """The chip's opening attributes and its label with the number, escaped."""
    style = escape(f"background: {SDG_COLOURS[sdg]}; color: {SDG_INK[sdg]}")
    return f'class="sdg-chip" style="{style}"', f'aria-label="{escape(sdg_label(sdg, locale))}">{sdg}'


def chip(sdg: int, locale: str, href: str | None = None) -> Markup:
    """The chip of SDG ``sdg``, a link to ``href`` when given."""
    opening, label = _parts(sdg, locale)
    if href:
        return Markup(f'<a {opening} href="{escape(href)}" {label}</a>')
    return Markup(f'<span {opening} role="img" {label}</span>')
