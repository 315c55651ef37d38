"""``impactrank uncertainty``, ``impactrank whatif`` and ``impactrank advise``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, NamedTuple

import polars as pl
import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli import built_analysis as built
from impactrank.cli.common import app, console, console_err, open_workspace, out_dir, progress_bar
from impactrank.cli.options import Stored, opened_by, stored_edition
from impactrank.cli.published_analysis import load_for_rescoring, parse_sdg_settings, print_advice, print_whatif
from impactrank.cli.text import _, clauses, num, pct, shown
from impactrank.engine.scenarios.advise_built import advise as run_advise
from impactrank.engine.scenarios.whatif_built import parse_setting, plain_submissions
from impactrank.engine.scenarios.whatif_built import whatif as run_whatif
from impactrank.engine.scoring.metrics import encode, metric_catalogue
from impactrank.engine.tables.edition import Edition
from impactrank.engine.uncertainty import (
    UncertaintyResult,
    check_nominal,
    dask_executor,
    format_rank_interval,
    interval_widths,
    prepare_field,
    published_banding,
    published_uncertainty,
    run_uncertainty,
    with_uncertainty,
)
from impactrank.errors import N_, InputError
from impactrank.io.build import sha256_file
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.io.uncertainty_config import load_uncertainty_config
from impactrank.io.uncertainty_results import write_uncertainty_outputs
from impactrank.methodology import Methodology, load_methodology
from impactrank.methodology.schema import Banding

InstitutionsOption = Annotated[
    Path | None, typer.Option("--institutions", "-i", help="The institutions file the edition was built from.")
]
SubmissionsOption = Annotated[
    list[Path] | None,
    typer.Option("--submissions", "-s", help="The submissions file(s) the edition was built from; repeatable."),
]
MethodologyOption = Annotated[
    str | None, typer.Option("--methodology", "-m", help="Bundled id or YAML file (default: the edition's).")
]
PreviousOption = Annotated[
    str | None,
    typer.Option(
        "--previous-edition",
        help="Last year's published edition, for THE's two-year average (default: the series' previous year).",
    ),
]


def load_inputs(
    edition: Edition, institutions: Path | None, submissions: list[Path] | None, methodology: str | None
) -> tuple[Methodology, pl.DataFrame, pl.DataFrame]:
    """The validated inputs a built edition was made from: those the workspace keeps with it, or the files
    named on the command line, which must be the ones its manifest records (same SHA-256)."""
    if edition.kind != "built":
        raise InputError(
            N_("edition %(edition)s is imported from a published table: it has no raw inputs"),
            params={"edition": edition.id},
        )
    if methodology is not None:
        method = load_methodology(methodology)
    elif edition.methodology:
        method = Methodology.model_validate(edition.methodology)
    else:
        method = load_methodology(edition.manifest.get("methodology", {}).get("id", edition.source))
    if institutions is None and not submissions:
        if edition.submissions.height == 0:
            raise InputError(
                N_(
                    "the workspace keeps no inputs for edition %(edition)s; pass the files it was built from with "
                    "--institutions and --submissions"
                ),
                field="institutions",
                params={"edition": edition.id},
            )
        inst = edition.institutions.select(
            "institution_id", "name", "name_original", "country", "groups", "aliases", "ror", "display_names"
        )
        ids = inst["institution_id"].sort()
        return method, inst, encode(edition.submissions, ids, metric_catalogue(method))
    recorded = edition.manifest.get("inputs", [])
    names = ", ".join(f"{i['role']}: {i['file']}" for i in recorded) or "not recorded"
    if institutions is None or not submissions:
        raise InputError(
            N_("edition %(edition)s was built from %(files)s; pass both --institutions and --submissions, or neither"),
            field="institutions" if institutions is None else "submissions",
            params={"edition": edition.id, "files": names},
        )
    given = {("institutions", sha256_file(institutions))} | {("submissions", sha256_file(p)) for p in submissions}
    expected = {(i["role"], i["sha256"]) for i in recorded}
    if expected and given != expected:
        raise InputError(
            N_("these files are not the inputs edition %(edition)s was built from (%(files)s)"),
            field="submissions",
            params={"edition": edition.id, "files": names},
        )
    inst = read_institutions(institutions)
    # with the decimal mark the build was told (the same bytes read with another are other numbers)
    subs = read_submissions(submissions, method, inst, decimal=edition.manifest.get("decimal"))
    return method, inst, subs


@app.command()
@opened_by(stored_edition)
def uncertainty(
    stored: Stored,
    runs: Annotated[int | None, typer.Option("--runs", "-n", help="Model evaluations (default 1000).")] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Random seed (default 0); same seed, same output.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML declaration of uncertain inputs.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Directory for the CSV and JSON results.")] = None,
    institutions: InstitutionsOption = None,
    submissions: SubmissionsOption = None,
    methodology: MethodologyOption = None,
    threads: Annotated[int, typer.Option("--threads", min=0, help="Threads in this process (0: one per core).")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Spread the runs over a local Dask cluster.")] = 1,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of a Dask scheduler.")] = None,
) -> None:
    """Monte Carlo rank intervals and Sobol indices over the declared uncertain inputs; the results are stored
    in the edition's rank_uncertainty table."""
    cfg = load_uncertainty_config(config)
    runs = runs if runs is not None else (cfg.runs or 1000)
    seed = seed if seed is not None else (cfg.seed or 0)
    if runs < 2:
        raise InputError(N_("at least 2 runs are needed"), field="runs")
    if out is not None:
        out_dir(out)
    with open_workspace(stored.workspace, stored.wait, read_only=True) as ws:
        ed = ws.load(stored.edition, inputs=True)
    with progress_bar() as bar:
        task = bar.add_task(f"edition {ed.id}", total=runs)

        def advance(n: int) -> None:
            bar.advance(task, n)

        if ed.kind == "imported":
            if cfg.inputs.published_scores is None:
                raise InputError(
                    N_(
                        "an imported edition's only uncertain input is published_scores; the configuration does not "
                        "declare it"
                    ),
                    field="inputs.published_scores",
                )
            ignored = cfg.to_spec().inputs
            if config is not None and ignored:
                console_err.print(
                    f"note: {', '.join(ignored)} apply to built editions; edition {ed.id} is imported, "
                    "so only its published score ranges vary",
                    highlight=False,
                )
            result = published_uncertainty(ed, runs, seed, progress=advance)
            banding = published_banding(ed.overall)
        else:
            method, inst, subs = load_inputs(ed, institutions, submissions, methodology)
            spec = cfg.to_spec()
            banding = method.overall.banding
            fld = prepare_field(method, inst, subs, spec, ed.previous_scores)
            executor = dask_executor(scheduler, workers) if (scheduler or workers > 1) else None
            partitions = 4 * max(workers, 1) if executor is not None else 1
            bar.update(task, total=runs)
            result = run_uncertainty(
                fld,
                spec,
                runs,
                seed,
                progress=advance,
                executor=executor,
                partitions=partitions,
                threads=threads or os.cpu_count() or 1,
            )
            bar.update(task, total=result.runs)
            mismatched = check_nominal(result, ed)
            if mismatched:
                raise InputError(
                    N_(
                        "the nominal ranks differ from edition %(edition)s in %(count)s places: use the methodology "
                        "the edition was built with"
                    ),
                    field="methodology",
                    params={"edition": ed.id, "count": mismatched},
                )
    updated = with_uncertainty(ed, result)
    files: list[str] = []

    def write_files() -> None:  # before the rows are committed: a file that cannot be written leaves no results
        files.extend(write_uncertainty_outputs(out, ed, result))

    with open_workspace(stored.workspace, stored.wait) as ws:
        _check_unchanged(ws, ed)
        ws.save(updated, before_commit=write_files if out is not None else None)
    _print_summary(ed, result, banding)
    stored = _(
        "stored in the rank_uncertainty table of edition %(edition)s in %(workspace)s",
        edition=ed.id,
        workspace=stored.workspace,
    )
    if files:
        stored = clauses(stored, _("files: %(folder)s/ (%(files)s)", folder=out, files=", ".join(files)))
    console.print(Text(stored), highlight=False)


