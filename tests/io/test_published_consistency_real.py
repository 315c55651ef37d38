"""The source's own errors in THE's tables (2019–2023), caught at import and checked against the raw workbooks
read with polars alone: Nigeria's universities filed under Niger, the Dominican Republic's under Dominica, and
University of Cergy-Pontoise renamed CY Cergy Paris University in 2021."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from impactrank.engine.views.compare import compare_editions
from impactrank.io.identity import propose_matches, read_aliases
from impactrank.io.published import read_published
from impactrank.io.published.consistency import CONTRADICTS_NAME, MOSTLY_ELSEWHERE
from impactrank.report.summary import summarise

TABLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published" / "the-impact-tables"
OVERALL = TABLES / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not TABLES.is_dir(), reason=f"THE's table workbooks not found at {TABLES} (../shared is absent)"
    ),
]
NIGERIANS = ("University of Ibadan", "University of Lagos", "Lagos State University", "Covenant University")
CHECKS = (CONTRADICTS_NAME, MOSTLY_ELSEWHERE)


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    return pl.read_excel(OVERALL, engine="calamine", infer_schema_length=0).with_columns(pl.col("Year").cast(pl.Int64))


@pytest.fixture(scope="module")
def reports(the_tables) -> dict[int, object]:
    return {e.year: e for e in the_tables.report.editions}


def test_the_four_nigerian_universities_under_niger_are_flagged_with_nigeria_suggested(raw, reports):
    niger = raw.filter((pl.col("Year") == 2021) & (pl.col("Country") == "Niger"))["University"].to_list()
    assert set(NIGERIANS) <= set(niger)
    suggested = {(s["name"], s["country"]): s for s in reports[2021].country_suggestions}
    for name in niger:
        assert suggested[(name, "NE")]["suggested"] == "NG"
    assert suggested[("University of Lagos", "NE")]["flags"] == [CONTRADICTS_NAME, MOSTLY_ELSEWHERE]
    assert suggested[("Covenant University", "NE")]["flags"] == [MOSTLY_ELSEWHERE]  # no place in its name


def test_flagged_overall_rows_are_the_misfiled_ones_in_every_edition(raw, reports):
    """Read by hand: every 2020–2023 row under Niger is a Nigerian university; the two 2021 rows under Dominica
    (Universidad Católica del Cibao, Universidad Tecnológica de Santiago) are Dominican. Dominica's single row in
    2022 and 2023 is missed: one row, and no place in its name."""
    for year, report in reports.items():
        flagged = sorted(
            (f["row"], f["cells"]["country"])
            for f in report.flagged
            if f["table"] == "overall" and any(c in f["flags"] for c in CHECKS)
        )
        rows = raw.with_row_index("row", offset=2).filter(pl.col("Year") == year)
        wrong = ["Niger", "Dominica"] if year == 2021 else ["Niger"]
        expected = rows.filter(pl.col("Country").is_in(wrong)).select("row", "Country").rows()
        assert flagged == sorted(expected)
    counts = {y: r.tables.get("overall", {}).get("flags", {}).get(MOSTLY_ELSEWHERE, 0) for y, r in reports.items()}
    assert counts == {2019: 0, 2020: 4, 2021: 7, 2022: 9, 2023: 11}


def test_cergy_is_proposed_as_a_rename_and_blank_names_never(the_tables, raw, tmp_path):
    eds = {e.year: e for e in the_tables.editions}
    names = {y: set(raw.filter(pl.col("Year") == y)["University"].drop_nulls()) for y in (2020, 2021)}
    blank = {y: raw.filter((pl.col("Year") == y) & pl.col("University").is_null()).height for y in (2020, 2021)}
    assert blank[2020] and blank[2021]  # the raw tables have rows without a name: none may be proposed
    gone, new = names[2020] - names[2021], names[2021] - names[2020]
    assert "University of Cergy-Pontoise" in gone and "CY Cergy Paris University" in new
    assert "Fasa University" in gone and "Arak University" in new  # two universities, one word in common

    proposals = propose_matches(eds[2020].institutions, eds[2021].institutions)
    pairs = set(zip(proposals["name"], proposals["alias"], strict=True))
    assert ("University of Cergy-Pontoise", "CY Cergy Paris University") in pairs
    assert ("Fasa University", "Arak University") not in pairs
    assert all(n.strip() for pair in pairs for n in pair)
    assert proposals.filter(pl.col("alias") == "CY Cergy Paris University")["evidence"].to_list() == ["word: cergy"]

    # confirmed (its row kept in the alias file, imported again with it): one institution in compare and summary
    kept = tmp_path / "aliases.csv"
    kept.write_text(proposals.filter(pl.col("alias") == "CY Cergy Paris University").write_csv(), encoding="utf-8")
    again = {e.year: e for e in read_published(TABLES, aliases=read_aliases(kept)).editions if e.year in (2020, 2021)}
    table = compare_editions(again[2020], again[2021]).table
    cergy = table.filter(pl.col("institution_id") == "fr-university-of-cergy-pontoise")
    assert cergy.select("name", "status").rows() == [("CY Cergy Paris University", "both")]
    summary = summarise(again[2021], previous=again[2020], country="FR")
    assert "CY Cergy Paris University" not in summary.paragraph
    before = summarise(eds[2021], previous=eds[2020], country="FR")
    assert "CY Cergy Paris University" in before.paragraph  # named as entering the table without the alias
