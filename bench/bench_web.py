"""Load test of the dashboard on loopback against a workspace holding a 100,000-institution edition.

50 concurrent keep-alive clients alternate between the overall-table API filtered by country (random
country among the ten largest, random page) and institution pages (HTML, random institution). Bounded in
count and time (default 6,000 requests or 60 s after a 300-request warm-up); loopback only. Prints p50 and
p95 latency and requests per second per kind and overall; target p95 ≤ 100 ms. Never fails on a target.

The workspace is built once from :func:`impactrank.demo.generate_field` into bench-output/ and reused.
The server runs in its own processes (uvicorn, `--workers` of them, two by default: one per core) so
client and server do not share a GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "bench-output"
HOST = "127.0.0.1"  # loopback only, by design


def ensure_workspace(path: Path, n: int, seed: int, rebuild: bool) -> None:
    """Build the n-institution edition "2021" into path unless it is already there."""
    from impactrank.io.workspace import Workspace

    if path.exists() and not rebuild:
        with Workspace(path, read_only=True) as ws:
            eds = ws.editions()
        if eds.height and eds["participants"][0] == n:
            return
    path.unlink(missing_ok=True)
    from impactrank.demo import generate_field
    from impactrank.io.build import build
    from impactrank.methodology.load import load_methodology

    t = time.perf_counter()
    field = generate_field(load_methodology("the-2021"), n, seed)
    with tempfile.TemporaryDirectory() as tmp:
        inst, subs = Path(tmp) / "institutions.csv", Path(tmp) / "submissions.csv"
        field.institutions.write_csv(inst)
        field.submissions.write_csv(subs)
        build(inst, [subs], methodology="the-2021", out=Path(tmp) / "out", workspace=path, edition_id="2021")
    print(f"built a {n:,}-institution edition in {time.perf_counter() - t:.1f} s → {path}", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Client:
    """A minimal HTTP/1.1 keep-alive client (light enough not to be the bottleneck on a 2-core machine)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, int]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-length")
        body = await self.reader.readexactly(length)
        return status, len(body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def run_load(port: int, make_request, clients: int, total: int, seconds: float) -> list[tuple[str, float, int]]:
    """`clients` workers issue requests until `total` are done or `seconds` have passed."""
    results: list[tuple[str, float, int]] = []
    issued = 0
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal issued
        rng = random.Random(k)
        client = Client(port)
        try:
            while issued < total and time.perf_counter() < deadline:
                issued += 1
                kind, path = make_request(rng)
                t = time.perf_counter()
                status, _ = await client.get(path)
                results.append((kind, time.perf_counter() - t, status))
        finally:
            client.close()

    await asyncio.gather(*(worker(k) for k in range(clients)))
    return results


def summarise(results: list[tuple[str, float, int]], wall: float) -> dict:
    out = {}
    for kind in [*sorted({r[0] for r in results}), "all"]:
        lat = sorted(r[1] for r in results if kind in ("all", r[0]))
        q = statistics.quantiles(lat, n=100, method="inclusive")
        out[kind] = {
            "requests": len(lat),
            "p50_ms": round(q[49] * 1000, 1),
            "p95_ms": round(q[94] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1),
            "rps": round(len(lat) / wall, 1),
        }
    out["errors"] = sum(1 for r in results if r[2] != 200)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--institutions", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=6_000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--no-cache", action="store_true", help="disable the server's response cache")
    ap.add_argument("--workers", type=int, default=2, help="server processes (one per core by default)")
    args = ap.parse_args()

    OUT.mkdir(exist_ok=True)
    ws = OUT / f"web-{args.institutions}.duckdb"
    ensure_workspace(ws, args.institutions, args.seed, args.rebuild)

    from impactrank.io.workspace import Workspace

    with Workspace(ws, read_only=True) as w:
        ed = w.load("2021")
    import polars as pl

    countries = (
        ed.institutions.join(ed.overall, on="institution_id")
        .group_by("country")
        .len()
        .sort(["len", "country"], descending=[True, False])
        .head(10)
    )
    pages = {c: max(1, -(-n // 50)) for c, n in countries.iter_rows()}
    ids = ed.overall.select("institution_id").sample(n=min(5000, ed.field_size), seed=args.seed)["institution_id"]
    ids = ids.to_list()
    print(
        f"edition 2021: {ed.participants:,} institutions, {ed.field_size:,} in the overall table; "
        f"countries {', '.join(f'{c} ({n})' for c, n in countries.iter_rows())}",
        flush=True,
    )
    del ed

    def make_request(rng: random.Random) -> tuple[str, str]:
        if rng.random() < 0.5:
            c = rng.choice(list(pages))
            return "overall?country", f"/api/editions/2021?country={c}&page={rng.randint(1, min(pages[c], 20))}"
        return "institution page", f"/editions/2021/institutions/{rng.choice(ids)}"

    port = free_port()
    code = (
        "import uvicorn; "
        "uvicorn.run('impactrank.web.app:app_from_environment', factory=True, "
        f"workers={args.workers}, host={HOST!r}, port={port}, log_level='warning')"
    )
    env = {**os.environ, "IMPACTRANK_WORKSPACE": str(ws), "IMPACTRANK_CACHE": "0" if args.no_cache else "1"}
    server = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        t = time.perf_counter()
        while True:
            try:
                status, _ = asyncio.run(Client(port).get("/api/editions"))
                if status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - t > 180 or server.poll() is not None:
                print("server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"server ready in {time.perf_counter() - t:.1f} s (editions preloaded)", flush=True)
        asyncio.run(run_load(port, make_request, args.clients, 300, 30))  # warm-up
        start = time.perf_counter()
        results = asyncio.run(run_load(port, make_request, args.clients, args.requests, args.seconds))
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=20)

    figures = summarise(results, wall)
    figures["config"] = {
        "institutions": args.institutions,
        "clients": args.clients,
        "wall_s": round(wall, 2),
        "server": "uvicorn, 1 worker",
        "host": HOST,
        "response_cache": not args.no_cache,
    }
    print(f"\n{'kind':<18}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'req/s':>10}")
    for kind, f in figures.items():
        if kind in ("errors", "config"):
            continue
        print(f"{kind:<18}{f['requests']:>10}{f['p50_ms']:>10}{f['p95_ms']:>10}{f['max_ms']:>10}{f['rps']:>10}")
    p95 = figures["all"]["p95_ms"]
    print(
        f"non-200 responses: {figures['errors']}; target p95 ≤ 100 ms: {'met' if p95 <= 100 else 'NOT met'} "
        f"({p95} ms) with {args.clients} clients over {wall:.1f} s, {args.workers} server worker(s), response "
        f"cache {'off' if args.no_cache else 'on'}"
    )
    (OUT / f"bench_web{'_nocache' if args.no_cache else ''}.json").write_text(json.dumps(figures, indent=1) + "\n")
    _ = pl  # polars imported above for the edition summary
    return 0


if __name__ == "__main__":
    sys.exit(main())
