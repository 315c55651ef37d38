"""Charts for reports and the dashboard: each chart is first a small data dictionary computed from an
edition's tables (:mod:`.data`), then drawn twice from that same dictionary — as a Plotly figure (interactive
HTML, with Plotly's JavaScript inlined: :mod:`.plotly`) and as a dependency-free static SVG (the PDF, and the
no-script fallback: :mod:`.svg`).

Text from data (institution names) is escaped for both renderers: Plotly interprets a subset of HTML in
labels, so names go in as entities; the SVG is built with ``html.escape``.
"""

from pathlib import Path

from impactrank.report.charts.data import (
    distribution_data,
    movement_data,
    participation_data,
    profile_data,
    profile_from_rows,
)
from impactrank.report.charts.plotly import figure_json, plotly_figure, script_json
from impactrank.report.charts.style import MUTED, SDG_COLOURS
from impactrank.report.charts.svg import svg

# the script that draws the figures: inlined in the HTML report, served to the dashboard and the static site
DRAWING_SCRIPT = Path(__file__).with_name("draw.js")

__all__ = [
    "DRAWING_SCRIPT",
    "MUTED",
    "SDG_COLOURS",
    "distribution_data",
    "figure_json",
    "movement_data",
    "participation_data",
    "plotly_figure",
    "profile_data",
    "profile_from_rows",
    "script_json",
    "svg",
]
