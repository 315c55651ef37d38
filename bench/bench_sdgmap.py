"""SDG query engine speed: Aurora v5 (all 17 SDGs, 378 query lines) on benchmark-like texts.

Figures printed:
  1. documents per second per core of the compiled engine (CPU time of one process), target ≥ 10,000;
  2. the floor, one plain Aho–Corasick pass over the same lowercased texts with every literal of the queries,
     and the engine's cost as a multiple of it;
  3. a naive engine (every query line on every document, one regular expression per term) and the speed-up;
  4. a Dask local cluster of 2 workers against one process on N synthetic documents (default 1,000,000):
     wall time, peak memory, and whether the labels are identical.
Synthetic documents are made of sentences drawn from the SDG Classification Benchmark texts, so their
length and vocabulary are benchmark-like. Usage: bench_sdgmap.py [--docs N] [--queries-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # per-core figures: keep polars to one thread

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import polars as pl  # noqa: E402
import psutil  # noqa: E402

from impactrank.sdgmap.batch import BatchMatcher  # noqa: E402
from impactrank.sdgmap.classify import classify_table  # noqa: E402
from impactrank.sdgmap.evaluate import load_benchmark  # noqa: E402
from impactrank.sdgmap.loaders import load_queries  # noqa: E402
from impactrank.sdgmap.matcher import Matcher  # noqa: E402
from impactrank.sdgmap.naive import NaiveMatcher  # noqa: E402


def synthetic_texts(n: int, seed: int = 2021) -> list[str]:
    """n texts of 3–5 sentences drawn from the benchmark's sentences (deterministic)."""
    sentences = [s for t in load_benchmark()["text"].to_list() for s in re.split(r"(?<=[.!?])\s+", t) if len(s) > 20]
    rng = random.Random(seed)
    return [" ".join(rng.choices(sentences, k=rng.randint(3, 5))) for _ in range(n)]


def cpu_rate(fn, items) -> tuple[float, object]:
    start = time.process_time()
    out = fn(items)
    return len(items) / (time.process_time() - start), out


SINGLE = """
import os, resource, sys, time
os.environ["POLARS_MAX_THREADS"] = "1"
sys.path.insert(0, {src!r})
import polars as pl
from impactrank.sdgmap.classify import classify_table, write_labels
from impactrank.sdgmap.loaders import load_queries
qs = load_queries("aurora-v5", {qdir!r})
t = time.perf_counter()
df = pl.read_parquet({parts!r})
labels = classify_table(df, [qs])
write_labels(labels, {out!r})
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

DASK = """
import sys, time
sys.path.insert(0, {src!r})
from impactrank.sdgmap.classify import write_labels
from impactrank.sdgmap.distributed import classify_parquet_dask
from impactrank.sdgmap.loaders import load_queries
if __name__ == "__main__":
    qs = load_queries("aurora-v5", {qdir!r})
    t = time.perf_counter()
    labels = classify_parquet_dask({parts!r}, [qs], n_workers=2)
    write_labels(labels, {out!r})
    print(time.perf_counter() - t)
