"""Charts for reports and the dashboard: each chart is first a small data dictionary computed from an
edition's tables, then drawn twice from that same dictionary — as a Plotly figure (interactive HTML, with
Plotly's JavaScript inlined) and as a dependency-free static SVG (the PDF, and the no-script fallback).

Text from data (institution names) is escaped for both renderers: Plotly interprets a subset of HTML in
labels, so names go in as entities; the SVG is built with ``html.escape``.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import polars as pl

from impactrank.engine.edition import Edition

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


def _text(spec: dict) -> dict[str, str]:
    return TEXT.get(spec.get("lang", "en"), TEXT["en"])


def _label(text: Any) -> str:
    """A data string made safe for Plotly's HTML-like label rendering."""
    return html.escape("" if text is None else str(text), quote=True)


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


# ---------------------------------------------------------------------------------------------------------
# Chart data (one function per chart, shared by both renderers)
# ---------------------------------------------------------------------------------------------------------


def _score_expr() -> pl.Expr:
    """The overall score, or the middle of its interval for imported banded rows that only carry a range."""
    return pl.coalesce(pl.col("overall_score"), (pl.col("overall_low") + pl.col("overall_high")) / 2)


def distribution_data(
    edition: Edition, marked_ids: list[str] | None = None, bin_width: float = 2.5, lang: str = "en"
) -> dict:
    """Histogram of overall scores, the lowest score of each rank group (band boundaries), marked institutions."""
    ov = edition.overall.with_columns(_score_expr().alias("_s")).filter(pl.col("_s").is_not_null())
    scores = ov["_s"].to_list()
    nbins = math.ceil(100 / bin_width)
    counts = [0] * nbins
    for s in scores:
        counts[min(nbins - 1, max(0, int(s // bin_width)))] += 1
    groups = (
        ov.with_columns(
            pl.when(pl.col("band").is_null() | (pl.col("band") == ""))
            .then(pl.lit("individual"))
            .otherwise(pl.col("band"))
            .alias("_g")
        )
        .group_by("_g")
        .agg(  # a band's score range: its lowest and highest scores, ends of published ranges included
            pl.coalesce("overall_score", "overall_low").min().alias("low"),
            pl.coalesce("overall_score", "overall_high").max().alias("high"),
            pl.col("rank_position").min().alias("start"),
            pl.len().alias("n"),
        )
        .sort("start")
    )
    boundaries = []
    for g in groups.iter_rows(named=True):
        label = f"1–{g['start'] + g['n'] - 1}" if g["_g"] == "individual" else g["_g"]
        boundaries.append({"label": label, "low": _r(g["low"], 2), "high": _r(g["high"], 2), "count": g["n"]})
    marked = []
    if marked_ids:
        names = dict(edition.institutions.select("institution_id", "name").iter_rows())
        rows = ov.filter(pl.col("institution_id").is_in(marked_ids)).sort("rank_position")
        for r in rows.iter_rows(named=True):
            marked.append(
                {
                    "institution_id": r["institution_id"],
                    "name": names.get(r["institution_id"]),
                    "rank": r["rank"],
                    "score": _r(r["_s"], 2),
                }
            )
    return {
        "kind": "distribution",
        "lang": lang,
        "title": TEXT[lang]["dist_title"].format(e=edition.id, n=len(scores)),
        "bin_width": bin_width,
        "bins": [round(i * bin_width, 4) for i in range(nbins)],
        "counts": counts,
        "boundaries": boundaries,
        "marked": marked,
    }


def profile_data(edition: Edition, institution_id: str, name: str | None = None, lang: str = "en") -> dict:
    """One institution's SDG scores, and which of them counted in its overall score."""
    rows = edition.sdg_scores.filter(pl.col("institution_id") == institution_id).sort("sdg")
    return profile_from_rows(rows.to_dicts(), institution_id, name, lang)


def profile_from_rows(rows: list[dict], institution_id: str, name: str | None = None, lang: str = "en") -> dict:
    """The profile from the institution's ``sdg_scores`` rows (sorted by SDG) already in hand."""
    sdgs = []
    for r in rows:  # an imported banded row carries its published range only: drawn as a floating bar
        low = r["score"] if r["score"] is not None else r["score_low"]
        high = r["score"] if r["score"] is not None else r["score_high"]
        sdgs.append(
            {
                "sdg": r["sdg"],
                "score": _r(r["score"], 2),
                "low": _r(low, 2),
                "high": _r(high, 2),
                "scaled": _r(r["scaled_score"], 2),
                "counted": bool(r["counted"]),
                "rank": r["rank"],
            }
        )
    return {
        "kind": "profile",
        "lang": lang,
        "title": TEXT[lang]["profile_title"].format(name=name or institution_id),
        "institution_id": institution_id,
        "name": name,
        "sdgs": sdgs,
    }


def participation_data(edition: Edition, marked_ids: list[str] | None = None, lang: str = "en") -> dict:
    """Institutions in each SDG table, and where the selected institutions stand in each (top x %)."""
    counts = dict(edition.sdg_scores.group_by("sdg").agg(pl.len()).iter_rows())
    names = dict(edition.institutions.select("institution_id", "name").iter_rows())
    positions = []
    if marked_ids:
        rows = edition.sdg_scores.filter(pl.col("institution_id").is_in(marked_ids)).sort(["institution_id", "sdg"])
        for r in rows.iter_rows(named=True):
            n = counts.get(r["sdg"], 0)
            pos = r["rank_position"]
            positions.append(
                {
                    "institution_id": r["institution_id"],
                    "name": names.get(r["institution_id"]),
                    "sdg": r["sdg"],
                    "rank": r["rank"],
                    "position": pos,
                    "of": n,
                    "top_percent": _r(100.0 * pos / n, 1) if pos is not None and n else None,
                }
            )
    return {
        "kind": "participation",
        "lang": lang,
        "title": TEXT[lang]["part_title"].format(e=edition.id),
        "participants": [{"sdg": s, "count": counts.get(s, 0)} for s in range(1, 18)],
        "positions": positions,
    }


def movement_data(comparison: Any, limit: int = 40, lang: str = "en") -> dict:
    """Overall position as 'top x % of the field' in two editions, from a
    :class:`impactrank.engine.compare.Comparison`, so a growing field does not read as decline. A banded rank
    is an interval; the point is its middle and the whisker its extent."""
    rows = comparison.table.filter(pl.col("status") == "both").head(limit)
    items = []
    for r in rows.iter_rows(named=True):
        item = {
            "institution_id": r["institution_id"],
            "name": r["name"] or r["institution_id"],
            "rank_before": r["rank_from"],
            "rank_after": r["rank_to"],
            "movement": r["movement"],
        }
        for side, suffix in (("before", "from"), ("after", "to")):
            lo, hi = r[f"pct_low_{suffix}"], r[f"pct_high_{suffix}"]
            item[f"top_{side}"] = _r((lo + hi) / 2, 2) if lo is not None and hi is not None else None
            item[f"low_{side}"], item[f"high_{side}"] = _r(lo, 2), _r(hi, 2)
        items.append(item)
    return {
        "kind": "movement",
        "lang": lang,
        "title": TEXT[lang]["move_title"].format(a=comparison.edition_from, b=comparison.edition_to),
        "edition_before": comparison.edition_from,
        "edition_after": comparison.edition_to,
        "field_before": comparison.field_from,
        "field_after": comparison.field_to,
        "items": items,
        "truncated": max(0, comparison.table.filter(pl.col("status") == "both").height - limit),
    }


# ---------------------------------------------------------------------------------------------------------
# Plotly figures
# ---------------------------------------------------------------------------------------------------------

_LAYOUT = {
    "margin": {"l": 60, "r": 30, "t": 50, "b": 50},
    "font": {"family": "sans-serif", "size": 12},
    "plot_bgcolor": "#ffffff",
    "paper_bgcolor": "#ffffff",
    "height": 380,
}


def plotly_figure(spec: dict) -> dict:
    """A Plotly figure (as a plain dict) for a chart data dictionary."""
    kind = spec["kind"]
    layout = dict(_LAYOUT, title={"text": _label(spec["title"])})
    tx = _text(spec)
    data: list[dict] = []
    if kind == "distribution":
        w = spec["bin_width"]
        data.append(
            {
                "type": "bar",
                "x": [b + w / 2 for b in spec["bins"]],
                "y": spec["counts"],
                "width": w * 0.95,
                "marker": {"color": MUTED},
                "name": "institutions",
                "hovertemplate": "score %{x}: %{y} institutions<extra></extra>",
            }
        )
        top = max(spec["counts"] or [1]) or 1
        shapes, notes = [], []
        for i, b in enumerate(spec["boundaries"]):
            if b["low"] is None:
                continue
            shapes.append(
                {
                    "type": "line",
                    "x0": b["low"],
                    "x1": b["low"],
                    "y0": 0,
                    "y1": top * 1.05,
                    "line": {"color": BASE, "dash": "dot", "width": 1},
                }
            )
            notes.append(
                {
                    "x": b["low"],
                    "y": top * (1.08 + 0.06 * (i % 3)),
                    "text": _label(b["label"]),
                    "showarrow": False,
                    "font": {"size": 10, "color": BASE},
                }
            )
        if spec["marked"]:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": "selected",
                    "x": [m["score"] for m in spec["marked"]],
                    "y": [top * 0.5] * len(spec["marked"]),
                    "marker": {"color": MARK, "size": 11, "symbol": "diamond"},
                    "text": [f"{_label(m['name'])} (rank {_label(m['rank'])})" for m in spec["marked"]],
                    "hovertemplate": "%{text}: %{x}<extra></extra>",
                }
            )
        layout.update(
            shapes=shapes,
            annotations=notes,
            bargap=0,
            xaxis={"title": {"text": tx["score"]}, "range": [0, 100]},
            yaxis={"title": {"text": tx["institutions"]}},
            showlegend=False,
        )
    elif kind == "profile":
        s = spec["sdgs"]
        data.append(
            {
                "type": "bar",
                "x": [f"SDG {r['sdg']}" for r in s],
                "base": [_floor(r) for r in s],
                "y": [_height(r) for r in s],
                "marker": {"color": [SDG_COLOURS[r["sdg"]] if r["counted"] else MUTED for r in s]},
                "text": [tx["counted"] if r["counted"] else "" for r in s],
                "customdata": [_value_text(r) for r in s],
                "textposition": "outside",
                "hovertemplate": "%{x}: %{customdata}<extra></extra>",
                "name": "SDG score",
            }
        )
        layout.update(yaxis={"title": {"text": tx["sdg_score"]}, "range": [0, 110]}, showlegend=False)
    elif kind == "participation":
        p = spec["participants"]
        data.append(
            {
                "type": "bar",
                "x": [f"SDG {r['sdg']}" for r in p],
                "y": [r["count"] for r in p],
                "marker": {"color": [SDG_COLOURS[r["sdg"]] for r in p]},
                "name": "participants",
                "hovertemplate": "%{x}: %{y} institutions<extra></extra>",
            }
        )
        by_inst: dict[str, list[dict]] = {}
        for pos in spec["positions"]:
            by_inst.setdefault(pos["institution_id"], []).append(pos)
        for rows in by_inst.values():
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "yaxis": "y2",
                    "name": _label(rows[0]["name"]),
                    "x": [f"SDG {r['sdg']}" for r in rows],
                    "y": [r["top_percent"] for r in rows],
                    "marker": {"size": 9, "symbol": "diamond"},
                    "text": [f"rank {_label(r['rank'])} of {r['of']}" for r in rows],
                    "hovertemplate": "%{x}: top %{y}% (%{text})<extra>" + _label(rows[0]["name"]) + "</extra>",
                }
            )
        layout.update(
            yaxis={"title": {"text": tx["in_table"]}},
            yaxis2={"title": {"text": tx["position"]}, "overlaying": "y", "side": "right", "range": [100, 0]},
            legend={"orientation": "h", "y": -0.2},
        )
    elif kind == "movement":
        items = spec["items"]
        for it in items:
            if it["top_before"] is not None and it["top_after"] is not None:
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": [it["top_before"], it["top_after"]],
                        "y": [_label(it["name"])] * 2,
                        "line": {"color": MUTED, "width": 3},
                        "showlegend": False,
                        "hoverinfo": "skip",
                    }
                )
        for side, colour, label in (("before", MUTED, spec["edition_before"]), ("after", BASE, spec["edition_after"])):
            pts = [it for it in items if it[f"top_{side}"] is not None]
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": _label(label),
                    "x": [it[f"top_{side}"] for it in pts],
                    "y": [_label(it["name"]) for it in pts],
                    "error_x": {
                        "type": "data",
                        "symmetric": False,
                        "color": colour,
                        "thickness": 1.5,
                        "array": [it[f"high_{side}"] - it[f"top_{side}"] for it in pts],
                        "arrayminus": [it[f"top_{side}"] - it[f"low_{side}"] for it in pts],
                    },
                    "marker": {"color": colour, "size": 10, "line": {"color": "#888888", "width": 1}},
                    "text": [_label(it[f"rank_{side}"]) for it in pts],
                    "hovertemplate": "%{y}: rank %{text}, top %{x}%<extra>" + _label(label) + "</extra>",
                }
            )
        layout.update(
            xaxis={"title": {"text": tx["top_field"]}, "range": [0, 100]},
            yaxis={"autorange": "reversed", "automargin": True},
            height=max(260, 90 + 30 * len(items)),
            margin=dict(_LAYOUT["margin"], l=20),
        )
    else:
        raise ValueError(f"unknown chart kind {kind!r}")
    return {"data": data, "layout": layout}


