"""``impactrank import``, ``impactrank audit`` and ``impactrank institutions match``: published tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli.common import (
    app,
    command_group,
    console,
    figures_table,
    load_previous,
    open_workspace,
    out_dir,
    out_format,
)
from impactrank.cli.options import (
    DecimalOption,
    InWorkspace,
    Stored,
    in_workspace,
    opened_by,
    stored_edition,
)
from impactrank.cli.text import _, clauses, evidence, num
from impactrank.engine.published.audit import audit_edition
from impactrank.engine.tables.edition import check_edition_id
from impactrank.errors import N_, InputError
from impactrank.i18n.templates import current
from impactrank.io.atomic import write_text_atomic
from impactrank.io.identity import propose_matches
from impactrank.io.published import FORMATS, read_published
from impactrank.io.published.corrections import suggested_corrections
from impactrank.io.reports import write_audit
from impactrank.report.audit import verdict

institutions_app = command_group("institutions", "Institution identity across editions and sources.")


@app.command("import")
@opened_by(in_workspace)
def import_table(
    at: InWorkspace,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Published tables: files (scraped CSV, clean CSV, JSON, XLSX, THE's table workbooks) or folders "
            "of them. THE's workbooks of one year (the overall table and its SDG tables) become one edition.",
            show_default=False,
        ),
    ],
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition",
            "-e",
            help="Edition id (and year) of a single-year file, or the one year to take from multi-year "
            "files. Default: the year(s) in the files.",
        ),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "auto",
    edition_suffix: Annotated[
        str | None,
        typer.Option("--edition-suffix", help="Ids become YEAR-SUFFIX (e.g. 2021-taiwan), beside built editions."),
    ] = None,
    aliases: Annotated[
        list[Path] | None,
        typer.Option("--aliases", help="Alias file joining renamed institutions; repeatable (the files read as one)."),
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the full import report as JSON.")] = None,
    decimal: DecimalOption = None,
    corrections: Annotated[
        Path | None,
        typer.Option(
            "--corrections",
            help="Corrections file (edition,name,field,value[,country]): the countries or names to set on the "
            "rows as read, each corrected row flagged.",
        ),
    ] = None,
    suggest: Annotated[
        Path | None,
        typer.Option(
            "--suggest-corrections",
            help="Write the countries the import suggests as a corrections file (CSV) to review and pass back "
            "with --corrections.",
        ),
    ] = None,
) -> None:
    """Import published tables as they are: every row kept, each defect flagged in its quality column, and
    rows whose country looks wrong listed with the country suggested. Importing the same files again replaces
    their editions."""
    if suggest is not None:
        out_format(suggest, ("csv",))
    result = read_published(
        paths,
        format=format,
        edition=edition,
        edition_suffix=edition_suffix,
        aliases=aliases,
        decimal=decimal,
        corrections=corrections,
    )
    for ed in result.editions:
        check_edition_id(ed.id)
    with open_workspace(at.workspace, at.wait) as ws:
        for ed in result.editions:
            if ws.has(ed.id) and ws.load(ed.id).kind != "imported":
                raise InputError(
                    N_(
                        "edition %(edition)s in the workspace was built, not imported; import under another id with "
                        "--edition or --edition-suffix"
                    ),
                    file=result.report.file,
                    params={"edition": ed.id},
                )
        replaced = [ed.id for ed in result.editions if ws.has(ed.id)]
        ws.save_many(result.editions)
    if report:
        write_text_atomic(report, json.dumps(result.report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    if suggest:
        write_text_atomic(suggest, suggested_corrections(result.report).write_csv())
    _print_import(result.report)
    what = _(
        "imported %(editions)s edition(s), %(rows)s overall-table rows, into %(workspace)s",
        editions=num(len(result.editions)),
        rows=num(result.report.rows),
        workspace=at.workspace,
    )
    if replaced:
        what += " (" + _("replaced %(editions)s", editions=", ".join(replaced)) + ")"
    console.print(Text(what), highlight=False)


def _print_import(report) -> None:
    """Rows per edition (the overall table, then its SDG tables together), then rows by flag as
    "overall + SDG tables" per edition; the JSON report (--report) has every table and flagged row."""
    table = figures_table(
        Text(_("%(file)s read as %(format)s", file=report.file, format=report.format)),
        (_("overall rows"), _("ok"), _("exact ranks"), _("bands"), _("SDG tables"), _("SDG rows"), _("ok")),
        labels=(_("edition"),),
    )
    for e in report.editions:
        sdg = e.sdg_tables
        bands = len([k for k in e.ranks if k not in ("exact", "unparsed")])
        figures = (e.rows, e.ok, e.ranks.get("exact", 0), bands, sdg["tables"], sdg["rows"], sdg["ok"])
        table.add_row(e.edition, *map(num, figures))
    console.print(table)
    names = sorted({f for e in report.editions for t in e.tables.values() for f in t["flags"]})
    if not names:
        return
    flags = Table(title=_("rows by flag (overall + SDG tables)"), title_justify="left")
    flags.add_column(_("flag"))
    for e in report.editions:
        flags.add_column(e.edition, justify="right")
    for flag in names:
        cells = []
        for e in report.editions:
            overall = e.tables.get("overall", {}).get("flags", {}).get(flag, 0)
            sdg = e.sdg_tables["flags"].get(flag, 0)
            cells.append(f"{num(overall)} + {num(sdg)}" if sdg else num(overall) if overall else "")
        flags.add_row(flag, *cells)
    console.print(flags)
    suggestions = [(e.edition, s) for e in report.editions for s in e.country_suggestions]
    if suggestions:
        title = _(
            "%(count)s institutions whose country looks wrong (apply with --corrections)", count=num(len(suggestions))
        )
        countries = Table(title=title, title_justify="left")
        for col in (_("edition"), _("name"), _("country"), _("suggested"), _("why")):
            countries.add_column(col)
        for ed, s in suggestions:
            countries.add_row(*(Text(v) for v in (ed, s["name"], s["country"], s["suggested"], evidence(s))))
        console.print(countries)


@app.command("audit")
@opened_by(stored_edition)
def audit(
    stored: Stored,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for audit-EDITION.md and .json.")] = Path("."),
    previous_edition: Annotated[
        str | None,
        typer.Option(
            "--previous-edition",
            help="Last year's edition, for THE's two-year average. Default: the same series' previous year "
            "(2022 for 2023, 2022-x for 2023-x) when the workspace holds it.",
        ),
    ] = None,
) -> None:
    """Check a table holds together (ranks, ties, bands, countries, duplicates) and which rule made its overall
    scores: with its SDG tables, THE's formula is reproduced to the rounding of the display."""
    out_dir(out)
    with open_workspace(stored.workspace, stored.wait, read_only=True) as ws:
        ed = ws.load(stored.edition)
        previous = load_previous(ws, ed, previous_edition)
    result = audit_edition(ed, previous)
    paths = write_audit(result, out, current())
    f = result.formula
    data = result.to_dict()
    checked = _(
        "edition %(edition)s: %(exact)s exact and %(banded)s banded rows checked against the formula",
        edition=ed.id,
        exact=num(f["exact_rows"]),
        banded=num(f["interval_rows"]),
    )
    if previous is not None:
        checked += " (" + _("previous edition %(edition)s", edition=previous.id) + ")"
    unexplained = _("%(count)s rows no model explains.", count=num(len(f["unexplained"])))
    console.print(Text(clauses(checked, unexplained)), highlight=False)
    if f["models"]:
        console.print(Text(verdict(data, current()).replace("**", "")), highlight=False)
    console.print(Text(_("wrote %(files)s", files=", ".join(str(p) for p in paths))), highlight=False)


