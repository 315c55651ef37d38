"""Monte Carlo rank uncertainty: each vectorised run equals a full rebuild with the same choices; intervals,
percentiles and band probabilities have exact values on hand-checkable cases; the same seed gives the same
bytes however the runs are split.

Mini case (tests/engine/test_build.py): overall A 1, B 2, C 3, D 4 with min–max scaling; with unscaled SDG
scores the order changes, which the single-input test uses.
"""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from impactrank.demo import generate_field
from impactrank.engine.build import build_edition
from impactrank.engine.scoring.metrics import ScoringChoices
from impactrank.engine.scoring.scaling import SCALERS
from impactrank.engine.uncertainty import (
    NOMINAL,
    Choice,
    Field,
    MetricWeights,
    OverallWeights,
    UncertaintySpec,
    check_nominal,
    dask_executor,
    prepare_field,
    run_uncertainty,
    uncertainty,
)
from impactrank.engine.uncertainty.kernel import table_ranks, table_values
from impactrank.engine.uncertainty.sampling import RunParams, design_block, draw_samples, run_params
from impactrank.engine.uncertainty.tables import field_tables
from impactrank.methodology import load_methodology
from impactrank.methodology.schema import Methodology

EVERYTHING = UncertaintySpec(
    weights=MetricWeights(spread=0.4),
    overall_weights=OverallWeights(0.2),
    normalisation=Choice(("nominal", "zscore_cdf", "zscore_minmax", "minmax")),
    evidence=Choice(("rubric", "lenient", "strict")),
    missing=Choice(("zero", "group_mean")),
    scaling=Choice(("minmax", "max", "none")),
)


def stored_ranks(edition) -> pl.DataFrame:
    return pl.concat(
        [
            edition.overall.select("institution_id", pl.lit("overall").alias("table"), "rank_position"),
            edition.sdg_scores.select("institution_id", pl.format("sdg{}", "sdg").alias("table"), "rank_position"),
        ]
    )


def rebuild(methodology: Methodology, inst, subs, fld: Field, params: RunParams, r: int, previous=None):
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
    choices = ScoringChoices(None if norm == NOMINAL else norm, evidence, missing)
    return build_edition(
        Methodology.model_validate(data),
        inst,
        subs,
        choices=choices,
        scaling=fld.scalers[params.scaler[r]],
        previous=previous,
    )


def check_runs_equal_rebuilds(methodology, inst, subs, spec, base_rows, seed, previous=None):
    fld = prepare_field(methodology, inst, subs, spec, previous)
    tables = field_tables(fld)
    samples = draw_samples(fld, spec, base_rows, np.random.default_rng(seed), True)
    size = base_rows * (len(spec.inputs) + 2)
    params = run_params(fld, spec, design_block(samples, spec.inputs, 0, base_rows), size)
    ranks = table_ranks(fld, tables, table_values(fld, tables, params))
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


