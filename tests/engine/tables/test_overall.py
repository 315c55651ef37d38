import numpy as np
import polars as pl
import pytest

from impactrank.engine.tables.overall import best_k, compute_overall, eligibility
from impactrank.methodology.schema import Banding, OverallRules, Scaling

NAN = np.nan
RULES = OverallRules(banding=Banding(individual_to=100), confirmed=True, source="test")


def matrix(rows):
    m = np.full((len(rows), 17), NAN)
    for i, row in enumerate(rows):
        for sdg, score in row.items():
            m[i, sdg - 1] = score
    return m


def test_eligibility_needs_sdg17_and_three_others():
    m = matrix([{17: 50, 1: 1, 2: 2, 3: 3}, {17: 50, 1: 1, 2: 2}, {1: 1, 2: 2, 3: 3, 4: 4}])
    assert eligibility(m, RULES).tolist() == [True, False, False]


def test_minmax_scaling_over_eligible_only_then_best_three():
    m = matrix(
        [
            {17: 80, 1: 60, 2: 40, 3: 20, 4: 10},
            {17: 40, 1: 20, 2: 80, 3: 60},
            {17: 60, 1: 40, 2: 60, 3: 40, 5: 90},
            {1: 100, 2: 0},  # not eligible: must not set the extremes
        ]
    )
    r = compute_overall(m, RULES)
    # SDG 1 over the eligible: min 20, max 60 → A 100, B 0, C 50; SDG 17: min 40, max 80 → 100, 0, 50
    assert r.scaled[0, 0] == pytest.approx(100) and r.scaled[1, 0] == pytest.approx(0)
    assert r.scaled[2, 0] == pytest.approx(50)
    assert np.isnan(r.scaled[3]).all()
    # SDG 5 has a single eligible submitter: scaled to 100. A's SDG 4 likewise.
    assert r.scaled[2, 4] == pytest.approx(100)
    # A: 17→100; SDG1 100, SDG2 0, SDG3 0, SDG4 100 → best 1, 4, 2 (tie at 0 goes to the lower SDG)
    assert r.best[0].tolist() == [1, 4, 2]
    assert r.score[0] == pytest.approx(0.22 * 100 + 0.26 * (100 + 100 + 0))
    # C: 17→50; SDG1 50, SDG2 50, SDG3 0, SDG5 100 → best 5, 1, 2
    assert r.best[2].tolist() == [5, 1, 2]
    assert r.score[2] == pytest.approx(0.22 * 50 + 0.26 * (100 + 50 + 50))
    assert np.isnan(r.score[3])


def test_max_only_scaling():
    m = matrix([{17: 50, 1: 40, 2: 30, 3: 20}, {17: 25, 1: 80, 2: 60, 3: 10}])
    r = compute_overall(m, RULES, scaling="max")
    assert r.scaled[0, 16] == pytest.approx(100) and r.scaled[1, 16] == pytest.approx(50)
    assert r.scaled[0, 0] == pytest.approx(50) and r.scaled[1, 2] == pytest.approx(50)


def test_population_of_all_submitters_widens_the_extremes():
    rules = RULES.model_copy(update={"scaling": Scaling(population="submitters")})
    m = matrix([{17: 80, 1: 60, 2: 40, 3: 20}, {17: 40, 1: 20, 2: 80, 3: 60}, {1: 100, 2: 0}])
    r = compute_overall(m, rules)
    assert r.scaled[0, 0] == pytest.approx(50)  # 100 × (60 − 20) / (100 − 20): the ineligible 100 counts
    assert r.population[0] == 3


def test_best_k_weights():
    scaled = matrix([{17: 10, 1: 90, 2: 80, 3: 70, 4: 60}])
    best, total = best_k(scaled, RULES)
    assert best.tolist() == [[1, 2, 3]]
    assert total[0] == pytest.approx(0.22 * 10 + 0.26 * 240)


