"""Monte Carlo rank uncertainty: each vectorised run equals a full rebuild with the same choices; intervals,
percentiles and band probabilities have exact values on hand-checkable cases; the same seed gives the same
bytes however the runs are split.

Mini case (tests/engine/test_build.py): overall A 1, B 2, C 3, D 4 with min–max scaling; with unscaled SDG
scores the order changes, which the single-input test uses.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import polars as pl
import pytest

from impactrank.demo import generate_field
from impactrank.engine import uncertainty as U
from impactrank.engine.build import build_edition
from impactrank.engine.metrics import ScoringChoices
from impactrank.engine.ranking import competition_ranks
from impactrank.errors import InputError
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.methodology import load_methodology
from impactrank.methodology.schema import Methodology

EVERYTHING = U.UncertaintySpec(
    weights=U.MetricWeights(spread=0.4),
    overall_weights=U.OverallWeights(0.2),
    normalisation=U.Choice(("nominal", "zscore_cdf", "zscore_minmax", "minmax")),
    evidence=U.Choice(("rubric", "lenient", "strict")),
    missing=U.Choice(("zero", "group_mean")),
    scaling=U.Choice(("minmax", "max", "none")),
)


@pytest.fixture
def mini(mini_paths, mini_methodology):
    inst = read_institutions(mini_paths["institutions"])
    subs = read_submissions([mini_paths["submissions"]], mini_methodology, inst)
    return mini_methodology, inst, subs


@pytest.fixture(scope="module")
def small_field():
    methodology = load_methodology("the-2021")
    field = generate_field(methodology, 150, seed=7)
    return methodology, field.institutions, field.submissions


def stored_ranks(edition) -> pl.DataFrame:
    return pl.concat(
        [
            edition.overall.select("institution_id", pl.lit("overall").alias("table"), "rank_position"),
            edition.sdg_scores.select("institution_id", pl.format("sdg{}", "sdg").alias("table"), "rank_position"),
        ]
    )


def rebuild(methodology: Methodology, inst, subs, fld: U.Field, params: U.RunParams, r: int, previous=None):
    """The full build with run r's choices: the reference every vectorised run must equal."""
    data = methodology.model_dump()
    if params.weights is not None:
        weights = iter(params.weights[r].tolist())
        for sdg in data["sdgs"]:
            for metric in sdg["metrics"]:
                metric["weight"] = next(weights)
    if params.required_weight is not None:
        rw = float(params.required_weight[r])
        data["overall"]["required_weight"] = rw
        data["overall"]["best_weight"] = (100 - rw) / data["overall"]["best_k"]
    norm, evidence, missing = fld.combos[params.combo[r]]
    choices = ScoringChoices(None if norm == U.NOMINAL else norm, evidence, missing)
    return build_edition(
        Methodology.model_validate(data),
        inst,
        subs,
        choices=choices,
        scaling=fld.scalers[params.scaler[r]],
        previous=previous,
    )


def check_runs_equal_rebuilds(methodology, inst, subs, spec, base_rows, seed, previous=None):
    fld = U.prepare_field(methodology, inst, subs, spec, previous)
    tables = U.field_tables(fld)
    samples = U.draw_samples(fld, spec, base_rows, np.random.default_rng(seed), True)
    size = base_rows * (len(spec.inputs) + 2)
    params = U.run_params(fld, spec, U.design_block(samples, spec.inputs, 0, base_rows), size)
    ranks = U.table_ranks(fld, tables, U.table_values(fld, tables, params))
    assert ranks.shape == (tables.n_entries, size)
    names = np.array(tables.names)[tables.entry_table]
    for r in range(size):
        mine = pl.DataFrame({"institution_id": fld.ids[tables.entry_row], "table": names, "mine": ranks[:, r]})
        ref = stored_ranks(rebuild(methodology, inst, subs, fld, params, r, previous))
        joined = mine.join(ref, on=["institution_id", "table"], how="full", coalesce=True)
        assert joined.height == tables.n_entries
        assert (joined["mine"] == joined["rank_position"]).all(), f"run {r}"


def test_runs_equal_full_rebuilds_mini(mini):
    check_runs_equal_rebuilds(*mini, EVERYTHING, base_rows=3, seed=1)


