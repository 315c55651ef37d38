"""Country names and codes to ISO 3166 alpha-2, including the spellings ranking tables use, and a code's name
in the reader's language."""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

import pycountry
from babel import Locale

from impactrank.errors import N_, InputError

# Names that pycountry does not resolve, or resolves differently from the rankings' usage.
_ALIASES = {
    "taiwan": "TW",
    "hong kong": "HK",
    "macao": "MO",
    "macau": "MO",
    "russia": "RU",
    "russian federation": "RU",
    "turkey": "TR",
    "turkiye": "TR",
    "czech republic": "CZ",
    "iran": "IR",
    "palestine": "PS",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "syria": "SY",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "northern cyprus": "CY",
    "kosovo": "XK",
    "uk": "GB",
    "united kingdom": "GB",
    "usa": "US",
    "united states": "US",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "democratic republic of the congo": "CD",
    "republic of the congo": "CG",
    "congo": "CG",
    "brunei darussalam": "BN",
    "brunei": "BN",
    "the netherlands": "NL",
    "netherlands": "NL",
    # further spellings seen in rankings tables and compilations
    "hong kong sar": "HK",
    "hong kong sar, china": "HK",
    "hong kong, china": "HK",
    "macao sar": "MO",
    "macau sar": "MO",
    "macao sar, china": "MO",
    "mainland china": "CN",
    "china (mainland)": "CN",
    "taiwan, china": "TW",
    "chinese taipei": "TW",
    "taiwan (roc)": "TW",
    "republic of china": "TW",
    "臺灣": "TW",  # 臺灣, the Taiwan compilation's own spelling
    "台灣": "TW",  # 台灣
    "中華民國": "TW",  # 中華民國
    "czechia": "CZ",
    "slovak republic": "SK",
    "kyrgyz republic": "KG",
    "uae": "AE",
    "u.a.e.": "AE",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "u.s.a.": "US",
    "united states of america": "US",
    "state of palestine": "PS",
    "palestinian territories": "PS",
    "occupied palestinian territory": "PS",
    "cape verde": "CV",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "republic of moldova": "MD",
    "curacao": "CW",
    "reunion": "RE",
    "micronesia": "FM",
    "the gambia": "GM",
    "gambia": "GM",
    "the bahamas": "BS",
    "bahamas": "BS",
    "east timor": "TL",
    "timor-leste": "TL",
    "burma": "MM",
    "myanmar": "MM",
    "vatican": "VA",
    "holy see": "VA",
    "iran, islamic republic of": "IR",
    "islamic republic of iran": "IR",
    "korea, republic of": "KR",
    "korea, south": "KR",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("’", "'").casefold().split())


@lru_cache(maxsize=4096)
def to_alpha2(text: str | None) -> str | None:
    """ISO alpha-2 code for a code or country name, or None when it cannot be resolved."""
    if text is None:
        return None
    folded = _fold(text)
    if not folded or folded.isdigit():  # numeric codes never appear in ranking tables; digits are noise
        return None
    if folded in _ALIASES:
        return _ALIASES[folded]
    if len(folded) == 2 and folded.isalpha():
        code = folded.upper()
        return code if code == "XK" or pycountry.countries.get(alpha_2=code) else None
    try:
        return pycountry.countries.lookup(text.strip()).alpha_2
    except LookupError:
        pass
    for country in pycountry.countries:
        names = {getattr(country, a, "") for a in ("name", "official_name", "common_name")}
        if folded in {_fold(n) for n in names if n}:
            return country.alpha_2
    return None


def country_key(text: str) -> str:
    """The code a country filter matches, given a code or a name in any case; text that names no country, as
    given in upper case (it matches no row, and the caller says so)."""
    return to_alpha2(text) or text.upper()


def country_code(text: str) -> str:
    """The alpha-2 code of a country a user names by code or name ("FR", "France"); an InputError otherwise."""
    code = to_alpha2(text)
    if code is None:
        raise InputError(N_("%(text)s is not a country name or ISO code"), field="country", params={"text": repr(text)})
    return code


def country_name(code: str, locale: str = "en") -> str:
    """An alpha-2 code's name in a language, from Babel's CLDR territory names ("France", "Nigeria";
    "Corée du Sud", "Reino Unido"); the code itself when CLDR has no name for it."""
    return _territories(locale).get(code, code)


@cache
def _territories(locale: str) -> dict[str, str]:
    """A language's territory names, read once (a table page names a country on each of its rows)."""
    return dict(Locale.parse(locale).territories)