def _check_unchanged(ws, ed: Edition) -> None:
    """The edition is still the one the runs started from: the workspace was free while they ran, and another
    command may have built or imported it again; saving over that would bring the old edition back."""

    def made(manifest: dict) -> dict:
        return {key: value for key, value in manifest.items() if key != "uncertainty"}

    if not ws.has(ed.id) or made(ws.load(ed.id).manifest) != made(ed.manifest):
        raise InputError(
            N_(
                "edition %(edition)s changed in %(workspace)s while the uncertainty ran (built or imported again by "
                "another command): run the uncertainty again"
            ),
            field="edition",
            params={"edition": ed.id, "workspace": ws.path},
        )


def _print_summary(ed: Edition, result: UncertaintyResult, banding: Banding | None) -> None:
    design = _("Saltelli design") if not result.sobol.is_empty() else _("random design")
    inputs = ", ".join(result.inputs) or _("nothing (no uncertain input declared)")
    line = Text(
        _(
            "%(runs)s runs (%(design)s, seed %(seed)s) over: %(inputs)s",
            runs=num(result.runs),
            design=design,
            seed=result.seed,
            inputs=inputs,
        )
    )
    line.highlight_words([num(result.runs)], "green")
    console.print(line, highlight=False)
    if banding is not None:
        widths = interval_widths(result.table, banding)
        table = Table(
            title=_("Overall table: median width of the %(level)s rank interval", level=pct(90, 0)),
            title_justify="left",
        )
        for col in (_("band"), _("institutions"), _("median width")):
            table.add_column(col, justify="left" if col == _("band") else "right")
        for row in widths.iter_rows(named=True):
            table.add_row(shown(row["band"]), num(row["institutions"]), num(row["median_width"], 1))
        console.print(table)
    overall = result.table.filter(pl.col("table") == "overall").head(5)
    for row in overall.iter_rows(named=True):
        interval = format_rank_interval(row["nominal_rank"], row["rank_p05"], row["rank_p95"])
        console.print(Text(f"  {row['institution_id']}: {shown(interval)}"), highlight=False)
    sobol = result.sobol.filter(pl.col("table") == "overall").sort("total_order", descending=True, nulls_last=True)
    if sobol.height:
        table = Table(title=_("Sobol indices of the overall ranks"), title_justify="left")
        for col in (_("input"), _("first order"), _("total")):
            table.add_column(col, justify="left" if col == _("input") else "right")
        for row in sobol.iter_rows(named=True):
            table.add_row(Text(row["input"]), num(row["first_order"], 3), num(row["total_order"], 3))
        console.print(table)


AnswerFormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json (published editions).")]


def check_answer_format(format: str) -> None:
    if format not in ("table", "json"):
        raise InputError(
            N_("--format must be table or json, not %(format)s"), field="format", params={"format": repr(format)}
        )


class _Rescoring(NamedTuple):
    """What ``whatif`` and ``advise`` start from: the edition (and the previous one, for a published edition's
    two-year average), the answer's format and the input files named on the command line."""

    ed: Edition
    previous: Edition | None
    format: str
    institutions: Path | None
    submissions: list[Path] | None
    methodology: str | None

    def inputs(self) -> tuple[Methodology, pl.DataFrame, pl.DataFrame]:
        """A built edition's validated inputs (see :func:`load_inputs`)."""
        return load_inputs(self.ed, self.institutions, self.submissions, self.methodology)


@opened_by(stored_edition)
def _rescoring(
    stored: Stored,
    institutions: InstitutionsOption = None,
    submissions: SubmissionsOption = None,
    methodology: MethodologyOption = None,
    previous_edition: PreviousOption = None,
    format: AnswerFormatOption = "table",
) -> _Rescoring:
    """The options and first steps ``whatif`` and ``advise`` share: the format checked, the editions loaded."""
    check_answer_format(format)
    ed, previous = load_for_rescoring(stored.workspace, stored.edition, previous_edition, stored.wait)
    return _Rescoring(ed, previous, format, institutions, submissions, methodology)


