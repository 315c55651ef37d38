"""Build speed and memory against its floor, the time polars takes just to read the input files.

Measured as a user runs it: ``impactrank build`` with a new workspace, one command, files to outputs and workspace,
the best of three runs, each beside a read of the same files in the same minute (the machine may be shared: the
ratio carries, the seconds do not). Also the engine in-process on the demo and the largest field (read,
validate, score, rank, write; the engine alone; the same build registering the edition too), and the files
alone: polars writing the same output and Parquet files from the finished edition and hashing inputs and outputs,
one after the other, which says how much of the build is the files themselves.
Fields of 1,000, 10,000 and 100,000 synthetic institutions give the scaling series, written to
``bench/results/build.json`` for ``bench/plot_scaling.py``. 1,000,000 institutions (61 million submission
rows, a 3.2 GB file) are left out: the build peaks near 270 bytes per submission row (1.6–1.7 GB at 100,000), so
it would need some 16 GB of a 24 GB machine. Below 100,000 the command's start (imports, the new workspace)
weighs more than the rows, so the time grows linearly above that fixed cost.
Targets (issue 25): as a user runs it ≤ 5 × the read time, peak memory ≤ 2 GB.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "build.json"
SIZES = (1_000, 10_000, 100_000)
RUNS = 3
TARGET_RATIO, TARGET_GB = 5.0, 2.0
# Before the work of issue 25 (same machine, unloaded): in-process 13.7 s = 17.1×, as a user runs it 18.3 s = 28×
BEFORE = {"read": 0.80, "in_process": 13.7, "cli": 18.3, "cli_ratio": 28.0, "peak_gb": 2.96}

CHILD = """
import json, resource, sys, time
from pathlib import Path
import polars as pl
from impactrank.engine.build import build_edition
from impactrank.io.build import build, sha256_file
from impactrank.io.build_files import METRIC_COLUMNS, SDG_COLUMNS, overall_export
from impactrank.io.workspace import PARQUET_TABLES
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.methodology import load_methodology
inst, subs, out, method = sys.argv[1:5]
t = time.perf_counter(); pl.read_csv(inst); pl.read_csv(subs); read = time.perf_counter() - t
t = time.perf_counter(); build(inst, subs, methodology=method, out=out); full = time.perf_counter() - t
t = time.perf_counter(); build(inst, subs, methodology=method, out=out, workspace=out + ".duckdb")
with_ws = time.perf_counter() - t
m = load_methodology(method)
i = read_institutions(inst); s = read_submissions([subs], m, i)
t = time.perf_counter(); edition = build_edition(m, i, s); engine = time.perf_counter() - t
# the files alone: polars writing the build's outputs and workspace tables from the finished edition, and sha256 of
# the inputs and the CSV files, one after the other (the build overlaps them with its own work)
t = time.perf_counter()
edition.metric_scores.select(METRIC_COLUMNS).write_csv(out + "/f1.csv")
edition.sdg_scores.select(SDG_COLUMNS).write_csv(out + "/f2.csv")
overall_export(edition).write_csv(out + "/f3.csv")
for k, name in enumerate(PARQUET_TABLES):
    getattr(edition, name).write_parquet(f"{out}/f{k}.parquet", compression="lz4", statistics=False)
for f in (inst, subs, out + "/f1.csv", out + "/f2.csv", out + "/f3.csv"):
    sha256_file(Path(f))
