"""The rule an edition's published overall scores follow, judged on THE's real tables: 2022 by the single-year
rule on every exact row; 2023 by the mean with 2022, judged on the exact rows whose 2022 term is known — a
newcomer (its single-year score stands alone) or an institution whose 2022 overall score was published exactly.
The rows are counted here from the raw overall workbook."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from impactrank.engine.published.rule import edition_rule

OVERALL = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "published"
    / "the-impact-tables"
    / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx"
)
pytestmark = pytest.mark.shared
NUMBER = re.compile(r"\d+(?:\.\d)?")  # a displayed score: "91.1", or "82" for 82.0
CARD = re.compile(r"^\d+ \d+(?:\.\d)?  \d+ \d+(?:\.\d)?  \d+ \d+(?:\.\d)?  17 \d+(?:\.\d)?  SDG Descriptions$")


@pytest.fixture(scope="module")
def overall_rows():
    if not OVERALL.is_file():
        pytest.skip(f"THE's overall workbook not found at {OVERALL} (../shared is absent)")
    raw = pl.read_excel(OVERALL, engine="calamine", infer_schema_length=0)
    return {
        year: dict(
            raw.filter(pl.col("Year") == year)
            .select("University", pl.struct(card="Best scores by rank", overall="Overall"))
            .iter_rows()
        )
        for year in ("2022", "2023")
    }


def exact_rows(rows: dict) -> set[str]:
    """Universities whose card shows three SDG scores and SDG 17's, and whose overall score, all exact."""
    return {
        name
        for name, cells in rows.items()
        if name and CARD.match(cells["card"] or "") and NUMBER.fullmatch(cells["overall"] or "")
    }


def test_2022_follows_the_single_year_rule_on_every_exact_row(the_tables, overall_rows):
    eds = {e.year: e for e in the_tables.editions}
    rule = edition_rule(eds[2022], eds[2021])
    exact = exact_rows(overall_rows["2022"])
    assert rule.name == "single_year" and rule.previous is None
    assert rule.of == len(exact) == 69 and rule.explained == rule.of


def test_2023_is_judged_on_the_rows_whose_2022_term_is_known(the_tables, overall_rows):
    eds = {e.year: e for e in the_tables.editions}
    rule = edition_rule(eds[2023], eds[2022])
    last_year = overall_rows["2022"]
    known = {
        name
        for name in exact_rows(overall_rows["2023"])
        if name not in last_year or NUMBER.fullmatch(last_year[name]["overall"] or "")
    }
    assert rule.name == "two_year" and rule.previous_edition == "2022"
    assert rule.of == len(known) and rule.explained == rule.of
    assert sum(name in last_year for name in known) == 45  # the rest are new to the overall table in 2023
