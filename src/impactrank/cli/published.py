"""``impactrank import``, ``impactrank audit`` and ``impactrank institutions match``: published tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli.common import DEFAULT_WORKSPACE, EditionOption, WorkspaceOption, app, console
from impactrank.engine.audit import audit_edition
from impactrank.errors import InputError
from impactrank.io.atomic import write_text_atomic
from impactrank.io.identity import propose_matches
from impactrank.io.published import FORMATS, read_published
from impactrank.io.workspace import Workspace
from impactrank.report.audit import write_audit

institutions_app = typer.Typer(help="Institution identity across editions and sources.", no_args_is_help=True)
app.add_typer(institutions_app, name="institutions")


@app.command("import")
def import_table(
    file: Annotated[Path, typer.Argument(help="A published table: scraped CSV, clean CSV, JSON or XLSX.")],
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition",
            "-e",
            help="Edition id (and year) of a single-year file, or the one year to take from a "
            "multi-year file. Default: the year(s) in the file.",
        ),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "auto",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    edition_suffix: Annotated[
        str | None,
        typer.Option("--edition-suffix", help="Ids become YEAR-SUFFIX (e.g. 2021-taiwan), beside built editions."),
    ] = None,
    aliases: Annotated[Path | None, typer.Option("--aliases", help="Alias file joining renamed institutions.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the full import report as JSON.")] = None,
) -> None:
    """Import a published table as it is: every row kept, each defect flagged in its quality column."""
    result = read_published(file, format=format, edition=edition, edition_suffix=edition_suffix, aliases=aliases)
    with Workspace(workspace) as ws:
        for ed in result.editions:
            if ws.has(ed.id) and ws.load(ed.id).kind != "imported":
                raise InputError(
                    f"edition {ed.id} in the workspace was built, not imported; import under another "
                    f"id with --edition or --edition-suffix",
                    file=file.name,
                )
        ws.save_many(result.editions)
    if report:
        write_text_atomic(report, json.dumps(result.report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    table = Table(title=f"{file.name} read as {result.report.format}", title_justify="left")
    for col in ("edition", "rows", "ok", "flagged", "exact ranks", "bands", "countries"):
        table.add_column(col, justify="left" if col == "edition" else "right")
    for e in result.report.editions:
        table.add_row(
            e.edition,
            str(e.rows),
            str(e.ok),
            str(e.rows - e.ok),
            str(e.ranks.get("exact", 0)),
            str(len([k for k in e.ranks if k not in ("exact", "unparsed")])),
            str(e.countries),
        )
    console.print(table)
    flags = Table(title="rows by flag", title_justify="left")
    flags.add_column("flag")
    flags.add_column("rows", justify="right")
    for name, n in result.report.flags.items():
        flags.add_row(name, str(n))
    console.print(flags)
    console.print(f"imported {result.report.rows} rows into {workspace}", highlight=False)


@app.command("audit")
def audit(
    edition: EditionOption,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for audit-EDITION.md and .json.")] = Path("."),
) -> None:
    """Check a table holds together (ranks, ties, bands, countries, duplicates) and which SDG scaling explains
    its overall scores."""
    with Workspace(workspace, read_only=True) as ws:
        ed = ws.load(edition)
    result = audit_edition(ed)
    paths = write_audit(result, out)
    f = result.formula
    console.print(
        f"edition {ed.id}: {f['exact_rows']} exact and {f['interval_rows']} banded rows checked against the "
        f"formula; best model on exact rows: {f['best_model']}, on banded rows: {f['best_model_banded']}; "
        f"{len(f['unexplained'])} rows unexplained.",
        highlight=False,
    )
    console.print(f"wrote {', '.join(str(p) for p in paths)}", highlight=False)


@institutions_app.command("match")
def match(
    edition: Annotated[list[str], typer.Option("--edition", "-e", help="Two editions: A (ids to keep) then B.")],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    min_score: Annotated[float, typer.Option("--min-score", help="Lowest similarity (0–100) to propose.")] = 85.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write proposals as an alias file (CSV).")] = None,
) -> None:
    """Propose institutions of B that are likely the same as one of A under another name; confirm them by
    keeping their rows in the alias file and pass it to import with --aliases."""
    if len(edition) != 2:
        raise InputError("give exactly two editions: --edition A --edition B")
    with Workspace(workspace, read_only=True) as ws:
        a, b = (ws.load(e).institutions for e in edition)
    proposals = propose_matches(a, b, min_score=min_score)
    if out:
        write_text_atomic(out, proposals.write_csv())
    table = Table(title=f"{proposals.height} proposed matches {edition[1]} → {edition[0]}", title_justify="left")
    for col in ("score", "alias (B)", "name (A)", "institution_id", "country"):
        table.add_column(col, justify="right" if col == "score" else "left")
    for r in proposals.iter_rows(named=True):
        table.add_row(
            *(
                Text(str(v))
                for v in (f"{r['score']:.1f}", r["alias"], r["name"], r["institution_id"], r["country"] or "")
            )
        )
    console.print(table)
