"""An engine's formula written with the reader's numbers and SDG labels: one renderer for the dashboard, the
portal's results, the reports and the command line (ranks, bands and scores as a table displays them go through
:func:`impactrank.i18n.formats.shown`)."""

from __future__ import annotations

import re

from impactrank.i18n.catalogs import gettext, sdg_label
from impactrank.i18n.formats import shown

_DECIMAL = re.compile(r"\d+\.\d+")
_SDG = re.compile(r"\bSDG (\d+)")


def formula(text: str | None, locale: str) -> str:
    """An engine's formula ("0.22 × 71.4 (SDG 17) + … (2020 single-year)") with the reader's decimals and SDG
    labels; its integers (weights in percent, edition years) are left as written."""
    if not text:
        return ""
    text = _DECIMAL.sub(lambda m: shown(m.group(0), locale), text)
    text = _SDG.sub(lambda m: sdg_label(int(m.group(1)), locale), text)
    single_year = gettext("single-year", locale)
    return text.replace(" single-year)", f" {single_year})")
