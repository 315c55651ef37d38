"""The kernel's scores on a hand-computed field: an SDG whose scores are all equal has no span, and min–max
scaling then gives every institution 100 in it (one distinct score is the highest), as the build does."""

from __future__ import annotations

import numpy as np
import pytest

from impactrank.engine.uncertainty import Choice, UncertaintySpec, prepare_field
from impactrank.engine.uncertainty.kernel import table_ranks, table_values
from impactrank.engine.uncertainty.sampling import RunParams, nominal_params
from impactrank.engine.uncertainty.tables import field_tables
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.methodology import load_methodology
from impactrank.methodology.schema import Scaling

# Points (0–3) of each SDG's one evidence question; every institution scores 1 in SDG 2, so SDG 2 has no span.
# Scaled: SDG 17 A 100, B 0, C 50; SDG 1 A 100, B 0, C 50; SDG 2 100 each; SDG 3 A 50, B 100, C 0.
# Overall 0.22 × SDG 17 + 0.26 × (the best three): A 22 + 0.26 · 250 = 87; B 0.26 · 200 = 52; C 11 + 0.26 · 150 = 50.
POINTS = {"A": {17: 3, 1: 3, 2: 1, 3: 2}, "B": {17: 1, 1: 1, 2: 1, 3: 3}, "C": {17: 2, 1: 2, 2: 1, 3: 1}}
OVERALL = {"A": 87.0, "B": 52.0, "C": 50.0}


def test_an_sdg_without_span_scales_to_100_for_everyone(tmp_path, evidence_field):
    methodology = load_methodology("the-2021")
    inst_path, subs_path = evidence_field(tmp_path, POINTS)
    inst = read_institutions(inst_path)
    fld = prepare_field(methodology, inst, read_submissions([subs_path], methodology, inst), UncertaintySpec())
    tables = field_tables(fld)
    values = table_values(fld, tables, nominal_params(fld, 3))
    overall = slice(0, int(tables.sizes[0]))
    ids = np.asarray(fld.ids)[tables.entry_row[overall]]
    for run in range(3):
        assert dict(zip(ids, values[overall, run], strict=True)) == pytest.approx(OVERALL)


# D is not in the overall table (no SDG 17) but submits SDG 1 with 0 points, below everyone, and is alone in SDG 4's
# table. Over every submitter (the bundled rule) SDG 1 scales A 100, B 100/3, C 200/3: B 0.26 · (100 + 100 + 100/3),
# C 11 + 0.26 · (200/3 + 100 + 0). Over the eligible only, D drops out of SDG 1's extremes: the overall of the first
# field. An SDG table with nobody eligible in it (SDG 4) changes nobody's score in either.
WITH_D = {**POINTS, "D": {1: 0, 4: 3}}
OVERALL_BY_POPULATION = {
    "submitters": {"A": 87.0, "B": 0.26 * 700 / 3, "C": 11 + 0.26 * 500 / 3},
    "eligible": OVERALL,
}


@pytest.mark.parametrize("population", ["submitters", "eligible"])
def test_min_max_scales_over_the_methodologys_population_in_every_run(tmp_path, evidence_field, population):
    bundled = load_methodology("the-2021")
    rules = bundled.overall.model_copy(update={"scaling": Scaling(method="minmax", population=population)})
    methodology = bundled.model_copy(update={"overall": rules})
    inst_path, subs_path = evidence_field(tmp_path, WITH_D)
    inst = read_institutions(inst_path)
    fld = prepare_field(methodology, inst, read_submissions([subs_path], methodology, inst), UncertaintySpec())
    tables = field_tables(fld)
    assert list(tables.names) == ["overall", "sdg1", "sdg2", "sdg3", "sdg4", "sdg17"]
    values = table_values(fld, tables, nominal_params(fld, 2))
    overall = slice(0, int(tables.sizes[0]))
    ids = np.asarray(fld.ids)[tables.entry_row[overall]]
    for run in range(2):
        assert dict(zip(ids, values[overall, run], strict=True)) == pytest.approx(OVERALL_BY_POPULATION[population])


def _scaled(points: dict[str, dict[int, int]], sdg: int, scaler: str) -> dict[str, float]:
    """An SDG's scores scaled by hand: one question's score is proportional to its points."""
    p = {i: sdgs[sdg] for i, sdgs in points.items() if sdg in sdgs}
    lo, hi = min(p.values()), max(p.values())
    if scaler == "minmax":
        return {i: 100.0 * (v - lo) / (hi - lo) if hi > lo else 100.0 for i, v in p.items()}
    return {i: 100.0 * v / hi if hi > 0 else 0.0 for i, v in p.items()}  # max


