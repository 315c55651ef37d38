"""Ranks, lists and punctuation as a French, English or Spanish press text writes them; numbers through
:mod:`impactrank.i18n.formats` (CLDR), the one way numbers are written.

French: "1 115" (a narrow no-break space), "39,3 %", a no-break space before ":" and a narrow one before ";",
"!" and "?", « guillemets » with no-break spaces inside, ordinals "1er", "2e". English: "1,115", "39.3%", "1st",
"2nd", "joint 12th". Spanish: "1.115", "39,3 %", "55.º", no space before a colon.
"""

from __future__ import annotations

import re

from impactrank.i18n import check_locale, formats

NBSP = "\u00a0"  # espace insécable: before ":" and "%", inside « »
NNBSP = "\u202f"  # espace fine insécable: thousands, before ";", "!", "?"


def number(value: int | float, lang: str, decimals: int = 0) -> str:
    """1115 → "1,115" (en), "1 115" (fr, a narrow no-break space), "1.115" (es); decimals as asked."""
    return formats.number(value, lang, decimals)


def percent(value: float, lang: str, decimals: int = 1) -> str:
    """39.25 → "39.3%" (en) or "39,3 %" (fr, es: a no-break space)."""
    return formats.percent(value, lang, decimals)


def signed_percent(value: float, lang: str, decimals: int = 0) -> str:
    """Growth: "+45%" / "+45 %"; the sign is always shown."""
    sign = "+" if value >= 0 else "−"
    return sign + percent(abs(value), lang, decimals)


def ordinal(n: int, lang: str, feminine: bool = False) -> str:
    """1 → "1st" / "1er" ("1re" when feminine) / "1.º", 2 → "2nd" / "2e" / "2.º", 11 → "11th", 55 → "55th"."""
    if lang == "fr":
        return f"{n}{'re' if feminine else 'er'}" if n == 1 else f"{number(n, 'fr')}e"
    if lang == "es":
        return f"{number(n, 'es')}.{'ª' if feminine else 'º'}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{number(n, 'en')}{suffix}"


def percent_range(low: float | None, high: float | None, lang: str, decimals: int = 1) -> str:
    """A share known as an interval: "39.2–52.1%" (en), "39,2–52,1 %" (fr); a single one when both ends agree."""
    if low is None or high is None or low == high:
        return percent(high if low is None else low, lang, decimals)
    single = percent(high, lang, decimals)
    return single.replace(number(high, lang, decimals), formats.number_range(low, high, lang, decimals))


_TIED = {"en": "joint {}", "fr": "{} ex æquo", "es": "{} ex aequo"}


def place(rank: str | None, lang: str) -> str:
    """A displayed rank after a word for place ("puesto"): "=9" → "9 ex aequo", "9" → "9", a band as it is."""
    if not rank:
        return ""
    body = rank.lstrip("=")
    text = formats.shown(body, lang)
    return _TIED[lang].format(text) if rank.startswith("=") and body.isdigit() else text


def rank_phrase(rank: str | None, lang: str, feminine: bool = False) -> str:
    """A displayed rank as text: "=12" → "joint 12th" / "12e ex æquo"; "101–200" → "101–200"; "7" → "7th";
    ``feminine``: of a feminine subject ("L'Université PSL se classe 1re")."""
    if not rank:
        return ""
    tied = rank.startswith("=")
    body = rank.lstrip("=")
    if not body.isdigit():
        return formats.shown(body, lang)
    text = ordinal(int(body), lang, feminine)
    return _TIED[lang].format(text) if tied else text


_AND = {"en": "and", "fr": "et", "es": "y"}