def test_runs_equal_full_rebuilds_synthetic(small_field):
    spec = U.UncertaintySpec(
        weights=U.MetricWeights("dirichlet", concentration=20),
        overall_weights=U.OverallWeights(0.3),
        normalisation=EVERYTHING.normalisation,
        evidence=EVERYTHING.evidence,
        missing=EVERYTHING.missing,
        scaling=EVERYTHING.scaling,
    )
    check_runs_equal_rebuilds(*small_field, spec, base_rows=1, seed=3)


def test_runs_equal_full_rebuilds_with_a_two_year_average():
    """the-2023 averages with last year's single-year scores, which no input perturbs: every run still equals
    a full rebuild, for institutions in last year's table and newcomers alike."""
    methodology = load_methodology("the-2023")
    field = generate_field(methodology, 120, seed=5)
    ids = field.institutions["institution_id"].sort()
    rng = np.random.default_rng(2)
    last_year = ids.gather(np.flatnonzero(rng.random(len(ids)) < 0.6)).extend(pl.Series(["left-after-last-year"]))
    previous = pl.DataFrame(
        {
            "institution_id": last_year,
            "previous_edition": "2022",
            "lag": 1,
            "single_year_score": rng.uniform(10, 95, len(last_year)),
        }
    )
    check_runs_equal_rebuilds(methodology, field.institutions, field.submissions, EVERYTHING, 1, 4, previous)
    nominal = build_edition(methodology, field.institutions, field.submissions, previous=previous)
    result = U.uncertainty(methodology, field.institutions, field.submissions, U.UncertaintySpec(), 8, 0, previous)
    assert U.check_nominal(result, nominal) == 0
    assert (nominal.overall["overall_score"] != nominal.overall["single_year_score"]).sum() > 20


@pytest.mark.parametrize(
    "spec",
    [
        U.UncertaintySpec(),
        U.UncertaintySpec(
            overall_weights=U.OverallWeights(0.0),
            scaling=U.Choice(("minmax",)),
            evidence=U.Choice(("rubric",)),
            normalisation=U.Choice(("nominal",)),
        ),
    ],
    ids=["nothing declared", "zero-width inputs"],
)
def test_no_perturbation_collapses_to_nominal(mini, spec):
    methodology, inst, subs = mini
    edition = build_edition(methodology, inst, subs)
    result = U.uncertainty(methodology, inst, subs, spec, 64, seed=5)
    t = result.table
    assert t.height == stored_ranks(edition).height == 4 + 5 + 4 + 4 + 2 + 4
    assert U.check_nominal(result, edition) == 0
    for col in ("median_rank", "rank_p05", "rank_p95"):
        assert (t[col] == t["nominal_rank"].cast(pl.Float64)).all()
    assert all(list(json.loads(p).values()) == [1.0] for p in t["band_probabilities"])
    assert set(t["runs"].to_list()) == {result.runs}
    overall = t.filter(pl.col("table") == "overall")
    assert overall["institution_id"].to_list() == ["A", "B", "C", "D"]
    assert overall["band_probabilities"].to_list() == ['{"1–2": 1.0}'] * 2 + ['{"3–4": 1.0}'] * 2


def test_no_perturbation_on_synthetic_field_matches_build(small_field):
    methodology, inst, subs = small_field
    edition = build_edition(methodology, inst, subs)
    result = U.uncertainty(methodology, inst, subs, U.UncertaintySpec(), 10, seed=0)
    assert U.check_nominal(result, edition) == 0
    assert (result.table["rank_p05"] == result.table["rank_p95"]).all()


def test_one_categorical_input_gives_exact_band_probabilities(mini):
    """One categorical input: each run is either the nominal build or the z-score build (in which B and C
    swap places), so every rank's probability is the share of runs that drew that normaliser."""
    methodology, inst, subs = mini
    spec = U.UncertaintySpec(normalisation=U.Choice(("nominal", "zscore_cdf")), sobol=False)
    runs, seed = 400, 11
    result = U.uncertainty(methodology, inst, subs, spec, runs, seed)
    draws = np.random.default_rng(seed).random(runs) >= 0.5  # the draws of the one input, in order
    share = float(draws.mean())
    pos = {}
    for name, choices in (("nominal", ScoringChoices()), ("z", ScoringChoices(normalisation="zscore_cdf"))):
        ed = build_edition(methodology, inst, subs, choices=choices)
        pos[name] = dict(zip(ed.overall["institution_id"], ed.overall["rank_position"], strict=True))
    assert pos["nominal"] == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert pos["z"] == {"A": 1, "B": 3, "C": 2, "D": 4}
    band = {1: "1–2", 2: "1–2", 3: "3–4", 4: "3–4"}
    overall = {r["institution_id"]: r for r in result.table.filter(pl.col("table") == "overall").iter_rows(named=True)}
    for inst_id in "ABCD":
        expected: dict[str, float] = {}
        for name, p in (("nominal", 1 - share), ("z", share)):
            label = band[pos[name][inst_id]]
            expected[label] = expected.get(label, 0.0) + p
        assert json.loads(overall[inst_id]["band_probabilities"]) == pytest.approx(expected)
        ranks = np.where(draws, pos["z"][inst_id], pos["nominal"][inst_id])
        assert overall[inst_id]["median_rank"] == np.percentile(ranks, 50)
        assert overall[inst_id]["rank_p05"] == np.percentile(ranks, 5)
        assert overall[inst_id]["rank_p95"] == np.percentile(ranks, 95)
    assert json.loads(overall["B"]["band_probabilities"]) == pytest.approx({"1–2": 1 - share, "3–4": share})


