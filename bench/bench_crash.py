"""Crash safety: ``build``, ``import`` and ``uncertainty`` killed with SIGKILL at random moments.

Each command runs as its own process, as a user runs it, and is killed (``SIGKILL``: no clean-up of any kind)
after a random delay, from a fixed seed, so the same moments come back on every run: ``--kills`` moments drawn
uniformly over the command's measured run time, then ``--write-kills`` drawn over its writing phase (from the
moment the run takes the workspace for writing to its end; most of a run is reading and computing). That moment
is learnt from the run itself, not guessed from the clock: the bench holds the workspace's lock file shared until
the run asks for it exclusively and says on stderr that it waits (see :class:`Started`). The runs alternate
between two inputs (two synthetic fields; two published tables; two seeds), so that a kill while one replaces
the other would show as a mixture. After each kill:

- the workspace opens, read-only, as the next command would open it (DuckDB replays the committed transactions
  of its ``.wal``), and the edition is complete or absent. Complete means identical, table by table and row by
  row, to the edition a clean run of the same inputs made; an edition present before the kill is still there,
  as it was or as the killed run was making it;
- each output (``build``'s folder, ``uncertainty``'s folder, ``import``'s ``--report`` file) is complete or
  absent: byte for byte what a clean run wrote (or what was there before), or not there at all. Nothing but the
  workspace and the outputs is visible under a final name: a killed write may leave only temporary names
  (``.NAME.PID.XXXXXXXX.tmp``, removed by the next write of the same target once their process has ended), the
  workspace's ``.wal`` (committed changes, replayed at the next open) and its ``.lock`` (empty; removed by the
  next holder).

Each kill is counted by what it left: *before writing* (all as before, nothing new left over); *held, unwritten*
(nothing changed on disk, but the run was killed holding the workspace, its lock file left behind: for a
writer, inside its transaction, which DuckDB drops, as it shows on disk only when it commits); *mid-write* (a
temporary name, a WAL written, or one output new and another not yet); *after writing* (all new, nothing left
over: killed while printing); or *finished* (the run ended before its moment came). A last clean run per
command must succeed and leave nothing but final names.

  python bench/bench_crash.py                # 20 + 20 kills per command over a 2,000-institution field
  python bench/bench_crash.py --kills 2 --write-kills 2 --size 300 --runs 64    # the test suite's short form

Prints a table of the counts; exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

EDITION = "2021"
COMMANDS = ("build", "import", "uncertainty")
VARIANTS = ("a", "b")
OUTPUTS = {"build": ("out",), "import": ("import.json",), "uncertainty": ("unc",)}
WORKSPACE = "ws.duckdb"
DUCKDB_LEFTOVERS = (WORKSPACE + ".wal", WORKSPACE + ".lock")
TABLE_FILES = WORKSPACE + ".tables"  # the workspace's largest tables, as Parquet files


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from impactrank.cli import main; main()", *args]


def command_args(command: str, variant: str, inputs: Path, runs: int) -> list[str]:
    if command == "build":
        return [
            "build",
            *("-i", str(inputs / f"institutions_{variant}.csv"), "-s", str(inputs / f"submissions_{variant}.csv")),
            *("-m", "the-2021", "-o", "out", "-w", WORKSPACE, "-e", EDITION),
        ]
    if command == "import":
        return ["import", str(inputs / f"published_{variant}.csv"), "-e", EDITION, "-w", WORKSPACE]
    seed = str(VARIANTS.index(variant) + 1)
    return ["uncertainty", "-e", EDITION, "-w", WORKSPACE, "-n", str(runs), "--seed", seed, "-o", "unc"]


def _extra_args(command: str) -> list[str]:
    return ["--report", "import.json"] if command == "import" else []


# --- inputs -----------------------------------------------------------------------------------------------------


def prepare_inputs(root: Path, size: int) -> Path:
    """Two synthetic fields (institutions, submissions), each built once in this process, and a published table
    made from each build's outputs (rank, name, country, overall, SDG scores to one decimal); the workspace
    ``base.duckdb`` holds field a's edition, the one ``uncertainty`` starts from."""
    import polars as pl

    from impactrank.demo import generate_field
    from impactrank.io.build import build
    from impactrank.methodology import load_methodology

    inputs = root / "inputs"
    inputs.mkdir(parents=True)
    method = load_methodology("the-2021")
    for i, variant in enumerate(VARIANTS):
        fld = generate_field(method, size, seed=101 + i)
        fld.institutions.write_csv(inputs / f"institutions_{variant}.csv")
        fld.submissions.write_csv(inputs / f"submissions_{variant}.csv")
        out = root / f"build_{variant}"
        build(
            inputs / f"institutions_{variant}.csv",
            inputs / f"submissions_{variant}.csv",
            methodology=method,
            out=out,
            workspace=inputs / "base.duckdb" if variant == "a" else None,
            edition_id=EDITION,
        )
        overall = pl.read_csv(out / "overall.csv", infer_schema=False)
        scores = pl.read_csv(out / "sdg_scores.csv").with_columns(
            key=pl.format("SDG{}", pl.col("sdg")), score=pl.col("score").round(1)
        )
        wide = scores.pivot(on="key", index="institution_id", values="score")
        sdgs = sorted((c for c in wide.columns if c.startswith("SDG")), key=lambda c: int(c[3:]))
        overall.select("institution_id", "rank", "name", "country", overall="overall_display").join(
            wide.select("institution_id", *sdgs), on="institution_id", how="left", maintain_order="left"
        ).drop("institution_id").write_csv(inputs / f"published_{variant}.csv")
        shutil.rmtree(out)
    return inputs


