"""Badges for a press kit: what an institution's results earn, by the rules in ``methodology/badges.yaml``, each
drawn as an SVG card (and a PNG of it) that says in words the ranking, the edition, the place and the table —
colour only marks the kind of table, it never carries the meaning — with a ``<title>`` and ``<desc>`` for
assistive technology."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from impactrank.countries import country_name
from impactrank.errors import N_, InputError
from impactrank.i18n import formats, gettext, sdg_label
from impactrank.report import typography as ty
from impactrank.sdgs import SDG_NAMES

RULES = Path(__file__).resolve().parents[1] / "methodology" / "badges.yaml"
TABLES = ("overall", "sdg", "national")
WIDTH, HEIGHT = 360, 220
PNG_SCALE = 2  # a PNG twice the SVG's size, sharp on a press page
OVERALL_COLOUR, NATIONAL_COLOUR = "#1f3a5f", "#5b2a86"
SDG_COLOURS = {  # the UN's colours of the goals, for the band at the card's top
    1: "#e5243b", 2: "#dda63a", 3: "#4c9f38", 4: "#c5192d", 5: "#ff3a21", 6: "#26bde2", 7: "#fcc30b",
    8: "#a21942", 9: "#fd6925", 10: "#dd1367", 11: "#fd9d24", 12: "#bf8b2e", 13: "#3f7e44", 14: "#0a97d9",
    15: "#56c02b", 16: "#00689d", 17: "#19486a",
}  # fmt: skip


@cache
def load_rules(path: Path = RULES) -> dict[str, Any]:
    """The rules file, checked: each rule names a known table and says when it is earned."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ids = set()
    for n, rule in enumerate(data.get("rules") or [], start=1):
        if rule.get("table") not in TABLES:
            raise InputError(
                N_("rule %(rule)s: table must be one of %(tables)s"),
                file=str(path),
                field="table",
                params={"rule": n, "tables": ", ".join(TABLES)},
            )
        if "within" not in rule and not rule.get("banded"):
            raise InputError(
                N_("rule %(rule)s: give 'within' or 'banded: true'"), file=str(path), field="within", params={"rule": n}
            )
        if rule.get("unless") and rule["unless"] not in ids:
            raise InputError(
                N_("rule %(rule)s: 'unless' names no earlier rule"), file=str(path), field="unless", params={"rule": n}
            )
        ids.add(rule["id"])
    return data


def last_place(rank: str | None) -> int | None:
    """The last place a shown rank allows: "=12" → 12, "101–200" → 200; an open band ("1001+") → None."""
    text = (rank or "").lstrip("=")
    if text.endswith("+") or not text:
        return None
    return int(text.split("–")[-1])


def _earned(rule: dict, rank: str | None, banded: bool) -> bool:
    if "within" in rule:
        place = last_place(rank)
        return place is not None and place <= rule["within"]
    return banded


def earned(facts: dict, rules: dict | None = None) -> list[dict[str, Any]]:
    """The badges an institution's facts (:func:`impactrank.report.institution.institution_facts`) earn, in
    the rules' order: ``{rule, table, sdg, rank, banded, shared, of}``."""
    rules = rules or load_rules()
    out: list[dict[str, Any]] = []
    got: set[str] = set()
    overall, national = facts["overall"], facts["national"]
    for rule in rules["rules"]:
        if rule.get("unless") in got:
            continue
        found = []
        if rule["table"] == "overall" and overall and _earned(rule, overall["rank"], overall["banded"]):
            found.append({"sdg": None, "rank": overall["rank"], "banded": overall["banded"], "of": facts["field_size"]})
        elif rule["table"] == "national" and national and _earned(rule, national["rank"], False):
            found.append({"sdg": None, "rank": national["rank"], "banded": False, "of": national["count"]})
        elif rule["table"] == "sdg":
            for p in sorted(facts["sdgs"], key=lambda p: p["sdg"]):
                if _earned(rule, p["rank"], p["banded"]):
                    found.append({"sdg": p["sdg"], "rank": p["rank"], "banded": p["banded"], "of": p["table_size"]})
        for badge in found:
            shared = str(badge["rank"]).startswith("=")
            out.append({"rule": rule["id"], "table": rule["table"], "shared": shared, **badge})
        if found:
            got.add(rule["id"])
    return out


