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