def fresh_folder(path: Path, command: str, inputs: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    if command == "uncertainty":
        shutil.copy(inputs / "base.duckdb", path / WORKSPACE)
        shutil.copytree(inputs / "base.duckdb.tables", path / TABLE_FILES)
    return path


# --- state ------------------------------------------------------------------------------------------------------


def edition_digest(folder: Path) -> str | None:
    """A digest of the edition, table by table and row by row (None: no such edition, or no workspace). Opened
    read-only, as the next reader would; raises when it does not open."""
    from impactrank.engine.tables.edition import TABLES
    from impactrank.errors import InputError
    from impactrank.io.workspace import Workspace

    path = folder / WORKSPACE
    if not path.exists():
        return None
    try:
        ws = Workspace(path, read_only=True, wait=0)
    except InputError as exc:
        if "no workspace at" in str(exc):  # a creation cut short: holds nothing
            return None
        raise
    with ws:
        if not ws.has(EDITION):
            return None
        ed = ws.load(EDITION, inputs=True)
        row = ws.editions().filter(edition=EDITION).to_dicts()[0]
    digest = hashlib.sha256(json.dumps([row, ed.kind, ed.source, ed.manifest, ed.methodology], sort_keys=True).encode())
    for name in TABLES:
        digest.update(name.encode() + b"\0" + getattr(ed, name).write_csv().encode() + b"\0")
    return digest.hexdigest()


def output_digest(path: Path) -> str | None:
    """A digest of a file, or of a folder's files by name (temporary names excluded: they are left-overs)."""
    from impactrank.io.atomic import is_temporary

    if not path.exists():
        return None
    digest = hashlib.sha256()
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if not is_temporary(entry.name):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class State:
    edition: str | None
    outputs: dict[str, str | None]
    temporary: list[str]  # temporary names left beside or in the outputs
    wal: tuple[int, int] | None  # the workspace's .wal (size, modification time), when present
    lock: bool  # the workspace's .lock is there
    stray: list[str]  # anything else under a name that is not a final one

    def artifacts(self) -> dict[str, str | None]:
        return {"edition": self.edition, **self.outputs}


def read_state(folder: Path, command: str) -> State:
    from impactrank.io.atomic import is_temporary

    outputs = {name: output_digest(folder / name) for name in OUTPUTS[command]}
    temporary, stray = [], []
    for entry in sorted(folder.iterdir()):
        if is_temporary(entry.name):
            temporary.append(entry.name)
        elif entry.name not in (WORKSPACE, TABLE_FILES, *OUTPUTS[command], *DUCKDB_LEFTOVERS):
            stray.append(entry.name)
        elif entry.is_dir():
            temporary += [f"{entry.name}/{e.name}" for e in entry.iterdir() if is_temporary(e.name)]
    wal = folder / DUCKDB_LEFTOVERS[0]
    wal_sig = (wal.stat().st_size, wal.stat().st_mtime_ns) if wal.exists() else None
    lock = (folder / DUCKDB_LEFTOVERS[1]).exists()
    return State(edition_digest(folder), outputs, temporary, wal_sig, lock, stray)


def name_of(digest: str | None, refs: dict[str, str | None]) -> str:
    """Which clean state a digest is: a variant, "base" (before any run), "absent", or "BROKEN"."""
    if digest is None:
        return "absent"
    for name, ref in refs.items():
        if ref == digest:
            return name
    return "BROKEN"


# --- runs -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """A clean run's writing phase: it begins when the run takes the workspace for writing (``writer``: the run
    asked for the workspace's exclusive lock; otherwise at its first change on disk) at ``start`` seconds and
    lasts ``span`` seconds, to the end."""

    writer: bool
    start: float
    span: float


class Started:
    """A run of the command, gated or not. The gate is a shared hold on the workspace's lock file, taken before
    the run starts, so that the run's request for the exclusive lock (a writer's take) is refused by the kernel
    and the run says so on stderr ("waiting for …", one line when not on a terminal): the watcher learns of the
    take from the run itself, whatever the machine's load, and then opens the gate. Readers pass it as if it
    were not there. ``taken``: seconds from the start to the gate's opening (None: the run never asked)."""

    def __init__(self, folder: Path, args: list[str], gated: bool = True) -> None:
        from impactrank.io.lock import LockFile

        self._gate = LockFile(folder / WORKSPACE, exclusive=False)
        if gated and not self._gate.acquire():
            raise RuntimeError(f"{folder}: the workspace is held before the run starts")
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(cli(*args), cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.taken: float | None = None
        self._asked = False
        self._told = threading.Event()  # the run asked to write, or ended
        self._err: list[bytes] = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if not gated:
            self._told.set()

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            if line.startswith(b"waiting for "):
                self._asked = True
                self._told.set()
            else:
                self._err.append(line)
        self._told.set()

    def asked_or_ended(self) -> bool:
        return self._told.is_set()

    def wait_for_take(self) -> float | None:
        """Block until the run asks to write (then open the gate) or ends; the seconds from the start to the
        gate's opening, or None when it never asked."""
        self._told.wait()
        if self._gate.held:
            self._gate.release()
            if self._asked:
                self.taken = time.perf_counter() - self.start
        return self.taken

    def finish(self) -> str:
        """Wait for the end (the gate opened if it was not); what the run wrote on stderr, less the gate's line."""
        self.wait_for_take()
        self.proc.wait()
        self._reader.join()
        self.proc.stderr.close()
        return b"".join(self._err).decode(errors="replace")


CLASSES = ("before writing", "held, unwritten", "mid-write", "after writing", "finished")
SERIES = {
    "run": "moments drawn over the whole measured run time",
    "writes": "moments drawn over the writing phase, counted from the moment the run takes the workspace for it",
}


@dataclass
class Tally:
    command: str
    run_time: float = 0.0
    writes: Phase | None = None  # the writing phase of the clean runs
    kills: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SERIES, 0))
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {s: dict.fromkeys(CLASSES, 0) for s in SERIES})
    survived: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SERIES, 0))
    leftovers: dict[str, int] = field(default_factory=dict)  # kinds of left-over seen after kills
    failures: list[str] = field(default_factory=list)


