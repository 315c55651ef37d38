"""Build speed and memory: the 2021 demo edition, and synthetic fields of 10,000 and 100,000 institutions.

For each field: the time polars takes just to read the input files (the floor), the full build from files
(read, validate, score, rank, write the outputs), the engine alone on validated inputs, the same build also
registering the edition in a new workspace, and peak memory of a process doing them all.
Targets: demo ≤ 1 s in-process; 100,000 institutions ≤ 20 s and ≤ 4 GB; build ≤ 3 × read time.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
import polars as pl
from impactrank.engine.build import build_edition
from impactrank.io.build import build
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.methodology import load_methodology
inst, subs, out, method = sys.argv[1:5]
t = time.perf_counter(); pl.read_csv(inst); pl.read_csv(subs); read = time.perf_counter() - t
t = time.perf_counter(); build(inst, subs, methodology=method, out=out); full = time.perf_counter() - t
t = time.perf_counter(); build(inst, subs, methodology=method, out=out, workspace=out + ".duckdb")
with_ws = time.perf_counter() - t
m = load_methodology(method)
i = read_institutions(inst); s = read_submissions([subs], m, i)
t = time.perf_counter(); build_edition(m, i, s); engine = time.perf_counter() - t
print(json.dumps({"read": read, "build": full, "engine": engine, "rows": s.height, "with_workspace": with_ws,
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def measure(label: str, inst: Path, subs: Path, out: Path, methodology: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(inst), str(subs), str(out), methodology],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"{label:>28}: {r['rows']:>10,} submission rows | read {r['read']:6.2f} s | build {r['build']:6.2f} s "
        f"(engine {r['engine']:5.2f} s; {r['with_workspace']:5.2f} s registering the workspace too) | "
        f"build/read {r['build'] / r['read']:4.1f}× | peak {r['peak_gb']:.2f} GB",
        flush=True,
    )


def main() -> None:
    from impactrank.demo import generate_demo, generate_field
    from impactrank.methodology import load_methodology

    with tempfile.TemporaryDirectory(prefix="impactrank-bench-") as tmp:
        root = Path(tmp)
        demo = generate_demo()
        edition = demo.editions[2021]
        edition.institutions.write_csv(root / "demo_inst.csv")
        edition.submissions.write_csv(root / "demo_subs.csv")
        measure("demo 2021 edition", root / "demo_inst.csv", root / "demo_subs.csv", root / "out_demo", "the-2021")
        methodology = load_methodology("the-2021")
        for n in (10_000, 100_000):
            t = time.perf_counter()
            field = generate_field(methodology, n, seed=7)
            field.institutions.write_csv(root / f"inst_{n}.csv")
            field.submissions.write_csv(root / f"subs_{n}.csv")
            print(f"(generated {n:,} institutions in {time.perf_counter() - t:.1f} s)", flush=True)
            measure(
                f"{n:,} institutions",
                root / f"inst_{n}.csv",
                root / f"subs_{n}.csv",
                root / f"out_{n}",
                "the-2021",
            )
    print(f"bench parent peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")


if __name__ == "__main__":
    main()
