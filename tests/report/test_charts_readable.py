"""The charts as a reader sees them: printed bar labels clear of the position markers, the movement chart's names
whole, the interactive charts' titles at the left (wrapped by the drawing script) and their count axes grouped as
each language groups thousands."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from impactrank.report import charts
from impactrank.report.charts.style import nice_top

SVG = "{http://www.w3.org/2000/svg}"


def _participation(positions: list[tuple[str, int, float]], counts: dict[int, int]) -> dict:
    """A participation chart's data by hand: (institution, SDG, top %) markers over bars of ``counts``."""
    return {
        "kind": "participation",
        "lang": "fr",
        "title": "Participation",
        "participants": [{"sdg": s, "count": counts.get(s, 0)} for s in range(1, 18)],
        "positions": [
            {
                "institution_id": iid,
                "name": f"Institution {iid}",
                "sdg": sdg,
                "rank": "1",
                "position": 1,
                "of": counts.get(sdg, 0),
                "top_percent": top,
                "top_percent_low": top,
                "top_percent_high": top,
            }
            for iid, sdg, top in positions
        ],
    }


def _marker_boxes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """Each position marker's box, from its path's points."""
    boxes = []
    for p in root.iter(f"{SVG}path"):
        if p.get("class") == "position":
            xy = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", p.get("d"))]
            xs, ys = xy[0::2], xy[1::2]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _label_boxes(root: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each bar's value label and its box: DejaVu Sans's digits and space are at most 0.64 em wide, its digits
    0.73 em tall above the baseline."""
    out = []
    for t in root.iter(f"{SVG}text"):
        if t.get("class") == "value":
            x, y, size, text = float(t.get("x")), float(t.get("y")), float(t.get("font-size")), t.text
            w = 0.64 * size * len(text)
            out.append((text, (x - w / 2, y - 0.73 * size, x + w / 2, y)))
    return out


def _meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_bar_labels_are_clear_of_the_position_markers():
    """Markers placed right where bar labels are drawn (each bar's top, for every institution): no label meets a
    marker, and every label stays over its own bar."""
    counts = {s: 100 * s for s in range(1, 18)}  # up to 1,700: labels with a group space
    top = nice_top(max(counts.values()))
    # a marker at the height of each bar's top (where its label sits), the position axis running 0 % (top) to 100 %
    positions = [(iid, s, round(100 * (1 - counts[s] / top) - 1.5, 1)) for s in range(1, 18) for iid in ("A", "B")]
    positions += [("C", s, round(100 * (1 - counts[s] / top) - 4, 1)) for s in range(1, 18, 2)]
    root = ET.fromstring(charts.svg(_participation(positions, counts)))
    markers, labels = _marker_boxes(root), _label_boxes(root)
    assert len(labels) == 17 and len(markers) == len(positions)
    for text, box in labels:
        assert not [m for m in markers if _meet(box, m)], text
    # each label over its bar: the bars in SDG order, a label centred on its bar and not below its top
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    for (text, box), bar, s in zip(labels, bars, range(1, 18), strict=True):
        centre = float(bar.get("x")) + float(bar.get("width")) / 2
        assert (box[0] + box[2]) / 2 == pytest.approx(centre, abs=0.2)
        assert box[3] <= float(bar.get("y")), text
        assert text == f"{counts[s]:,}".replace(",", "\u202f")  # French groups with a narrow no-break space


def test_markers_of_one_sdg_at_one_position_sit_side_by_side():
    """Four institutions at the same place in one SDG table: four markers, none over another."""
    root = ET.fromstring(charts.svg(_participation([(k, 5, 50.0) for k in "ABCD"], {5: 300})))
    boxes = _marker_boxes(root)
    assert len(boxes) == 4
    assert not any(_meet(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def _movement(names: list[str]) -> dict:
    return {
        "kind": "movement",
        "lang": "en",
        "title": "Movement",
        "edition_before": "2020",
        "edition_after": "2021",
        "field_before": 768,
        "field_after": 1117,
        "truncated": 0,
        "items": [
            {
                "institution_id": f"i{k}",
                "name": name,
                "rank_before": "101–200",
                "rank_after": "101–200",
                "movement": "maintained",
                "top_before": 20.0,
                "low_before": 13.2,
                "high_before": 26.0,
                "top_after": 13.5,
                "low_after": 9.0,
                "high_after": 17.9,
            }
            for k, name in enumerate(names)
        ],
    }


def _dejavu_width(text: str, size: float) -> float:
    """A line's width in DejaVu Sans, read from the font file (the test skips where Debian's font is absent)."""
    font_file = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font_file.exists():
        pytest.skip("needs DejaVu Sans (fonts-dejavu-core)")
    from fontTools.ttLib import TTFont

    font = TTFont(font_file)
    cmap, advances, units = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    return size * sum(advances[cmap[ord(c)]][0] for c in text) / units


def _names(root: ET.Element) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if t.get("class") == "name"]


def test_movement_names_are_whole():
    names = [
        "IMT Atlantique",
        "Paris Sciences et Lettres – PSL Research University Paris",  # 57 characters: was cut at 34
        "National Institute of Applied Sciences of Lyon (INSA Lyon) – Institut National des Sciences Appliquées",
    ]
    root = ET.fromstring(charts.svg(_movement(names)))
    shown = _names(root)
    assert len(shown) == 3
    for t, name in zip(shown, names, strict=True):
        lines = [s.text for s in t.iter(f"{SVG}tspan")] or [t.text]
        assert " ".join(lines) == name  # every word, on one line or two
        assert len(lines) <= 2 and t.find(f"{SVG}title") is None
        # inside the drawing: right-aligned at x, each line no wider than the room left of it, measured in the font
        # the PDF draws it in
        x, size = float(t.get("x")), float(t.get("font-size"))
        assert all(x - _dejavu_width(line, size) >= 0 for line in lines)
    # the longest name takes two lines; the column grows for a name that needs it, the plot keeps the rest
    assert len(list(shown[2].iter(f"{SVG}tspan"))) == 2


def test_a_name_too_long_for_two_lines_ends_with_an_ellipsis_and_keeps_its_title():
    name = "Université " + "Très" * 40 + " de Quelque Part"  # one word wider than the names' column
    root = ET.fromstring(charts.svg(_movement(["IMT Atlantique", name])))
    t = _names(root)[1]
    text = " ".join(s.text for s in t.iter(f"{SVG}tspan")) or t.text
    assert text.endswith("…") and name.startswith(text[:-1])
    assert t.find(f"{SVG}title").text == name


def test_plotly_titles_sit_at_the_left_and_grow_the_margin():
    spec = _movement(["IMT Atlantique"])
    title = charts.plotly_figure(spec)["layout"]["title"]
    assert (title["x"], title["xanchor"], title["xref"], title["automargin"]) == (0, "left", "container", True)


def test_the_drawing_script_has_no_mode_bar_and_wraps_titles():
    script = charts.DRAWING_SCRIPT.read_text(encoding="utf-8")
    assert "displayModeBar: false" in script and "titleLines" in script


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_count_axes_group_thousands_in_french_and_english(lang):
    """Plotly groups an axis's numbers only with d3's "," flag, in the marks ``separators`` gives."""
    spec = _participation([("A", 1, 20.0)], {1: 1154, 2: 300})
    spec["lang"] = lang
    layout = charts.plotly_figure(spec)["layout"]
    assert "," in layout["yaxis"]["tickformat"]
    assert layout["separators"] == {"fr": ",\u202f", "en": ".,"}[lang]
    assert "tickvals" not in layout["yaxis"]


@pytest.mark.parametrize("top", [1154, 17_300])
def test_spanish_count_axes_write_their_ticks_as_the_rae(top):
    """Spanish leaves four digits whole and groups five with a point ("1250", "12.500"): ticks written for it."""
    spec = _participation([("A", 1, 20.0)], {1: top, 2: 300})
    spec["lang"] = "es"
    yaxis = charts.plotly_figure(spec)["layout"]["yaxis"]
    assert "," not in yaxis.get("tickformat", "")
    assert yaxis["tickvals"][0] == 0 and max(yaxis["tickvals"]) >= top
    steps = {round(b - a, 6) for a, b in zip(yaxis["tickvals"], yaxis["tickvals"][1:], strict=False)}
    assert len(steps) == 1  # even steps

    def rae(v: float) -> str:
        whole = str(int(v))
        return whole if len(whole) <= 4 else f"{int(v):,}".replace(",", ".")

    assert yaxis["ticktext"] == [rae(v) for v in yaxis["tickvals"]]
    if top > 10_000:
        assert any(len(t) > 5 and "." in t for t in yaxis["ticktext"])
    else:
        assert "1000" in yaxis["ticktext"]


def test_interactive_movement_names_wrap_into_short_lines():
    """On a phone the movement chart's long names left no room for the plot: each name is broken at spaces into
    lines of at most 28 characters (a word longer than that alone on its line), every word kept, escaped."""
    long = "École Polytechnique – Institut Polytechnique de Paris <Lab>"
    fig = charts.plotly_figure(_movement(["IMT Atlantique", long]))
    names = {y for trace in fig["data"] for y in trace["y"]}
    assert "IMT Atlantique" in names
    (wrapped,) = names - {"IMT Atlantique"}
    lines = wrapped.split("<br>")
    assert " ".join(lines) == long.replace("<", "&lt;").replace(">", "&gt;")
    assert len(lines) > 1 and all(len(line) <= 28 or " " not in line for line in lines)
