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


# Advance widths of DejaVu Sans (the sans-serif WeasyPrint and Debian's browsers draw the charts in, and wider than
# Liberation Sans or Arial, so a label measured with it fits in either), in thousandths of the font size, for the
# Latin letters, digits and punctuation the charts write; any other character counts a full em.
_ADVANCE = {
    200: "\u2009\u202f",
    275: "'",
    278: "ijl\xec\xed\xee\xef\u0129\u012b\u012d\u012f\u0131\u0135\u013a\u013c",
    284: "\u0142",
    295: "IJ\xcc\xcd\xce\xcf\u0128\u012a\u012c\u012e\u0130\u0134",
    318: " ,.\xa0\xb7\u2018\u2019",
    337: "/:;\\|\xa6",
    342: "\u0140",
    352: "f\u017f",
    361: "-\xad",
    375: "\u013e",
    390: "()[]",
    392: "t\u0163\u0165\u0167",
    401: "!\xa1\xb2\xb3\xb9",
    411: "r\u0155\u0157\u0159",
    460: '"',
    471: "\xaa\xba",
    500: "*_`\xa7\xa8\xaf\xb0\xb4\xb8\u2013",
    518: "\u201c\u201d",
    521: "s\u015b\u015d\u015f\u0161",
    525: "z\u017a\u017c\u017e",
    531: "?\xbf",
    550: "c\xe7\u0107\u0109\u010b\u010d",
    556: "\u0133",
    557: "L\u0139\u013b\u013d\u013f",
    562: "\u0141",
    575: "F",
    579: "k\u0137\u0138",
    590: "\u0132",
    592: "vxy\xfd\xff\u0177",
    603: "P",
    605: "\xde",
    611: "TY\xdd\u0162\u0164\u0166\u0176\u0178",
    612: "o\xab\xbb\xf0\xf2\xf3\xf4\xf5\xf6\xf8\u014d\u014f\u0151",
    613: "a\xe0\xe1\xe2\xe3\xe4\xe5\u0101\u0103\u0105",
    615: "e\xe8\xe9\xea\xeb\u0113\u0115\u0117\u0119\u011b",
    630: "\xdf",
    632: "E\xc8\xc9\xca\xcb\u0112\u0114\u0116\u0118\u011a",
    634: "hnu\xf1\xf9\xfa\xfb\xfc\u0125\u0144\u0146\u0148\u014b\u0169\u016b\u016d\u016f\u0171\u0173",
    635: "Sbdgpq\xfe\u010f\u0111\u011d\u011f\u0121\u0123\u015a\u015c\u015e\u0160",
    636: "$0123456789{}\xa2\xa3\xa4\xa5\xb5\xb6",
    656: "K\u0136",
    684: "AV\xc0\xc1\xc2\xc3\xc4\xc5\u0100\u0102\u0104",
    685: "XZ\u0179\u017b\u017d",
    686: "B",
    695: "R\u0127\u0154\u0156\u0158",
    698: "C\xc7\u0106\u0108\u010a\u010c",
    732: "U\xd9\xda\xdb\xdc\u0168\u016a\u016c\u016e\u0170\u0172",
    748: "N\xd1\u0143\u0145\u0147\u014a",
    752: "H\u0124",
    769: "\u25c6",
    770: "D\u010e",
    775: "G\xd0\u0110\u011c\u011e\u0120\u0122",
    780: "&",
    787: "OQ\xd2\xd3\xd4\xd5\xd6\xd8\u014c\u014e\u0150",
    813: "\u0149",
    818: "w\u0175",
    838: "#+<=>^~\xac\xb1\xd7\xf7\u2192\u2212",
    863: "M",
    916: "\u0126",
    945: "\u25a0",
    950: "%",
    969: "\xbc\xbd\xbe",
    974: "m\xc6",
    982: "\xe6",
    989: "W\u0174",
    1000: "@\xa9\xae\u2014\u2026",
    1023: "\u0153",
    1070: "\u0152",
}
_ADVANCES = {c: w / 1000 for w, chars in _ADVANCE.items() for c in chars}


def text_width(text: Any, size: float) -> float:
    """The width in pixels of ``text`` set at ``size`` in the charts' sans-serif (regular weight)."""
    return size * sum(_ADVANCES.get(c, 1.0) for c in str(text))


def nice_top(top: float, ticks: int = 5) -> float:
    """The axis's top at or above ``top`` whose ``ticks`` steps are round numbers (56 → 75, steps of 15; 1,154 →
    1,250, steps of 250), where the top itself gave steps such as 11.2."""
    step = top / ticks
    power = 10 ** math.floor(math.log10(step))
    return round(next(m * power for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= step - 1e-9) * ticks, 9)


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
