"""Text on the SDG colours: each chip's number is written in whichever of white or near-black contrasts more
with its goal's colour, so it reaches WCAG's 4.5:1 (white on SDG 7's yellow would be 1.7:1)."""

from __future__ import annotations

from impactrank.report.charts import SDG_COLOURS

LIGHT, DARK = "#ffffff", "#111111"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a ``#rrggbb`` colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink(background: str) -> str:
    """The text colour, white or near-black, that contrasts more with ``background``."""
    return max((LIGHT, DARK), key=lambda text: contrast(text, background))


SDG_INK = {sdg: ink(colour) for sdg, colour in SDG_COLOURS.items()}
