"""Rank uncertainty speed and memory: 10,000 Monte Carlo runs over the 2021 demo edition (every participant,
every SDG table), all inputs of examples/uncertainty.yaml declared, Saltelli design for Sobol indices.

Prints: preparation time (the metric score matrices under every discrete choice), the Monte Carlo time, peak
memory of the process, the time of a handful of full builds with randomly drawn choices extrapolated to the
same number of runs, and the ratio. Then the figures the issue asks for: the median width of the 90 % rank
interval in each overall band, and the inputs ranked by total Sobol index. Targets: ≤ 10 s and ≤ 2 GB on the
2-core reference machine. A plain script: it measures, it does not fail on a target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RUNS = 10_000
SEED = 2021
FULL_BUILDS = 5

CHILD = """
import hashlib, json, resource, sys, time
import numpy as np
import polars as pl
from impactrank.engine.uncertainty import NOMINAL, check_nominal, dask_executor, interval_widths, prepare_field
from impactrank.engine.uncertainty import run_uncertainty
from impactrank.engine.uncertainty.sampling import design_block, draw_samples, run_params
from impactrank.engine.build import build_edition
from impactrank.engine.scoring.metrics import ScoringChoices
from impactrank.io.uncertainty_config import load_uncertainty_config
from impactrank.methodology import load_methodology
from impactrank.methodology.schema import Methodology
from impactrank.demo import generate_demo

runs, seed, full_builds, workers, threads = (int(a) for a in sys.argv[1:6])
config = sys.argv[6]
demo = generate_demo()
field = demo.editions[2021]
methodology = load_methodology(demo.methodologies[2021])
spec = load_uncertainty_config(config).to_spec()
inst, subs = field.institutions, field.submissions

t = time.perf_counter()
fld = prepare_field(methodology, inst, subs, spec)
prepare = time.perf_counter() - t
executor = dask_executor(workers=workers) if workers > 1 else None
t, cpu = time.perf_counter(), time.process_time()
result = run_uncertainty(fld, spec, runs, seed, executor=executor, partitions=4 * workers, threads=threads)
mc, mc_cpu = time.perf_counter() - t, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6

nominal = build_edition(methodology, inst, subs)
mismatches = check_nominal(result, nominal)

# a handful of full builds, each with one run's randomly drawn choices (what COINr does per replication)
samples = draw_samples(fld, spec, 1, np.random.default_rng(seed), True)
params = run_params(fld, spec, design_block(samples, spec.inputs, 0, 1), len(spec.inputs) + 2)
times = []
for r in range(min(full_builds, params.size)):
    data = methodology.model_dump()
    weights = iter(params.weights[r].tolist()) if params.weights is not None else None
    for sdg in data["sdgs"]:
        for metric in sdg["metrics"]:
            if weights is not None:
                metric["weight"] = next(weights)
    if params.required_weight is not None:
        data["overall"]["required_weight"] = float(params.required_weight[r])
        data["overall"]["best_weight"] = (100 - float(params.required_weight[r])) / data["overall"]["best_k"]
    norm, evidence, missing = fld.combos[params.combo[r]]
    choices = ScoringChoices(None if norm == NOMINAL else norm, evidence, missing)
    t = time.perf_counter()
    build_edition(Methodology.model_validate(data), inst, subs, choices=choices, scaling=fld.scalers[params.scaler[r]])
    times.append(time.perf_counter() - t)

widths = interval_widths(result.table, methodology.overall.banding).to_dicts()
sdg_widths = (result.table.filter(pl.col("table") != "overall")
              .select(((pl.col("rank_p95") - pl.col("rank_p05")).median()).alias("w"))["w"][0])
sobol = result.sobol.filter(pl.col("table") == "overall").sort("total_order", descending=True).to_dicts()
sobol_sdg = (result.sobol.filter(pl.col("table") != "overall").group_by("input")
             .agg(pl.col("total_order").median().alias("median_total"))
             .sort("median_total", descending=True).to_dicts())
