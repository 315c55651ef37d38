"""Labelling publications with SDGs: one or several query systems, optionally an ensemble vote."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from impactrank.errors import N_, InputError
from impactrank.io.atomic import atomic_path
from impactrank.io.exports import export_table
from impactrank.sdgmap.batch import BatchMatcher
from impactrank.sdgmap.loaders import QuerySet
from impactrank.sdgmap.matcher import Matcher
from impactrank.sdgmap.publications import TextColumns, read_publications, text_frame
from impactrank.sdgmap.streams import streams

LABEL_SCHEMA = {"work_id": pl.String, "sdgs": pl.List(pl.Int8), "query_lines": pl.List(pl.String)}
BATCH = 4_000


@dataclass
class Classifier:
    """Compiled matchers for one or more query systems; a label needs ``min_agree`` systems to agree."""

    query_sets: Sequence[QuerySet]
    fields: Sequence[str] = ("text",)
    min_agree: int = 1

    def __post_init__(self) -> None:
        if not self.query_sets:
            raise InputError(N_("no query set given"))
        if not 1 <= self.min_agree <= len(self.query_sets):
            raise InputError(
                N_("--min-agree must be between 1 and %(count)s (the number of query sets)"),
                params={"count": len(self.query_sets)},
            )
        self.matchers = [Matcher(q, self.fields) for q in self.query_sets]
        self.batches = [BatchMatcher(m) for m in self.matchers]
        # per system its lines grouped by SDG: the order, where each SDG's lines start, and the SDGs
        self._by_sdg = []
        for m in self.matchers:
            order = np.argsort(m.sdg_of_line, kind="stable")
            sdg, starts = np.unique(np.asarray(m.sdg_of_line)[order], return_index=True)
            self._by_sdg.append((order, starts, sdg))
        self._line_ids = pa.array([line.line_id for m in self.matchers for line in m.lines], pa.large_string())

    def label_columns(self, columns: Sequence[Sequence[str | None]]) -> tuple[pa.Array, pa.Array]:
        """Per document (given as one sequence per field) the agreed SDGs and every matched query line, as
        Arrow list arrays built from numpy, with no Python object per document."""
        batch = streams(columns)
        n = len(batch.raw)
        votes = np.zeros((18, n), dtype=np.int32)
        docs, lines, first = [], [], 0
        for b, (order, starts, sdg) in zip(self.batches, self._by_sdg, strict=True):
            matched = b.matrix(batch)
            if len(order):
                votes[sdg] += np.logical_or.reduceat(matched[order], starts, axis=0)
            d, i = np.nonzero(matched.T)
            docs.append(d)
            lines.append(i + first)
            first += len(matched)
        agreed = votes >= self.min_agree
        doc, sdg = np.nonzero(agreed.T)
        sdgs = _lists(doc, pa.array(sdg.astype(np.int8)), n)
        doc, line = np.concatenate(docs), np.concatenate(lines)
        order = np.argsort(doc, kind="stable")  # by document, then system, then line
        return sdgs, _lists(doc[order], self._line_ids.take(pa.array(line[order])), n)

    def classify_frame(
        self, frame: pl.DataFrame, field_names: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> pl.DataFrame:
        """``frame`` as made by :func:`text_frame`; returns work_id, sdgs, query_lines sorted by work_id."""
        parts = []
        for start in range(0, frame.height, BATCH):  # batch by batch: Python objects for one batch only
            chunk = frame.slice(start, BATCH)
            sdgs, lines = self.label_columns([chunk[f"_f_{f}"] for f in field_names])
            parts.append(label_frame(chunk["work_id"], sdgs, lines))
            if progress:
                progress(chunk.height)
        out = pl.concat(parts) if parts else pl.DataFrame(schema=LABEL_SCHEMA)
        return out.sort("work_id", maintain_order=True)


def label_frame(work_id: pl.Series, sdgs: pa.Array, lines: pa.Array) -> pl.DataFrame:
    """The labels of a batch as a frame."""
    return pl.DataFrame(
        {"work_id": work_id, "sdgs": pl.from_arrow(sdgs), "query_lines": pl.from_arrow(lines)}, schema=LABEL_SCHEMA
    )


def _lists(doc: np.ndarray, values: pa.Array, n: int) -> pa.Array:
    """Values sorted by document as one list per document 0 … n-1."""
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(doc, minlength=n), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def classify_table(
    df: pl.DataFrame,
    query_sets: Sequence[QuerySet],
    columns: TextColumns = TextColumns(),
    min_agree: int = 1,
    progress: Callable[[int], None] | None = None,
    file: str | None = None,
    rows: pl.Series | None = None,
) -> pl.DataFrame:
    """Labels for a publications table: one row per work, SDGs and the query lines that matched (``rows``: the
    table's row numbers, for messages)."""
    frame, fields = text_frame(df, columns, file, rows)
    classifier = Classifier(query_sets, fields, min_agree)
    return classifier.classify_frame(frame, fields, progress)


LABEL_FORMATS = ("parquet", "csv", "jsonl")


def write_labels(labels: pl.DataFrame, out: Path | str) -> None:
    """Parquet, CSV or JSON lines by the file's suffix, written beside the target and renamed, so a failed run
    leaves no half file. CSV holds the lists as "3;13", which ``sdg metrics --labels`` reads back."""
    out = Path(out)
    if out.suffix.lower() in (".csv", ".jsonl"):
        if out.suffix.lower() == ".csv":
            labels = labels.with_columns(
                pl.col("sdgs").cast(pl.List(pl.String)).list.join(";"), pl.col("query_lines").list.join(";")
            )
        export_table(labels, out)
        return
    # One chunk and fixed row groups: the bytes must not depend on how the rows were computed (dask or not).
    with atomic_path(out) as tmp:
        labels.rechunk().write_parquet(tmp, compression="zstd", statistics=False, row_group_size=100_000)


def classify_file(
    path: Path | str,
    query_sets: Sequence[QuerySet],
    columns: TextColumns = TextColumns(),
    min_agree: int = 1,
    progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    pubs = read_publications(path)
    return classify_table(pubs.frame, query_sets, columns, min_agree, progress, file=str(path), rows=pubs.rows)
