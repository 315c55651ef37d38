"""The forecast's calibration plot (docs/forecast-calibration.png): the back-test on THE's 2020–2023 editions,
every (institution, band) forecast grouped by its probability in tenths against how often it came true, and per
year the 80 % interval's forecast probability against how often it came true. Run by hand:
``.venv/bin/python bench/forecast_calibration.py``."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
THE_TABLES = REPO.parent / "shared" / "data" / "published" / "the-impact-tables"
OUT = REPO / "docs" / "forecast-calibration.png"
W, H, PAD = 380, 380, 56  # one panel


def _panel(x0: int, title: str, points: list[tuple[float, float, float, str]], xlabel: str, ylabel: str) -> str:
    """A square panel with axes 0–1 and the diagonal; points (x, y, radius, label)."""
    sx = lambda v: x0 + PAD + v * (W - 2 * PAD)  # noqa: E731
    sy = lambda v: H - PAD + 20 - v * (H - 2 * PAD)  # noqa: E731
    out = [f'<text x="{x0 + W / 2}" y="24" font-size="15" text-anchor="middle" font-weight="bold">{title}</text>']
    out.append(
        f'<rect x="{sx(0)}" y="{sy(1)}" width="{sx(1) - sx(0)}" height="{sy(0) - sy(1)}" fill="none" stroke="#999"/>'
    )
    for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        out.append(f'<text x="{sx(t)}" y="{sy(0) + 16}" font-size="11" text-anchor="middle">{t:.0%}</text>')
        out.append(f'<text x="{sx(0) - 6}" y="{sy(t) + 4}" font-size="11" text-anchor="end">{t:.0%}</text>')
    out.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="#888" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 4}" font-size="12" text-anchor="middle">{xlabel}</text>')
    out.append(
        f'<text x="{x0 + 14}" y="{H / 2}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 {x0 + 14} {H / 2})">{ylabel}</text>'
    )
    for x, y, r, label in points:
        out.append(f'<circle cx="{sx(x)}" cy="{sy(y)}" r="{r:.1f}" fill="#1f6fb2" fill-opacity="0.75"/>')
        if label:
            out.append(f'<text x="{sx(x) + r + 3}" y="{sy(y) + 4}" font-size="11">{label}</text>')
    return "\n".join(out)


def main() -> int:
    if not THE_TABLES.is_dir():
        print(f"forecast_calibration: skipped, no published tables at {THE_TABLES}")
        return 0
    import cairosvg

    from impactrank.engine.forecast import backtest, rules_for
    from impactrank.io.published import read_published

    editions = sorted(read_published(THE_TABLES).editions, key=lambda e: e.year)
    series = [e for e in editions if e.has_overall_table]
    rules = rules_for([*(e.year for e in series), series[-1].year + 1])
    result = backtest(series, rules, {e.year: e.participants for e in editions})
    cal = result.calibration
    biggest = max(cal["forecasts"].to_list())
    left = [
        (r["forecast"], r["observed"], 3 + 9 * (r["forecasts"] / biggest) ** 0.5, f"{r['forecasts']:,}")
        for r in cal.iter_rows(named=True)
    ]
    right = [(r["interval_probability"], r["coverage"], 6, str(r["year"])) for r in result.years.iter_rows(named=True)]
    right += [(r["exact_probability"], r["exact"], 6, f"{r['year']} mode") for r in result.years.iter_rows(named=True)]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 20}" font-family="sans-serif">'
        f'<rect width="100%" height="100%" fill="white"/>'
        + _panel(0, "Every band forecast (2022, 2023)", left, "forecast probability", "came true")
        + _panel(W, "80 % interval and most likely band", right, "forecast probability", "came true")
        + "</svg>"
    )
    OUT.parent.mkdir(exist_ok=True)
    cairosvg.svg2png(bytestring=svg.encode("utf-8"), write_to=str(OUT))
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
