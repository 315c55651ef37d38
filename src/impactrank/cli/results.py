"""Results day: ``impactrank presskit`` (one institution's press kit as a zip) and ``impactrank portal results
attach`` (each portal institution's results and press kits stored in the portal under embargo, and the edition's
public time written into the workspace, where ``publish`` reads it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from impactrank.cli.common import app, command_group, console, load_previous, open_workspace, out_format
from impactrank.cli.options import (
    DEFAULT_WAIT,
    DEFAULT_WORKSPACE,
    EditionOption,
    Stored,
    WaitOption,
    WorkspaceOption,
    opened_by,
    stored_edition,
)
from impactrank.cli.portal import DEFAULT_DATABASE, CycleOption, DatabaseOption, _operator, portal_app
from impactrank.errors import N_, InputError
from impactrank.i18n import LOCALES
from impactrank.i18n.templates import current

results_app = command_group("results", "Institutions' results under embargo, and their press kits.", portal_app)
PreviousOption = Annotated[
    str | None,
    typer.Option("--previous-edition", help="Edition to compare with. Default: the previous year's, if present."),
]


@app.command()
@opened_by(stored_edition)
def presskit(
    stored: Stored,
    institution: Annotated[str, typer.Option("--institution", "-i", help="Institution id in the edition.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="FILE.zip")],
    previous_edition: PreviousOption = None,
) -> None:
    """Write one institution's press kit: badges (SVG, PNG), its report (HTML, PDF), a press summary (Markdown,
    DOCX) and its rows (CSV), as a reproducible zip."""
    from impactrank.io.atomic import write_bytes_atomic
    from impactrank.report.presskit import press_kit

    out_format(out, ("zip",))
    with open_workspace(stored.workspace, stored.wait, read_only=True) as ws:
        ed = ws.load(stored.edition)
        previous = load_previous(ws, ed, previous_edition)
    write_bytes_atomic(out, press_kit(ed, previous, institution, current()))
    console.print(f"[green]wrote[/] {out}", highlight=False)


@results_app.command("attach")
def attach(
    cycle: CycleOption,
    edition: EditionOption,
    public_at: Annotated[
        str, typer.Option("--public-at", help="When the results become public: YYYY-MM-DDTHH:MM (UTC).")
    ],
    langs: Annotated[str, typer.Option("--langs", help="Languages of the press kits, comma-separated.")] = "en,fr,es",
    previous_edition: PreviousOption = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Give each portal institution its own results and press kits under embargo until --public-at (a snapshot:
    the portal never reads the workspace), and mark the edition as embargoed in the workspace."""
    from sqlalchemy import select

    from impactrank.portal.cycles import parse_close
    from impactrank.portal.models import Institution
    from impactrank.portal.results import attach as attach_results
    from impactrank.report.institution import institution_facts
    from impactrank.report.presskit import press_kit

    when = parse_close(public_at, "public-at")
    languages = [code.strip() for code in langs.split(",") if code.strip()]
    unknown = [code for code in languages if code not in LOCALES]
    if unknown or not languages:
        given = unknown
        raise InputError(
            N_("give languages among %(languages)s, not %(given)s"),
            field="langs",
            params={"languages": ", ".join(LOCALES), "given": given},
        )
    with open_workspace(workspace, wait, read_only=True) as ws:
        ed = ws.load(edition)
        previous = load_previous(ws, ed, previous_edition)
    held = set(ed.institutions["institution_id"].to_list())
    with _operator(database) as scope:
        scope.cycle(cycle)
        ids = [i for i in scope.session.scalars(select(Institution.id).order_by(Institution.id)) if i in held]
    facts = {iid: institution_facts(ed, previous, iid) for iid in ids}
    kits = {iid: {lang: press_kit(ed, previous, iid, lang) for lang in languages} for iid in ids}
    with _operator(database) as scope:
        attach_results(scope, cycle, edition, when, facts, kits)
    with open_workspace(workspace, wait) as ws:
        ws.set_public_time(edition, when)
    console.print(
        f"attached edition {edition} to cycle {cycle}, public at {when:%Y-%m-%d %H:%M} UTC, for the portal's "
        f"institutions in the edition ({len(ids)}: {', '.join(ids) or 'none'}); press kits in {', '.join(languages)}",
        highlight=False,
    )
