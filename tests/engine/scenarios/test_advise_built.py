"""Advice: the SDG choice against a brute force over every subset (whole field re-scored each time), the gap
to the next band by hand, and metric gains against full what-if rebuilds."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from impactrank.demo import generate_field
from impactrank.engine.build import build_edition
from impactrank.engine.scenarios.advise_built import advise
from impactrank.engine.scenarios.whatif_built import Change, plain_submissions, whatif
from impactrank.engine.tables.ranking import display_keys
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.methodology import load_methodology


@pytest.fixture
def mini(mini_paths, mini_methodology):
    inst = read_institutions(mini_paths["institutions"])
    subs = read_submissions([mini_paths["submissions"]], mini_methodology, inst)
    return mini_methodology, inst, subs


def brute_force(methodology, inst, subs, institution_id, submitted):
    """Best overall score over every subset of the submitted SDGs that keeps the institution eligible."""
    rules = methodology.overall
    others = [s for s in submitted if s != rules.required_sdg]
    plain = plain_submissions(subs)
    best = None
    for k in range(rules.min_other_sdgs, len(others) + 1):
        for chosen in itertools.combinations(others, k):
            keep = {rules.required_sdg, *chosen}
            drop = (pl.col("institution_id") == institution_id) & ~pl.col("sdg").is_in(sorted(keep))
            ed = build_edition(methodology, inst, plain.filter(~drop))
            score = ed.overall.filter(pl.col("institution_id") == institution_id)["overall_score"][0]
            if best is None or score > best[0] + 1e-12:
                best = (score, sorted(keep))
    return best


def subset_score(methodology, inst, subs, institution_id, keep):
    drop = (pl.col("institution_id") == institution_id) & ~pl.col("sdg").is_in(sorted(keep))
    ed = build_edition(methodology, inst, plain_submissions(subs).filter(~drop))
    return ed.overall.filter(pl.col("institution_id") == institution_id)["overall_score"][0]


@pytest.mark.parametrize("institution", ["A", "B", "C", "D"])
def test_sdg_choice_equals_brute_force_mini(mini, institution):
    methodology, inst, subs = mini
    advice = advise(methodology, inst, subs, institution)
    best_score, _ = brute_force(methodology, inst, subs, institution, advice.submitted)
    assert advice.best_score == pytest.approx(best_score, abs=1e-9)
    assert advice.score == pytest.approx(best_score, abs=1e-9)
    assert subset_score(methodology, inst, subs, institution, advice.recommended) == pytest.approx(best_score)


def test_sdg_choice_equals_brute_force_synthetic():
    methodology = load_methodology("the-2021")
    field = generate_field(methodology, 40, seed=3)
    inst, subs = field.institutions, field.submissions
    nominal = build_edition(methodology, inst, subs)
    counts = nominal.sdg_scores.group_by("institution_id").len()
    eligible = nominal.overall["institution_id"].to_list()
    # an eligible institution with 5–7 other SDGs: 16–99 subsets, each a full rebuild
    pick = counts.filter(pl.col("institution_id").is_in(eligible) & pl.col("len").is_between(6, 8)).sort(
        "institution_id"
    )["institution_id"][0]
    advice = advise(methodology, inst, subs, pick, top=0)
    best_score, _ = brute_force(methodology, inst, subs, pick, advice.submitted)
    assert advice.best_score == pytest.approx(best_score, abs=1e-9)
    assert len(advice.recommended) == 4 and advice.recommended[0] == 17
    assert subset_score(methodology, inst, subs, pick, advice.recommended) == pytest.approx(best_score, abs=1e-9)


def test_gap_to_next_band_by_hand(mini):
    """C (37.0, position 3, band 3–4) reaches the individually ranked 1–2 by tying B's displayed 37.6:
    a score of 37.55 rounds to 37.6, so the gap is 0.55."""
    methodology, inst, subs = mini
    gap = advise(methodology, inst, subs, "C").gap
    assert (gap.position, gap.current, gap.target, gap.target_position) == (3, "3–4", "1–2", 2)
    assert gap.points == pytest.approx(0.55)
    b = advise(methodology, inst, subs, "B").gap
    assert (b.current, b.target, b.target_position) == (None, None, 1)
    assert b.points == pytest.approx(86.95 - 37.0 - 5 / 9)
    top = advise(methodology, inst, subs, "A").gap
    assert top.target is None and top.points is None


def test_gap_is_enough_and_necessary(mini):
    """Adding the gap to C's overall score ties B at display precision; a little less does not."""
    methodology, inst, subs = mini
    gap = advise(methodology, inst, subs, "C").gap
    b_key = display_keys(np.array([37.55555555555556]), 1)[0]
    assert display_keys(np.array([37.0 + gap.points]), 1)[0] == b_key
    assert display_keys(np.array([37.0 + gap.points - 0.01]), 1)[0] < b_key


