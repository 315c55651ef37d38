"""What-if on the mini case (numbers by hand; see tests/engine/test_build.py for the nominal ones)."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.engine.build import build_edition
from impactrank.engine.scenarios.whatif_built import Change, apply_changes, parse_setting, whatif
from impactrank.errors import InputError
from impactrank.io.inputs import read_institutions, read_submissions


@pytest.fixture
def mini(mini_paths, mini_methodology):
    inst = read_institutions(mini_paths["institutions"])
    subs = read_submissions([mini_paths["submissions"]], mini_methodology, inst)
    return mini_methodology, inst, subs


def test_unchanged_values_give_the_nominal_result_exactly(mini):
    methodology, inst, subs = mini
    nominal = build_edition(methodology, inst, subs)
    changes = [
        parse_setting(methodology, "3.pubs=100"),
        parse_setting(methodology, "1.policy=1,1,0,0"),
        parse_setting(methodology, "2.share=10/100"),
    ]
    result = whatif(methodology, inst, subs, "B", changes)
    for name in ("overall", "sdg_scores", "metric_scores", "sdg_scaling"):
        assert getattr(result.after, name).equals(getattr(nominal, name)), name
        assert getattr(result.before, name).equals(getattr(nominal, name)), name
    before, after = result.overall.row(0, named=True), result.overall.row(1, named=True)
    assert {**before, "side": None} == {**after, "side": None}
    assert before["overall_score"] == nominal.overall.filter(pl.col("institution_id") == "B")["overall_score"][0]
    assert result.others_moved == 0


def test_hand_computed_change_rescores_the_field(mini):
    """D gives its food waste, 5 (the lowest, lower is better) and answers SDG 17 fully.

    SDG 2 waste over A 10, B 20, D 5 (min–max of −x): D 100, A 66.67, B 0; SDG 2 = ½ share + ½ waste:
    A 100/2 + 66.67/2 = 83.33, D 50/2 + 100/2 = 75. SDG 17: D 100 (A 100, B 50, C 75).
    Scaled over A, B, C, D: SDG 17 min 50 max 100 → D 100; SDG 2 min 0 (B) max 83.33 → D 90;
    SDG 1 (A 100, B 50, C 10, D 30) → D 22.22; SDG 4 (C 100, D 0) → D 0.
    D overall = 0.22·100 + 0.26·(90 + 22.22 + 0) = 51.18 → rank 2 (B 37.6 next), so B and C move down."""
    methodology, inst, subs = mini
    changes = [parse_setting(methodology, "2.waste=5"), parse_setting(methodology, "17.reports=1")]
    result = whatif(methodology, inst, subs, "D", changes)
    after = result.overall.filter(pl.col("side") == "after").row(0, named=True)
    assert after["overall_score"] == pytest.approx(22 + 0.26 * (90 + 200 / 9))
    assert after["rank"] == "2" and after["top_sdgs"] == "2;1;4"
    sdgs = {r["sdg"]: r for r in result.sdgs.iter_rows(named=True)}
    assert sdgs[2]["score_before"] == pytest.approx(25) and sdgs[2]["score_after"] == pytest.approx(75)
    assert sdgs[2]["scaled_score_after"] == pytest.approx(90)
    a_sdg2 = result.after.sdg_scores.filter((pl.col("institution_id") == "A") & (pl.col("sdg") == 2))
    assert a_sdg2["score"][0] == pytest.approx(50 + 100 / 3)  # A's waste score fell: the field re-scored
    metrics = {r["metric"]: r for r in result.metrics.iter_rows(named=True)}
    assert metrics["waste"]["raw_before"] is None and metrics["waste"]["raw_after"] == 5
    assert metrics["waste"]["score_after"] == pytest.approx(100)
    assert metrics["reports"]["score_before"] == pytest.approx(50)
    assert metrics["reports"]["score_after"] == pytest.approx(100)
    assert result.others_moved == 2  # B and C each move down one place


def test_a_new_sdg_makes_an_institution_eligible(mini):
    methodology, inst, subs = mini
    result = whatif(methodology, inst, subs, "E", [parse_setting(methodology, "17.reports=1,0,0,0")])
    before, after = result.overall.row(0, named=True), result.overall.row(1, named=True)
    assert before["rank"] is None and after["rank"] is not None
    assert 17 in result.sdgs.filter(pl.col("score_after").is_not_null())["sdg"].to_list()


def test_withdrawing_a_value_scores_it_as_missing(mini):
    methodology, inst, subs = mini
    result = whatif(methodology, inst, subs, "A", [parse_setting(methodology, "1.pubs=missing")])
    row = result.after.metric_scores.filter(
        (pl.col("institution_id") == "A") & (pl.col("metric") == "pubs") & (pl.col("sdg") == 1)
    )
    assert row["missing"][0] and row["score"][0] == 0.0


def test_parse_setting(mini_methodology):
    m = mini_methodology
    assert parse_setting(m, "2.share=30/100") == Change(2, "share", numerator=30.0, denominator=100.0)
    assert parse_setting(m, "2.share=0.4", {"denominator": 50.0}) == Change(
        2, "share", numerator=20.0, denominator=50.0
    )
    assert parse_setting(m, "SDG1.policy=1,1,0.5,0") == Change(1, "policy", answers=(1.0, 1.0, 0.5, 0.0))
    assert parse_setting(m, "1.policy=1").answers == (1.0, 1.0, 1.0, 1.0)
    assert parse_setting(m, "3.pubs = 12.5") == Change(3, "pubs", value=12.5)
    assert parse_setting(m, "3.pubs=missing").missing
    for bad, message in (
        ("3pubs=1", "not SDG.METRIC=VALUE"),
        ("3.nope=1", "unknown metric 'nope' for SDG 3"),
        ("9.pubs=1", "SDG 9 is not in methodology mini"),
        ("3.pubs=abc", "'abc' is not a number"),
        ("1.policy=1,2", "four answers"),
        ("2.share=1/0", "positive denominator"),
        ("3.pubs=-5", "cannot be negative"),
    ):
        with pytest.raises(InputError, match=message) as info:
            parse_setting(m, bad)
        assert info.value.field == "set"


def test_apply_changes_replaces_only_the_institutions_row(mini):
    subs = mini[2]
    changed = apply_changes(subs, "B", [Change(3, "pubs", value=7.0)])
    assert changed.height == subs.height
    b = changed.filter((pl.col("institution_id") == "B") & (pl.col("metric") == "pubs") & (pl.col("sdg") == 3))
    assert b["value"].to_list() == [7.0]
    a = changed.filter((pl.col("institution_id") == "A") & (pl.col("metric") == "pubs") & (pl.col("sdg") == 3))
    assert a["value"].to_list() == [50.0]


def test_whatif_on_an_averaging_edition_keeps_last_years_term(evidence_pair):
    """The hand-computed pair (tests/conftest.py): B answers 2023's SDG 17 question fully (1 → 3 points).
    SDG 17 A 3, B 3, N 2 → A 100, B 100, N 0. B: 22 + 0.26 (100 + 100 + 50) = 87, published (87 + 39) / 2 = 63;
    A keeps 61 → 74; N (new, no 2022 term) 0.26 · 100 = 26."""
    from impactrank.methodology import load_methodology

    m22, m23 = load_methodology("the-2022"), load_methodology("the-2023")
    inputs = {}
    for year, m in ((2022, m22), (2023, m23)):
        inst = read_institutions(evidence_pair[year][0])
        inputs[year] = (inst, read_submissions([evidence_pair[year][1]], m, inst))
    e22 = build_edition(m22, *inputs[2022], edition_id="2022")
    previous = e22.overall.select(
        "institution_id", "single_year_score", previous_edition=pl.lit("2022"), lag=pl.lit(1, pl.Int64)
    )
    nominal = build_edition(m23, *inputs[2023], previous=previous)
    result = whatif(m23, *inputs[2023], "B", [parse_setting(m23, "17.sdg_reports=1,1,1,0")], previous)
    assert result.before.overall.equals(nominal.overall)
    before, after = result.overall.row(0, named=True), result.overall.row(1, named=True)
    assert (before["overall_score"], before["single_year_score"]) == pytest.approx((52, 65))
    assert (after["overall_score"], after["single_year_score"]) == pytest.approx((63, 87))
    scores = dict(zip(result.after.overall["institution_id"], result.after.overall["overall_score"], strict=True))
    assert scores == pytest.approx({"A": 74, "B": 63, "N": 26})
    assert result.others_moved == 0