def wording(badge: dict, facts: dict, lang: str, rules: dict | None = None) -> dict[str, str]:
    """A badge's words: the ranking and edition, the place, the table, and one sentence saying all of it."""
    rules = rules or load_rules()
    ranking = f"{facts.get('ranking') or rules['ranking']}"
    ranking = ranking.removesuffix(f" {facts['year']}")
    rank = badge["rank"]
    place = formats.shown(rank, lang) if badge["banded"] else ty.rank_phrase(rank, lang)
    of = ty.number(badge["of"], lang) if badge["of"] is not None else None
    goal = SDG_NAMES[lang][badge["sdg"]] if badge["table"] == "sdg" else ""
    if badge["table"] == "overall":
        table = gettext("Overall table", lang)
    elif badge["table"] == "sdg":
        table = sdg_label(badge["sdg"], lang)
    else:
        table = gettext("In %(country)s", lang) % {"country": country_name(facts["national"]["country"], lang)}
    if badge["table"] == "national":
        detail = gettext("of %(count)s ranked institutions", lang) % {"count": of}
    elif badge["banded"]:
        detail = gettext("band, of %(count)s", lang) % {"count": of}
    else:
        detail = gettext("of %(count)s", lang) % {"count": of}
    sentence = gettext("%(institution)s: %(place)s %(detail)s — %(table)s, %(ranking)s %(year)s", lang) % {
        "institution": facts["institution"]["name"],
        "place": place,
        "detail": detail,
        "table": f"{table} ({goal})" if goal else table,
        "ranking": ranking,
        "year": facts["year"],
    }
    return {
        "ranking": ranking,
        "edition": str(facts["year"]),
        "place": place,
        "detail": detail,
        "table": table,
        "goal": goal,
        "sentence": ty.punctuate(sentence, lang),
    }


def svg(badge: dict, facts: dict, lang: str) -> str:
    """The badge as a standalone SVG card: a coloured band naming the table, then the place in large type."""
    w = wording(badge, facts, lang)
    colour = SDG_COLOURS.get(badge["sdg"], OVERALL_COLOUR) if badge["table"] == "sdg" else OVERALL_COLOUR
    if badge["table"] == "national":
        colour = NATIONAL_COLOUR
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-labelledby="title desc" lang="{lang}">',
        f'<title id="title">{escape(w["sentence"])}</title>',
        f'<desc id="desc">{escape(facts["institution"]["name"])} — {escape(w["ranking"])} {w["edition"]}</desc>',
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="{HEIGHT - 2}" rx="12" fill="#ffffff" stroke="{colour}"'
        ' stroke-width="2"/>',
        f'<path d="M1 13 a12 12 0 0 1 12 -12 h{WIDTH - 26} a12 12 0 0 1 12 12 v39 h-{WIDTH - 2} z" fill="{colour}"/>',
        _text(20, 33, w["table"], 17, _ink(colour), bold=True),
        _text(20, 100, w["place"], 40, "#111111", bold=True),
        _text(20, 128, w["detail"], 16, "#333333"),
        _text(20, 156, w["goal"], 15, "#333333") if w["goal"] else "",
        _text(20, 200, f"{w['ranking']} {w['edition']}", 16, "#111111", bold=True),
        "</svg>",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def _luminance(colour: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(background: str) -> str:
    """White on the band when it contrasts at WCAG AA's 4.5:1, else near-black (the goals' yellows and oranges)."""
    return "#ffffff" if 1.05 / (_luminance(background) + 0.05) >= 4.5 else "#111111"


def _text(x: int, y: int, content: str, size: int, fill: str, bold: bool = False) -> str:
    """One line of text, made smaller when it would not fit the card (DejaVu Sans averages about 0.6 em a
    character, bold 0.66)."""
    size = min(size, int((WIDTH - 2 * x) / (len(content) * (0.66 if bold else 0.6)) or 1))
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x}" y="{y}" font-family="DejaVu Sans, Arial, sans-serif" font-size="{size}" fill="{fill}"'
        f"{weight}>{escape(content)}</text>"
    )


def png(svg_text: str) -> bytes:
    """The SVG drawn by cairosvg at :data:`PNG_SCALE` (no timestamp in the file: the same SVG, the same bytes)."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg_text.encode("utf-8"), scale=PNG_SCALE)


def file_stem(badge: dict) -> str:
    """``overall-top``, ``sdg-top-13``: a badge's file name in the kit."""
    return badge["rule"] + (f"-{badge['sdg']}" if badge["sdg"] is not None else "")