files = time.perf_counter() - t
print(json.dumps({"read": read, "build": full, "engine": engine, "rows": s.height, "with_workspace": with_ws,
                  "files": files, "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""

READ = """
import sys, time
import polars as pl
t = time.perf_counter(); pl.read_csv(sys.argv[1]); pl.read_csv(sys.argv[2]); print(time.perf_counter() - t)
"""

# runs the command in a process of its own, so that its peak memory is that command's alone
CLI = """
import resource, subprocess, sys, time
t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6)
"""


def _python(code: str, *args: str | Path) -> str:
    result = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def in_process(label: str, inst: Path, subs: Path, out: Path, methodology: str) -> None:
    r = json.loads(_python(CHILD, inst, subs, out, methodology))
    print(
        f"{label:>28}: {r['rows']:>10,} submission rows | read {r['read']:6.2f} s | build {r['build']:6.2f} s "
        f"(engine {r['engine']:5.2f} s; {r['with_workspace']:5.2f} s registering the workspace too) | "
        f"build/read {r['build'] / r['read']:4.1f}× | peak {r['peak_gb']:.2f} GB | the files alone (polars writing "
        f"the outputs and Parquet tables, sha256 of inputs and outputs) {r['files']:5.2f} s = "
        f"{r['files'] / r['read']:.1f}× the read",
        flush=True,
    )


def as_user_runs_it(n: int, inst: Path, subs: Path, root: Path) -> dict:
    """Best of RUNS: ``impactrank build`` with a new workspace each time, and the read beside it."""
    command = str(Path(sys.executable).with_name("impactrank"))
    runs = []
    for k in range(RUNS):
        out, ws = root / f"cli_{n}_{k}", root / f"cli_{n}_{k}.duckdb"
        read = float(_python(READ, inst, subs))
        seconds, peak = map(float, _python(CLI, command, "build", "-i", inst, "-s", subs, "-o", out, "-w", ws).split())
        runs.append({"read": read, "build": seconds, "ratio": seconds / read, "peak_gb": peak})
        shutil.rmtree(out, ignore_errors=True)
        ws.unlink(missing_ok=True)
        shutil.rmtree(ws.with_name(ws.name + ".tables"), ignore_errors=True)  # its large tables
    best = min(runs, key=lambda r: r["ratio"])
    return {"institutions": n, **best, "peak_gb": max(r["peak_gb"] for r in runs), "runs": runs}


def table(rows: list[dict], load: tuple[float, float, float]) -> None:
    """The rows issue 25 asks for: what, today's figure, its floor, its target."""
    largest = rows[-1]
    print(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores (best of {RUNS} runs)")
    print("| what | now | floor | target |\n|---|---|---|---|")
    print(
        f"| `impactrank build` of {largest['institutions']:,} institutions, files to outputs and workspace | "
        f"{largest['build']:.1f} s = **{largest['ratio']:.1f}×** the read, peak {largest['peak_gb']:.2f} GB "
        f"(before, unloaded: {BEFORE['cli']} s = {BEFORE['cli_ratio']:.0f}×, {BEFORE['peak_gb']} GB) | "
        f"polars reading the inputs: {largest['read']:.2f} s | ≤ {TARGET_RATIO:.0f}× the read, ≤ {TARGET_GB:.0f} GB |"
    )
    for r in rows:
        print(
            f"| scaling: {r['institutions']:,} institutions | {r['build']:.2f} s = {r['ratio']:.1f}× the read, "
            f"{r['build'] / r['institutions'] * 1e6:.0f} µs per institution, peak {r['peak_gb']:.2f} GB | "
            f"{r['read']:.3f} s | linear |"
        )


def main() -> None:
    from impactrank.demo import generate_demo, generate_field
    from impactrank.methodology import load_methodology

    series = []
    with tempfile.TemporaryDirectory(prefix="impactrank-bench-") as tmp:
        root = Path(tmp)
        edition = generate_demo().editions[2021]
        edition.institutions.write_csv(root / "demo_inst.csv")
        edition.submissions.write_csv(root / "demo_subs.csv")
        in_process("demo 2021 edition", root / "demo_inst.csv", root / "demo_subs.csv", root / "out_demo", "the-2021")
        methodology = load_methodology("the-2021")
        for n in SIZES:
            t = time.perf_counter()
            field = generate_field(methodology, n, seed=7)
            inst, subs = root / f"inst_{n}.csv", root / f"subs_{n}.csv"
            field.institutions.write_csv(inst)
            field.submissions.write_csv(subs)
            rows = field.submissions.height
            del field
            print(f"(generated {n:,} institutions, {rows:,} submission rows, in {time.perf_counter() - t:.1f} s)")
            series.append({**as_user_runs_it(n, inst, subs, root), "submission_rows": rows})
            r = series[-1]
            print(
                f"{n:>9,} institutions as a user runs it: build {r['build']:6.2f} s | read {r['read']:5.2f} s | "
                f"{r['ratio']:4.1f}× | peak {r['peak_gb']:.2f} GB",
                flush=True,
            )
        n = SIZES[-1]
        in_process(f"{n:,} institutions", root / f"inst_{n}.csv", root / f"subs_{n}.csv", root / f"out_{n}", "the-2021")
    load = os.getloadavg()
    table(series, load)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"load_average": load, "series": series}, indent=1) + "\n", encoding="utf-8")
    print(f"bench parent peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB; wrote {RESULTS.name}")


if __name__ == "__main__":
    main()
