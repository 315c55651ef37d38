"""``impactrank serve`` (the read-only dashboard) and ``impactrank report`` (HTML or PDF report)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from impactrank.cli.common import app, console, earlier, open_workspace, out_format, warn_unless_loopback
from impactrank.cli.options import DEFAULT_WORKSPACE, GroupsOption, Stored, WorkspaceOption, opened_by, stored_edition
from impactrank.i18n.templates import current
from impactrank.io.groups import members_for


@app.command()
def serve(
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    host: Annotated[str, typer.Option("--host", help="Address to bind; loopback by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (each holds the editions in memory).")
    ] = 1,
    groups: GroupsOption = None,
) -> None:
    """Serve the dashboard and its JSON API (read-only) over the workspace."""
    import uvicorn

    from impactrank.web.app import GROUPS_ENV, WORKSPACE_ENV, create_app, settled
    from impactrank.web.store import Store

    warn_unless_loopback(host, "the dashboard is read-only but has no authentication")
    if workers == 1:
        application = settled(create_app(workspace, preload=True, groups=groups))
    else:
        Store(workspace, groups)  # a bad workspace or groups file is reported here, not in every worker
        os.environ[WORKSPACE_ENV] = str(Path(workspace).resolve())
        if groups is not None:
            os.environ[GROUPS_ENV] = str(Path(groups).resolve())
    console.print(
        f"impactrank dashboard on http://{host}:{port}/ (API docs at /docs); workspace {workspace}", highlight=False
    )
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    else:
        uvicorn.run(
            "impactrank.web.app:app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
        )


@app.command()
@opened_by(stored_edition)
def report(
    stored: Stored,
    out: Annotated[Path, typer.Option("--out", "-o", help="FILE.html (interactive, offline) or FILE.pdf.")],
    compare: Annotated[str | None, typer.Option("--compare", help="Earlier edition for movement.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Select a country (ISO code or name).")] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Select a group (from --groups, else the institutions' groups).")
    ] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", "-i", help="One institution's report (its press summary).")
    ] = None,
    groups: GroupsOption = None,
) -> None:
    """Write a self-contained report with charts: summary, score distribution, SDG profiles and positions,
    movement."""
    from impactrank.io.reports import write_report

    out_format(out, ("html", "pdf"))
    with open_workspace(stored.workspace, stored.wait, read_only=True) as ws:
        ed = ws.load(stored.edition)
        previous = earlier(ws.load(compare), ed, "compare") if compare else None
    members = members_for([ed, *([previous] if previous else [])], groups) if group is not None else None
    path = write_report(
        ed,
        out,
        previous=previous,
        country=country,
        group=group,
        lang=current(),
        members=members,
        institution=institution,
    )
    console.print(f"[green]wrote[/] {path}", highlight=False)