def _overall(points: dict[str, dict[int, int]], scaler: str) -> dict[str, float]:
    """0.22 × SDG 17 + 0.26 × the best three others, for the institutions with SDG 17 and three others."""
    scaled = {s: _scaled(points, s, scaler) for s in {s for sdgs in points.values() for s in sdgs}}
    out = {}
    for i, sdgs in points.items():
        others = sorted((scaled[s][i] for s in sdgs if s != 17), reverse=True)
        if 17 in sdgs and len(others) >= 3:
            out[i] = 0.22 * scaled[17][i] + 0.26 * sum(others[:3])
    return out


def _field(tmp_path, evidence_field, points, spec=UncertaintySpec()):
    methodology = load_methodology("the-2021")
    inst_path, subs_path = evidence_field(tmp_path, points)
    inst = read_institutions(inst_path)
    fld = prepare_field(methodology, inst, read_submissions([subs_path], methodology, inst), spec)
    return fld, field_tables(fld)


def _overall_of_run(fld, tables, values, run: int) -> dict[str, float]:
    overall = slice(0, int(tables.sizes[0]))
    return dict(zip(np.asarray(fld.ids)[tables.entry_row[overall]], values[overall, run], strict=True))


def test_the_institution_submitting_most_sdgs_has_its_last_sdg_counted(tmp_path, evidence_field):
    # A alone submits a fourth SDG besides SDG 17 (SDG 4, alone in its table: 100), its best with SDGs 1 and 2
    wide = {**POINTS, "A": {**POINTS["A"], 4: 3}}
    fld, tables = _field(tmp_path, evidence_field, wide)
    values = table_values(fld, tables, nominal_params(fld, 2))
    expected = _overall(wide, "minmax")
    assert expected["A"] == pytest.approx(100.0)
    for run in range(2):
        assert _overall_of_run(fld, tables, values, run) == pytest.approx(expected)


# SDG 2 without span: every institution with 1 point (POINTS), or with 0 points (ZERO). Min–max then gives 100 to
# everyone, max 100 (1 point each) or 0 (nothing to divide by), run by run whatever the other runs of the block.
ZERO = {i: {**sdgs, 2: 0} for i, sdgs in POINTS.items()}


@pytest.mark.parametrize("points", [POINTS, ZERO], ids=["equal", "zero"])
@pytest.mark.parametrize("scalers", [("minmax", "max", "max", "minmax"), ("max", "none", "minmax")])
def test_each_run_scales_by_its_own_scaler_where_an_sdg_has_no_span(tmp_path, evidence_field, points, scalers):
    spec = UncertaintySpec(scaling=Choice(("minmax", "max", "none")))
    fld, tables = _field(tmp_path, evidence_field, points, spec)
    runs = len(scalers)
    params = RunParams(
        None, None, np.full(runs, fld.nominal_combo), np.array([fld.scalers.index(s) for s in scalers]), runs
    )
    values = table_values(fld, tables, params)
    for run, scaler in enumerate(scalers):
        if scaler != "none":  # unscaled scores depend on the metric's weight, not worked out here
            assert _overall_of_run(fld, tables, values, run) == pytest.approx(_overall(points, scaler)), scaler


def test_a_field_without_an_eligible_institution_still_ranks_its_sdg_tables(tmp_path, evidence_field):
    # nobody submits SDG 17: the overall table is empty, each SDG table ranks its submitters by their points
    fld, tables = _field(tmp_path, evidence_field, {"A": {1: 3, 2: 1}, "B": {1: 1, 2: 2, 3: 2}})
    assert list(tables.names) == ["overall", "sdg1", "sdg2", "sdg3"]
    assert list(tables.sizes) == [0, 2, 2, 1]
    ranks = table_ranks(fld, tables, table_values(fld, tables, nominal_params(fld, 2)))
    ids = np.asarray(fld.ids)[tables.entry_row]
    for run in range(2):
        got = {
            (str(tables.names[t]), i): int(r) for t, i, r in zip(tables.entry_table, ids, ranks[:, run], strict=True)
        }
        assert got == {("sdg1", "A"): 1, ("sdg1", "B"): 2, ("sdg2", "B"): 1, ("sdg2", "A"): 2, ("sdg3", "B"): 1}
