"""``impactrank build`` as a function: read and validate inputs, build, write outputs and the manifest,
register the edition in the workspace."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from impactrank import __version__
from impactrank.engine.build import build_edition
from impactrank.engine.checks import check_methodology
from impactrank.engine.tables.edition import Edition, previous_ids
from impactrank.errors import N_, InputError
from impactrank.io.atomic import atomic_folder
from impactrank.io.exports import neutralise_formulas
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.io.workspace import DEFAULT_WAIT, WaitCallback, Workspace
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
    previous_editions: Sequence[str] | None = None,
    decimal: str | None = None,
    wait: float = DEFAULT_WAIT,
    on_wait: WaitCallback | None = None,
) -> BuildReport:
    """Build one edition. Nothing is written unless every input is valid.

    ``decimal`` ("." or ",") is the decimal mark of the submissions' numbers, for files that cannot tell (it is
    then recorded in the manifest); by default each file's numbers say which it is.

    ``seed`` is recorded in the manifest when the inputs were generated from one (the synthetic demo). A
    methodology that averages with previous editions takes their single-year scores from ``workspace``:
    ``previous_editions`` (most recent first), by default the same series' previous years. ``wait`` and
    ``on_wait``: how long to wait for a workspace another process holds, and who hears about it
    (:class:`~impactrank.io.workspace.Workspace`)."""
    method = methodology if isinstance(methodology, Methodology) else load_methodology(methodology)
    check_methodology(method, method.id if isinstance(methodology, Methodology | str) else Path(methodology).name)
    edition_id = edition_id or str(method.edition)
    previous = previous_scores(method, edition_id, workspace, previous_editions, wait=wait, on_wait=on_wait)
    sub_paths = [Path(submissions)] if isinstance(submissions, (str, Path)) else [Path(p) for p in submissions]
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing releases the GIL: it overlaps with validation
        hashes = pool.map(sha256_file, [Path(institutions), *sub_paths])
        inst = read_institutions(institutions)
        subs = read_submissions(sub_paths, method, inst, decimal=decimal)
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
    if decimal is not None:  # the same bytes read with another decimal mark are other numbers
        manifest["decimal"] = decimal
    edition = build_edition(method, inst, subs, edition_id=edition_id, manifest=manifest, previous=previous)
    del subs  # the edition keeps the submissions without the engine's codes: those go before the writing
    with ExitStack() as stack:
        # open the workspace first: a workspace that cannot be written stops the build before any output
        ws = stack.enter_context(Workspace(workspace, wait=wait, on_wait=on_wait)) if workspace is not None else None
        replaced = ws is not None and ws.has(edition.id)
        if ws is None or out is None:
            files = write_outputs(edition, Path(out)) if out is not None else {}
            if ws is not None:
                ws.save(edition)
        else:
            files = _write_both(edition, Path(out), ws)
    return BuildReport(edition, Path(out) if out is not None else None, files, replaced)


class _Abandoned(Exception):
    """The workspace's save failed: the files staged meanwhile are not put in place (its error is the command's)."""


def _write_both(edition: Edition, out: Path, ws: Workspace) -> dict[str, Path]:
    """The output files written while the workspace stores the edition (polars, hashlib and DuckDB release the
    GIL). The files appear once the workspace holds the rows, and the workspace commits once the files are in
    place: a failure of either leaves neither."""
    rows_in, saved = threading.Event(), []

    def publish() -> None:
        rows_in.wait()
        if not saved:
            raise _Abandoned

    def commit() -> None:
        saved.append(True)
        rows_in.set()
        writing.result()

    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(write_outputs, edition, out, before_publish=publish)
        try:
            ws.save(edition, before_commit=commit)
        finally:
            rows_in.set()
        return writing.result()


def default_previous(edition_id: str, years: int) -> list[str]:
    """The same series' ``years`` previous editions, most recent first: 2023 → 2022; 2023-net → 2022-net."""
    ids = previous_ids(edition_id, years)
    if ids is None:
        raise InputError(
            N_(
                "edition id %(edition)r does not start with a year, so its previous edition cannot be inferred: "
                "name it with --previous-edition"
            ),
            field="previous_edition",
            params={"edition": edition_id},
        )
    return ids


