"""Running the Monte Carlo: draw, split the base rows, evaluate them in chunks, merge, summarise.

Where the chunks run (this process, a pool of threads, a Dask cluster) is an :data:`Executor`; chunk size,
partitions and executor bound memory and time but never change the result, since every partial result is
a sum of integers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from impactrank.engine.uncertainty.field import Field, prepare_field
from impactrank.engine.uncertainty.histograms import Accumulator, accumulate, new_accumulator, summarise
from impactrank.engine.uncertainty.kernel import grouped_values, table_ranks, table_values
from impactrank.engine.uncertainty.result import UncertaintyResult
from impactrank.engine.uncertainty.sampling import (
    Samples,
    design_block,
    draw_samples,
    nominal_params,
    run_params,
    runs_per_row,
    slice_samples,
)
from impactrank.engine.uncertainty.sobol import empty_sobol, sobol_indices
from impactrank.engine.uncertainty.spec import UncertaintySpec
from impactrank.engine.uncertainty.tables import Tables, field_tables
from impactrank.methodology.schema import Methodology

Executor = Callable[
    [Field, UncertaintySpec, Tables, Samples, list[tuple[int, int]], int, Callable[[int], None] | None],
    list[Accumulator],
]
"""Runs base-row ranges (possibly elsewhere, e.g. on a Dask cluster) and returns accumulators that together hold
them all (one per range, or one per thread)."""


def simulate_blocks(
    fld: Field,
    spec: UncertaintySpec,
    tables: Tables,
    samples: Samples,
    ranges: list[tuple[int, int]],
    chunk_rows: int,
    progress: Callable[[int], None] | None = None,
) -> Accumulator:
    """Evaluate the base rows [start, stop) of each range of the design and return their accumulated statistics:
    one histogram of every entry for them all (tens of megabytes on the demo), not one per range."""
    inputs = spec.inputs
    sobol = samples.b is not None
    per_row = runs_per_row(len(inputs), sobol)
    acc = new_accumulator(tables, len(inputs) if sobol else 0)
    values = ranks = np.empty((0, 0))
    for lo, hi in _chunks(ranges, chunk_rows):
        draws = design_block(samples, inputs, lo, hi)
        params = run_params(fld, spec, draws, (hi - lo) * per_row)
        if values.shape != (tables.n_entries, params.size):  # else the previous chunk's arrays are refilled
            values, ranks = (
                np.empty((tables.n_entries, params.size)),
                np.empty((tables.n_entries, params.size), np.int32),
            )
        values, undo = grouped_values(fld, tables, params, values)
        accumulate(acc, table_ranks(fld, tables, values, ranks), sobol, undo)
        if progress is not None:
            progress((hi - lo) * per_row)
    return acc


def _chunks(ranges: list[tuple[int, int]], rows: int) -> list[tuple[int, int]]:
    """The base rows [lo, hi) of each chunk, range by range: at most ``rows`` each."""
    return [(lo, min(stop, lo + rows)) for start, stop in ranges for lo in range(start, stop, rows)]


def _simulate_part(fld: Field, spec: UncertaintySpec, tables: Tables, part: Samples, chunk_rows: int) -> Accumulator:
    """One Dask task: every base row of ``part``, the draws already sliced for it."""
    return simulate_blocks(fld, spec, tables, part, [(0, part.size)], chunk_rows)


def thread_executor(threads: int) -> Executor:
    """Run the base-row ranges on a pool of threads in this process, each thread its share of them."""

    def run(fld, spec, tables, samples, ranges, chunk_rows, progress=None):
        from concurrent.futures import ThreadPoolExecutor

        shares = [ranges[i::threads] for i in range(min(threads, len(ranges)))]
        with ThreadPoolExecutor(threads) as pool:
            jobs = [pool.submit(simulate_blocks, fld, spec, tables, samples, s, chunk_rows, progress) for s in shares]
            return [job.result() for job in jobs]

    return run


def dask_executor(address: str | None = None, workers: int = 2, processes: bool = True) -> Executor:
    """Spread the base rows over a Dask cluster: an existing scheduler at ``address``, or a local cluster of
    ``workers`` workers. Partial results are integer sums, so the result is the same as in one process."""

    def run(fld, spec, tables, samples, ranges, chunk_rows, progress=None):
        from distributed import Client, LocalCluster, as_completed

        cluster = (
            None
            if address
            else LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None)
        )
        try:
            with Client(address or cluster) as client:
                shared = client.scatter([fld, spec, tables], broadcast=True)
                futures = [
                    client.submit(_simulate_part, *shared, slice_samples(samples, a, b), chunk_rows, pure=False)
                    for a, b in ranges
                ]
                per_row = runs_per_row(len(spec.inputs), samples.b is not None)
                size = {f.key: (b - a) * per_row for f, (a, b) in zip(futures, ranges, strict=True)}
                for future in as_completed(futures):
                    if progress is not None:
                        progress(size[future.key])
                return client.gather(futures)
        finally:
            if cluster is not None:
                cluster.close()

    return run


def run_uncertainty(
    fld: Field,
    spec: UncertaintySpec,
    runs: int,
    seed: int,
    *,
    chunk_runs: int = 256,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    partitions: int = 1,
    threads: int = 1,
) -> UncertaintyResult:
    """Monte Carlo over ``spec``: ``runs`` model evaluations (rounded up to whole Saltelli blocks of
    d + 2 evaluations when a Sobol design is used).

    The base rows are split into ``partitions`` ranges, run in this process (on ``threads`` threads: numpy
    releases the GIL) or by ``executor`` (e.g. :func:`dask_executor`). Chunks of about ``chunk_runs`` runs
    bound memory (small chunks stay in cache). None of these change the result."""
    if runs < 2:
        raise ValueError("at least 2 runs are needed")
    inputs = spec.inputs
    sobol = spec.sobol and bool(inputs)
    per_row = runs_per_row(len(inputs), sobol)
    base = max(2, math.ceil(runs / per_row)) if sobol else runs
    rng = np.random.default_rng(seed)
    samples = draw_samples(fld, spec, base, rng, sobol)
    tables = field_tables(fld)
    nominal = table_ranks(fld, tables, table_values(fld, tables, nominal_params(fld)))[:, 0]
    chunk_rows = max(1, chunk_runs // per_row)
    partitions = max(partitions, threads)
    bounds = np.linspace(0, base, max(1, min(partitions, base)) + 1).round().astype(int)
    ranges = [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]
    if executor is None and threads > 1:
        executor = thread_executor(threads)
    if executor is None:
        parts = [simulate_blocks(fld, spec, tables, samples, ranges, chunk_rows, progress)]
    else:
        parts = executor(fld, spec, tables, samples, ranges, chunk_rows, progress)
    acc = parts[0]  # the others added into the first: no fresh histogram of every entry
    for part in parts[1:]:
        acc.add(part)
    table = summarise(fld.ids, tables, acc, nominal)
    indices = sobol_indices(acc.sobol, tables, inputs, base) if sobol else empty_sobol()
    return UncertaintyResult(table, indices, acc.runs, base, seed, inputs, spec)


def uncertainty(
    methodology: Methodology,
    institutions: pl.DataFrame,
    submissions: pl.DataFrame,
    spec: UncertaintySpec,
    runs: int,
    seed: int,
    previous: pl.DataFrame | None = None,
    **kwargs: Any,
) -> UncertaintyResult:
    """Prepare the field and run the Monte Carlo (see :func:`run_uncertainty` for the options)."""
    fld = prepare_field(methodology, institutions, submissions, spec, previous)
    return run_uncertainty(fld, spec, runs, seed, **kwargs)
