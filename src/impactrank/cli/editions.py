"""``impactrank editions``: what a workspace holds, and removing an edition from it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli.common import command_group, console, open_workspace
from impactrank.cli.options import (
    DEFAULT_WAIT,
    DEFAULT_WORKSPACE,
    InWorkspace,
    WaitOption,
    WorkspaceOption,
    in_workspace,
    opened_by,
)
from impactrank.cli.text import _, ngettext, num

editions_app = command_group("editions", "The editions in a workspace: list them, remove one.")


@editions_app.command("list")
@opened_by(in_workspace)
def list_editions(at: InWorkspace) -> None:
    """Each edition: id, year, built or imported, its source, the size of its overall table, participants."""
    with open_workspace(at.workspace, at.wait, read_only=True) as ws:
        editions = ws.editions()
    title = ngettext(
        "%(count)s edition in %(workspace)s",
        "%(count)s editions in %(workspace)s",
        editions.height,
        workspace=at.workspace,
    )
    table = Table(title=Text(title), title_justify="left")
    right = (_("year"), _("overall table"), _("participants"))
    for col in (_("edition"), *right[:1], _("kind"), _("source"), *right[1:]):
        table.add_column(col, justify="right" if col in right else "left")
    kinds = {"built": _("built"), "imported": _("imported")}
    for e in editions.iter_rows(named=True):
        size = "" if e["field_size"] is None else num(e["field_size"])
        table.add_row(
            e["edition"],
            str(e["year"]),
            kinds.get(e["kind"], e["kind"]),
            Text(e["source"]),
            size,
            num(e["participants"]),
        )
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