def join_names(names: list[str], lang: str) -> str:
    """["A"] → "A"; ["A", "B", "C"] → "A, B and C" / "A, B et C" / "A, B y C"."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {_AND[check_locale(lang)]} {names[-1]}"


_QUOTED = re.compile(r'"([^"\n]*)"')
_TIGHT_GUILLEMETS = re.compile(r"«\s*([^»]*?)\s*»")
_BEFORE_MARKS = re.compile(r"(?<=\S)[ \u00a0\u202f]?([;:!?]+)(?=\s|$|[»)])")
_BEFORE_PERCENT = re.compile(r"(?<=\d)[ \u00a0\u202f]?%")


def french_punctuation(text: str) -> str:
    """Apply French spacing: "x : y" with a no-break space, "x ; y", "x ?", "x !" with a narrow one,
    « a » with no-break spaces inside, "39,3 %". Straight double quotes become guillemets. Colons inside
    times or ratios ("12:30", "3:1") and URLs are left alone because a space or line end must follow."""
    text = _QUOTED.sub(lambda m: f"«{m.group(1)}»", text)
    text = _TIGHT_GUILLEMETS.sub(lambda m: f"«{NBSP}{m.group(1)}{NBSP}»", text)
    text = _BEFORE_MARKS.sub(lambda m: f"{NBSP if m.group(1)[0] == ':' else NNBSP}{m.group(1)}", text)
    return _BEFORE_PERCENT.sub(f"{NBSP}%", text)


def english_punctuation(text: str) -> str:
    """English takes no space before ";:?!%": remove any a template or a name introduced."""
    return re.sub(r"(?<=\d)[ \u00a0\u202f]+%", "%", spanish_punctuation(text))


def spanish_punctuation(text: str) -> str:
    """Spanish takes no space before ";:?!" (its "%" keeps CLDR's no-break space)."""
    return re.sub(r"[ \u00a0\u202f]+([;:?!])(?=\s|$)", r"\1", text)


def punctuate(text: str, lang: str) -> str:
    return {"fr": french_punctuation, "es": spanish_punctuation}.get(lang, english_punctuation)(text)


# "French institutions" / "établissements français": adjectives for common countries; others fall back to
# "institutions in X" / "établissements du pays (X)".
_ADJ_EN = {
    "FR": "French",
    "DE": "German",
    "GB": "UK",
    "US": "US",
    "IT": "Italian",
    "ES": "Spanish",
    "PT": "Portuguese",
    "BE": "Belgian",
    "NL": "Dutch",
    "CH": "Swiss",
    "CA": "Canadian",
    "AU": "Australian",
    "NZ": "New Zealand",
    "TW": "Taiwanese",
    "JP": "Japanese",
    "CN": "Chinese",
    "KR": "South Korean",
    "IN": "Indian",
    "BR": "Brazilian",
    "MX": "Mexican",
    "TR": "Turkish",
    "RU": "Russian",
    "IE": "Irish",
    "SE": "Swedish",
    "FI": "Finnish",
    "NO": "Norwegian",
    "DK": "Danish",
    "PL": "Polish",
    "MA": "Moroccan",
    "TN": "Tunisian",
    "SN": "Senegalese",
    "DZ": "Algerian",
    "EG": "Egyptian",
    "ZA": "South African",
    "TH": "Thai",
    "ID": "Indonesian",
    "MY": "Malaysian",
    "PK": "Pakistani",
    "IQ": "Iraqi",
    "IR": "Iranian",
    "SA": "Saudi",
    "AE": "Emirati",
    "CL": "Chilean",
    "CO": "Colombian",
    "AR": "Argentinian",
    "PE": "Peruvian",
}
_ADJ_FR = {  # masculine plural: "établissements français"
    "FR": "français",
    "DE": "allemands",
    "GB": "britanniques",
    "US": "américains",
    "IT": "italiens",
    "ES": "espagnols",
    "PT": "portugais",
    "BE": "belges",
    "NL": "néerlandais",
    "CH": "suisses",
    "CA": "canadiens",
    "AU": "australiens",
    "NZ": "néo-zélandais",
    "TW": "taïwanais",
    "JP": "japonais",
    "CN": "chinois",
    "KR": "sud-coréens",
    "IN": "indiens",
    "BR": "brésiliens",
    "MX": "mexicains",
    "TR": "turcs",
    "RU": "russes",
    "IE": "irlandais",
    "SE": "suédois",
    "FI": "finlandais",
    "NO": "norvégiens",
    "DK": "danois",
    "PL": "polonais",
    "MA": "marocains",
    "TN": "tunisiens",
    "SN": "sénégalais",
    "DZ": "algériens",
    "EG": "égyptiens",
    "ZA": "sud-africains",
    "TH": "thaïlandais",
    "ID": "indonésiens",
    "MY": "malaisiens",
    "PK": "pakistanais",
    "IQ": "irakiens",
    "IR": "iraniens",
    "SA": "saoudiens",
    "AE": "émiriens",
    "CL": "chiliens",
    "CO": "colombiens",
    "AR": "argentins",
    "PE": "péruviens",
}


# Spanish country names that take their article ("las instituciones del Reino Unido"), as CLDR names them
_ARTICLE_ES = {"GB": "el", "NL": "los", "AE": "los", "DO": "la", "CF": "la"}


def _of_es(code: str, name: str) -> str:
    article = _ARTICLE_ES.get(code)
    return "del " + name if article == "el" else f"de {article} {name}" if article else f"de {name}"


def institutions_of(code: str, name: str, lang: str) -> str:
    """ "French institutions" / "établissements français", or "institutions in Ruritania" /
    "établissements du pays « Ruritanie »" when no adjective is known."""
    code = code.upper()
    if lang == "es":
        return f"instituciones {_of_es(code, name)}"
    if lang == "fr":
        adj = _ADJ_FR.get(code)
        return f"établissements {adj}" if adj else f"établissements du pays « {name} »"
    adj = _ADJ_EN.get(code)
    return f"{adj} institutions" if adj else f"institutions in {name}"


def institution_of(code: str, name: str, lang: str) -> str:
    """The singular: "French institution" / "établissement français" (adjectives in -ais/-ois are
    invariable), or "institution in Ruritania" / "établissement du pays « Ruritanie »"."""
    code = code.upper()
    if lang == "es":
        return f"institución {_of_es(code, name)}"
    if lang == "fr":
        adj = _ADJ_FR.get(code)
        if not adj:
            return f"établissement du pays « {name} »"
        return f"établissement {adj if adj.endswith(('ais', 'ois')) else adj[:-1]}"
    adj = _ADJ_EN.get(code)
    return f"{adj} institution" if adj else f"institution in {name}"
