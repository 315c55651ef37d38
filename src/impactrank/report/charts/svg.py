"""Dependency-free static SVG drawings of the charts' data dictionaries (the PDF, and the no-script
fallback): the same numbers as the Plotly figures."""

from __future__ import annotations

import html
from typing import Any

from impactrank.report.charts.style import BASE, INK, MARK, MUTED, SDG_COLOURS, floor_of, value_text
from impactrank.report.charts.style import text_of as _text

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
            bases=[floor_of(r) for r in spec["sdgs"]],
            texts=[value_text(r) for r in spec["sdgs"]],
        )
    if kind == "participation":
        return _svg_participation(spec)
    if kind == "movement":
        return _svg_movement(spec)
    raise ValueError(f"unknown chart kind {kind!r}")


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