def _disk(folder: Path) -> object:
    """What a run has changed on disk so far (names, sizes, times; the lock file aside: readers make it too)."""
    seen = []
    try:
        for entry in os.scandir(folder):
            if entry.name == DUCKDB_LEFTOVERS[1]:
                continue
            st = entry.stat(follow_symlinks=False)
            seen.append((entry.name, st.st_size, st.st_mtime_ns))
            if entry.is_dir(follow_symlinks=False):
                seen += [(f"{entry.name}/{e.name}", e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(entry)]
    except OSError:  # a name went while we looked: a change
        return object()
    return sorted(seen)


def run_clean(folder: Path, args: list[str]) -> Phase:
    """Run to the end through the gate: the writing phase begins when the run takes the workspace for writing (a
    DuckDB transaction shows on disk only when it commits), or at its first change on disk for a run that never
    asks to write."""
    initial = _disk(folder)
    run = Started(folder, args)
    first = None
    while first is None and not run.asked_or_ended():  # a first change on disk, for a run that never asks
        if _disk(folder) != initial:
            first = time.perf_counter() - run.start
        time.sleep(0.002)
    err = run.finish()
    end = time.perf_counter() - run.start
    if run.proc.returncode != 0:
        raise RuntimeError(f"clean run failed: {' '.join(args)}\n{err}")
    begin = run.taken if run.taken is not None else first if first is not None else end
    return Phase(run.taken is not None, begin, end - begin)


def references(root: Path, tally: Tally, inputs: Path, runs: int) -> dict[str, dict[str, str | None]]:
    """Each artifact's digest after a clean run of each variant (and before any run: "base"); the longer run
    time and the writing phase go to the tally."""
    command = tally.command
    folder = fresh_folder(root / f"reference-{command}", command, inputs)
    base = read_state(folder, command).artifacts()
    refs: dict[str, dict[str, str | None]] = {key: {"base": value} for key, value in base.items()}
    phases = []
    for variant in VARIANTS:
        fresh_folder(folder, command, inputs)
        phases.append(run_clean(folder, command_args(command, variant, inputs, runs) + _extra_args(command)))
        for key, value in read_state(folder, command).artifacts().items():
            refs[key][variant] = value
    for key, states in refs.items():
        if states["a"] == states["b"]:
            raise RuntimeError(f"{command}: the two variants give the same {key}: a mixture could not show")
    if phases[0].writer != phases[1].writer:
        raise RuntimeError(f"{command}: one clean run was seen taking the workspace for writing, the other not")
    tally.run_time = max(p.start + p.span for p in phases)
    tally.writes = Phase(phases[0].writer, min(p.start for p in phases), max(p.span for p in phases))
    shutil.rmtree(folder)
    return refs


def kill_runs(root: Path, command: str, inputs: Path, kills: int, write_kills: int, seed: int, runs: int) -> Tally:
    from impactrank.io.atomic import exchange_supported

    tally = Tally(command)
    refs = references(root, tally, inputs, runs)
    rng = random.Random(f"{seed}-{command}")
    folder = fresh_folder(root / f"kill-{command}", command, inputs)
    may_vanish = not exchange_supported(folder)  # without an atomic exchange a replaced folder is briefly absent

    def names(state: State) -> dict[str, str]:
        return {key: name_of(value, refs[key]) for key, value in state.artifacts().items()}

    moments = [("run", rng.uniform(0.0, tally.run_time)) for _ in range(kills)]
    moments += [("writes", rng.uniform(0.0, tally.writes.span)) for _ in range(write_kills)]
    state = read_state(folder, command)
    for i, (series, delay) in enumerate(moments, start=1):
        before, old = names(state), state
        current = next((now for now in before.values() if now in VARIANTS), None)  # the edition's first
        variant = "b" if current == "a" else "a" if current == "b" else VARIANTS[i % 2]
        args = command_args(command, variant, inputs, runs) + _extra_args(command)
        run = Started(folder, args, gated=series == "writes" and tally.writes.writer)
        proc = run.proc
        waited = 0.0
        if series == "writes":
            # anchored on the take, not the clock: a busy machine varies the time to get there by 2x
            if tally.writes.writer:
                taken = run.wait_for_take()
                waited = taken if taken is not None else time.perf_counter() - run.start
            else:
                time.sleep(tally.writes.start)
                waited = tally.writes.start
        time.sleep(delay)
        delay += waited  # seconds from the start, for the report
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        err = run.finish().encode()
        tally.kills[series] += 1
        problems = []
        if proc.returncode not in (0, -signal.SIGKILL):
            problems.append(f"exit {proc.returncode}: {err.decode(errors='replace').strip()[-300:]}")
        try:
            state = read_state(folder, command)
        except Exception as exc:  # the workspace does not open: the worst outcome
            tally.failures.append(f"kill {i} at {delay:.2f} s: the workspace does not open: {exc}")
            return tally
        after = names(state)
        for key, now in after.items():
            allowed = {before[key], variant}
            if key != "edition" and may_vanish:
                allowed.add("absent")
            if now not in allowed:
                problems.append(f"{key} is {now} (was {before[key]}, the run wrote {variant})")
        if state.stray:
            problems.append(f"stray names: {', '.join(state.stray)}")
        if proc.returncode == 0:
            moment = "finished"
            if any(now != variant for now in after.values()) or state.temporary:
                problems.append(f"finished, yet {after} with {state.temporary}")
        elif after == before and state.temporary == old.temporary and state.wal == old.wal:
            moment = "held, unwritten" if state.lock else "before writing"  # (the last check removed any stale lock)
        elif all(now == variant for now in after.values()) and not state.temporary and state.wal is None:
            moment = "after writing"
        else:
            moment = "mid-write"
        tally.counts[series][moment] += 1
        for kind, present in (("temporary", state.temporary), ("wal", state.wal), ("lock", state.lock)):
            if present:
                tally.leftovers[kind] = tally.leftovers.get(kind, 0) + 1
        if problems:
            tally.failures.append(f"kill {i} at {delay:.2f} s ({moment}): " + "; ".join(problems))
        else:
            tally.survived[series] += 1
    # the next clean run recovers everything and leaves only final names
    variant = "b" if names(state)["edition"] == "a" else "a"
    try:
        run_clean(folder, command_args(command, variant, inputs, runs) + _extra_args(command))
        state = read_state(folder, command)
        if any(now != variant for now in names(state).values()):
            tally.failures.append(f"recovery run: {names(state)}, expected {variant}")
        if state.temporary or state.wal or state.lock or state.stray:
            tally.failures.append(f"recovery run left {state}")
    except Exception as exc:
        tally.failures.append(f"recovery run: {exc}")
    return tally


def run(
    kills: int, write_kills: int, seed: int, size: int, runs: int, commands: tuple[str, ...], root: Path
) -> list[Tally]:
    inputs = prepare_inputs(root, size)
    return [kill_runs(root, command, inputs, kills, write_kills, seed, runs) for command in commands]


def render(tallies: list[Tally]) -> str:
    classes = "".join(f"{c:>16}" for c in CLASSES)
    lines = [f"{'command':<12}{'moments over':<14}{'kills':>6}{classes}{'survived':>10}"]
    for t in tallies:
        for series in SERIES:
            if t.kills[series]:
                lines.append(
                    f"{t.command:<12}{series:<14}{t.kills[series]:>6}"
                    + "".join(f"{t.counts[series][c]:>16}" for c in CLASSES)
                    + f"{t.survived[series]:>10}"
                )
    lines.append("")
    for t in tallies:
        seen = ", ".join(f"{kind} after {n}" for kind, n in sorted(t.leftovers.items())) or "nothing"
        lines.append(
            f"{t.command}: clean run {t.run_time:.2f} s, writing phase {t.writes.span:.2f} s from "
            f"{t.writes.start:.2f} s; left over after kills (removed or replayed by the next run): {seen}"
        )
        lines += [f"{t.command}: FAILED {f}" for f in t.failures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="kills per command over its run time (default 20)")
    parser.add_argument(
        "--write-kills", type=int, default=20, help="kills per command over its writing phase (default 20)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments (default 0)")
    parser.add_argument("--size", type=int, default=2000, help="institutions in each synthetic field")
    parser.add_argument("--runs", type=int, default=256, help="uncertainty's model evaluations")
    parser.add_argument("--commands", default=",".join(COMMANDS), help="which commands, comma-separated")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    commands = tuple(c for c in args.commands.split(",") if c)
    if unknown := set(commands) - set(COMMANDS):
        parser.error(f"unknown commands {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="bench-crash-") as tmp:
        root = args.dir or Path(tmp)
        start = time.perf_counter()
        tallies = run(args.kills, args.write_kills, args.seed, args.size, args.runs, commands, root)
    print(render(tallies))
    kills = sum(sum(t.kills.values()) for t in tallies)
    survived = sum(sum(t.survived.values()) for t in tallies)
    print(f"{kills} kills, {survived} survived, {time.perf_counter() - start:.0f} s", flush=True)
    return 1 if any(t.failures for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