def test_gains_by_hand_and_against_whatif(mini):
    """C answering SDG 17's 'recent' item: its SDG 17 score goes 75 → 100, scaled 50 → 100 (A also 100),
    so the overall score gains 0.22 × 50 = 11."""
    methodology, inst, subs = mini
    advice = advise(methodology, inst, subs, "C", top=None)
    gains = {(r["sdg"], r["metric"]): r for r in advice.gains.iter_rows(named=True)}
    top = advice.gains.row(0, named=True)
    assert (top["sdg"], top["metric"], top["step"], top["item"]) == (17, "reports", "rubric", "recent")
    assert top["gain"] == pytest.approx(11.0)
    # the pubs of SDG 1 from 0 to the field median (50): compare with a full what-if rebuild
    pubs = gains[(1, "pubs")]
    assert (pubs["step"], pubs["value_from"], pubs["value_to"]) == ("from_zero", 0.0, 50.0)
    full = whatif(methodology, inst, subs, "C", [Change(1, "pubs", value=50.0)])
    delta = full.overall["overall_score"][1] - full.overall["overall_score"][0]
    assert gains[(1, "pubs")]["gain"] == pytest.approx(delta)
    assert advice.gains["gain"].is_sorted(descending=True)


def test_ineligible_institution_is_told_what_it_lacks(mini):
    methodology, inst, subs = mini
    advice = advise(methodology, inst, subs, "E")
    assert not advice.eligible and (advice.missing_required, advice.missing_others) == (17, 0)
    assert advice.recommended == [] and advice.gap is None


def test_gap_when_every_position_is_individually_ranked(mini):
    """With no bands, a position past ``individual_to`` is still its own rank: D (4th) aims at rank 3."""
    from impactrank.methodology.schema import Banding

    methodology, inst, subs = mini
    overall = methodology.overall.model_copy(update={"banding": Banding(individual_to=2)})
    unbanded = methodology.model_copy(update={"overall": overall})
    gap = advise(unbanded, inst, subs, "D").gap
    assert (gap.position, gap.current, gap.target, gap.target_position) == (4, None, None, 3)
    # C's displayed 37.0 is the score to tie: 36.95 rounds up to it
    assert gap.points == pytest.approx(36.95 - (0.26 * (25 + 200 / 9)))


def test_advice_on_an_averaging_edition_is_in_published_points(evidence_pair):
    """The hand-computed pair (tests/conftest.py): B publishes (65 + 39) / 2 = 52, second behind A's 74.0, so it
    needs 73.95 − 52 = 21.95 published points for rank 1. Answering its SDG 3 question fully (2 → 3 points)
    scales SDG 3 to 100 (A 1, B 3, N 3): single-year 0.26 (100 + 100 + 100) = 78, published 58.5: +6.5."""
    m22, m23 = load_methodology("the-2022"), load_methodology("the-2023")
    inputs = {}
    for year, m in ((2022, m22), (2023, m23)):
        inst = read_institutions(evidence_pair[year][0])
        inputs[year] = (inst, read_submissions([evidence_pair[year][1]], m, inst))
    e22 = build_edition(m22, *inputs[2022])
    previous = e22.overall.select(
        "institution_id", "single_year_score", previous_edition=pl.lit("2022"), lag=pl.lit(1, pl.Int64)
    )
    advice = advise(m23, *inputs[2023], "B", previous=previous)
    assert (advice.score, advice.best_score) == pytest.approx((52, 52))
    assert (advice.gap.current, advice.gap.target, advice.gap.target_position, advice.gap.points) == (
        None,
        None,
        1,
        pytest.approx(21.95),
    )
    gains = {(r["sdg"], r["metric"]): r["gain"] for r in advice.gains.iter_rows(named=True)}
    assert gains[(3, "health_collaborations")] == pytest.approx(6.5)
    rebuilt = whatif(m23, *inputs[2023], "B", [Change(3, "health_collaborations", answers=(1, 1, 1, 0))], previous)
    assert rebuilt.overall["overall_score"].to_list() == pytest.approx([52, 58.5])
