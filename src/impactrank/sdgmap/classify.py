"""Labelling publications with SDGs: one or several query systems, optionally an ensemble vote."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

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
BATCH = 2_000


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

    def classify_columns(self, columns: Sequence[Sequence[str | None]]) -> tuple[list[list[int]], list[list[str]]]:
        """Per document (given as one sequence per field): the agreed SDGs and every matched query line."""
        batch = streams(columns)
        per_system = [b.match_streams(batch) for b in self.batches]
        out_sdgs: list[list[int]] = []
        out_lines: list[list[str]] = []
        for doc in zip(*per_system, strict=True):
            if not any(doc):  # most documents match no line
                out_sdgs.append([])
                out_lines.append([])
                continue
            lines: list[str] = []
            votes: dict[int, int] = {}
            for m, matched in zip(self.matchers, doc, strict=True):
                lines.extend(m.lines[i].line_id for i in matched)
                for s in m.sdgs(matched):
                    votes[s] = votes.get(s, 0) + 1
            out_sdgs.append(sorted(s for s, v in votes.items() if v >= self.min_agree))
            out_lines.append(lines)
        return out_sdgs, out_lines

    def classify_frame(
        self, frame: pl.DataFrame, field_names: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> pl.DataFrame:
        """``frame`` as made by :func:`text_frame`; returns work_id, sdgs, query_lines sorted by work_id."""
        parts = []
        for start in range(0, frame.height, BATCH):  # batch by batch: Python objects for one batch only
            chunk = frame.slice(start, BATCH)
            sdgs, lines = self.classify_columns([chunk[f"_f_{f}"] for f in field_names])
            parts.append(label_frame(chunk["work_id"], sdgs, lines))
            if progress:
                progress(chunk.height)
        out = pl.concat(parts) if parts else pl.DataFrame(schema=LABEL_SCHEMA)
        return out.sort("work_id", maintain_order=True)


def label_frame(work_id: pl.Series, sdgs: list[list[int]], lines: list[list[str]]) -> pl.DataFrame:
    """The labels of a batch as a frame; nested lists go through Arrow, which builds them far faster than
    polars does from Python objects."""
    return pl.DataFrame(
        {
            "work_id": work_id,
            "sdgs": pl.from_arrow(pa.array(sdgs, pa.list_(pa.int8()))),
            "query_lines": pl.from_arrow(pa.array(lines, pa.list_(pa.large_string()))),
        },
        schema=LABEL_SCHEMA,
    )


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
