"""Colours, wording (from the catalogs) and escaping shared by both chart renderers."""

from __future__ import annotations

import functools
import html
import math
from typing import Any

from impactrank.i18n import gettext, number, number_range

SDG_COLOURS = {
    1: "#e5243b",
    2: "#dda63a",
    3: "#4c9f38",
    4: "#c5192d",
    5: "#ff3a21",
    6: "#26bde2",
    7: "#fcc30b",
    8: "#a21942",
    9: "#fd6925",
    10: "#dd1367",
    11: "#fd9d24",
    12: "#bf8b2e",
    13: "#3f7e44",
    14: "#0a97d9",
    15: "#56c02b",
    16: "#00689d",
    17: "#19486a",
}
BASE = "#4a6fa5"
MUTED = "#c9d3e0"
MARK = "#d1495b"
INK = "#222222"


def text_of(spec: dict) -> dict[str, str]:
    """The charts' interface words in the chart's language (``spec["lang"]``), from the catalogs (read only)."""
    return _words(spec.get("lang", "en"))


@functools.cache  # a page's chart asks for them three times
def _words(lang: str) -> dict[str, str]:
    words = {
        "score": gettext("overall score", lang),
        "score_note": gettext("overall score (dotted lines: lowest score of each rank group)", lang),
        "institutions": gettext("institutions", lang),
        "sdg_score": gettext("SDG score", lang),
        "counted": gettext("counted", lang),
        "in_table": gettext("institutions in the SDG table", lang),
        "position": gettext("position (top %%)", lang) % {},
        "top_field": gettext("position as top %% of the field (lower is better)", lang) % {},
        "field": gettext("%(edition)s (%(count)s ranked)", lang),
        "sdg": gettext("SDG", lang),
        "rank": gettext("rank %(rank)s", lang),
        "selected": gettext("selected", lang),
    }
    return words


def label(text: Any) -> str:
    """A data string made safe for Plotly's HTML-like label rendering."""
    return html.escape("" if text is None else str(text), quote=True)


def rounded(x: float | None, nd: int = 4) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


# ---------------------------------------------------------------------------------------------------------
# Chart data (one function per chart, shared by both renderers)
# ---------------------------------------------------------------------------------------------------------


def floor_of(r: dict) -> float:
    """Where a profile bar starts: zero for a score, the low end for a published range."""
    return 0.0 if r["score"] is not None or r["low"] is None else r["low"]


def height_of(r: dict) -> float | None:
    return None if r["high"] is None else r["high"] - floor_of(r)


def value_text(r: dict, lang: str = "en") -> str:
    """A bar's value as the reader's language writes it: "56,6", or a published range "56,6–66,2"."""
    if r["score"] is not None:
        return number(r["score"], lang, 1)
    return "" if r["low"] is None else number_range(r["low"], r["high"], lang)
