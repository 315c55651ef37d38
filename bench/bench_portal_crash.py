"""Crash test of the portal: SIGKILL the server in the middle of 100 concurrent saves and evidence uploads, restart
it, and check that everything is either fully there or not there at all.

100 contributors (20 institutions × 5) save numbers and upload evidence files (unique PDFs of 50 KB–2 MB) through
the JSON API of `impactrank portal serve --workers 2` on loopback. After `--kill-after` seconds the whole server
(every process) is killed with SIGKILL; the portal is then started again on the same database and files and
answers, and the state is checked: every acknowledged save and upload is there; every record's version equals
its number of logged saves (the log matches the data); every evidence item has its file, whose SHA-256 is its name
and whose size is recorded; every file in the store hashes to its name (no partial file); evidence rows equal
logged additions. Prints the figures for SQLite and PostgreSQL (a throwaway cluster, as in the tests).
Loopback only; bounded in time; never fails on a target.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import signal
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_portal import Client, free_port, prepare, start_server  # noqa: E402


def pdf(rng: random.Random) -> bytes:
    size = rng.randint(50_000, 2_000_000)
    return b"%PDF-1.4\n" + rng.randbytes(size) + b"\n%%EOF\n"


async def upload(client: Client, path: str, data: bytes) -> tuple[int, dict]:
    boundary = "bench" + hashlib.sha256(data[:64]).hexdigest()[:16]
    parts = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nEvidence\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="evidence.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return await client.send("POST", path, f"multipart/form-data; boundary={boundary}", parts)


async def load(port: int, contributors: list[dict], metrics: list, kill_at: float) -> dict:
    numbers = [m for m in metrics if m[2] == "number"]
    evidence_metrics = [m for m in metrics if m[2] == "evidence"]
    acked_saves: dict[tuple, int] = {}
    acked_uploads: list[dict] = []
    counts: dict[str, int] = defaultdict(int)

    async def contributor(c: dict, seed: int) -> None:
        rng = random.Random(seed)
        client = Client(port, c["cookie"], c["csrf"])
        versions: dict[tuple, int] = {}
        mine = [m for j, m in enumerate(numbers) if j % 5 == c["k"]]
        try:
            while True:
                if rng.random() < 0.3:
                    sdg, metric, _ = rng.choice(evidence_metrics)
                    data = pdf(rng)
                    path = f"/api/cycles/bench/institutions/{c['inst']}/records/{sdg}/{metric}/evidence"
                    status, body = await upload(client, path, data)
                    counts[f"upload {status}"] += 1
                    if status == 201:
                        acked_uploads.append(
                            {"id": body["id"], "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                        )
                else:
                    sdg, metric, _ = rng.choice(mine)
                    key = (c["inst"], sdg, metric)
                    path = f"/api/cycles/bench/institutions/{c['inst']}/records/{sdg}/{metric}"
                    status, body = await client.request(
                        "PUT", path, {"value": rng.randint(0, 999), "version": versions.get(key, 0)}
                    )
                    counts[f"save {status}"] += 1
                    if status == 200:
                        versions[key] = acked_saves[key] = body["version"]
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
            counts["cut by the kill"] += 1
        finally:
            client.close()

    tasks = [asyncio.create_task(contributor(c, i)) for i, c in enumerate(contributors)]
    await asyncio.sleep(kill_at)
    return {"tasks": tasks, "acked_saves": acked_saves, "acked_uploads": acked_uploads, "counts": counts}


def check(url: str, files: Path, acked_saves: dict, acked_uploads: list) -> dict:
    import sqlalchemy as sa

    from impactrank.portal.db import Database

    db = Database(url)
    with db.read() as s:
        records = {
            (r[0], r[1], r[2]): r[3]
            for r in s.execute(sa.text("SELECT institution_id, sdg, metric, version FROM record"))
        }
        saves = defaultdict(int)
        for (obj,) in s.execute(sa.text("SELECT object_id FROM audit_log WHERE action = 'record.save'")):
            saves[obj] += 1
        items = s.execute(
            sa.text(
                "SELECT e.id, e.file_sha256, f.size FROM evidence_item e "
                "JOIN stored_file f ON f.sha256 = e.file_sha256 JOIN record r ON r.id = e.record_id"
            )
        ).all()
        item_count = s.execute(sa.text("SELECT count(*) FROM evidence_item")).scalar_one()
        added = s.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'evidence.add'")).scalar_one()
    db.dispose()
    problems: list[str] = []
    lost_saves = sum(1 for k, v in acked_saves.items() if records.get(k, 0) < v)
    ids = {i[0] for i in items}
    lost_uploads = sum(1 for u in acked_uploads if u["id"] not in ids)
    for (inst, sdg, metric), version in records.items():
        logged = saves.get(f"bench/{inst}/{sdg}/{metric}", 0)
        if version != (logged or 1):  # saved numbers: one logged save per version; evidence questions: created once
            problems.append(f"{inst}/{sdg}/{metric}: version {version}, {logged} logged saves")
    store = files / "objects"
    for _, sha, size in items:
        path = store / sha[:2] / sha[2:]
        if not path.exists():
            problems.append(f"evidence file {sha} missing")
        elif path.stat().st_size != size or hashlib.sha256(path.read_bytes()).hexdigest() != sha:
            problems.append(f"evidence file {sha} damaged")
    on_disk = [p for p in store.rglob("*") if p.is_file()] if store.exists() else []
    damaged = [p for p in on_disk if hashlib.sha256(p.read_bytes()).hexdigest() != p.parent.name + p.name]
    referenced = {sha for _, sha, _ in items}
    if item_count != added:
        problems.append(f"{item_count} evidence items but {added} logged additions")
    if item_count != len(items):
        problems.append("evidence items without a stored file row")
    leftovers = list((files / "incoming").glob("*")) if (files / "incoming").exists() else []
    return {
        "records": len(records),
        "evidence_items": item_count,
        "acknowledged_saves_lost": lost_saves,
        "acknowledged_uploads_lost": lost_uploads,
        "inconsistent": len(problems),
        "files_in_store": len(on_disk),
        "files_damaged": len(damaged),
        "files_unreferenced": len([p for p in on_disk if p.parent.name + p.name not in referenced]),
        "partial_uploads_in_incoming": len(leftovers),
        "examples": problems[:5],
    }


def run_one(kind: str, url: str, files: Path, args) -> dict:
    contributors, metrics = prepare(url, args.institutions, 5)
    port = free_port()
    server = start_server(url, files, port, 2, start_new_session=True)

    async def scenario():
        state = await load(port, contributors, metrics, args.kill_after)
        os.killpg(server.pid, signal.SIGKILL)  # the master and both workers, mid-request
        await asyncio.gather(*state["tasks"])
        return state

    state = asyncio.run(scenario())
    server.wait()
    leftovers_before = len(list((files / "incoming").glob("*"))) if (files / "incoming").exists() else 0
    # recovery: the same database and files serve again
    restarted = start_server(url, files, port, 2, start_new_session=True)
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(timeout=30)
    os.killpg(restarted.pid, signal.SIGKILL) if restarted.poll() is None else None
    result = check(url, files, state["acked_saves"], state["acked_uploads"])
    return {
        "database": kind,
        "clients": len(contributors),
        "requests": dict(sorted(state["counts"].items())),
        "acknowledged_saves": len(state["acked_saves"]),
        "acknowledged_uploads": len(state["acked_uploads"]),
        "partial_uploads_at_kill": leftovers_before,
        **result,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--institutions", type=int, default=20)
    ap.add_argument("--kill-after", type=float, default=8.0, help="seconds of load before SIGKILL")
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()

    from portal_pg import Cluster, why_not

    with tempfile.TemporaryDirectory(prefix="bench-portal-crash-") as tmp:
        if args.only in (None, "sqlite"):
            print(
                json.dumps(run_one("sqlite", f"sqlite:///{tmp}/portal.sqlite", Path(tmp) / "files-sqlite", args)),
                flush=True,
            )
        if args.only in (None, "postgresql"):
            reason = why_not()
            if reason:
                print(f"postgresql: skipped ({reason})", flush=True)
            else:
                cluster = Cluster()
                try:
                    print(json.dumps(run_one("postgresql", cluster.start(), Path(tmp) / "files-pg", args)), flush=True)
                finally:
                    cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
