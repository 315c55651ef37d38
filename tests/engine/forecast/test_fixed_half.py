"""The part of 2024's published score that 2023 already fixes (THE's two-year mean: half of 2023's single-year
score), computed by hand from THE's 2023 workbooks: each SDG min–max over its 2023 SDG table (the highest
displayed score, the low end of the last band's range), 0.22 × SDG 17 + 0.26 × the three best, halved."""

from __future__ import annotations

import re

import pytest

from the_workbooks import THE_TABLES, goal_of

NAMES = ("Western Sydney University", "Queen’s University")  # ranks 1 and 3 of 2023, every score exact


def _cells(text: str) -> tuple[float, float]:
    """ "81.9" or "81.9–86.9" as (low, high)."""
    parts = [float(x) for x in re.split(r"[–-]", str(text).strip())]
    return parts[0], parts[-1]


@pytest.fixture(scope="module")
def by_hand() -> dict[str, float]:
    """Each named institution's 2023 single-year score, halved, from the workbooks alone."""
    import openpyxl

    extremes: dict[int, tuple[float, float]] = {}
    cards: dict[str, str] = {}
    for path in sorted(THE_TABLES.glob("*.xlsx")):
        lines = openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
        header = [str(h or "") for h in next(lines)]
        sdg = goal_of(header[4])
        rows = [r for r in lines if r and r[1] == 2023]
        if sdg is None:
            cards = {r[2]: r[4] for r in rows if r[2] in NAMES}
        elif rows:
            cells = [_cells(r[4]) for r in rows if r[4] not in (None, "")]
            extremes[sdg] = (max(h for _, h in cells), min(lo for lo, _ in cells))
    out = {}
    for name in NAMES:
        pairs = re.findall(r"(\d+) (\d+\.\d)", cards[name])
        scaled = {
            int(k): 100 * (float(v) - extremes[int(k)][1]) / (extremes[int(k)][0] - extremes[int(k)][1])
            for k, v in pairs
        }
        best = sorted((v for k, v in scaled.items() if k != 17), reverse=True)[:3]
        out[name] = 0.5 * (0.22 * scaled[17] + 0.26 * sum(best))
    return out


def test_the_fixed_half_of_2024_is_half_2023s_single_year_score(the_tables, by_hand):
    from impactrank.engine.forecast import forecast_edition, rules_for

    editions = sorted(the_tables.editions, key=lambda e: e.year)
    series = [e for e in editions if e.has_overall_table]
    rules = rules_for([2020, 2021, 2022, 2023, 2024])
    assert rules[2024].weights == (0.5, 0.5) and rules[2024].assumed  # the latest rule, said to be assumed
    fc = forecast_edition(series, rules, {e.year: e.participants for e in editions}, runs=200)
    names = dict(series[-1].institutions.select("name", "institution_id").iter_rows())
    for name, expected in by_hand.items():
        row = fc.table.filter(fc.table["institution_id"] == names[name]).row(0, named=True)
        assert row["fixed_low"] - 0.01 <= expected <= row["fixed_high"] + 0.01, (name, expected, row)
        assert row["fixed_high"] - row["fixed_low"] < 0.2  # exact cards: rounding alone widens it
    assert by_hand[NAMES[0]] > by_hand[NAMES[1]]
