"""``impactrank build`` as a function: read and validate inputs, build, write outputs and the manifest,
register the edition in the workspace."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from impactrank import __version__
from impactrank.engine.build import build_edition
from impactrank.engine.edition import Edition
from impactrank.io.atomic import atomic_path
from impactrank.io.exports import neutralise_formulas
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.io.workspace import Workspace
from impactrank.methodology import Methodology, load_methodology, methodology_hash

OUTPUT_FILES = ("overall.csv", "sdg_scores.csv", "metric_scores.csv", "manifest.json")


@dataclass(frozen=True)
class BuildReport:
    edition: Edition
    out: Path | None
    files: dict[str, Path]
    replaced: bool = False  # the workspace already held an edition with this id


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def build(
    institutions: str | Path,
    submissions: str | Path | Sequence[str | Path],
    *,
    methodology: str | Path | Methodology = "the-2021",
    out: str | Path | None = None,
    workspace: str | Path | None = None,
    edition_id: str | None = None,
    seed: int | None = None,
) -> BuildReport:
    """Build one edition. Nothing is written unless every input is valid.

    ``seed`` is recorded in the manifest when the inputs were generated from one (the synthetic demo)."""
    method = methodology if isinstance(methodology, Methodology) else load_methodology(methodology)
    sub_paths = [Path(submissions)] if isinstance(submissions, (str, Path)) else [Path(p) for p in submissions]
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing releases the GIL: it overlaps with validation
        hashes = pool.map(sha256_file, [Path(institutions), *sub_paths])
        inst = read_institutions(institutions)
        subs = read_submissions(sub_paths, method, inst)
        inst_hash, *sub_hashes = hashes
    manifest = {
        "package": {"name": "impactrank", "version": __version__},
        "methodology": {"id": method.id, "edition": method.edition, "sha256": methodology_hash(method)},
        "inputs": [
            {"role": "institutions", "file": Path(institutions).name, "sha256": inst_hash, "rows": inst.height},
            *[{"role": "submissions", "file": p.name, "sha256": h} for p, h in zip(sub_paths, sub_hashes, strict=True)],
        ],
        "submission_rows": subs.height,
        "seed": seed,
    }
    edition = build_edition(method, inst, subs, edition_id=edition_id, manifest=manifest)
    with ExitStack() as stack:
        # open the workspace first: a workspace that cannot be written stops the build before any output
        ws = stack.enter_context(Workspace(workspace)) if workspace is not None else None
        files = write_outputs(edition, Path(out)) if out is not None else {}
        replaced = ws is not None and ws.has(edition.id)
        if ws is not None:
            ws.save(edition)
    return BuildReport(edition, Path(out) if out is not None else None, files, replaced)


def overall_export(edition: Edition) -> pl.DataFrame:
    """The overall table as ``overall.csv`` has it: names and countries joined, and the scaled scores that
    made the overall score (SDG 17 and each of the best SDGs, best first)."""
    scaled = edition.sdg_scores.select("institution_id", "sdg", "scaled_score")
    required = edition.manifest.get("overall_rules", {}).get("required_sdg", 17)  # "sdg17" columns: the required SDG
    frame = edition.overall.join(
        edition.institutions.select("institution_id", "name", "country"),
        on="institution_id",
        how="left",
        maintain_order="left",
    ).join(
        scaled.filter(pl.col("sdg") == required).select("institution_id", sdg17_scaled="scaled_score"),
        on="institution_id",
        how="left",
        maintain_order="left",
    )
    parts = pl.col("top_sdgs").str.split(";")
    k = int(frame.select(parts.list.len().max()).item() or 0)
    top_cols = []
    for i in range(k):
        frame = frame.with_columns(parts.list.get(i, null_on_oob=True).cast(pl.Int64).alias(f"top{i + 1}_sdg"))
        frame = frame.join(
            scaled.rename({"sdg": f"top{i + 1}_sdg", "scaled_score": f"top{i + 1}_scaled"}),
            on=["institution_id", f"top{i + 1}_sdg"],
            how="left",
            maintain_order="left",
        )
        top_cols += [f"top{i + 1}_sdg", f"top{i + 1}_scaled"]
    return frame.select(
        "institution_id",
        "name",
        "country",
        "rank",
        "rank_position",
        "band",
        "overall_score",
        "overall_display",
        "sdg17_score",
        "sdg17_scaled",
        "top_sdgs",
        *top_cols,
    )


def write_outputs(edition: Edition, out: Path) -> dict[str, Path]:
    """Write the build's files; the manifest records each file's hash. The files are written beside their
    targets and renamed into place only once all of them are complete."""
    tables = {
        "overall.csv": overall_export(edition),
        "sdg_scores.csv": edition.sdg_scores.select(
            "institution_id", "sdg", "score", "scaled_score", "counted", "rank", "rank_position", "band"
        ),
        "metric_scores.csv": edition.metric_scores.select(
            "institution_id", "sdg", "metric", "raw", "score", "weight", "contribution", "missing"
        ),
    }
    with ExitStack() as stack:
        temps = {name: stack.enter_context(atomic_path(out / name)) for name in (*tables, "manifest.json")}
        for name, frame in tables.items():
            neutralise_formulas(frame).write_csv(temps[name])  # a name like "=cmd()" must not run in a spreadsheet
        manifest = {
            **edition.manifest,
            "edition": edition.id,
            "outputs": {name: sha256_file(temps[name]) for name in tables},
        }
        temps["manifest.json"].write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {name: out / name for name in temps}
