"""The submissions: plausible values for every kind of metric."""

import polars as pl

from impactrank.methodology import load_methodology


def test_values_are_plausible(demo):
    subs = demo.editions[2021].submissions
    methodology = load_methodology("the-2021")
    kinds = {(s.sdg, m.id): m for s in methodology.sdgs for m in s.metrics}
    metric = pl.struct("sdg", "metric").map_elements(
        lambda r: kinds[(r["sdg"], r["metric"])].kind, return_dtype=pl.String
    )
    subs = subs.with_columns(kind=metric)
    rates = subs.filter(pl.col("denominator").is_not_null())
    assert (rates["denominator"] > 0).all()
    fwci = subs.filter(pl.col("metric") == "sdg_fwci")["value"]
    assert 0.7 < fwci.median() < 1.3
    evidence = subs.filter(pl.col("kind") == "evidence")
    assert set(evidence["exists"].unique()) == {0.0, 0.5, 1.0}
    plain = subs.filter(pl.col("kind") == "continuous")
    missing = (plain["value"].is_null() & plain["numerator"].is_null()).mean()
    assert 0.01 < missing < 0.15  # a few per cent left empty