def test_same_seed_same_output_and_other_seed_differs(mini):
    methodology, inst, subs = mini
    a = U.uncertainty(methodology, inst, subs, EVERYTHING, 240, seed=42)
    b = U.uncertainty(methodology, inst, subs, EVERYTHING, 240, seed=42)
    c = U.uncertainty(methodology, inst, subs, EVERYTHING, 240, seed=43)
    assert a.table.write_csv() == b.table.write_csv()
    assert a.sobol.write_csv() == b.sobol.write_csv()
    assert a.table.write_csv() != c.table.write_csv()
    assert a.runs == 240 and a.base_rows == 30  # 6 inputs: blocks of 8 runs


def test_chunks_and_partitions_do_not_change_results(small_field):
    methodology, inst, subs = small_field
    fld = U.prepare_field(methodology, inst, subs, EVERYTHING)
    one = U.run_uncertainty(fld, EVERYTHING, 160, 9, chunk_runs=160)
    many = U.run_uncertainty(fld, EVERYTHING, 160, 9, chunk_runs=16, partitions=3)
    threaded = U.run_uncertainty(fld, EVERYTHING, 160, 9, chunk_runs=24, threads=2)
    for other in (many, threaded):
        assert one.table.equals(other.table)
        assert one.sobol.equals(other.sobol)


def test_dask_local_cluster_gives_the_same_numbers(mini):
    methodology, inst, subs = mini
    fld = U.prepare_field(methodology, inst, subs, EVERYTHING)
    alone = U.run_uncertainty(fld, EVERYTHING, 96, 4, chunk_runs=16)
    spread = U.run_uncertainty(
        fld, EVERYTHING, 96, 4, chunk_runs=16, partitions=3, executor=U.dask_executor(workers=2, processes=False)
    )
    assert alone.table.equals(spread.table)
    assert alone.sobol.equals(spread.sobol)


def test_weights_renormalised_per_sdg(mini):
    methodology, inst, subs = mini
    for dist in (U.MetricWeights("uniform", spread=0.5), U.MetricWeights("dirichlet", concentration=200)):
        spec = U.UncertaintySpec(weights=dist)
        fld = U.prepare_field(methodology, inst, subs, spec)
        w = U.draw_samples(fld, spec, 4000, np.random.default_rng(0), False).a["weights"]
        sums = np.stack([w[:, fld.codes_by_sdg[s]].sum(axis=1) for s in range(17) if len(fld.codes_by_sdg[s])])
        np.testing.assert_allclose(sums, 100.0)
        # SDG 1: pubs 60 / policy 40 on average (exactly for the Dirichlet mean, nearly for the uniform)
        np.testing.assert_allclose(w[:, :2].mean(axis=0), [60, 40], atol=1.0)
        assert w[:, 0].std() > 1.0


def test_counting_and_sorting_ranks_agree_with_competition_ranks():
    rng = np.random.default_rng(0)
    sizes = np.array([7, 1, 30])
    tables = U.Tables(
        ["overall", "sdg1", "sdg2"], sizes, [], np.repeat(np.arange(3), sizes), np.arange(sizes.sum()), []
    )
    keys = rng.integers(0, 20, size=(sizes.sum(), 5))  # many ties
    by_count = U._ranks_by_counting(keys.copy(), tables, 21)
    by_sort = U._ranks_by_sorting(keys, tables)
    np.testing.assert_array_equal(by_count, by_sort)
    for r in range(5):
        for rows in U._table_slices(tables):
            np.testing.assert_array_equal(by_count[rows, r], competition_ranks(keys[rows, r])[0])


