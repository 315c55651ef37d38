"""A build's files, written while its engine still computes: the output folder (CSV files and the manifest,
appearing together) and the workspace's Parquet files, each on a thread of its own (polars, hashlib and DuckDB
release the GIL) from the moment the engine hands its table over.

The order that keeps a failure from leaving half a build: the workspace takes the rows, the output files are put
in place, then the workspace commits. A failure before that leaves neither the folder nor the edition, and no
file of either (the staged folder is removed once every thread has finished; the workspace removes the table
files no committed edition names)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.overall import N_SDGS
from impactrank.io.atomic import atomic_folder
from impactrank.io.exports import neutralise_formulas
from impactrank.io.workspace import PARQUET_TABLES, Workspace

OUTPUT_FILES = ("overall.csv", "sdg_scores.csv", "metric_scores.csv", "manifest.json")
METRIC_COLUMNS = ("institution_id", "sdg", "metric", "raw", "score", "weight", "contribution", "missing")
SDG_COLUMNS = ("institution_id", "sdg", "score", "scaled_score", "counted", "rank", "rank_position", "band")
HASH_PIECE = 1 << 22  # bytes hashed at a time behind the CSV writer


class BuildFiles:
    """Use as a context manager around the engine: :meth:`take` is its ``on_table``, :meth:`finish` the rest."""

    def __init__(self, out: Path | None, workspace: Workspace | None) -> None:
        self.out, self.ws = out, workspace
        self._stack, self._folder = ExitStack(), ExitStack()
        self.staging: Path | None = None  # the output folder's files, until they are put in place
        self._hashes: dict[str, Future[str]] = {}  # output file → its sha256
        self._tables: dict[str, Future[str]] = {}  # workspace table → its Parquet file

    def __enter__(self) -> BuildFiles:
        with ExitStack() as entering:
            entering.push(self._stack)
            # (the folder is left with the error of the build, after every thread has finished)
            self._stack.enter_context(self._folder)
            self.staging = self._folder.enter_context(atomic_folder(self.out, OUTPUT_FILES)) if self.out else None
            # a thread for each file: the three CSV files and the two Parquet files the engine hands over
            self._pool = self._stack.enter_context(ThreadPoolExecutor(max_workers=5))
            entering.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)

    def take(self, name: str, frame: pl.DataFrame) -> None:
        """A table the engine has finished: written now, on threads, while the engine goes on."""
        if name == "metric_scores" and self.staging is not None:
            self._csv("metric_scores.csv", lambda: frame.select(METRIC_COLUMNS))
        if self.ws is not None and name in PARQUET_TABLES and frame.height:
            self._tables[name] = self._pool.submit(self.ws.write_file, name, frame)

    def finish(self, edition: Edition) -> dict[str, Path]:
        """The other files written, the workspace saved and the output folder put in place, in the order above."""
        if self.staging is not None:
            self._csv("sdg_scores.csv", lambda: edition.sdg_scores.select(SDG_COLUMNS))
            self._csv("overall.csv", lambda: overall_export(edition))
        if self.ws is None:
            self._publish(edition)
        else:
            ahead = {name: written.result for name, written in self._tables.items()}
            self.ws.save(edition, ahead=ahead, before_commit=lambda: self._publish(edition))
        return {name: self.out / name for name in OUTPUT_FILES} if self.out else {}

    def _csv(self, name: str, table: Callable[[], pl.DataFrame]) -> None:
        def write() -> str:
            return write_csv_hashed(neutralise_formulas(table()), self.staging / name)  # "=cmd()" must not run

        self._hashes[name] = self._pool.submit(write)

    def _publish(self, edition: Edition) -> None:
        """The manifest, with each file's hash, written last; then the folder appears whole."""
        if self.staging is None:
            return
        manifest = {**edition.manifest, "edition": edition.id}
        manifest["outputs"] = {name: written.result() for name, written in self._hashes.items()}
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        (self.staging / "manifest.json").write_text(text, encoding="utf-8")
        self._folder.close()


def write_csv_hashed(frame: pl.DataFrame, path: Path) -> str:
    """Write the frame as CSV and return the file's sha256, hashed while polars writes it: a thread reads the
    file behind the writer (the same file, from the page cache) instead of reading it all again afterwards."""
    path.write_bytes(b"")  # the file the reader follows; polars writes into it (truncated, the same file)
    written = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(_hash_behind, path, written)
        try:
            frame.write_csv(path)
        finally:
            written.set()
        return hashing.result()


def _hash_behind(path: Path, written: threading.Event) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while True:
            done = written.is_set()  # (before the read: once set, a read that finds nothing is the end)
            piece = fh.read(HASH_PIECE)
            if piece:
                digest.update(piece)
            elif done:
                return digest.hexdigest()
            else:
                time.sleep(0.005)


def overall_export(edition: Edition) -> pl.DataFrame:
    """The overall table as ``overall.csv`` has it: names and countries joined, and the scaled scores that
    made the overall score (SDG 17 and each of the best SDGs, best first)."""
    required = edition.manifest.get("overall_rules", {}).get("required_sdg", 17)  # "sdg17" columns: the required SDG
    frame = edition.overall.join(
        edition.institutions.select("institution_id", "name", "country"),
        on="institution_id",
        how="left",
        maintain_order="left",
    )
    parts = pl.col("top_sdgs").str.split(";")
    k = int(frame.select(parts.list.len().max()).item() or 0)
    frame = frame.with_columns(
        parts.list.get(i, null_on_oob=True).cast(pl.Int64).alias(f"top{i + 1}_sdg") for i in range(k)
    )
    scaled = _scaled_lookup(frame["institution_id"], edition.sdg_scores)
    frame = frame.with_columns(
        sdg17_scaled=scaled(pl.Series([required] * frame.height, dtype=pl.Int64)),
        **{f"top{i + 1}_scaled": scaled(frame[f"top{i + 1}_sdg"]) for i in range(k)},
    )
    top_cols = [c for i in range(k) for c in (f"top{i + 1}_sdg", f"top{i + 1}_scaled")]
    averaged = ["single_year_score"] if edition.manifest.get("previous_editions") else []
    return frame.select(
        "institution_id",
        "name",
        "country",
        "rank",
        "rank_position",
        "band",
        "overall_score",
        *averaged,
        "overall_display",
        "sdg17_score",
        "sdg17_scaled",
        "top_sdgs",
        *top_cols,
    )


def _scaled_lookup(ids: pl.Series, sdg_scores: pl.DataFrame) -> Callable[[pl.Series], pl.Series]:
    """For the rows of ``ids``, a function from an SDG column to the institution's scaled score of that SDG (null
    where there is none). The counted rows (those an overall score is made of) in a matrix by row and SDG: one join
    where a join for each column cost four times as long."""
    placed = (
        ids.to_frame()
        .with_row_index("row")
        .join(sdg_scores.filter(pl.col("counted")).select("institution_id", "sdg", "scaled_score"), on="institution_id")
    )
    values = np.full((len(ids), N_SDGS + 1), np.nan)
    known = np.zeros((len(ids), N_SDGS + 1), dtype=bool)
    row, sdg = placed["row"].to_numpy(), placed["sdg"].to_numpy()
    values[row, sdg] = placed["scaled_score"].to_numpy()
    known[row, sdg] = placed["scaled_score"].is_not_null().to_numpy()
    rows = np.arange(len(ids))

    def scaled(sdg: pl.Series) -> pl.Series:
        at = sdg.fill_null(0).to_numpy()  # (column 0 is never known)
        return pl.Series(values[rows, at]).scatter(np.flatnonzero(~known[rows, at]), None)

    return scaled