def previous_scores(
    method: Methodology,
    edition_id: str,
    workspace: str | Path | None,
    previous_editions: Sequence[str] | None,
    *,
    wait: float = DEFAULT_WAIT,
    on_wait: WaitCallback | None = None,
) -> pl.DataFrame | None:
    """The previous editions' single-year scores an averaging methodology needs, read from the workspace; None
    for a methodology that does not average. Raises InputError naming what is missing."""
    needed = method.overall.previous_years
    if not needed:
        if previous_editions:
            raise InputError(
                N_(
                    "methodology %(methodology)s does not average with previous editions: --previous-edition does "
                    "not apply"
                ),
                field="previous_edition",
                params={"methodology": method.id},
            )
        return None
    ids = list(previous_editions) if previous_editions else default_previous(edition_id, needed)
    params = {"methodology": method.id, "previous": ids[0] if ids else "", "workspace": str(workspace)}
    if len(ids) != needed:
        raise InputError(
            N_(
                "methodology %(methodology)s averages with the single-year scores of the previous editions: it needs "
                "%(needed)s, most recent first; %(given)s given"
            ),
            field="previous_edition",
            params={**params, "needed": needed, "given": len(ids)},
        )
    if edition_id in ids:
        raise InputError(
            N_("edition %(edition)s cannot be its own previous edition"),
            field="previous_edition",
            params={"edition": edition_id},
        )
    if workspace is None:
        raise InputError(
            N_(
                "methodology %(methodology)s averages with the single-year scores of the previous edition "
                "%(previous)s, which needs a workspace holding it"
            ),
            field="previous_edition",
            params=params,
        )
    if not Path(workspace).is_file():
        raise InputError(
            N_(
                "methodology %(methodology)s averages with the single-year scores of the previous edition "
                "%(previous)s, which needs a workspace holding it (no workspace at %(workspace)s)"
            ),
            field="previous_edition",
            params=params,
        )
    frames = []
    with Workspace(workspace, read_only=True, wait=wait, on_wait=on_wait) as ws:
        for lag, previous_id in enumerate(ids, start=1):
            if not ws.has(previous_id):
                raise InputError(
                    N_(
                        "methodology %(methodology)s averages with the single-year scores of the previous edition "
                        "%(previous)s: there is no edition %(edition)r in workspace %(workspace)s (build it first, "
                        "or name another with --previous-edition)"
                    ),
                    field="previous_edition",
                    params={
                        **params,
                        "previous": previous_id,
                        "edition": previous_id,
                        "workspace": Path(workspace).name,
                    },
                )
            overall = ws.table("overall", previous_id).select("institution_id", "single_year_score")
            unknown = overall["single_year_score"].null_count()
            if overall.height == 0 or unknown:
                raise InputError(
                    N_(
                        "methodology %(methodology)s averages with the single-year scores of the previous edition "
                        "%(previous)s: its overall table has no exact single-year score for %(unknown)s of %(rows)s "
                        "rows (an imported table shows bands; build that edition from its inputs)"
                    )
                    if unknown
                    else N_(
                        "methodology %(methodology)s averages with the single-year scores of the previous edition "
                        "%(previous)s: its overall table has no rows (an imported table shows bands; build that "
                        "edition from its inputs)"
                    ),
                    field="previous_edition",
                    params={**params, "previous": previous_id, "unknown": unknown, "rows": overall.height},
                )
            frames.append(overall.with_columns(previous_edition=pl.lit(previous_id), lag=pl.lit(lag, pl.Int64)))
    return pl.concat(frames)


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


def write_outputs(
    edition: Edition, out: Path, *, before_publish: Callable[[], object] | None = None
) -> dict[str, Path]:
    """Write the build's files; the manifest records each file's hash. The files are staged in a folder beside
    ``out`` and appear in it together, never some without the others (:func:`~impactrank.io.atomic.atomic_folder`:
    the manifest comes last). Each table is exported, written and hashed on a thread of its own, the largest
    first (polars and hashlib release the GIL): a failure in one still waits for the others before the staging
    folder goes. ``before_publish`` runs once every file is staged; if it raises, none appears."""
    tables = {
        "metric_scores.csv": lambda: edition.metric_scores.select(
            "institution_id", "sdg", "metric", "raw", "score", "weight", "contribution", "missing"
        ),
        "sdg_scores.csv": lambda: edition.sdg_scores.select(
            "institution_id", "sdg", "score", "scaled_score", "counted", "rank", "rank_position", "band"
        ),
        "overall.csv": lambda: overall_export(edition),
    }

    def write(name: str) -> str:
        neutralise_formulas(tables[name]()).write_csv(staging / name)  # a name like "=cmd()" must not run
        return sha256_file(staging / name)

    with atomic_folder(out, OUTPUT_FILES) as staging:
        with ThreadPoolExecutor(max_workers=len(tables)) as pool:
            hashes = dict(zip(tables, pool.map(write, tables), strict=True))
        manifest = {**edition.manifest, "edition": edition.id, "outputs": hashes}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if before_publish is not None:
            before_publish()
    return {name: out / name for name in OUTPUT_FILES}