print(json.dumps({
    "participants": int(inst.height), "entries": int(result.table.height), "runs": result.runs,
    "base_rows": result.base_rows, "inputs": result.inputs, "prepare": prepare, "mc": mc, "mc_cpu": mc_cpu,
    "peak_gb": peak,
    "sha256": hashlib.sha256(result.table.write_csv().encode() + result.sobol.write_csv().encode()).hexdigest(),
    "full_build": float(np.median(times)), "full_builds": len(times), "nominal_mismatches": mismatches,
    "widths": widths, "sdg_median_width": sdg_widths, "sobol": sobol, "sobol_sdg": sobol_sdg,
}))
"""


def measure(workers: int = 1, threads: int = 1) -> dict:
    config = Path(__file__).resolve().parents[1] / "examples" / "uncertainty.yaml"
    args = [str(RUNS), str(SEED), str(FULL_BUILDS), str(workers), str(threads), str(config)]
    result = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def same(a: dict, b: dict) -> str:
    return "yes" if a["sha256"] == b["sha256"] else "NO"


def main() -> None:
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    r = measure(threads=cores)
    one = measure(threads=1)
    rebuild_total = r["full_build"] * r["runs"]
    print(
        f"demo 2021: {r['participants']:,} participants, {r['entries']:,} (table, institution) entries; "
        f"inputs: {', '.join(r['inputs'])}",
        flush=True,
    )
    print(
        f"{r['runs']:,} runs ({r['base_rows']:,} Saltelli base rows): prepare {r['prepare']:.2f} s, "
        f"Monte Carlo {r['mc']:.2f} s on {cores} threads ({1e3 * r['mc'] / r['runs']:.2f} ms/run, CPU time "
        f"{r['mc_cpu']:.2f} s), "
        f"{one['mc']:.2f} s on 1 thread (CPU time {one['mc_cpu']:.2f} s); peak {r['peak_gb']:.2f} GB "
        f"(targets ≤ 10 s, ≤ 2 GB; load average before the run {load:.1f})",
        flush=True,
    )
    total = r["prepare"] + r["mc"]
    print(
        f"full build per run (median of {r['full_builds']}, randomly drawn choices): {r['full_build']:.3f} s → "
        f"{rebuild_total:,.0f} s for {r['runs']:,} runs; the vectorised run is {rebuild_total / total:.0f}× faster "
        f"({rebuild_total / (one['prepare'] + one['mc']):.0f}× on one thread)",
        flush=True,
    )
    print(
        f"nominal ranks equal to the build's: {'yes' if r['nominal_mismatches'] == 0 else 'NO'}; "
        f"same numbers on 1 and {cores} threads: {same(r, one)} (results sha256 {r['sha256'][:12]}…)",
        flush=True,
    )
    print("median width of the 90 % rank interval (p95 − p05), overall table, by nominal band:")
    for w in r["widths"]:
        print(f"  {w['band']:>10}: {w['median_width']:7.1f}  ({w['institutions']} institutions)")
    print(f"  SDG tables (all entries): {r['sdg_median_width']:.1f}")
    print("Sobol indices of the overall ranks (pooled over institutions), by total index:")
    for s in r["sobol"]:
        print(f"  {s['input']:>16}: total {s['total_order']:.3f}, first order {s['first_order']:.3f}")
    print(
        "median total index over the SDG tables:",
        ", ".join(f"{s['input']} {s['median_total']:.3f}" for s in r["sobol_sdg"]),
    )
    print("what | now | floor | target")
    print(
        f"uncertainty, {r['runs']:,} runs over the 2021 demo | {r['mc']:.2f} s on {cores} threads, {one['mc']:.2f} s "
        f"on 1 (load average {load:.1f}) | — | ≤ 2 s on 2 threads, the same numbers on 1 and 2: {same(r, one)}",
        flush=True,
    )
    if "--dask" in sys.argv:
        d = measure(workers=2)
        print(f"Dask local cluster, 2 workers: Monte Carlo {d['mc']:.2f} s (same numbers: {same(d, r)})", flush=True)


if __name__ == "__main__":
    main()
