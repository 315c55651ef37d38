"""Dependency-free static SVG drawings of the charts' data dictionaries (the PDF, and the no-script
fallback): the same numbers as the Plotly figures."""

from __future__ import annotations

import html
from typing import Any

from impactrank.i18n import number, percent, shown
from impactrank.report.charts.style import BASE, INK, MARK, MUTED, SDG_COLOURS, floor_of, nice_top, text_width
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
    lo: float, hi: float, x: float, y0: float, y1: float, lang: str, ticks: int = 5, right: bool = False, pct=False
) -> list[str]:
    """A vertical axis with ``ticks`` steps, its numbers (or percentages) as the reader's language writes them."""
    out = [f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="#888"/>']
    for i in range(ticks + 1):
        v = lo + (hi - lo) * i / ticks
        y = y0 + (y1 - y0) * i / ticks
        text = percent(v, lang, 0) if pct else number(v, lang, 0 if abs(hi - lo) >= ticks else 1)
        out.append(_t(x + (6 if right else -6), y + 4, text, 10, "start" if right else "end"))
    return out


# A label's box around its baseline, in font sizes: DejaVu Sans's ascent of capitals and digits (0.73) and its
# descent (0.24), each with a little air.
ASCENT, DESCENT = 0.8, 0.25
Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_box(x: float, y: float, text: str, size: float) -> Box:
    """The box of a label centred at x on the baseline y."""
    w = text_width(text, size)
    return (x - w / 2, y - ASCENT * size, x + w / 2, y + DESCENT * size)


def _clear_of(x: float, y: float, text: str, size: float, boxes: list[Box], ceiling: float) -> float | None:
    """The baseline nearest ``y``, never below it, at which the label centred at x meets none of ``boxes`` (markers)
    and its top stays under ``ceiling``; None when there is none."""
    candidates = sorted({y, *(b[1] - 1 - DESCENT * size for b in boxes if b[1] - 1 - DESCENT * size < y)}, reverse=True)
    for c in candidates:
        box = _label_box(x, c, text, size)
        if box[1] >= ceiling and not any(_overlaps(box, b) for b in boxes):
            return c
    return None


def _halo(x: float, y: float, text: str, size: int) -> str:
    """A white outline under a label (drawn just before it), for a label that could not be placed clear."""
    return (
        f'<text class="halo" x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="middle" fill="#ffffff" '
        f'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" font-family="sans-serif">'
        f"{html.escape(str(text))}</text>"
    )


def _rows(items: list[tuple[float, float]]) -> list[int]:
    """For labels centred at x with a width, the first row where each overlaps no label already placed."""
    ends: list[float] = []
    rows = [0] * len(items)
    for k in sorted(range(len(items)), key=lambda k: items[k][0]):  # left to right
        x, width = items[k]
        row = next((i for i, end in enumerate(ends) if x - width / 2 > end + 4), len(ends))
        if row == len(ends):
            ends.append(-1e9)
        ends[row] = x + width / 2
        rows[k] = row
    return rows


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
            texts=[r["text"] for r in spec["sdgs"]],
            lang=spec["lang"],
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
    lang: str,
    extra: list[str] | None = None,
    bases: list[float] | None = None,
    texts: list[str] | None = None,
    below: list[str] | None = None,
    below_height: int = 0,
    avoid: list[Box] | None = None,
) -> str:
    """Bars from zero (or from ``bases``, for ranges) up to ``values``, labelled with ``texts``; ``below`` is
    drawn under the x axis's title in ``below_height`` more pixels (a legend). A bar's label sits on the bar, or
    higher, clear of the ``avoid`` boxes (markers drawn over the bars); drawn after them, with a white halo if
    no place was clear."""
    out = _frame(title, H + below_height)
    x0, x1, y0, y1 = PAD_L, W - PAD_R, PAD_T, H - PAD_B
    top = top or 1.0
    out += _axis_y(top, 0, x0, y0, y1, lang)
    out.append(_t(16, (y0 + y1) / 2, ylabel, 10, rotate=-90))
    out.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#888"/>')
    n = max(1, len(labels))
    slot = (x1 - x0) / n
    bases = bases or [0.0] * len(values)
    texts = texts or [None if v is None else number(v, lang) for v in values]
    labels_out: list[str] = []
    for i, (lab, v, c) in enumerate(zip(labels, values, colours, strict=True)):
        cx = x0 + slot * (i + 0.5)
        if v is not None:
            h = (y1 - y0) * max(0.0, min(v, top)) / top
            b = (y1 - y0) * max(0.0, min(bases[i], top)) / top
            out.append(
                f'<rect class="bar" x="{cx - slot * 0.35:.1f}" y="{y1 - h:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{h - b:.1f}" fill="{c}"><title>{html.escape(lab)}: {html.escape(texts[i])}</title></rect>'
            )
            size = 9 if len(texts[i]) < 8 else 7
            y = _clear_of(cx, y1 - h - 4, texts[i], size, avoid or [], PAD_T - 12)
            if y is None:
                y = y1 - h - 4
                labels_out.append(_halo(cx, y, texts[i], size))
            labels_out.append(_t(cx, y, texts[i], size).replace("<text ", '<text class="value" ', 1))
        out.append(_t(cx, y1 + 14, lab, 10))
    out.append(_t((x0 + x1) / 2, H - 10, xlabel, 10))
    out += extra or []
    out += labels_out
    out += below or []
    out.append("</svg>")
    return "".join(out)