def test_percentiles_from_histograms_match_numpy():
    rng = np.random.default_rng(1)
    values = rng.integers(1, 9, size=(6, 37))
    hist = np.stack([np.bincount(v, minlength=9) for v in values])
    cum = np.cumsum(hist, axis=1)
    for q in (0.05, 0.5, 0.95):
        np.testing.assert_allclose(U._percentile_from_hist(cum, 37, q), np.percentile(values, 100 * q, axis=1))


def test_format_rank_interval():
    assert U.format_rank_interval(45, 38.0, 57.0) == "45 (38–57)"
    assert U.format_rank_interval(45, 37.5, 56.2) == "45 (37–57)"
    assert U.format_rank_interval(3, None, None) == "3"
    assert U.format_rank_interval(None, 1.0, 2.0) == ""


def test_significant_move_needs_disjoint_intervals():
    assert U.significant_move(38, 57, 60, 70) and U.significant_move(60, 70, 38, 57)
    assert not U.significant_move(38, 57, 57, 70)  # touching intervals overlap
    assert not U.significant_move(38, 57, 40, 45)


def test_band_labels_and_interval_widths(mini_methodology):
    banding = mini_methodology.overall.banding  # individual 1–2, then 3–4, then 5+
    assert [U.band_label(banding, p) for p in (1, 2, 3, 4, 5, 9)] == ["1–2", "1–2", "3–4", "3–4", "5+", "5+"]
    open_end = banding.model_copy(update={"table_end": "open_last_band"})  # a 4-row table ends in "3+"
    assert U._band_segments(open_end, 4) == [("1–2", 1, 2), ("3+", 3, 4)]
    assert U._band_segments(open_end, 6) == [("1–2", 1, 2), ("3–4", 3, 4), ("5+", 5, 6)]
    table = pl.DataFrame(
        {
            "table": ["overall"] * 4,
            "nominal_rank": [1, 2, 3, 4],
            "rank_p05": [1.0, 1.0, 2.0, 4.0],
            "rank_p95": [1.0, 3.0, 4.0, 4.0],
        }
    )
    widths = U.interval_widths(table, banding)
    assert widths.to_dicts() == [
        {"band": "1–2", "institutions": 2, "median_width": 1.0},
        {"band": "3–4", "institutions": 2, "median_width": 1.0},
    ]


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="scaling: unknown SDG-score scaling method 'cubic'"):
        U.check_spec(U.UncertaintySpec(scaling=U.Choice(("minmax", "cubic"))))


def test_published_ranges(mini):
    """Exact rows keep their rank; two rows sharing a published range swap places half of the time."""
    methodology, inst, subs = mini
    edition = build_edition(methodology, inst, subs)
    overall = edition.overall.with_columns(
        overall_low=pl.when(pl.col("institution_id").is_in(["C", "D"])).then(10.0).otherwise(pl.col("overall_low")),
        overall_high=pl.when(pl.col("institution_id").is_in(["C", "D"])).then(30.0).otherwise(pl.col("overall_high")),
    )
    published = U.Edition(
        id="p",
        year=2021,
        kind="imported",
        source="test",
        institutions=edition.institutions,
        overall=overall,
        sdg_scores=edition.sdg_scores,
    )
    result = U.published_uncertainty(published, 2000, seed=1)
    rows = {r["institution_id"]: r for r in result.table.filter(pl.col("table") == "overall").iter_rows(named=True)}
    assert (rows["A"]["rank_p05"], rows["A"]["rank_p95"]) == (1.0, 1.0)
    assert (rows["B"]["rank_p05"], rows["B"]["rank_p95"]) == (2.0, 2.0)
    assert (rows["C"]["rank_p05"], rows["C"]["rank_p95"]) == (3.0, 4.0)
    assert json.loads(rows["D"]["band_probabilities"]) == {"3+": 1.0}  # the last published band is open
    # a published table carries SDG 17 and the top three only, not whole SDG tables: none is simulated
    assert result.table["table"].unique().to_list() == ["overall"]

    # a one-country compilation (ranks beyond its rows) is refused rather than ranked within itself
    partial = dataclasses.replace(published, overall=overall.with_columns(rank_high=pl.lit(900, pl.Int64)))
    with pytest.raises(InputError, match="only part of its overall table"):
        U.published_uncertainty(partial, 100, seed=1)
