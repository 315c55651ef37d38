"""Chart data from an edition's tables, and its two drawings (Plotly figure, static SVG)."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from web_workspace import build_mini, earlier, hostile

from impactrank.engine.views.compare import compare_editions
from impactrank.report import charts


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return build_mini(tmp_path_factory.mktemp("charts"))


def test_distribution_counts_bands_and_marks(mini):
    spec = charts.distribution_data(mini, ["C", "A"])
    assert sum(spec["counts"]) == mini.field_size == 4
    # scores 87.0, 37.56, 37.0, 12.28 in bins of 2.5
    nonzero = {spec["bins"][i]: c for i, c in enumerate(spec["counts"]) if c}
    assert nonzero == {10.0: 1, 35.0: 1, 37.5: 1, 85.0: 1}
    assert spec["boundaries"] == [
        {"label": "1–2", "low": 37.56, "high": 87.0, "count": 2},
        {"label": "3–4", "low": 12.28, "high": 37.0, "count": 2},
    ]
    # a row in a band is marked at the middle of its band's range, not at the score the band hides (37.0)
    assert [(m["institution_id"], m["rank"], m["x"]) for m in spec["marked"]] == [
        ("A", "1", 87.0),
        ("C", "3–4", round((12.28 + 37.0) / 2, 2)),
    ]


def test_profile_marks_counted_sdgs(mini):
    spec = charts.profile_data(mini, "C", "Gamma College")
    rows = mini.sdg_scores.filter(pl.col("institution_id") == "C").sort("sdg")
    assert [(s["sdg"], s["score"], s["counted"]) for s in spec["sdgs"]] == list(
        zip(rows["sdg"], rows["score"], rows["counted"], strict=True)
    )
    fig = charts.plotly_figure(spec)
    colours = fig["data"][0]["marker"]["color"]
    assert [c != charts.MUTED for c in colours] == rows["counted"].to_list()


def test_participation_counts_and_positions(mini):
    spec = charts.participation_data(mini, ["B"])
    counts = {p["sdg"]: p["count"] for p in spec["participants"]}
    assert counts == {s: int(mini.manifest["counts"]["per_sdg"][str(s)]) for s in range(1, 18)}
    b1 = next(p for p in spec["positions"] if p["sdg"] == 1)
    row = mini.sdg_scores.filter((pl.col("institution_id") == "B") & (pl.col("sdg") == 1)).row(0, named=True)
    assert (row["rank_position"], row["band"], row["rank_low"], row["rank_high"]) == (3, "3+", 3, 5)
    # in a band the chart shows the band's share of the table (places 3–5 of 5), never the position behind it
    assert (b1["position"], b1["of"], b1["top_percent_low"], b1["top_percent_high"]) == (None, 5, 60.0, 100.0)
    assert b1["top_percent"] == 80.0


def test_movement_uses_percentile_intervals_from_compare(mini):
    comp = compare_editions(earlier(mini), mini)
    spec = charts.movement_data(comp)
    by = {i["institution_id"]: i for i in spec["items"]}
    assert set(by) == {"A", "B", "C"}  # D is new: no movement to draw
    assert (by["C"]["low_after"], by["C"]["high_after"], by["C"]["top_after"]) == (75.0, 100.0, 87.5)
    assert by["A"]["top_before"] == pytest.approx(100 / 3, abs=0.01) and by["A"]["top_after"] == 25.0
    assert (spec["field_before"], spec["field_after"]) == (3, 4)


@pytest.mark.parametrize("kind", ["distribution", "profile", "participation", "movement"])
def test_svg_is_well_formed_and_escapes_names(mini, kind):
    ed = hostile(mini)
    spec = {
        "distribution": lambda: charts.distribution_data(ed, ["A", "E"]),
        "profile": lambda: charts.profile_data(ed, "A", "<script>alert(1)</script>"),
        "participation": lambda: charts.participation_data(ed, ["A", "E"]),
        "movement": lambda: charts.movement_data(compare_editions(earlier(ed), ed)),
    }[kind]()
    svg = charts.svg(spec)
    root = ET.fromstring(svg)  # raises on malformed XML (an unescaped name would break it)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg
    if kind != "participation" or spec["positions"]:
        texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
        assert "<script>alert(1)</script>" in texts or kind == "participation"
    fig = charts.figure_json(spec)
    assert "<" not in fig and ">" not in fig and "&" not in fig
    assert json.loads(fig)["layout"]["title"]["text"]


def test_svg_bars_follow_the_data(mini):
    spec = charts.profile_data(mini, "A")
    root = ET.fromstring(charts.svg(spec))
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"]
    heights = [float(b.get("height")) for b in bars]
    assert len(bars) == 4
    # scores 100, 100, 50, 100: the SDG 3 bar is half the others
    assert heights[2] == pytest.approx(heights[0] / 2, abs=0.15)


def test_a_bars_label_is_its_score_rounded_once():
    """55.3469 reads "55.3" in the chart as in the tables, not "55.4" from the two decimals the drawing keeps."""
    row = {"sdg": 7, "score": 55.34685604319271, "score_low": None, "score_high": None, "scaled_score": 58.45}
    spec = charts.profile_from_rows([row | {"counted": True, "rank": "12"}], "A", "A", "fr")
    assert spec["sdgs"][0]["score"] == 55.35 and spec["sdgs"][0]["text"] == "55,3"
    assert "<title>7: 55,3</title>" in charts.svg(spec) and "55,4" not in charts.svg(spec)


def test_a_score_range_counts_evenly_over_the_bins_it_covers():
    """A banded row (a range, no score) shares its one count among the bins it covers, by overlap: [10, 20] over
    bins of 2.5 is a quarter in each of bins 4–7; a score is one in its bin; a range of one value, one there."""
    from impactrank.report.charts.data import _spread

    rows = pl.DataFrame(
        {"overall_score": [12.0, None, None], "overall_low": [12.0, 10.0, 30.0], "overall_high": [12.0, 20.0, 30.0]}
    )
    counts = _spread(rows, 2.5, 40)
    expected = [0.0] * 40
    expected[4] += 1  # 12.0
    for k in (4, 5, 6, 7):
        expected[k] += 0.25
    expected[12] += 1  # 30.0
    assert counts == expected and sum(counts) == 3


@pytest.mark.shared
def test_the_individually_ranked_rows_are_labelled_by_the_places_they_fill(the_tables):
    """THE's 2021 and 2022 tables: the first row of the band table reads "1–100" as THE publishes it, the places the
    individually ranked rows fill up to the first band, though 2022's last ranks are three tied at "=98"."""
    import openpyxl

    from the_workbooks import THE_TABLES

    book = openpyxl.load_workbook(THE_TABLES / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx", read_only=True)
    rows = list(book.active.iter_rows(values_only=True))[1:]
    editions = {e.year: e for e in the_tables.editions}
    for year in (2021, 2022):
        ranks = [str(r[0]) for r in rows if r[1] == year]
        exact = [r for r in ranks if r.lstrip("=").isdigit()]
        first_band = min(int(r.split("–")[0]) for r in ranks if "–" in r)
        expected = f"1–{min(len(exact), first_band - 1)}"
        assert charts.distribution_data(editions[year], [])["boundaries"][0]["label"] == expected == "1–100"
