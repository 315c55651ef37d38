"""The languages impactrank speaks. Adding one is a catalog under ``impactrank/locale`` (and a narrative
template where grammar needs one), plus its code here."""

from __future__ import annotations

LOCALES = ("en", "fr", "es")
DEFAULT = "en"


def check_locale(locale: str) -> str:
    """``locale`` itself when supported; otherwise a ValueError naming the supported ones."""
    if locale not in LOCALES:
        raise ValueError(f"language must be one of {', '.join(LOCALES)}, not {locale!r}")
    return locale
