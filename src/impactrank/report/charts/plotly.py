"""Interactive Plotly figures (as plain dicts and JSON) from the charts' data dictionaries."""

from __future__ import annotations

import functools
import json
from typing import Any

from babel.numbers import get_decimal_symbol, get_group_symbol

from impactrank.i18n import number, percent, sdg_label, shown
from impactrank.report.charts.style import BASE, MARK, MUTED, SDG_COLOURS, floor_of, height_of, nice_top
from impactrank.report.charts.style import label as _label
from impactrank.report.charts.style import text_of as _text

TITLE_SIZE = 16
_LAYOUT = {
    "margin": {"l": 60, "r": 30, "t": 50, "b": 50},
    "font": {"family": "sans-serif", "size": 12},
    "plot_bgcolor": "#ffffff",
    "paper_bgcolor": "#ffffff",
    "height": 380,
}


@functools.cache
def _separators(lang: str) -> str:
    """Plotly's decimal and group marks, from CLDR (Babel parses the locale at each call)."""
    return get_decimal_symbol(lang) + get_group_symbol(lang)


def _title(text: str) -> dict:
    """The title at the left of the figure, above the plot, the top margin growing to hold it: the script that
    draws the figure (``draw.js``) breaks it into lines as wide as the chart, so
    that a long title wraps on a phone instead of running off the chart."""
    return {
        "text": _label(text),
        "font": {"size": TITLE_SIZE},
        "x": 0,
        "xanchor": "left",
        "xref": "container",
        "pad": {"l": 10, "b": 12},
        "y": 1,
        "yanchor": "bottom",
        "yref": "paper",
        "automargin": True,
    }


def _count_axis(values: list[float], lang: str) -> dict:
    """A y axis of counts of institutions, its thousands grouped as the reader's language groups them. English and
    French group every thousand ("1,250", "1 250" with Plotly's ``separators``) and d3's "," flag says so; Spanish
    (CLDR, the RAE) leaves a four-digit number whole ("1250", but "12.500"), which no d3 format can say: its ticks
    are written here, at the printed chart's round steps over the data's range."""
    if lang != "es":
        return {"tickformat": ",~f"}
    top = max(values or [1]) or 1
    step = nice_top(top) / 5  # the printed chart's steps (1,154 → steps of 250)
    ticks = [round(step * k, 9) for k in range(8) if step * k <= top * 1.3]  # past what Plotly's range shows
    decimals = 0 if step >= 1 else 1
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [number(v, lang, decimals) for v in ticks]}