def figure_json(spec: dict) -> str:
    """The Plotly figure as JSON safe to place inside a <script> element (no '<', '>' or '&')."""
    text = json.dumps(plotly_figure(spec), sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_json(value: Any) -> str:
    """Any JSON value made safe inside a <script> element."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------------------------------------------------
# Static SVG twins
# ---------------------------------------------------------------------------------------------------------

W, H = 720, 340
PAD_L, PAD_R, PAD_T, PAD_B = 60, 60, 40, 48


def _t(
    x: float,
    y: float,
    text: Any,
    size: int = 11,
    anchor: str = "middle",
    colour: str = INK,
    rotate: float | None = None,
    weight: str = "normal",
) -> str:
    tr = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate is not None else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}" '
        f'font-family="sans-serif" font-weight="{weight}"{tr}>{html.escape(str(text))}</text>'
    )


def _frame(title: str, height: int = H) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" viewBox="0 0 {W} {height}" '
        f'role="img" aria-label="{html.escape(title, quote=True)}">',
        f'<rect width="{W}" height="{height}" fill="#ffffff"/>',
        _t(W / 2, 22, title, 14, weight="bold"),
    ]


def _axis_y(
    lo: float, hi: float, x: float, y0: float, y1: float, ticks: int = 5, right: bool = False, fmt: str = "{:g}"
) -> list[str]:
    out = [f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="#888"/>']
    for i in range(ticks + 1):
        v = lo + (hi - lo) * i / ticks
        y = y0 + (y1 - y0) * i / ticks
        out.append(_t(x + (6 if right else -6), y + 4, fmt.format(round(v, 1)), 10, "start" if right else "end"))
    return out


def svg(spec: dict) -> str:
    """A static SVG drawing of the chart data (same numbers as the Plotly figure)."""
    kind = spec["kind"]
    if kind == "distribution":
        return _svg_distribution(spec)
    if kind == "profile":
        return _svg_bars(
            spec["title"],
            [f"{r['sdg']}" for r in spec["sdgs"]],
            [r["high"] for r in spec["sdgs"]],
            [SDG_COLOURS[r["sdg"]] if r["counted"] else MUTED for r in spec["sdgs"]],
            100.0,
            _text(spec)["sdg_score"],
            _text(spec)["sdg"],
            bases=[_floor(r) for r in spec["sdgs"]],
            texts=[_value_text(r) for r in spec["sdgs"]],
        )
    if kind == "participation":
        return _svg_participation(spec)
    if kind == "movement":
        return _svg_movement(spec)
    raise ValueError(f"unknown chart kind {kind!r}")


def _floor(r: dict) -> float:
    """Where a profile bar starts: zero for a score, the low end for a published range."""
    return 0.0 if r["score"] is not None or r["low"] is None else r["low"]


def _height(r: dict) -> float | None:
    return None if r["high"] is None else r["high"] - _floor(r)


def _value_text(r: dict) -> str:
    if r["score"] is not None:
        return f"{r['score']:g}"
    return "" if r["low"] is None else f"{r['low']:g}–{r['high']:g}"


def _svg_bars(
    title: str,
    labels: list[str],
    values: list[float | None],
    colours: list[str],
    top: float,
    ylabel: str,
    xlabel: str,
    extra: list[str] | None = None,
    bases: list[float] | None = None,
    texts: list[str] | None = None,
) -> str:
    """Bars from zero (or from ``bases``, for ranges) up to ``values``, labelled with ``texts``."""
    out = _frame(title)
    x0, x1, y0, y1 = PAD_L, W - PAD_R, PAD_T, H - PAD_B
    top = top or 1.0
    out += _axis_y(top, 0, x0, y0, y1)
    out.append(_t(16, (y0 + y1) / 2, ylabel, 10, rotate=-90))
    out.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#888"/>')
    n = max(1, len(labels))
    slot = (x1 - x0) / n
    bases = bases or [0.0] * len(values)
    texts = texts or [None if v is None else f"{v:g}" for v in values]
    for i, (lab, v, c) in enumerate(zip(labels, values, colours, strict=True)):
        cx = x0 + slot * (i + 0.5)
        if v is not None:
            h = (y1 - y0) * max(0.0, min(v, top)) / top
            b = (y1 - y0) * max(0.0, min(bases[i], top)) / top
            out.append(
                f'<rect class="bar" x="{cx - slot * 0.35:.1f}" y="{y1 - h:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{h - b:.1f}" fill="{c}"><title>{html.escape(lab)}: {html.escape(texts[i])}</title></rect>'
            )
            out.append(_t(cx, y1 - h - 4, texts[i], 9))
        out.append(_t(cx, y1 + 14, lab, 10))
    out.append(_t((x0 + x1) / 2, H - 10, xlabel, 10))
    out += extra or []
    out.append("</svg>")
    return "".join(out)


def _svg_distribution(spec: dict) -> str:
    out = _frame(spec["title"])
    x0, x1, y0, y1 = PAD_L, W - PAD_R, PAD_T + 30, H - PAD_B
    top = max(spec["counts"] or [1]) or 1
    out += _axis_y(top, 0, x0, y0, y1)
    out.append(_t(16, (y0 + y1) / 2, _text(spec)["institutions"], 10, rotate=-90))
    out.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#888"/>')

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * v / 100.0

    w = spec["bin_width"]
    for b, c in zip(spec["bins"], spec["counts"], strict=True):
        if c:
            h = (y1 - y0) * c / top
            out.append(
                f'<rect class="bar" x="{sx(b):.1f}" y="{y1 - h:.1f}" width="{sx(b + w) - sx(b) - 0.5:.1f}" '
                f'height="{h:.1f}" fill="{MUTED}"/>'
            )
    for t in range(0, 101, 10):
        out.append(_t(sx(t), y1 + 14, t, 10))
    out.append(_t((x0 + x1) / 2, H - 10, _text(spec)["score_note"], 10))
    for i, b in enumerate(spec["boundaries"]):
        if b["low"] is None:
            continue
        x = sx(b["low"])
        out.append(
            f'<line class="boundary" x1="{x:.1f}" y1="{y0 - 4:.1f}" x2="{x:.1f}" y2="{y1}" stroke="{BASE}" '
            f'stroke-dasharray="3,3"/>'
        )
        out.append(_t(x, y0 - 8 - 11 * (i % 3), b["label"], 9, colour=BASE))
    for j, m in enumerate(spec["marked"][:12]):
        if m["score"] is None:
            continue
        x, y = sx(m["score"]), y1 - (y1 - y0) * (0.35 + 0.08 * (j % 5))
        out.append(
            f'<path class="marked" d="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} '
            f'L{x - 6:.1f},{y:.1f} Z" fill="{MARK}"/>'
        )
        out.append(_t(x + 8, y + 4, f"{m['name']} ({m['rank']})", 9, "start", MARK))
    out.append("</svg>")
    return "".join(out)


def _svg_participation(spec: dict) -> str:
    p = spec["participants"]
    top = max([r["count"] for r in p] or [1]) or 1
    x0, x1, y0, y1 = PAD_L, W - PAD_R, PAD_T, H - PAD_B
    slot = (x1 - x0) / 17
    extra = _axis_y(0, 100, x1, y0, y1, right=True, fmt="{:g}%")
    extra.append(_t(W - 14, (y0 + y1) / 2, _text(spec)["position"], 10, rotate=90))
    shapes = [
        "M{x:.1f},{y0:.1f} L{x1:.1f},{y:.1f} L{x:.1f},{y1:.1f} L{x0:.1f},{y:.1f} Z",
        "M{x0:.1f},{y0:.1f} L{x1:.1f},{y0:.1f} L{x1:.1f},{y1:.1f} L{x0:.1f},{y1:.1f} Z",
    ]
    ids = sorted({r["institution_id"] for r in spec["positions"]})
    palette = [MARK, "#2a9d8f", "#7b2cbf", "#e76f51", "#264653", "#f4a261"]
    for r in spec["positions"]:
        if r["top_percent"] is None:
            continue
        k = ids.index(r["institution_id"])
        cx = x0 + slot * (r["sdg"] - 0.5) + (k % 3 - 1) * 6
        cy = y0 + (y1 - y0) * r["top_percent"] / 100.0
        d = shapes[k % 2].format(x=cx, y=cy, x0=cx - 5, x1=cx + 5, y0=cy - 5, y1=cy + 5)
        out_colour = palette[k % len(palette)]
        extra.append(f'<path class="position" d="{d}" fill="{out_colour}" stroke="#ffffff"/>')
    for k, iid in enumerate(ids[:6]):
        name = next(r["name"] for r in spec["positions"] if r["institution_id"] == iid)
        extra.append(
            _t(x0 + 10 + 170 * (k % 4), PAD_T + 12 + 12 * (k // 4), f"◆ {name}", 9, "start", palette[k % len(palette)])
        )
    return _svg_bars(
        spec["title"],
        [str(r["sdg"]) for r in p],
        [float(r["count"]) for r in p],
        [SDG_COLOURS[r["sdg"]] + "99" for r in p],
        float(top),
        _text(spec)["in_table"],
        _text(spec)["sdg"],
        extra,
    )


def _svg_movement(spec: dict) -> str:
    items = spec["items"]
    height = max(200, 90 + 22 * len(items))
    out = _frame(spec["title"], height)
    x0, x1 = 230, W - 30
    y0 = PAD_T + 20

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * v / 100.0

    for t in range(0, 101, 20):
        out.append(
            f'<line x1="{sx(t):.1f}" y1="{y0 - 6}" x2="{sx(t):.1f}" y2="{y0 + 22 * len(items)}" stroke="#eeeeee"/>'
        )
        out.append(_t(sx(t), y0 - 10, _text(spec)["top"].format(t=t), 9))
    for i, it in enumerate(items):
        y = y0 + 10 + 22 * i
        name = it["name"] or it["institution_id"]
        out.append(_t(x0 - 8, y + 4, name if len(name) <= 34 else name[:33] + "…", 10, "end"))
        b, a = it["top_before"], it["top_after"]
        if b is not None and a is not None:
            out.append(f'<line x1="{sx(b):.1f}" y1="{y}" x2="{sx(a):.1f}" y2="{y}" stroke="{MUTED}" stroke-width="3"/>')
        for side, v, colour in (("before", b, MUTED), ("after", a, BASE)):
            if v is None:
                continue
            lo, hi = it[f"low_{side}"], it[f"high_{side}"]
            if lo is not None and hi is not None and hi > lo:
                out.append(
                    f'<line x1="{sx(lo):.1f}" y1="{y}" x2="{sx(hi):.1f}" y2="{y}" stroke="{colour}" '
                    f'stroke-width="1.5"/>'
                )
            out.append(f'<circle class="{side}" cx="{sx(v):.1f}" cy="{y}" r="5" fill="{colour}" stroke="#888"/>')
    yl = y0 + 22 * len(items) + 24
    out.append(f'<circle cx="{x0}" cy="{yl - 4}" r="5" fill="{MUTED}" stroke="#999"/>')
    tx = _text(spec)
    out.append(_t(x0 + 10, yl, tx["field"].format(e=spec["edition_before"], n=spec["field_before"]), 10, "start"))
    out.append(f'<circle cx="{x0 + 200}" cy="{yl - 4}" r="5" fill="{BASE}"/>')
    out.append(_t(x0 + 210, yl, tx["field"].format(e=spec["edition_after"], n=spec["field_after"]), 10, "start"))
    out.append("</svg>")
    return "".join(out)
