"""The kernel's scores on a hand-computed field: an SDG whose scores are all equal has no span, and min–max
scaling then gives every institution 100 in it (one distinct score is the highest), as the build does."""

from __future__ import annotations

import numpy as np
import pytest

from impactrank.engine.uncertainty import UncertaintySpec, prepare_field
from impactrank.engine.uncertainty.kernel import table_values
from impactrank.engine.uncertainty.sampling import nominal_params
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