@institutions_app.command("match")
@opened_by(in_workspace)
def match(
    at: InWorkspace,
    edition: Annotated[list[str], typer.Option("--edition", "-e", help="Two editions: A (ids to keep) then B.")],
    min_score: Annotated[
        float, typer.Option("--min-score", help="Lowest name similarity (0–100) of a pair with evidence.")
    ] = 50.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write proposals as an alias file (CSV).")] = None,
) -> None:
    """Propose renames: an institution of A gone from B paired with one new in B, in the same country, when
    one is known by the other's name or the two names share a word no other name uses ("Cergy"). Confirm them
    by keeping their rows in the alias file (--out) and passing it to import with --aliases: each pair is then
    one institution in every view, comparison and summary."""
    if len(edition) != 2:
        raise InputError(N_("give exactly two editions: --edition A --edition B"))
    if out is not None:
        out_format(out, ("csv",))
    with open_workspace(at.workspace, at.wait, read_only=True) as ws:
        a, b = (ws.load(e).institutions for e in edition)
    proposals = propose_matches(a, b, min_score=min_score)
    if out:
        write_text_atomic(out, proposals.write_csv())
    title = _("%(count)s proposed matches %(b)s → %(a)s", count=num(proposals.height), b=edition[1], a=edition[0])
    table = Table(title=Text(title), title_justify="left")
    for col in (_("score"), _("alias (B)"), _("name (A)"), _("institution_id"), _("country"), _("evidence")):
        table.add_column(col, justify="right" if col == _("score") else "left")
    for r in proposals.iter_rows(named=True):
        cells = (num(r["score"], 1), r["alias"], r["name"], r["institution_id"], r["country"] or "", r["evidence"])
        table.add_row(*(Text(str(v)) for v in cells))
    console.print(table)
