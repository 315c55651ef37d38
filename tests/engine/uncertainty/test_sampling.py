"""The declared inputs: unknown methods are refused; drawn metric weights are renormalised per SDG."""

from __future__ import annotations

import numpy as np
import pytest

from impactrank.engine.scoring.scaling import SCALERS
from impactrank.engine.uncertainty.field import prepare_field
from impactrank.engine.uncertainty.sampling import draw_samples
from impactrank.engine.uncertainty.spec import Choice, MetricWeights, UncertaintySpec, check_spec
from impactrank.errors import InputError


def test_unknown_method_is_refused():
    with pytest.raises(InputError, match="unknown SDG-score scaling method 'cubic'") as caught:
        check_spec(UncertaintySpec(scaling=Choice(("minmax", "cubic"))))
    assert caught.value.field == "scaling"
    known = ", ".join(sorted(SCALERS))
    assert caught.value.text("fr", located=False) == (
        f"méthode 'cubic' inconnue pour «\u00a0mise à l’échelle des scores par ODD\u00a0» (connues\u00a0: {known})"
    )


def test_weights_renormalised_per_sdg(mini):
    methodology, inst, subs = mini
    for dist in (MetricWeights("uniform", spread=0.5), MetricWeights("dirichlet", concentration=200)):
        spec = UncertaintySpec(weights=dist)
        fld = prepare_field(methodology, inst, subs, spec)
        w = draw_samples(fld, spec, 4000, np.random.default_rng(0), False).a["weights"]
        sums = np.stack([w[:, fld.codes_by_sdg[s]].sum(axis=1) for s in range(17) if len(fld.codes_by_sdg[s])])
        np.testing.assert_allclose(sums, 100.0)
        # SDG 1: pubs 60 / policy 40 on average (exactly for the Dirichlet mean, nearly for the uniform)
        np.testing.assert_allclose(w[:, :2].mean(axis=0), [60, 40], atol=1.0)
        assert w[:, 0].std() > 1.0