"""


def run_measured(code: str) -> tuple[str, float]:
    """Run a child Python; return its stdout and the peak summed RSS (MiB) of it and its children."""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=REPO)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"child failed with exit {proc.returncode}")
    return out.strip().splitlines()[-1], peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1_000_000, help="synthetic documents for the Dask comparison")
    ap.add_argument("--queries-dir", type=Path, default=None)
    args = ap.parse_args()
    try:
        queries = load_queries("aurora-v5", args.queries_dir)
    except Exception as exc:  # the query files are the user's, not shipped
        print(f"skipped: Aurora v5 queries not available ({exc})")
        return
    n_speed = min(args.docs, 50_000)
    bench_texts = load_benchmark()["text"].to_list()
    texts = (bench_texts * (n_speed // len(bench_texts) + 1))[:n_speed]
    words = sum(len(t.split()) for t in bench_texts) / len(bench_texts)
    print(
        f"Aurora v5: {len(queries.lines)} query lines, 17 SDGs; texts: SDG Classification Benchmark "
        f"({len(bench_texts)} texts, mean {words:.0f} words), {n_speed:,} documents"
    )

    t = time.process_time()
    matcher = Matcher(queries)
    print(f"compile: {time.process_time() - t:.3f} s CPU, {len(matcher.literal_keys)} automaton keys")
    matcher.match_many(texts[:2000])  # warm the normalisation cache as a long run would

    batch = BatchMatcher(matcher)

    def batched(items):
        out = []
        for i in range(0, len(items), 2000):
            out.extend(batch.match_columns([items[i : i + 2000]]))
        return out

    rate, labels = cpu_rate(batched, texts)
    doc_rate, labels_one = cpu_rate(matcher.match_many, texts)
    assert labels == labels_one
    print(
        f"compiled engine: {rate:,.0f} documents/s per core in batches of 2,000 as 'sdg classify' runs it "
        f"(target ≥ 10,000); {doc_rate:,.0f} documents/s one document at a time"
    )

    import ahocorasick

    floor = ahocorasick.Automaton()
    for key in matcher.literal_keys:
        floor.add_word(key.strip(), None)
    floor.make_automaton()

    def ac_pass(items):
        n = 0
        for text in items:
            for _ in floor.iter(text.lower()):
                n += 1
        return n

    floor_rate, _ = cpu_rate(ac_pass, texts)
    print(
        f"floor, one Aho–Corasick pass over the lowercased text: {floor_rate:,.0f} documents/s per core; "
        f"engine costs {floor_rate / rate:.1f}× the floor"
    )

    frame = pl.DataFrame({"work_id": [f"W{i:07d}" for i in range(len(texts))], "abstract": texts})
    cli_rate, _ = cpu_rate(lambda df: classify_table(df, [queries]), frame)
    print("what | now | floor | target")
    print(
        f"SDG matching, Aurora v5, all 17 SDGs, as 'sdg classify' runs it | {cli_rate:,.0f} documents/s per core, "
        f"{floor_rate / cli_rate:.1f}× the floor (load average {os.getloadavg()[0]:.1f}) | one Aho–Corasick pass: "
        f"{floor_rate:,.0f} documents/s | ≥ 20,000 documents/s, ≤ 3.5× the floor",
        flush=True,
    )

    naive = NaiveMatcher(queries)
    n_naive = min(300, n_speed)
    naive_rate, naive_out = cpu_rate(lambda xs: [naive.match(x) for x in xs], texts[:n_naive])
    same = naive_out == [matcher.match(x) for x in texts[:n_naive]]
    print(
        f"naive engine (every line, every document, regex per term): {naive_rate:,.1f} documents/s per core on "
        f"{n_naive} documents; compiled engine is {rate / naive_rate:,.0f}× faster; same labels: {same}"
    )

    with tempfile.TemporaryDirectory(prefix="bench_sdgmap_") as tmp:
        tmpdir = Path(tmp)
        t = time.perf_counter()
        synth = synthetic_texts(args.docs)
        parts = tmpdir / "parts"
        parts.mkdir()
        per_file = 100_000
        for i in range(0, args.docs, per_file):
            chunk = synth[i : i + per_file]
            pl.DataFrame({"work_id": [f"S{j:07d}" for j in range(i, i + len(chunk))], "abstract": chunk}).write_parquet(
                parts / f"part-{i // per_file:03d}.parquet", row_group_size=25_000
            )
        mb = sum(p.stat().st_size for p in parts.iterdir()) / 2**20
        del synth
        print(
            f"\n{args.docs:,} synthetic documents written as Parquet ({mb:,.0f} MiB) in {time.perf_counter() - t:.1f} s"
        )
        glob = str(parts / "*.parquet")
        src = str(REPO / "src")
        qdir = str(args.queries_dir) if args.queries_dir else None
        single_out, dask_out = tmpdir / "single.parquet", tmpdir / "dask.parquet"
        line, single_mem = run_measured(SINGLE.format(src=src, qdir=qdir, parts=glob, out=str(single_out)))
        single_time = float(line.split()[0])
        print(
            f"one process: {single_time:.1f} s wall ({args.docs / single_time:,.0f} documents/s), "
            f"peak memory {single_mem:,.0f} MiB"
        )
        line, dask_mem = run_measured(DASK.format(src=src, qdir=qdir, parts=str(parts), out=str(dask_out)))
        dask_time = float(line)
        print(
            f"Dask, local cluster of 2 workers: {dask_time:.1f} s wall ({args.docs / dask_time:,.0f} documents/s), "
            f"peak memory {dask_mem:,.0f} MiB (client, scheduler and workers); speed-up {single_time / dask_time:.2f}×"
        )
        same_rows = pl.read_parquet(single_out).equals(pl.read_parquet(dask_out))
        print(f"labels identical: rows {same_rows}, file bytes {single_out.read_bytes() == dask_out.read_bytes()}")


if __name__ == "__main__":
    main()