def test_population_golden_build_with_an_ineligible_submitter_holding_the_maximum(tmp_path, evidence_field):
    """X submits SDGs 1 and 2 only (no SDG 17: not eligible) and holds SDG 1's highest score (3 points of 3).

    Points (one 3-point question per SDG, tests/conftest.py): SDG 17 A 3, B 2, C 1; SDG 1 A 2, B 1, C 0, X 3;
    SDG 2 A 1, B 3, C 2, X 0; SDG 3 A 3, B 1, C 2. SDG 17 → A 100, B 50, C 0; SDG 3 → A 100, B 0, C 50.
    Every submitter (THE): SDG 1 over 0…3 → A 66.67, B 33.33, C 0; SDG 2 over 0…3 → A 33.33, B 100, C 66.67;
    A 22 + 0.26 (66.67 + 33.33 + 100) = 74, B 11 + 0.26 (33.33 + 100 + 0) = 45.67, C 0.26 (66.67 + 50) = 30.33.
    The eligible only: SDG 1 over 0…2 → A 100, B 50, C 0; SDG 2 over 1…3 → A 0, B 100, C 50;
    A 22 + 0.26 (100 + 0 + 100) = 74, B 11 + 0.26 (50 + 100) = 50, C 0.26 (50 + 50) = 26."""
    from impactrank.engine.build import build_edition
    from impactrank.io.inputs import read_institutions, read_submissions
    from impactrank.methodology import load_methodology

    points = {
        "A": {17: 3, 1: 2, 2: 1, 3: 3},
        "B": {17: 2, 1: 1, 2: 3, 3: 1},
        "C": {17: 1, 1: 0, 2: 2, 3: 2},
        "X": {1: 3, 2: 0},
    }
    inst_path, subs_path = evidence_field(tmp_path, points)
    submitters = load_methodology("the-2022")
    assert submitters.overall.scaling.population == "submitters"
    rules = submitters.overall.model_copy(update={"scaling": Scaling(population="eligible")})
    eligible = submitters.model_copy(update={"overall": rules})
    expected = {
        "submitters": {"A": 22 + 0.26 * 200, "B": 11 + 0.26 * 400 / 3, "C": 0.26 * 350 / 3},
        "eligible": {"A": 22 + 0.26 * 200, "B": 11 + 0.26 * 150, "C": 0.26 * 100},
    }
    sdg1_max = {"submitters": (4, 23.0), "eligible": (3, 23.0 * 2 / 3)}
    for methodology in (submitters, eligible):
        inst = read_institutions(inst_path)
        edition = build_edition(methodology, inst, read_submissions([subs_path], methodology, inst))
        population = methodology.overall.scaling.population
        o = edition.overall
        assert dict(zip(o["institution_id"], o["overall_score"], strict=True)) == pytest.approx(expected[population])
        sdg1 = edition.sdg_scaling.filter(pl.col("sdg") == 1).row(0, named=True)
        assert (sdg1["population"], sdg1["max"]) == pytest.approx(sdg1_max[population])
        assert "X" not in o["institution_id"].to_list()
        x = edition.sdg_scores.filter(pl.col("institution_id") == "X")
        assert x["rank"].to_list() == ["1", "4"] and x["scaled_score"].to_list() == [
            None,
            None,
        ]  # SDG 1 first, SDG 2 last


def test_best_k_of_a_row_with_fewer_sdgs_than_k():
    """Missing SDGs are never chosen: SDG number 0 in their place, and they add nothing to the score."""
    best, total = best_k(matrix([{17: 10, 1: 50}, {17: 20, 2: 0, 5: 0}]), RULES)
    assert best.tolist() == [[1, 0, 0], [2, 5, 0]]
    assert total.tolist() == pytest.approx([0.22 * 10 + 0.26 * 50, 0.22 * 20])


def test_the_scaling_extremes_are_reported_per_sdg():
    m = matrix([{17: 80, 1: 60, 2: 40, 3: 20}, {17: 40, 1: 20, 2: 80, 3: 60}, {1: 100, 2: 0}])
    r = compute_overall(m, RULES)  # eligible population: the third row sets no extreme
    assert (r.sdg_min[0], r.sdg_max[0]) == (20, 60)
    assert (r.sdg_min[16], r.sdg_max[16]) == (40, 80)
    assert r.population.tolist()[:3] == [2, 2, 2]
