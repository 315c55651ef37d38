"""The portal's plausibility warnings on THE's 2021 methodology: a share cannot pass its whole."""

from __future__ import annotations

from impactrank.methodology import load_methodology
from impactrank.portal.checks import warnings
from impactrank.portal.forms import sdg_forms


def _form(sdg: int, metric: str):
    return next(m for m in sdg_forms(load_methodology("the-2021"))[sdg].metrics if m.metric == metric)


def test_a_share_above_its_whole_is_a_warning():
    energy = _form(13, "low_carbon_energy_share")  # "Proportion of energy used from low-carbon sources", a rate
    assert energy.kind == "rate" and energy.label.startswith("Proportion")
    assert warnings(energy, {"numerator": 4000, "denominator": 5000}, None, []) == []
    (w,) = warnings(energy, {"numerator": 5000, "denominator": 1000}, None, [])
    assert (w["code"], w["field"]) == ("share_above_whole", "numerator")
    assert w["message"] == "the numerator 5000 is larger than the denominator 1000: a share above 100%"
    top = _form(13, "sdg_top10_journals")  # "Proportion of SDG papers in the top 10% of journals", a number
    assert top.kind == "number"
    assert warnings(top, {"value": 100}, None, []) == []
    assert [w["message"] for w in warnings(top, {"value": 250}, None, [])] == ["250 is above 100 for a share"]
    papers = _form(13, "sdg_publications")  # a count: no bound
    assert not papers.label.casefold().startswith(("proportion", "percentage", "share"))
    assert warnings(papers, {"value": 1e9}, None, []) == []
