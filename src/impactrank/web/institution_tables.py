"""An institution page's SDG tables as HTML in the reader's language: a template's loop escaping every cell was
most of the page's rendering. Text is escaped; numbers as impactrank.i18n.formats.number writes them (digits,
signs, spaces) hold no character HTML escapes."""

from __future__ import annotations

import functools

from markupsafe import Markup, escape

from impactrank.i18n import formats, gettext
from impactrank.web.chips import chip


def sdg_cells(facts: dict, lang: str) -> list[Markup]:
    """The SDG positions table's cells for each SDG, one per edition: "rank / table size", counted or not,
    empty where the institution is not in that table."""
    counted = f' <span class="counted">{escape(gettext("counted", lang))}</span>'
    rows = []
    for row in facts["sdg_history"]:
        cells = []
        for h in facts["history"]:
            p = row["editions"].get(h["edition"])
            if p is None:
                cells.append('<td class="num"></td>')
                continue
            rank = escape(formats.shown(p["rank"], lang)) if p["rank"] else "–"
            size = f" / {formats.number(p['table_size'], lang)}" if p["table_size"] else ""
            cells.append(f'<td class="num">{rank}{size}{counted if p["counted"] else ""}</td>')
        rows.append(Markup("".join(cells)))
    return rows


_metric = functools.lru_cache(maxsize=1 << 12)(escape)  # a methodology's few metric names, escaped once


def metric_rows(facts: dict, lang: str) -> dict[int, Markup]:
    """Each SDG's metric table rows (metric, raw value or "missing", score, weight, contribution) by SDG."""
    number = formats.number
    missing = escape(gettext("missing", lang))
    return {
        s["sdg"]: Markup(
            "".join(
                f"<tr><td>{_metric(m['metric'])}</td>"
                f'<td class="num">{missing if m["missing"] else number(m["raw"], lang, 4)}</td>'
                f'<td class="num">{number(m["score"], lang, 2)}</td><td class="num">{number(m["weight"], lang, 0)}'
                f'</td><td class="num">{number(m["contribution"], lang, 3)}</td></tr>'
                for m in s["metrics"]
            )
        )
        for s in facts["sdgs"]
    }


def sdg_rows(facts: dict, edition_id: str, lang: str) -> Markup:
    """The SDG profile table's rows: the SDG's chip, its published score, its scaled score (or range), whether
    it is counted, its SDG rank."""
    counted = f'<span class="counted">{escape(gettext("yes", lang))}</span>'
    rows = []
    for s in facts["sdgs"]:
        sdg = s["sdg"]
        link = chip(sdg, lang, f"/editions/{edition_id}/sdgs/{sdg}")
        score = escape(formats.shown(s["published"], lang))
        scaled = formats.shown(s["scaled_range"], lang) if s["scaled_range"] else formats.number(s["scaled"], lang, 2)
        rank = escape(formats.shown(s["rank"], lang)) if s["rank"] else ""
        rows.append(
            f'<tr data-sdg="{sdg}"><td>{link}</td>\n<td class="num score">{score}</td>'
            f'<td class="num scaled">{escape(scaled)}</td>\n<td>{counted if s["counted"] else ""}</td>'
            f'<td class="num">{rank}</td></tr>\n'
        )
    return Markup("".join(rows))
