"""``impactrank build`` and ``impactrank explain``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from impactrank.cli.common import WaitStatus, app, console, console_err, load_previous, open_workspace, out_dir
from impactrank.cli.options import (
    DEFAULT_WAIT,
    DEFAULT_WORKSPACE,
    DecimalOption,
    EditionOption,
    WaitOption,
    WorkspaceOption,
)
from impactrank.engine.explain import explain_institution
from impactrank.engine.explain_published import reproduce_institution
from impactrank.engine.shown import decimals, score_text, share_text, visible_row
from impactrank.errors import InputError
from impactrank.io.build import build as run_build


@app.command()
def build(
    institutions: Annotated[Path, typer.Option("--institutions", "-i", help="institutions.csv (or .parquet/.xlsx).")],
    submissions: Annotated[
        list[Path],
        typer.Option("--submissions", "-s", help="Long-form submissions; repeat for several files."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for overall.csv, sdg_scores.csv, …")],
    methodology: Annotated[
        str, typer.Option("--methodology", "-m", help="Bundled edition id or YAML file.")
    ] = "the-2021",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    edition: Annotated[str | None, typer.Option("--edition", "-e", help="Edition id (default: the year).")] = None,
    previous_edition: Annotated[
        list[str] | None,
        typer.Option(
            "--previous-edition",
            "-p",
            help="For a methodology that averages with previous editions: the edition in the workspace whose "
            "single-year scores it averages with (default: the same series' previous year, 2023 → 2022); "
            "repeat, most recent first, for more than two years.",
        ),
    ] = None,
    decimal: DecimalOption = None,
) -> None:
    """Compute every SDG table and the overall table, write them to OUT and register the edition."""
    with console_err.status("Reading, validating and building…"):
        report = run_build(
            institutions,
            submissions,
            methodology=methodology,
            out=out_dir(out),
            workspace=workspace,
            edition_id=edition,
            previous_editions=previous_edition,
            decimal=decimal,
            wait=wait,
            on_wait=WaitStatus(),
        )
    e = report.edition
    counts = e.manifest["counts"]
    console.print(
        f"[green]built[/] edition {e.id} with {e.source}: {counts['participants']} participants, "
        f"{counts['overall']} in the overall table, {counts['metric_values_missing']} metric values missing "
        f"(scored as the methodology says).",
        highlight=False,
    )
    previous = [p["edition"] for p in e.manifest.get("previous_editions", [])]
    if previous:
        console.print(
            f"averaged with the single-year scores of edition {', '.join(previous)} from {workspace}: "
            f"{counts['averaged']} institutions averaged; {counts['newcomers']} new to the overall table keep "
            "their single-year score.",
            highlight=False,
        )
    console.print(f"outputs: {out}/ ({', '.join(report.files)}); workspace: {workspace}", highlight=False)
    if report.replaced:
        console.print(
            f"note: edition {e.id} was already in {workspace} and has been replaced (use --edition to keep both)",
            highlight=False,
        )


@app.command()
def explain(
    edition: EditionOption,
    institution: Annotated[str, typer.Option("--institution", "-i", help="institution_id to explain.")],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Show how one institution's overall score arises: metric by metric, scaling, and the best SDGs; for a
    published edition, THE's formula reproduced from the published SDG scores."""
    with open_workspace(workspace, wait, read_only=True) as ws:
        ed = ws.load(edition)
        previous = load_previous(ws, ed, None) if ed.kind == "imported" else None
    ex = explain_institution(ed, institution)
    console.print(
        f"[bold]{escape(ex.name)}[/] ({escape(ex.institution_id)}, {ex.country}) in edition {escape(ed.id)}",
        highlight=False,
    )
    places = decimals(ed)
    if not ed.has_overall_table:
        console.print(f"Edition {escape(ed.id)} has SDG tables only, no overall table. Its SDG tables:")
    elif ex.overall is None:
        console.print("Not in the overall table: it needs SDG 17 and enough other SDGs. Its SDG tables:")
    else:
        o = visible_row(ex.overall, ed.field_size)
        share = share_text(o, ed.field_size)
        score = "published as " + o["overall_display"] if o["band"] else "score " + o["overall_display"]
        console.print(
            f"Overall rank {o['rank']}{f' ({share})' if share else ''}, {score}; "
            f"best SDGs{' on scaled scores' if ed.kind == 'built' else ''}: {o['top_sdgs']}",
            highlight=False,
        )
    if ed.kind != "built":
        console.print(f"Edition {ed.id} is imported from a published table: it carries no metric scores.")
    scaling = ex.rules.get("scaling", {})
    for part in ex.sdgs:
        if part.metrics.height:
            table = Table(
                title=f"SDG {part.sdg}" + ("  [green]counted in the overall score[/]" if part.counted else ""),
                title_justify="left",
            )
            for col in ("metric", "raw value", "score", "weight", "contribution"):
                table.add_column(col, justify="left" if col == "metric" else "right")
            for m in part.metrics.iter_rows(named=True):
                raw = "missing" if m["missing"] else ("" if m["raw"] is None else f"{m['raw']:.6g}")
                table.add_row(m["metric"], raw, f"{m['score']:.2f}", f"{m['weight']:g}", f"{m['contribution']:.3f}")
            console.print(table)
        text = score_text(part.score, part.score_low, part.score_high, places)
        score = (
            "score not published"
            if text is None
            else (f"score {text}" if part.score is not None else f"published as {text}")
        )
        line = f"SDG {part.sdg} {score}" + (f", rank {part.rank}" if part.rank else "")
        if part.scaled is not None:
            line += (
                f"; scaled by {scaling.get('method', '?')} over [{part.scale_min:.4f}, {part.scale_max:.4f}] "
                f"→ {part.scaled:.4f}"
            )
        console.print(line, highlight=False)
    if ex.formula:
        console.print(f"\nOverall = {ex.formula}", highlight=False)
    if ed.kind == "imported" and ex.overall is not None:
        _print_reproduced(ed, institution, previous)


def _print_reproduced(ed, institution: str, previous) -> None:
    """THE's overall formula for the edition, reproduced from the published SDG scores (or why it cannot be)."""
    try:
        r = reproduce_institution(ed, institution, previous)
    except InputError as exc:
        console.print(f"\nTHE's overall formula cannot be reproduced here: {exc.message}", highlight=False)
        return
    console.print(
        f"\nTHE's overall formula for {ed.id}, reproduced ({r.rule}; {r.explained} of {r.of} exact rows):",
        highlight=False,
    )
    for s in r.sdgs:
        console.print(
            f"SDG {s.sdg} {s.published} → scaled {s.scaled_low:.1f}–{s.scaled_high:.1f}"
            + (" (counted)" if s.counted else ""),
            highlight=False,
        )
    verdict = f"they agree, so the score is in {r.within}" if r.agrees else "they do not agree"
    console.print(f"Overall = {r.formula}; published {r.published}: {verdict}", highlight=False)
