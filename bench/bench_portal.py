"""Load test of the portal: concurrent contributors saving records through the JSON API on loopback, on
SQLite and on PostgreSQL.

200 contributors (40 institutions × 5) each sign in (a session made in the database beforehand, so argon2 does
not dominate the warm-up) and save drafts for 60 s, pausing between saves as autosave does (`--think`, mean
seconds). Each contributor owns some metrics of its institution; one metric per institution is shared by its
five contributors, who read-modify-write it with the version check, so stale writes answer 409 and are retried.
Afterwards every record is checked against what the clients were told: its version is the number of saves
acknowledged for it, each acknowledged version appears once, its value is the last acknowledged one, and the
audit log holds exactly one row per acknowledged save — zero lost and zero duplicated records is the target.
A request whose connection drops or whose answer cannot be read is counted as an error by its kind and the client
reconnects and goes on; a save whose answer was lost may or may not have been made, so the check allows for it.
Prints p50/p95 latency, throughput and the errors (target p95 ≤ 150 ms). Loopback only; bounded in time; never
fails on a target. PostgreSQL runs on a throwaway cluster (as in the tests) or is skipped with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests" / "portal"), str(HERE.parent / "tests")]  # portal_pg and its helpers
HOST = "127.0.0.1"  # loopback only, by design
SHARED = (13, "sdg_top10_journals")
KEEP_ALIVE = 4.0  # uvicorn closes a connection idle for 5 s
TIMEOUT = 30.0  # an answer not come by then is an error (TimeoutError), so the run stays bounded in time
# a dropped connection, an answer cut short, or one that is not HTTP with a JSON body of the length it says
REQUEST_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare(url: str, institutions: int, per_institution: int) -> tuple[list[dict], list[tuple[int, str, str]]]:
    """Schema, a cycle under the-2021, institutions and contributors with open sessions; returns the
    contributors (institution, cookie, CSRF token) and the metrics of the methodology."""
    from impactrank.methodology import load_methodology
    from impactrank.portal import accounts
    from impactrank.portal.clock import SystemClock
    from impactrank.portal.cycles import open_cycle
    from impactrank.portal.db import Database
    from impactrank.portal.initialise import initialise
    from impactrank.portal.institutions import add_institution
    from impactrank.portal.models import User
    from impactrank.portal.security import csrf_token
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    now = SystemClock().now()
    db = Database(url)
    initialise(db, now)
    contributors = []
    with db.write() as session:
        scope = Scope(session, COMMAND_LINE, now)
        open_cycle(scope, "bench", "the-2021", "2099-12-31")
        secret = accounts.secret_key(session)
        for i in range(institutions):
            inst = f"I{i:03d}"
            add_institution(scope, inst, f"Institution {i}", "FR")
            for k in range(per_institution):
                user, _ = accounts.create_user(scope, f"c{k}@{inst.lower()}.edu", "contributor", inst, None)
                token = accounts.start_session(session, session.get(User, user.id), now)
                contributors.append({"inst": inst, "k": k, "cookie": token, "csrf": csrf_token(secret, token)})
    db.dispose()
    methodology = load_methodology("the-2021")
    metrics = [
        (s.sdg, m.id, "evidence" if m.kind == "evidence" else "rate" if m.denominator else "number")
        for s in methodology.sdgs
        for m in s.metrics
    ]
    return contributors, metrics


def body_for(kind: str, rng: random.Random, version: int) -> dict:
    if kind == "number":
        values = {"value": rng.randint(0, 10_000)}
    elif kind == "rate":
        values = {"numerator": rng.randint(0, 5000), "denominator": rng.randint(5001, 10_000)}
    else:
        values = {f: rng.choice((0, 0.5, 1)) for f in ("exists", "public", "recent")} | {"evidence": 0}
    return values | {"version": version, "complete": False}


class Client:
    """A minimal HTTP/1.1 keep-alive client for JSON requests."""

    def __init__(self, port: int, cookie: str, csrf: str) -> None:
        self.port, self.cookie, self.csrf = port, cookie, csrf
        self.reader = self.writer = None
        self.used = 0.0

    async def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else b""
        return await asyncio.wait_for(self.send(method, path, "application/json", data), TIMEOUT)

    async def send(self, method: str, path: str, content_type: str, data: bytes) -> tuple[int, dict]:
        if self.writer is not None and time.perf_counter() - self.used > KEEP_ALIVE:
            self.close()  # the server drops idle connections after its keep-alive timeout
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.used = time.perf_counter()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nCookie: impactrank_portal={self.cookie}\r\n"
            f"X-CSRF-Token: {self.csrf}\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        lengths = [int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-length"]
        if not lengths:
            raise ValueError(f"an answer {status} without Content-Length")
        length = lengths[0]
        payload = await self.reader.readexactly(length)
        self.used = time.perf_counter()
        return status, json.loads(payload)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_load(
    port: int, contributors: list[dict], metrics: list, per_institution: int, seconds: float, think: float
):
    latencies: list[float] = []
    statuses: dict[int, int] = defaultdict(int)
    acks: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)  # (inst, sdg, metric) → [(version, body)]
    errors: dict[str, int] = defaultdict(int)  # "PUT ConnectionResetError" → count
    unanswered: dict[tuple, int] = defaultdict(int)  # saves whose answer was lost: made or not, nobody knows
    deadline = time.perf_counter() + seconds
    own_pool = [m for m in metrics if (m[0], m[1]) != SHARED]
    shared_kind = next(m[2] for m in metrics if (m[0], m[1]) == SHARED)

    async def contributor(c: dict, seed: int) -> None:
        rng = random.Random(seed)
        mine = [m for j, m in enumerate(own_pool) if j % per_institution == c["k"]]
        known: dict[tuple, int] = {}
        client = Client(port, c["cookie"], c["csrf"])
        await asyncio.sleep(rng.uniform(0, think))
        try:
            while time.perf_counter() < deadline:
                sdg, metric, kind = (*SHARED, shared_kind) if rng.random() < 0.1 else rng.choice(mine)
                key = (c["inst"], sdg, metric)
                body = body_for(kind, rng, known.get(key, 0))
                path = f"/api/cycles/bench/institutions/{c['inst']}/records/{sdg}/{metric}"
                t, method = time.perf_counter(), "PUT"
                try:
                    status, result = await client.request(method, path, body)
                    latencies.append(time.perf_counter() - t)
                    statuses[status] += 1
                    if status == 200:
                        known[key] = result["version"]
                        acks[key].append((result["version"], body))
                    elif status == 409:  # someone else saved it: read the current version, as the page would
                        method = "GET"
                        read, listing = await client.request(
                            method, f"/api/cycles/bench/institutions/{c['inst']}/records?sdg={sdg}"
                        )
                        if read == 200:  # else the next save is refused again and reads again
                            known[key] = next(r["version"] for r in listing["records"] if r["metric"] == metric)
                except REQUEST_ERRORS as exc:
                    errors[f"{method} {type(exc).__name__}"] += 1
                    if method == "PUT":
                        unanswered[key] += 1
                    client.close()  # the next request opens a new connection
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
        finally:
            client.close()

    await asyncio.gather(*(contributor(c, i) for i, c in enumerate(contributors)))
    return latencies, statuses, acks, errors, unanswered


def verify(url: str, acks: dict, unanswered: dict) -> dict:
    """Compare the database with what the clients were told; a save whose answer was lost may account for one
    version no client was told of (and for a record no acknowledged save made)."""
    import sqlalchemy as sa

    from impactrank.portal.db import Database

    db = Database(url)
    with db.read() as session:
        rows = session.execute(
            sa.text(
                "SELECT institution_id, sdg, metric, version, value, numerator, denominator, ans_exists, ans_public, "
                "ans_recent FROM record WHERE cycle_id = 'bench'"
            )
        ).all()
        logged = session.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'record.save'")).scalar_one()
    db.dispose()
    stored = {(r[0], r[1], r[2]): r for r in rows}
    lost = duplicated = 0
    for key, saves in acks.items():
        versions = sorted(v for v, _ in saves)
        row = stored.get(key)
        if row is None:
            lost += len(saves)
            continue
        duplicated += len(versions) - len(set(versions))
        untold = row[3] - len(set(versions))  # versions the server counted but no client was told of
        lost += max(0, untold - unanswered.get(key, 0)) + max(0, versions[-1] - row[3])
        if untold or versions[-1] > row[3]:  # its last value may be a save whose answer was lost
            continue
        last = max(saves, key=lambda s: s[0])[1]
        values = {
            "value": row[4],
            "numerator": row[5],
            "denominator": row[6],
            "exists": row[7],
            "public": row[8],
            "recent": row[9],
        }
        if any(values[k] != float(v) for k, v in last.items() if k in values):
            lost += 1
    duplicated += len(set(stored) - set(acks) - set(unanswered))  # rows no client saved
    total = sum(len(s) for s in acks.values())
    return {
        "records": len(stored),
        "acknowledged_saves": total,
        "audit_rows": logged,
        "lost": lost,
        "duplicated": duplicated,
    }


def start_server(url: str, files: Path, port: int, workers: int, **popen: object) -> subprocess.Popen:
    """``impactrank portal serve`` in its own processes, returned once it answers (401 to an anonymous call)."""
    cmd = [
        sys.executable, "-c", "from impactrank.cli import main; main()", "portal", "serve", "--database", url,
        "--files", str(files), "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, **popen)
    t = time.perf_counter()
    while True:
        try:
            if asyncio.run(Client(port, "", "").request("GET", "/api/cycles"))[0] == 401:
                return server
        except OSError:
            pass
        if time.perf_counter() - t > 60 or server.poll() is not None:
            server.terminate()
            raise RuntimeError("the portal did not start")
        time.sleep(0.1)


def run_one(kind: str, url: str, files: Path, args) -> dict:
    contributors, metrics = prepare(url, args.institutions, args.per_institution)
    port = free_port()
    server = start_server(url, files, port, args.workers)
    try:
        start = time.perf_counter()
        latencies, statuses, acks, errors, unanswered = asyncio.run(
            run_load(port, contributors, metrics, args.per_institution, args.seconds, args.think)
        )
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [float("nan")] * 99
    return {
        "database": kind,
        "contributors": len(contributors),
        "saves": len(latencies),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
        "saves_per_s": round(len(latencies) / wall, 1),
        "statuses": dict(sorted(statuses.items())),
        "errors": dict(sorted(errors.items())),
        "unanswered_saves": sum(unanswered.values()),
        **verify(url, acks, unanswered),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--institutions", type=int, default=40)
    ap.add_argument("--per-institution", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", type=float, default=5.0, help="mean pause between one contributor's saves (s)")
    ap.add_argument(
        "--workers", type=int, default=4, help="server processes (two per core: requests wait on the database)"
    )
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()

    from portal_pg import Cluster, why_not

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as tmp:
        if args.only in (None, "sqlite"):
            results.append(run_one("sqlite", f"sqlite:///{tmp}/portal.sqlite", Path(tmp) / "files-sqlite", args))
            print(json.dumps(results[-1]), flush=True)
        if args.only in (None, "postgresql"):
            reason = why_not()
            if reason:
                print(f"postgresql: skipped ({reason})", flush=True)
            else:
                cluster = Cluster()
                try:
                    url = cluster.start()
                    results.append(run_one("postgresql", url, Path(tmp) / "files-pg", args))
                    print(json.dumps(results[-1]), flush=True)
                finally:
                    cluster.stop()
    print("\n| database | contributors | saves | p50 ms | p95 ms | saves/s | 409 | errors | lost | duplicated |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['database']} | {r['contributors']} | {r['saves']:,} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['saves_per_s']} | {r['statuses'].get(409, 0)} | {sum(r['errors'].values())} | {r['lost']} | "
            f"{r['duplicated']} |"
        )
    for r in results:
        for kind, n in r["errors"].items():
            print(f"{r['database']}: {n} × {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
