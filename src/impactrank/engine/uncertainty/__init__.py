"""Rank uncertainty: Monte Carlo over the declared uncertain inputs of a build, vectorised over runs.

COINr reruns the whole build for each replication. Here the expensive, discrete part is done once (the metric
scores under every combination of discrete choices the declaration allows); a replication is then a weighted
sum, a scaling, a best-k and a ranking on arrays of shape (institutions × runs), in chunks of runs that bound
memory. Nothing about one run is kept: chunks add to integer rank histograms and Sobol sums, so a run split
over threads or a Dask cluster gives the same bytes as one process.

The package, in the order a run uses it:

- :mod:`.spec`: the declared uncertain inputs and their checks;
- :mod:`.field`: the field computed once (metric score matrices under every discrete choice);
- :mod:`.sampling`: drawing the inputs and laying them out as a Saltelli design;
- :mod:`.tables`: the ranked tables as one flat list of (table, institution) entries;
- :mod:`.kernel`: one block of runs from SDG scores to every entry's score and rank;
- :mod:`.ranks`: competition ranks of every entry, batched over runs;
- :mod:`.histograms`: rank histograms over runs and the rank_uncertainty table read from them;
- :mod:`.sobol`: the Saltelli/Jansen estimators of first-order and total Sobol indices;
- :mod:`.result`: the result type, its manifest, and how intervals read;
- :mod:`.run`: the orchestration and where chunks run (threads, Dask);
- :mod:`.published`: the same for imported editions, scores drawn within their published ranges.

Storing results is the job of :mod:`impactrank.io.uncertainty_results`; reading a declaration from YAML, of
:mod:`impactrank.io.uncertainty_config`.
"""

from impactrank.engine.uncertainty.field import Field, prepare_field
from impactrank.engine.uncertainty.published import published_banding, published_uncertainty
from impactrank.engine.uncertainty.result import (
    UncertaintyResult,
    check_nominal,
    format_rank_interval,
    interval_widths,
    significant_move,
    with_uncertainty,
)
from impactrank.engine.uncertainty.run import Executor, dask_executor, run_uncertainty, thread_executor, uncertainty
from impactrank.engine.uncertainty.sobol import SOBOL_SCHEMA
from impactrank.engine.uncertainty.spec import (
    INPUT_ORDER,
    NOMINAL,
    Choice,
    MetricWeights,
    OverallWeights,
    UncertaintySpec,
    check_spec,
)

__all__ = [
    "INPUT_ORDER",
    "NOMINAL",
    "SOBOL_SCHEMA",
    "Choice",
    "Executor",
    "Field",
    "MetricWeights",
    "OverallWeights",
    "UncertaintyResult",
    "UncertaintySpec",
    "check_nominal",
    "check_spec",
    "dask_executor",
    "format_rank_interval",
    "interval_widths",
    "prepare_field",
    "published_banding",
    "published_uncertainty",
    "run_uncertainty",
    "significant_move",
    "thread_executor",
    "uncertainty",
    "with_uncertainty",
]
