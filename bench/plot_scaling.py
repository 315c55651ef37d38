"""The scaling plot (docs/scaling.png) from the figures the benches last wrote: ``bench/bench_build.py``'s
``bench/results/build.json`` (seconds of ``impactrank build`` and of polars reading the same files) and, when
there, ``bench/bench_publish.py``'s ``bench/results/publish.json`` (seconds of ``impactrank publish``), against
the number of institutions, both axes logarithmic, each with the line a purely linear growth from its largest
field would follow. Run by hand after the benches: ``.venv/bin/python bench/plot_scaling.py``."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
OUT = REPO / "docs" / "scaling.png"
W, H, PAD, BOTTOM = 640, 500, 70, 150  # BOTTOM: the x axis's labels and the legend
BUILD, READ, PUBLISH = "#1f6fb2", "#d9822b", "#2e8b57"


def _svg(build: list[dict], publish: list[dict], load: list[float]) -> str:
    # each curve: its colour, its points (institutions, seconds) and the label of each point
    curves = [
        (BUILD, [(r["institutions"], r["build"], f"{r['build']:.1f} s ({r['ratio']:.1f}×)") for r in build]),
        (READ, [(r["institutions"], r["read"], "") for r in build]),
        (
            PUBLISH,
            [
                (r["institutions"], r["seconds"], f"{r['seconds']:.{0 if r['seconds'] >= 100 else 1}f} s")
                for r in publish
            ],
        ),
    ]
    xs = [n for _, points in curves for n, _, _ in points]
    ys = [y for _, points in curves for _, y, _ in points]
    x_lo, x_hi = math.log10(min(xs)) - 0.2, math.log10(max(xs)) + 0.2
    y_lo, y_hi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    sx = lambda v: PAD + (math.log10(v) - x_lo) / (x_hi - x_lo) * (W - 2 * PAD)  # noqa: E731
    sy = lambda v: H - BOTTOM - (math.log10(v) - y_lo) / (y_hi - y_lo) * (H - PAD - BOTTOM)  # noqa: E731
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{W / 2}" y="26" font-size="15" text-anchor="middle" font-weight="bold">'
        "impactrank build and publish as the field grows</text>",
        f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - PAD - BOTTOM}" fill="none" stroke="#999"/>',
    ]
    for n in sorted(set(xs)):
        out.append(f'<text x="{sx(n)}" y="{H - BOTTOM + 18}" font-size="11" text-anchor="middle">{n:,}</text>')
    for e in range(y_lo, y_hi + 1):
        out.append(f'<text x="{PAD - 6}" y="{sy(10**e) + 4}" font-size="11" text-anchor="end">{10**e:g} s</text>')
        out.append(f'<line x1="{PAD}" y1="{sy(10**e)}" x2="{W - PAD}" y2="{sy(10**e)}" stroke="#eee"/>')
    out.append(f'<text x="{W / 2}" y="{H - BOTTOM + 38}" font-size="12" text-anchor="middle">institutions</text>')
    for colour, points in curves:
        if not points:
            continue
        if points[0][2]:  # a command's curve: the linear growth from its largest field, dashed
            n_big, y_big, _ = points[-1]
            linear = [(n, y_big * n / n_big) for n, _, _ in points]
            linear = [(n, y) for n, y in linear if y >= 10**y_lo]
            if len(linear) > 1:
                (n0, y0), (n1, y1) = linear[0], linear[-1]
                out.append(
                    f'<line x1="{sx(n0)}" y1="{sy(y0)}" x2="{sx(n1)}" y2="{sy(y1)}" stroke="{colour}" '
                    'stroke-opacity="0.6" stroke-dasharray="4 3"/>'
                )
        line = " ".join(f"{sx(n)},{sy(y)}" for n, y, _ in points)
        out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, y, label in points:
            out.append(f'<circle cx="{sx(n)}" cy="{sy(y)}" r="4" fill="{colour}"/>')
            if label:
                out.append(f'<text x="{sx(n) + 7}" y="{sy(y) - 7}" font-size="11">{label}</text>')
    legend = [
        (BUILD, "impactrank build, files to outputs and workspace (best of 3; × = its time over the read's)"),
        (READ, "polars reading the build's two input files"),
        (PUBLISH, "impactrank publish of the built edition, one language (one run)"),
        ("#888", "dashed: linear growth from the largest field"),
    ]
    for i, (colour, label) in enumerate(legend):
        y = H - BOTTOM + 64 + 16 * i
        mark = f'x1="{PAD + 10}" y1="{y - 4}" x2="{PAD + 30}" y2="{y - 4}"'
        dash = ' stroke-dasharray="4 3"' if colour == "#888" else ""
        out.append(f'<line {mark} stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{PAD + 36}" y="{y}" font-size="11">{label}</text>')
    out.append(
        f'<text x="{W - PAD}" y="{H - 8}" font-size="10" text-anchor="end" fill="#666">'
        f"2 cores, load average {load[0]:.1f} while measured</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def main() -> int:
    build_file, publish_file = RESULTS / "build.json", RESULTS / "publish.json"
    if not build_file.is_file():
        print(f"plot_scaling: no {build_file.relative_to(REPO)}; run bench/bench_build.py first")
        return 1
    import cairosvg

    build = json.loads(build_file.read_text(encoding="utf-8"))
    publish = json.loads(publish_file.read_text(encoding="utf-8"))["series"] if publish_file.is_file() else []
    OUT.parent.mkdir(exist_ok=True)
    svg = _svg(build["series"], publish, build["load_average"])
    cairosvg.svg2png(bytestring=svg.encode("utf-8"), write_to=str(OUT))
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
