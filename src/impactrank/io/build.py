"""``impactrank build`` as a function: read and validate inputs, build, write outputs and the manifest,
register the edition in the workspace."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import polars as pl

from impactrank import __version__
from impactrank.engine.build import build_edition
from impactrank.engine.checks import check_methodology
from impactrank.engine.tables.edition import Edition, check_edition_id, previous_ids
from impactrank.errors import N_, InputError
from impactrank.io.build_files import BuildFiles
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.io.workspace import DEFAULT_WAIT, WaitCallback, Workspace
from impactrank.methodology import Methodology, load_methodology, methodology_hash


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
    edition_id = check_edition_id(edition_id or str(method.edition))
    previous = previous_scores(method, edition_id, workspace, previous_editions, wait=wait, on_wait=on_wait)
    sub_paths = [Path(submissions)] if isinstance(submissions, (str, Path)) else [Path(p) for p in submissions]
    with ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        # the engine's normal CDF (scipy.special, a few tenths of a second to load) loads while polars reads
        pool.submit(import_module, "scipy.special")
        inst = read_institutions(institutions)
        subs = read_submissions(sub_paths, method, inst, decimal=decimal)
        # the inputs hashed once read (hashing releases the GIL), beside the engine's first steps, which use one
        # core, rather than beside polars' read, which uses every one: the same time, a peak some 60 MB lower
        hashes = pool.map(sha256_file, [Path(institutions), *sub_paths])
        manifest = {
            "package": {"name": "impactrank", "version": __version__},
            "methodology": {"id": method.id, "edition": method.edition, "sha256": methodology_hash(method)},
            "submission_rows": subs.height,
            "seed": seed,
        }
        if decimal is not None:  # the same bytes read with another decimal mark are other numbers
            manifest["decimal"] = decimal
        # the workspace is held from here: one that cannot be written stops the build before any output, and the
        # engine's largest tables are written into it (and into the outputs) while the engine goes on
        ws = stack.enter_context(Workspace(workspace, wait=wait, on_wait=on_wait)) if workspace is not None else None
        replaced = ws is not None and ws.has(edition_id)
        files = stack.enter_context(BuildFiles(Path(out) if out is not None else None, ws))
        edition = build_edition(
            method, inst, subs, edition_id=edition_id, manifest=manifest, previous=previous, on_table=files.take
        )
        del subs  # the edition keeps the submissions without the engine's codes: those go before the writing
        inst_hash, *sub_hashes = hashes
        edition.manifest["inputs"] = [
            {"role": "institutions", "file": Path(institutions).name, "sha256": inst_hash, "rows": inst.height},
            *[{"role": "submissions", "file": p.name, "sha256": h} for p, h in zip(sub_paths, sub_hashes, strict=True)],
        ]
        written = files.finish(edition)
    return BuildReport(edition, Path(out) if out is not None else None, written, replaced)


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
