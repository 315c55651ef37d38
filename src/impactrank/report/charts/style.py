"""Colours, wording and escaping shared by both chart renderers."""

from __future__ import annotations

import html
import math
from typing import Any

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


TEXT = {
    "en": {
        "dist_title": "Overall scores, edition {e} ({n} institutions)",
        "profile_title": "SDG profile: {name}",
        "part_title": "Participation per SDG, edition {e}",
        "move_title": "Movement {a} → {b} (position as top % of the field)",
        "score": "overall score",
        "score_note": "overall score (dotted lines: lowest score of each rank group)",
        "institutions": "institutions",
        "sdg_score": "SDG score",
        "counted": "counted",
        "in_table": "institutions in the SDG table",
        "position": "position (top %)",
        "top_field": "position as top % of the field (lower is better)",
        "top": "top {t}%",
        "field": "{e} (field {n})",
        "sdg": "SDG",
    },
    "fr": {
        "dist_title": "Scores globaux, édition {e} ({n} établissements)",
        "profile_title": "Profil ODD : {name}",
        "part_title": "Participation par ODD, édition {e}",
        "move_title": "Évolution {a} → {b} (position en % du haut du classement)",
        "score": "score global",
        "score_note": "score global (pointillés : score le plus bas de chaque tranche)",
        "institutions": "établissements",
        "sdg_score": "score ODD",
        "counted": "retenu",
        "in_table": "établissements classés dans l'ODD",
        "position": "position (% du haut)",
        "top_field": "position en % du haut du classement (plus bas = mieux)",
        "top": "{t} %",
        "field": "{e} ({n} classés)",
        "sdg": "ODD",
    },
}


def text_of(spec: dict) -> dict[str, str]:
    return TEXT.get(spec.get("lang", "en"), TEXT["en"])


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


def value_text(r: dict) -> str:
    if r["score"] is not None:
        return f"{r['score']:g}"
    return "" if r["low"] is None else f"{r['low']:g}–{r['high']:g}"
