"""The engine's display texts (``"=12"``, ``"1001–1500"``, ``"39.2–52.1"``, a rank interval) written with the
reader's numbers: each score in them is formatted again by CLDR, with the decimals it was shown with; ranks and
bands stay as the table writes them ("801–1000", "1001+"), so a reader can match them to the published table."""

from __future__ import annotations

import re
from decimal import Decimal

from impactrank.i18n import gettext, number, sdg_label

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _localised(match: re.Match, locale: str) -> str:
    if "." not in match.group(0):  # a place or a band's ends: as published
        return match.group(0)
    text = match.group(0).replace(",", "")
    decimals = len(text.partition(".")[2])
    return number(Decimal(text), locale, decimals)


def shown(text: str | None, locale: str) -> str:
    """``text`` with its numbers in ``locale``'s style; None or an empty text is "–"."""
    if text is None or text == "":
        return "–"
    return _NUMBER.sub(lambda m: _localised(m, locale), str(text))


_DECIMAL = re.compile(r"\d+\.\d+")
_SDG = re.compile(r"\bSDG (\d+)")


def formula(text: str | None, locale: str) -> str:
    """An engine's formula ("0.22 × 71.4 (SDG 17) + … (2020 single-year)") with the reader's decimals and SDG
    labels; its integers (weights in percent, edition years) are left as written."""
    if not text:
        return ""
    text = _DECIMAL.sub(lambda m: _localised(m, locale), text)
    text = _SDG.sub(lambda m: sdg_label(int(m.group(1)), locale), text)
    single_year = gettext("single-year", locale)
    return text.replace(" single-year)", f" {single_year})")