def plotly_figure(spec: dict) -> dict:
    """A Plotly figure (as a plain dict) for a chart data dictionary."""
    kind = spec["kind"]
    layout = dict(_LAYOUT, title=_title(spec["title"]))
    tx = _text(spec)
    lang = spec["lang"]
    layout["separators"] = _separators(lang)
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
                "name": tx["institutions"],
                "hovertemplate": "%{x}: %{y:.1f} " + tx["institutions"] + "<extra></extra>",  # a band's share
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
                    "text": _label(shown(b["label"], lang)),
                    "showarrow": False,
                    "font": {"size": 10, "color": BASE},
                }
            )
        if spec["marked"]:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers+text",  # numbered as in the printed chart's legend; named on hover
                    "name": tx["selected"],
                    "x": [m["x"] for m in spec["marked"]],
                    "y": [top * 0.5] * len(spec["marked"]),
                    "marker": {"color": MARK, "size": 11, "symbol": "diamond"},
                    "text": [str(k) for k in range(1, len(spec["marked"]) + 1)],
                    "textposition": "top center",
                    "customdata": [
                        _label(f"{m['name']} ({tx['rank'] % {'rank': shown(m['rank'], lang)}})") for m in spec["marked"]
                    ],
                    "hovertemplate": "%{text}. %{customdata}: %{x}<extra></extra>",
                }
            )
        layout.update(
            shapes=shapes,
            annotations=notes,
            bargap=0,
            xaxis={"title": {"text": tx["score"]}, "range": [0, 100]},
            yaxis={"title": {"text": tx["institutions"]}, **_count_axis(spec["counts"], lang)},
            showlegend=False,
        )
    elif kind == "profile":
        s = spec["sdgs"]
        data.append(
            {
                "type": "bar",
                "x": [sdg_label(r["sdg"], lang) for r in s],
                "base": [floor_of(r) for r in s],
                "y": [height_of(r) for r in s],
                "marker": {"color": [SDG_COLOURS[r["sdg"]] if r["counted"] else MUTED for r in s]},
                "text": [tx["counted"] if r["counted"] else "" for r in s],
                "customdata": [r["text"] for r in s],
                "textposition": "outside",
                "hovertemplate": "%{x}: %{customdata}<extra></extra>",
                "name": tx["sdg_score"],
            }
        )
        layout.update(yaxis={"title": {"text": tx["sdg_score"]}, "range": [0, 110]}, showlegend=False)
    elif kind == "participation":
        p = spec["participants"]
        data.append(
            {
                "type": "bar",
                "x": [sdg_label(r["sdg"], lang) for r in p],
                "y": [r["count"] for r in p],
                "marker": {"color": [SDG_COLOURS[r["sdg"]] for r in p]},
                "name": tx["in_table"],
                "customdata": [number(r["count"], lang) for r in p],  # as the language writes it
                "hovertemplate": "%{x}: %{customdata} " + tx["institutions"] + "<extra></extra>",
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
                    "x": [sdg_label(r["sdg"], lang) for r in rows],
                    "y": [r["top_percent"] for r in rows],
                    "marker": {"size": 9, "symbol": "diamond"},
                    "text": [
                        _label(tx["rank"] % {"rank": f"{shown(r['rank'], lang)} / {number(r['of'], lang)}"})
                        for r in rows
                    ],
                    "hovertemplate": "%{x}: %{y} (%{text})<extra>" + _label(rows[0]["name"]) + "</extra>",
                }
            )
        layout.update(
            # its title kept clear of the ticks at a phone's width too
            yaxis={"title": {"text": tx["in_table"]}, "automargin": True, **_count_axis([r["count"] for r in p], lang)},
            yaxis2={  # a share of the table, in steps a reader reads ("20 %"), its title clear of the ticks
                "title": {"text": tx["position"], "standoff": 8},
                "overlaying": "y",
                "side": "right",
                "range": [100, 0],
                "tickvals": [0, 20, 40, 60, 80, 100],
                "ticktext": [percent(v, lang, 0) for v in (0, 20, 40, 60, 80, 100)],
                "automargin": True,
            },
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
                        "y": [_wrapped(it["name"])] * 2,
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
                    "y": [_wrapped(it["name"]) for it in pts],
                    "error_x": {
                        "type": "data",
                        "symmetric": False,
                        "color": colour,
                        "thickness": 1.5,
                        "array": [it[f"high_{side}"] - it[f"top_{side}"] for it in pts],
                        "arrayminus": [it[f"top_{side}"] - it[f"low_{side}"] for it in pts],
                    },
                    "marker": {"color": colour, "size": 10, "line": {"color": "#888888", "width": 1}},
                    "text": [_label(tx["rank"] % {"rank": shown(it[f"rank_{side}"], lang)}) for it in pts],
                    "hovertemplate": "%{y}: %{text}, %{x}<extra>" + _label(label) + "</extra>",
                }
            )
        # each row as tall as its name's lines, the legend and the axis title below the plot, so that a phone's
        # width is the plot's
        lines = max((_wrapped(it["name"]).count("<br>") + 1 for it in items), default=1)
        row = max(30, 15 * lines + 8)
        layout.update(
            xaxis={"title": {"text": _wrapped(tx["top_field"], 40)}, "range": [0, 100]},
            yaxis={"autorange": "reversed", "automargin": True},
            height=max(260, 130 + row * len(items)),
            margin=dict(_LAYOUT["margin"], l=20),
            legend={"orientation": "h", "y": -0.12, "yanchor": "top"},
        )
    else:
        raise ValueError(f"unknown chart kind {kind!r}")
    return {"data": data, "layout": layout}


NAME_LINE = 28  # characters on a line of a name on the movement chart's axis


def _wrapped(name: str, width: int = NAME_LINE) -> str:
    """A name for an axis, escaped and broken at spaces into lines of about ``width`` characters: on a phone's
    narrow chart a long name on one line left no room for the plot, and Plotly cut it at the left."""
    lines: list[str] = []
    for word in str(name).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(_label(line) for line in lines)


def figure_json(spec: dict) -> str:
    """The Plotly figure as JSON safe to place inside a <script> element (no '<', '>' or '&')."""
    text = json.dumps(plotly_figure(spec), sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_json(value: Any) -> str:
    """Any JSON value made safe inside a <script> element."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