@app.command()
@opened_by(_rescoring)
def whatif(
    r: _Rescoring,
    institution: Annotated[str, typer.Option("--institution", help="institution_id to change.")],
    settings: Annotated[
        list[str] | None, typer.Option("--set", help="SDG.METRIC=VALUE; repeatable (built editions).")
    ] = None,
    sdg_settings: Annotated[
        list[str] | None,
        typer.Option("--set-sdg", help="SDG=SCORE, e.g. 13=80; repeatable (published editions: your SDG scores)."),
    ] = None,
) -> None:
    """Re-score with changed data for one institution and show before and after: on a built edition the whole
    field with changed metric values (--set); on a published edition the institution's overall score and place
    recomputed by the edition's reproduced rule from SDG scores (--set-sdg), as intervals."""
    ed = r.ed
    if ed.kind == "imported":
        if settings:
            raise InputError(N_("a published edition has no metric values: set SDG scores with --set-sdg"), field="set")
        from impactrank.engine.scenarios.whatif_published import whatif_published

        result = whatif_published(ed, institution, parse_sdg_settings(sdg_settings or []), r.previous)
        print_whatif(result, r.format)
        return
    if sdg_settings or not settings:
        raise InputError(
            N_("a built edition is re-scored from metric values: give --set SDG.METRIC=VALUE"), field="set"
        )
    method, inst, subs = r.inputs()
    current = plain_submissions(subs).filter(pl.col("institution_id") == institution)
    changes = []
    for text in settings:
        change = parse_setting(method, text)
        row = current.filter((pl.col("sdg") == change.sdg) & (pl.col("metric") == change.metric))
        if change.numerator is not None and "/" not in text.partition("=")[2] and row.height:
            change = parse_setting(method, text, row.row(0, named=True))
        changes.append(change)
    result = run_whatif(method, inst, subs, institution, changes, ed.previous_scores)
    if r.format == "json":  # the before-and-after tables as rows, as a script reads them
        answer = {
            "institution_id": institution,
            "edition": ed.id,
            **{name: getattr(result, name).to_dicts() for name in ("overall", "sdgs", "metrics")},
            "others_moved": result.others_moved,
        }
        sys.stdout.write(json.dumps(answer, indent=1, ensure_ascii=False, sort_keys=True, default=str) + "\n")
        return
    built.print_whatif(institution, ed.id, result, averaged=bool(ed.previous_scores.height))


@app.command()
@opened_by(_rescoring)
def advise(
    r: _Rescoring,
    institution: Annotated[str, typer.Option("--institution", help="institution_id to advise.")],
    top: Annotated[int, typer.Option("--top", min=1, help="How many metrics to list.")] = 10,
) -> None:
    """Which SDGs to submit, the gap to the next band, and the metrics where an improvement gains most; on a
    published edition, the SDG-score gain (in a counted or an added SDG) that lifts the overall score into the
    next band or rank."""
    ed = r.ed
    if ed.kind == "imported":
        from impactrank.engine.scenarios.advise_published import advise_published

        print_advice(advise_published(ed, institution, r.previous), r.format)
        return
    method, inst, subs = r.inputs()
    a = run_advise(method, inst, subs, institution, top=top, previous=ed.previous_scores)
    editions = ed.previous_scores["previous_edition"].unique(maintain_order=True).to_list()
    built.print_advice(institution, ed.id, a, editions, method)
