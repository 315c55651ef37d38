"""THE's overall formula reproduced from its own published tables, 2020–2023. This test recomputes every exact
row itself from the raw workbooks (min–max over each SDG table, 0.22 × SDG 17 + 0.26 × the three best, and from
2023 the mean with last year's score) and checks that the audit finds the same rows and names the same rule."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

TABLES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "published" / "the-impact-tables"
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not TABLES.is_dir(), reason=f"THE's table workbooks not found at {TABLES} (../shared is absent)"
    ),
]
HEADERS = {  # the fifth column of each SDG workbook, as written there
    "No poverty": 1,
    "Zero hunger": 2,
    "Good health and well-being": 3,
    "Quality education": 4,
    "Gender equality": 5,
    "Clean water and sanitation": 6,
    "Affordable and clean energy": 7,
    "Decent work and economic growth": 8,
    "Industry, Innovation, and Infrastructure": 9,
    "Reducing inequalities": 10,
    "Sustainable cities and communities": 11,
    "Responsible consumption and production": 12,
    "Climate action": 13,
    "Life below water": 14,
    "Life on land": 15,
    "Peace, justice and strong institutions": 16,
    "Partnerships for the goals": 17,
}
NUMBER = re.compile(r"\d+(?:\.\d)?")  # a displayed score: "91.1", or "82" for 82.0
CARD = re.compile(
    r"^(\d+) (\d+(?:\.\d)?)  (\d+) (\d+(?:\.\d)?)  (\d+) (\d+(?:\.\d)?)  17 (\d+(?:\.\d)?)  SDG Descriptions$"
)


@pytest.fixture(scope="module")
def raw():
    frames = {}
    for path in TABLES.glob("*.xlsx"):
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
        frames[HEADERS.get(frame.columns[4], 0)] = frame.rename({frame.columns[4]: "score"})
    return frames


def extremes(raw, year: str) -> dict[int, tuple[float, float]]:
    """Each SDG table's highest displayed score and the lowest end of its scores or ranges."""
    out = {}
    for sdg in range(1, 18):
        scores = raw[sdg].filter(pl.col("Year") == year)["score"]
        ends = [float(x) for s in scores for x in re.findall(r"\d+(?:\.\d)?", s)]
        out[sdg] = (max(ends), min(ends))
    return out


def single_year(raw, year: str) -> dict[str, tuple[float, float]]:
    """University → (its single-year score at the displayed values, the published overall) for exact rows."""
    ext = extremes(raw, year)
    out = {}
    overall = raw[0].filter(pl.col("Year") == year)
    for name, card, published in overall.select("University", "score", "Overall").iter_rows():
        m = CARD.match(card or "")
        if not (m and NUMBER.fullmatch(published or "") and name):
            continue
        pairs = [(int(m.group(i)), float(m.group(i + 1))) for i in (1, 3, 5)] + [(17, float(m.group(7)))]

        def scaled(sdg: int, s: float) -> float:
            top, bottom = ext[sdg]
            return 100 * (s - bottom) / (top - bottom)

        score = 0.22 * scaled(*pairs[3]) + 0.26 * sum(scaled(*p) for p in pairs[:3])
        out[name] = (score, float(published))
    return out


@pytest.fixture(scope="module")
def audits(the_tables):
    from impactrank.engine.published.audit import audit_edition

    eds = {e.year: e for e in the_tables.editions}
    return {y: audit_edition(eds[y], eds.get(y - 1)).to_dict() for y in (2020, 2021, 2022, 2023)}


def model(report: dict, name: str) -> dict:
    return next(m for m in report["formula"]["models"] if m["model"] == name)


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_single_year_rule_explains_every_exact_row(raw, audits, year):
    rows = single_year(raw, str(year))
    residuals = [published - score for score, published in rows.values()]
    assert max(map(abs, residuals)) <= 0.1  # within the rounding of five displayed inputs
    m = model(audits[year], "sdg_tables")
    assert m["exact"]["n"] == len(rows) and m["exact"]["explained"] == len(rows)
    assert m["exact"]["max_abs"] == pytest.approx(max(map(abs, residuals)), abs=1e-3)
    assert m["interval"]["consistent"] == m["interval"]["n"]
    assert audits[year]["formula"]["best_model"] == "sdg_tables"
    assert model(audits[year], "displayed")["exact"]["max_abs"] > 5  # the plain formula is far off
    assert len(rows) == {2020: 68, 2021: 69, 2022: 69}[year]


def test_two_year_average_explains_2023(raw, audits):
    this = single_year(raw, "2023")
    overall_2022 = dict(raw[0].filter(pl.col("Year") == "2022").select("University", "Overall").iter_rows())
    averaged = {}
    for name, (score, published) in this.items():
        before = overall_2022.get(name)
        if before is None:
            averaged[name] = (score, published)  # new in 2023: its single-year score
        elif NUMBER.fullmatch(before):
            averaged[name] = ((score + float(before)) / 2, published)
    residuals = [published - score for score, published in averaged.values()]
    assert max(map(abs, residuals)) <= 0.1
    assert sum(n in overall_2022 for n in averaged) == 45
    m = model(audits[2023], "two_year_average")
    assert m["exact"]["n"] == len(averaged) and m["exact"]["explained"] == len(averaged)
    assert audits[2023]["formula"]["best_model"] == "two_year_average" and audits[2023]["previous"] == "2022"
    single = model(audits[2023], "sdg_tables")
    assert single["exact"]["explained"] < single["exact"]["n"] / 4  # a single year does not explain 2023
    assert single["exact"]["n"] == len(this)
