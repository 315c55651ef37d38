"""The build's scaling plot (docs/build-scaling.png) from the figures ``bench/bench_build.py`` last wrote to
``bench/results/build.json``: seconds of ``impactrank build`` and of polars reading the same files against the
number of institutions, both axes logarithmic, with the line a purely linear growth from the largest field
would follow. Run by hand after the bench: ``.venv/bin/python bench/plot_scaling.py``."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "build.json"
OUT = REPO / "docs" / "build-scaling.png"
W, H, PAD, BOTTOM = 640, 480, 70, 130  # BOTTOM: the x axis's labels and the legend


def _svg(series: list[dict], load: list[float]) -> str:
    xs = [r["institutions"] for r in series]
    ys = [v for r in series for v in (r["build"], r["read"])]
    x_lo, x_hi = math.log10(min(xs)) - 0.2, math.log10(max(xs)) + 0.2
    y_lo, y_hi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    sx = lambda v: PAD + (math.log10(v) - x_lo) / (x_hi - x_lo) * (W - 2 * PAD)  # noqa: E731
    sy = lambda v: H - BOTTOM - (math.log10(v) - y_lo) / (y_hi - y_lo) * (H - PAD - BOTTOM)  # noqa: E731
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{W / 2}" y="26" font-size="15" text-anchor="middle" font-weight="bold">'
        "impactrank build as a user runs it, against reading the inputs</text>",
        f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - PAD - BOTTOM}" fill="none" stroke="#999"/>',
    ]
    for n in xs:
        out.append(f'<text x="{sx(n)}" y="{H - BOTTOM + 18}" font-size="11" text-anchor="middle">{n:,}</text>')
    for e in range(y_lo, y_hi + 1):
        out.append(f'<text x="{PAD - 6}" y="{sy(10**e) + 4}" font-size="11" text-anchor="end">{10**e:g} s</text>')
        out.append(f'<line x1="{PAD}" y1="{sy(10**e)}" x2="{W - PAD}" y2="{sy(10**e)}" stroke="#eee"/>')
    out.append(f'<text x="{W / 2}" y="{H - BOTTOM + 38}" font-size="12" text-anchor="middle">institutions</text>')
    big = series[-1]
    linear = [(n, big["build"] * n / big["institutions"]) for n in xs]
    linear = [(n, y) for n, y in linear if y >= 10**y_lo]
    if len(linear) > 1:
        (n0, y0), (n1, y1) = linear[0], linear[-1]
        out.append(
            f'<line x1="{sx(n0)}" y1="{sy(y0)}" x2="{sx(n1)}" y2="{sy(y1)}" stroke="#888" stroke-dasharray="4 3"/>'
        )
    for key, colour in (("build", "#1f6fb2"), ("read", "#d9822b")):
        points = " ".join(f"{sx(r['institutions'])},{sy(r[key])}" for r in series)
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for r in series:
            out.append(f'<circle cx="{sx(r["institutions"])}" cy="{sy(r[key])}" r="4" fill="{colour}"/>')
            if key == "build":
                out.append(
                    f'<text x="{sx(r["institutions"]) + 7}" y="{sy(r[key]) - 7}" font-size="11">'
                    f"{r['build']:.1f} s ({r['ratio']:.1f}×)</text>"
                )
    legend = [
        ("#1f6fb2", "impactrank build (best of 3; × = its time over the read's)"),
        ("#d9822b", "polars reading the two input files"),
        ("#888", "linear growth from the largest field"),
    ]
    for i, (colour, label) in enumerate(legend):
        y = H - BOTTOM + 64 + 16 * i
        mark = f'x1="{PAD + 10}" y1="{y - 4}" x2="{PAD + 30}" y2="{y - 4}"'
        out.append(f'<line {mark} stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{PAD + 36}" y="{y}" font-size="11">{label}</text>')
    out.append(
        f'<text x="{W - PAD}" y="{H - 8}" font-size="10" text-anchor="end" fill="#666">'
        f"2 cores, load average {load[0]:.1f} while measured</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def main() -> int:
    if not RESULTS.is_file():
        print(f"plot_scaling: no {RESULTS.relative_to(REPO)}; run bench/bench_build.py first")
        return 1
    import cairosvg

    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    OUT.parent.mkdir(exist_ok=True)
    cairosvg.svg2png(bytestring=_svg(data["series"], data["load_average"]).encode("utf-8"), write_to=str(OUT))
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