@SCALERS.register("test_root")
def _root(scores: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A scaler of one's own: 10 × √score, extremes over the population (NaN where nobody submitted)."""
    pop = np.where(population[:, None], scores, np.nan)
    return 10.0 * np.sqrt(scores), np.fmin.reduce(pop, axis=0), np.fmax.reduce(pop, axis=0)


@pytest.mark.parametrize("scalers", [("minmax", "test_root"), ("max", "none", "test_root")])
def test_runs_with_a_scaler_registered_outside_the_engine_equal_full_rebuilds(small_field, scalers):
    """Runs drawing the registered scaler go through it run by run, mixed with the built-in scalers' runs in one
    chunk."""
    spec = UncertaintySpec(weights=MetricWeights(spread=0.4), scaling=Choice(scalers))
    check_runs_equal_rebuilds(*small_field, spec, base_rows=2, seed=5)


def test_runs_with_a_best_eight_equal_full_rebuilds(small_field):
    """A methodology of one's own counting SDG 17 and the best eight others."""
    methodology, inst, subs = small_field
    rules = methodology.overall.model_copy(update={"best_k": 8, "min_other_sdgs": 8, "best_weight": (100 - 22) / 8})
    spec = UncertaintySpec(weights=MetricWeights(spread=0.4))
    check_runs_equal_rebuilds(methodology.model_copy(update={"overall": rules}), inst, subs, spec, 1, seed=2)


@SCALERS.register("test_share_of_best")
def _share_of_best(scores: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A scaler of one's own that reads its population: 100 × score / the population's best score."""
    pop = np.where(population[:, None], scores, np.nan)
    best = np.fmax.reduce(pop, axis=0)
    return 100.0 * scores / best, np.fmin.reduce(pop, axis=0), best


@pytest.mark.parametrize("population", ["eligible", "submitters"])
def test_a_registered_scaler_reads_the_methodologys_population(small_field, population):
    """Whose best score the registered scaler divides by — the eligible institutions' or every submitter's —
    follows the methodology, in the runs as in a full rebuild."""
    methodology, inst, subs = small_field
    scaling = methodology.overall.scaling.model_copy(update={"population": population})
    rules = methodology.overall.model_copy(update={"scaling": scaling})
    spec = UncertaintySpec(weights=MetricWeights(spread=0.4), scaling=Choice(("test_share_of_best",)))
    check_runs_equal_rebuilds(methodology.model_copy(update={"overall": rules}), inst, subs, spec, 1, seed=5)


def test_runs_equal_full_rebuilds_synthetic(small_field):
    spec = UncertaintySpec(
        weights=MetricWeights("dirichlet", concentration=20),
        overall_weights=OverallWeights(0.3),
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
    result = uncertainty(methodology, field.institutions, field.submissions, UncertaintySpec(), 8, 0, previous)
    assert check_nominal(result, nominal) == 0
    assert (nominal.overall["overall_score"] != nominal.overall["single_year_score"]).sum() > 20


@pytest.mark.parametrize(
    "spec",
    [
        UncertaintySpec(),
        UncertaintySpec(
            overall_weights=OverallWeights(0.0),
            scaling=Choice(("minmax",)),
            evidence=Choice(("rubric",)),
            normalisation=Choice(("nominal",)),
        ),
    ],
    ids=["nothing declared", "zero-width inputs"],
)
def test_no_perturbation_collapses_to_nominal(mini, spec):
    methodology, inst, subs = mini
    edition = build_edition(methodology, inst, subs)
    result = uncertainty(methodology, inst, subs, spec, 64, seed=5)
    t = result.table
    assert t.height == stored_ranks(edition).height == 4 + 5 + 4 + 4 + 2 + 4
    assert check_nominal(result, edition) == 0
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
    result = uncertainty(methodology, inst, subs, UncertaintySpec(), 10, seed=0)
    assert check_nominal(result, edition) == 0
    assert (result.table["rank_p05"] == result.table["rank_p95"]).all()


def test_one_categorical_input_gives_exact_band_probabilities(mini):
    """One categorical input: each run is either the nominal build or the z-score build (in which B and C
    swap places), so every rank's probability is the share of runs that drew that normaliser."""
    methodology, inst, subs = mini
    spec = UncertaintySpec(normalisation=Choice(("nominal", "zscore_cdf")), sobol=False)
    runs, seed = 400, 11
    result = uncertainty(methodology, inst, subs, spec, runs, seed)
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
    a = uncertainty(methodology, inst, subs, EVERYTHING, 240, seed=42)
    b = uncertainty(methodology, inst, subs, EVERYTHING, 240, seed=42)
    c = uncertainty(methodology, inst, subs, EVERYTHING, 240, seed=43)
    assert a.table.write_csv() == b.table.write_csv()
    assert a.sobol.write_csv() == b.sobol.write_csv()
    assert a.table.write_csv() != c.table.write_csv()
    assert a.runs == 240 and a.base_rows == 30  # 6 inputs: blocks of 8 runs


def test_chunks_and_partitions_do_not_change_results(small_field):
    methodology, inst, subs = small_field
    fld = prepare_field(methodology, inst, subs, EVERYTHING)
    one = run_uncertainty(fld, EVERYTHING, 160, 9, chunk_runs=160)
    many = run_uncertainty(fld, EVERYTHING, 160, 9, chunk_runs=16, partitions=3)
    threaded = run_uncertainty(fld, EVERYTHING, 160, 9, chunk_runs=24, threads=2)
    for other in (many, threaded):
        assert one.table.equals(other.table)
        assert one.sobol.equals(other.sobol)


def test_dask_local_cluster_gives_the_same_numbers(mini):
    methodology, inst, subs = mini
    fld = prepare_field(methodology, inst, subs, EVERYTHING)
    alone = run_uncertainty(fld, EVERYTHING, 96, 4, chunk_runs=16)
    spread = run_uncertainty(
        fld, EVERYTHING, 96, 4, chunk_runs=16, partitions=3, executor=dask_executor(workers=2, processes=False)
    )
    assert alone.table.equals(spread.table)
    assert alone.sobol.equals(spread.sobol)
