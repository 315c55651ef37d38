"""An institution page's SDG tables as HTML in the reader's language: a template's loop escaping every cell was
most of the page's rendering. Text is escaped; numbers as impactrank.i18n.formats.number writes them (digits,
signs, spaces) hold no character HTML escapes."""

from __future__ import annotations

import functools
import itertools

from markupsafe import Markup, escape

from impactrank.i18n import formats, gettext
from impactrank.i18n.catalogs import N_, sdg_label
from impactrank.web.chips import chip


def sdg_history_rows(facts: dict, lang: str) -> Markup:
    """The SDG positions table's rows: the SDG's chip, then a cell for each edition, "rank / table size",
    counted or not; where the institution is not in that table, whether the edition has the table at all."""
    counted = f' <span class="counted">{escape(gettext("counted", lang))}</span>'
    words = {True: gettext("not ranked", lang), False: gettext("no table", lang)}  # has the edition the table?
    absent = {has: f'<td class="num muted">{escape(word)}</td>' for has, word in words.items()}
    rows = []
    for row in facts["sdg_history"]:
        cells = []
        for h in facts["history"]:
            p = row["editions"].get(h["edition"])
            if p is None:
                cells.append(absent[row["sdg"] in h["sdg_tables"]])
                continue
            rank = escape(formats.shown(p["rank"], lang)) if p["rank"] else "–"
            size = f" / {formats.number(p['table_size'], lang)}" if p["table_size"] else ""
            cells.append(f'<td class="num">{rank}{size}{counted if p["counted"] else ""}</td>')
        rows.append(f'<tr data-sdg="{row["sdg"]}"><td>{chip(row["sdg"], lang)}</td>\n{"".join(cells)}</tr>\n')
    return Markup("".join(rows))


@functools.lru_cache(maxsize=1 << 12)  # a methodology's few metrics, written once
def _metric_cell(metric: str, label: str | None) -> Markup:
    """The methodology's label of a metric (in English, THE's words, marked so) and its id, which the data files
    and the API use."""
    if not label:
        return escape(metric)
    return Markup('<span lang="en">{}</span> <code class="muted">{}</code>').format(label, metric)


def _word(message: str, lang: str) -> Markup:
    """A message as a template's ``{{ _("…") }}`` writes it: the translation as markup, "%%" as "%"."""
    return Markup(gettext(message, lang)) % {}


@functools.cache
def _metric_words(lang: str) -> tuple[Markup, Markup, str, str]:
    """A metric table's fixed words in ``lang``: its heading's pattern, "counted", the table's head, "missing"."""
    num = ' class="num"'
    columns = ((N_("Metric"), ""), (N_("Raw value"), num), (N_("Score"), num), (N_("Weight"), num))
    head = "".join(f'<th scope="col"{c}>{_word(w, lang)}</th>' for w, c in (*columns, (N_("Contribution"), num)))
    return (
        Markup(gettext("%(sdg)s: score %(score)s", lang)),
        Markup(f' <span class="counted">({_word(N_("counted"), lang)})</span>'),
        f'<table class="data metrics">\n<thead><tr>{head}</tr></thead>\n<tbody>\n',
        escape(gettext("missing", lang)),
    )


def metric_sections(facts: dict, lang: str) -> Markup:
    """Each SDG's heading and metric table (metric, raw value or "missing", score, weight, contribution), for
    the SDGs with metric rows. Raw values, scores and contributions are written a column at a time
    (formats.numbers: most are new to number's cache); the weights, a methodology's few, come from the cache."""
    heading, counted, table, missing = _metric_words(lang)
    shown = [s for s in facts["sdgs"] if s["metrics"]]
    rows = [m for s in shown for m in s["metrics"]]
    raw = formats.numbers([None if m["missing"] else m["raw"] for m in rows], lang, 4)  # a missing one: its word
    mark = formats.decimal_mark(lang)  # a count is "51 145", not "51 145,0000"; a rate keeps its decimals
    raw = [r.rstrip("0").removesuffix(mark) if mark in r else r for r in raw]
    score, contribution = (
        formats.numbers([m[k] for m in rows], lang, d) for k, d in (("score", 2), ("contribution", 3))
    )
    weight = [formats.number(m["weight"], lang, 0) for m in rows]
    cells = zip(rows, raw, score, weight, contribution, strict=True)
    out = []
    for s, sdg_score in zip(shown, formats.numbers([s["score"] for s in shown], lang, 2), strict=True):
        title = heading % {"sdg": sdg_label(s["sdg"], lang), "score": sdg_score}
        region = f'<div class="table-scroll" role="region" aria-label="{escape(title.striptags())}" tabindex="0">'
        out.append(f"<h3>{title}{counted if s['counted'] else ''}</h3>\n{region}{table}")
        out += (
            f"<tr><td>{_metric_cell(m['metric'], m.get('label'))}</td>"
            f'<td class="num">{missing if m["missing"] else r}</td>'
            f'<td class="num">{sc}</td><td class="num">{w}</td><td class="num">{c}</td></tr>'
            for m, r, sc, w, c in itertools.islice(cells, len(s["metrics"]))
        )
        out.append("</tbody>\n</table></div>\n")
    return Markup("".join(out))


def sdg_rows(facts: dict, edition_id: str, lang: str) -> Markup:
    """The SDG profile table's rows: the SDG's chip, its published score, its scaled score (or range), whether
    it is counted, its SDG rank."""
    counted = f'<span class="counted">{escape(gettext("yes", lang))}</span>'
    not_counted = escape(gettext("no", lang))  # said, not left blank
    absent = escape(gettext("not in the SDG table", lang))  # an SDG of the overall table's card only
    unranked = f'<span class="muted">{absent}</span>'
    rows = []
    for s in facts["sdgs"]:
        sdg = s["sdg"]
        link = chip(sdg, lang, f"/editions/{edition_id}/sdgs/{sdg}")
        score = escape(formats.shown(s["published"], lang))
        scaled = formats.shown(s["scaled_range"], lang) if s["scaled_range"] else formats.number(s["scaled"], lang, 2)
        rank = escape(formats.shown(s["rank"], lang)) if s["rank"] else unranked
        rows.append(
            f'<tr data-sdg="{sdg}"><td>{link}</td>\n<td class="num score">{score}</td>'
            f'<td class="num scaled">{escape(scaled)}</td>\n<td>{counted if s["counted"] else not_counted}</td>'
            f'<td class="num">{rank}</td></tr>\n'
        )
    return Markup("".join(rows))
