"""An engine's formula written with the reader's numbers and SDG labels: one renderer for the dashboard, the
portal's results, the reports and the command line (ranks, bands and scores as a table displays them go through
:func:`impactrank.i18n.formats.shown`)."""

from __future__ import annotations

import re

from impactrank.i18n.catalogs import N_, gettext, sdg_label
from impactrank.i18n.formats import shown

_DECIMAL = re.compile(r"\d+\.\d+")
_SDG = re.compile(r"\bSDG (\d+)")
# The words of an averaged score's explanation (engine.views.explain), each a catalog message; ``edition`` the year.
_WORDS = (
    (re.compile(r"(?<=\()single-year(?=\))|(?<= )single-year(?=\))"), N_("single-year")),
    (re.compile(r"(?<=\()this edition(?=\))"), N_("this edition")),
    (re.compile(r"(?<=\()edition (?P<edition>[^)\s]+)(?=\))"), N_("edition %(edition)s")),
    (re.compile(r"(?<=; )published(?= = )"), N_("published")),
    (
        re.compile(r"(?<=; )edition (?P<edition>\S+) drops out: not in its overall table"),
        N_("edition %(edition)s drops out: not in its overall table"),
    ),
    (
        re.compile(
            r"(?<=\()single-year; not in the overall table of edition (?P<edition>\S+), so it is the published score"
        ),
        N_("single-year; not in the overall table of edition %(edition)s, so it is the published score"),
    ),
)


def formula(text: str | None, locale: str) -> str:
    """An engine's formula ("0.22 × 71.4 (SDG 17) + … (2020 single-year)", an averaged score's terms) with the
    reader's decimals, SDG labels and words; its integers (weights in percent, edition years) are left as
    written."""
    if not text:
        return ""
    text = _DECIMAL.sub(lambda m: shown(m.group(0), locale), text)
    text = _SDG.sub(lambda m: sdg_label(int(m.group(1)), locale), text)
    for pattern, message in _WORDS:
        text = pattern.sub(lambda m, message=message: gettext(message, locale) % m.groupdict(), text)
    return text