def _legend(entries: list[tuple[str, str, str]], y: float) -> tuple[list[str], int]:
    """Legend lines under a chart, two columns of (marker, text, colour) with the text whole; its height."""
    out = []
    column = (W - PAD_L - PAD_R) / 2
    for k, (marker, text, colour) in enumerate(entries):
        x, yy = PAD_L + column * (k % 2), y + 14 * (k // 2)
        out.append(_t(x, yy, f"{marker} {text}", 9, "start", colour))
    return out, 14 * ((len(entries) + 1) // 2) + (8 if entries else 0)


def _svg_distribution(spec: dict) -> str:
    """The histogram; the band boundaries' labels in rows above the bars, never over one another; the selected
    institutions as numbered diamonds on a strip under the axis, named in a legend below."""
    lang, words = spec["lang"], _text(spec)
    bounds = [b for b in spec["boundaries"] if b["low"] is not None]
    x0, x1 = PAD_L, W - PAD_R

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * v / 100.0

    labels = [shown(b["label"], lang) for b in bounds]  # "801–1 000" as the language groups it
    label_rows = _rows([(sx(b["low"]), text_width(text, 9)) for b, text in zip(bounds, labels, strict=True)])
    y0 = PAD_T + 14 + 11 * (max(label_rows, default=-1) + 1)
    y1 = y0 + 220
    marked = [m for m in spec["marked"][:12] if m["x"] is not None]
    strip_rows = _rows([(sx(m["x"]), 14) for m in marked]) if marked else []
    strip = y1 + 50
    names = [(str(j + 1), f"{m['name']} ({shown(m['rank'], lang)})", MARK) for j, m in enumerate(marked)]
    legend, legend_height = _legend(names, strip + 16 * (max(strip_rows, default=-1) + 1) + 10)
    height = int(strip + 16 * (max(strip_rows, default=-1) + 1) + legend_height + 12)
    out = _frame(spec["title"], height)
    top = nice_top(max(spec["counts"] or [1]) or 1)
    out += _axis_y(top, 0, x0, y0, y1, lang)
    out.append(_t(16, (y0 + y1) / 2, words["institutions"], 10, rotate=-90))
    out.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#888"/>')
    w = spec["bin_width"]
    for b, c in zip(spec["bins"], spec["counts"], strict=True):
        if c:
            h = (y1 - y0) * c / top
            out.append(
                f'<rect class="bar" x="{sx(b):.1f}" y="{y1 - h:.1f}" width="{sx(b + w) - sx(b) - 0.5:.1f}" '
                f'height="{h:.1f}" fill="{MUTED}"/>'
            )
    for t in range(0, 101, 10):
        out.append(_t(sx(t), y1 + 14, number(t, lang), 10))
    out.append(_t((x0 + x1) / 2, y1 + 30, words["score_note"], 10))
    for b, text, row in zip(bounds, labels, label_rows, strict=True):
        x, ytext = sx(b["low"]), y0 - 6 - 11 * row
        out.append(
            f'<line class="boundary" x1="{x:.1f}" y1="{ytext + 2:.1f}" x2="{x:.1f}" y2="{y1}" stroke="{BASE}" '
            f'stroke-dasharray="3,3"/>'
        )
        out.append(_t(x, ytext, text, 9, colour=BASE))
    for j, (m, row) in enumerate(zip(marked, strip_rows, strict=True)):
        x, y = sx(m["x"]), strip + 16 * row
        out.append(
            f'<path class="marked" d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} '
            f'L{x - 7:.1f},{y:.1f} Z" fill="{MARK}"><title>{html.escape(names[j][1])}</title></path>'
        )
        out.append(_t(x, y + 3, j + 1, 8, colour="#ffffff", weight="bold"))
    out += legend
    out.append("</svg>")
    return "".join(out)


def _svg_participation(spec: dict) -> str:
    """Bars per SDG table; the selected institutions' positions as markers on the right-hand axis, named in a
    legend under the chart (never over the bars)."""
    lang, words = spec["lang"], _text(spec)
    p = spec["participants"]
    top = nice_top(max([r["count"] for r in p] or [1]) or 1)
    x0, x1, y0, y1 = PAD_L, W - PAD_R, PAD_T, H - PAD_B
    slot = (x1 - x0) / 17
    extra = _axis_y(0, 100, x1, y0, y1, lang, right=True, pct=True)
    extra.append(_t(W - 14, (y0 + y1) / 2, words["position"], 10, rotate=90))
    shapes = [
        "M{x:.1f},{y0:.1f} L{x1:.1f},{y:.1f} L{x:.1f},{y1:.1f} L{x0:.1f},{y:.1f} Z",
        "M{x0:.1f},{y0:.1f} L{x1:.1f},{y0:.1f} L{x1:.1f},{y1:.1f} L{x0:.1f},{y1:.1f} Z",
    ]
    symbols = ["◆", "■"]
    ids = sorted({r["institution_id"] for r in spec["positions"]})
    palette = [MARK, "#2a9d8f", "#7b2cbf", "#e76f51", "#264653", "#f4a261"]
    # each institution its own place across the slot, so that equal positions sit side by side, never one over another
    step = min(11.0, slot * 0.9 / max(1, len(ids)))
    r_ = min(5.0, step / 2)
    markers: list[Box] = []
    for r in spec["positions"]:
        if r["top_percent"] is None:
            continue
        k = ids.index(r["institution_id"])
        cx = x0 + slot * (r["sdg"] - 0.5) + (k - (len(ids) - 1) / 2) * step
        cy = y0 + (y1 - y0) * r["top_percent"] / 100.0
        d = shapes[k % 2].format(x=cx, y=cy, x0=cx - r_, x1=cx + r_, y0=cy - r_, y1=cy + r_)
        extra.append(f'<path class="position" d="{d}" fill="{palette[k % len(palette)]}" stroke="#ffffff"/>')
        markers.append((cx - r_ - 1, cy - r_ - 1, cx + r_ + 1, cy + r_ + 1))  # with its white outline
    entries = [
        (symbols[k % 2], next(r["name"] for r in spec["positions"] if r["institution_id"] == iid), palette[k % 6])
        for k, iid in enumerate(ids[:6])
    ]
    legend, legend_height = _legend(entries, H + 6)
    return _svg_bars(
        spec["title"],
        [str(r["sdg"]) for r in p],
        [float(r["count"]) for r in p],
        [SDG_COLOURS[r["sdg"]] + "99" for r in p],
        float(top),
        words["in_table"],
        words["sdg"],
        lang,
        extra,
        below=legend,
        below_height=legend_height,
        avoid=markers,
    )


def _field(spec: dict, side: str) -> str:
    """ "2021 (1,117 ranked)": an edition and the size of its overall table."""
    count = number(spec[f"field_{side}"], spec["lang"])
    return _text(spec)["field"] % {"edition": spec[f"edition_{side}"], "count": count}


NAME_SIZE = 10  # the movement chart's institution names
NAME_COLUMN = (120, 330)  # the narrowest and the widest the names' column gets (of W), the plot keeping the rest


def _lines(name: str, room: float) -> tuple[list[str], bool]:
    """A name in at most two lines of ``room`` pixels, broken between words; whether it had to be cut (a word
    wider than the room, or more than two lines' worth: the last line then ends with "…")."""
    if text_width(name, NAME_SIZE) <= room:
        return [name], False
    words = name.split(" ")
    first, k = words[0], 1
    while k < len(words) and text_width(f"{first} {words[k]}", NAME_SIZE) <= room:
        first, k = f"{first} {words[k]}", k + 1
    if text_width(first, NAME_SIZE) > room:  # one word wider than the column
        return [_cut(name, room)], True
    rest = " ".join(words[k:])
    if text_width(rest, NAME_SIZE) <= room:
        return [first, rest], False
    return [first, _cut(rest, room)], True


def _cut(text: str, room: float) -> str:
    """The longest start of ``text`` that fits ``room`` pixels with "…" after it."""
    while text and text_width(text.rstrip() + "…", NAME_SIZE) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _svg_movement(spec: dict) -> str:
    """Each institution's position in the two editions on one line, its name whole at the left: the names' column
    as wide as the longest name needs (within NAME_COLUMN), a longer name on two lines; a name still too long (a word
    wider than the column) ends with "…" and keeps its whole text in the line's <title>."""
    items = spec["items"]
    names = [it["name"] or it["institution_id"] for it in items]
    widest = max((text_width(n, NAME_SIZE) for n in names), default=0.0)
    x0 = min(NAME_COLUMN[1], max(NAME_COLUMN[0], 8 + widest + 16))
    x1 = W - 30
    room = x0 - 16
    shown_names = [_lines(n, room) for n in names]
    pitch = 30 if any(len(lines) > 1 for lines, _ in shown_names) else 22
    height = max(200, 90 + pitch * len(items))
    out = _frame(spec["title"], height)
    y0 = PAD_T + 20

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * v / 100.0

    for t in range(0, 101, 20):
        out.append(
            f'<line x1="{sx(t):.1f}" y1="{y0 - 6}" x2="{sx(t):.1f}" y2="{y0 + pitch * len(items)}" stroke="#eeeeee"/>'
        )
        out.append(_t(sx(t), y0 - 10, percent(t, spec["lang"], 0), 9))  # the title says "top % of the field"
    for i, it in enumerate(items):
        y = y0 + pitch / 2 - 1 + pitch * i
        lines, cut = shown_names[i]
        out.append(_name(x0 - 8, y, names[i], lines, cut))
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
    yl = y0 + pitch * len(items) + 24
    out.append(f'<circle cx="{x0}" cy="{yl - 4}" r="5" fill="{MUTED}" stroke="#999"/>')
    out.append(_t(x0 + 10, yl, _field(spec, "before"), 10, "start"))
    out.append(f'<circle cx="{x0 + 200}" cy="{yl - 4}" r="5" fill="{BASE}"/>')
    out.append(_t(x0 + 210, yl, _field(spec, "after"), 10, "start"))
    out.append("</svg>")
    return "".join(out)


def _name(x: float, y: float, name: str, lines: list[str], cut: bool) -> str:
    """An institution's name right-aligned at x, centred on the line y: one line, or two; a cut name with its whole
    text in a <title>."""
    if len(lines) == 1 and not cut:
        return _t(x, y + 4, name, NAME_SIZE, "end").replace("<text ", '<text class="name" ', 1)
    top = y + 4 - (len(lines) - 1) * 6
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + 12 * k:.1f}">{html.escape(line)}</tspan>' for k, line in enumerate(lines)
    )
    title = f"<title>{html.escape(name)}</title>" if cut else ""
    return (
        f'<text class="name" x="{x:.1f}" y="{top:.1f}" font-size="{NAME_SIZE}" text-anchor="end" fill="{INK}" '
        f'font-family="sans-serif">{title}{spans}</text>'
    )
