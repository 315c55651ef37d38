"""``impactrank editions``: what a workspace holds, and removing an edition from it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from impactrank.cli.common import command_group, console, open_workspace
from impactrank.cli.options import DEFAULT_WAIT, DEFAULT_WORKSPACE, WaitOption, WorkspaceOption

editions_app = command_group("editions", "The editions in a workspace: list them, remove one.")


@editions_app.command("list")
def list_editions(workspace: WorkspaceOption = DEFAULT_WORKSPACE, wait: WaitOption = DEFAULT_WAIT) -> None:
    """Each edition: id, year, built or imported, its source, the size of its overall table, participants."""
    with open_workspace(workspace, wait, read_only=True) as ws:
        editions = ws.editions()
    table = Table(title=f"{editions.height} editions in {workspace}", title_justify="left")
    for col in ("edition", "year", "kind", "source", "overall table", "participants"):
        table.add_column(col, justify="right" if col in ("year", "overall table", "participants") else "left")
    for e in editions.iter_rows(named=True):
        size = "" if e["field_size"] is None else f"{e['field_size']:,}"
        table.add_row(e["edition"], str(e["year"]), e["kind"], e["source"], size, f"{e['participants']:,}")
    console.print(table)


@editions_app.command("remove")
def remove(
    edition: Annotated[str, typer.Argument(help="The edition's id, as 'impactrank editions list' shows it.")],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Remove an edition and all its tables from the workspace (a running dashboard stops showing it)."""
    with open_workspace(workspace, wait) as ws:
        ws.remove(edition)
    console.print(f"removed edition {edition} from {workspace}", highlight=False)
