"""What every command shares: the Typer app, consoles and common options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

app = typer.Typer(
    name="impactrank",
    help="Open, reproducible university impact rankings against the UN Sustainable Development Goals.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
console_err = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the width

DEFAULT_WORKSPACE = Path("impactrank.duckdb")

WorkspaceOption = Annotated[
    Path,
    typer.Option("--workspace", "-w", help="DuckDB workspace file holding built and imported editions."),
]
EditionOption = Annotated[str, typer.Option("--edition", "-e", help="Edition id in the workspace, e.g. 2021.")]
DecimalOption = Annotated[
    str | None,
    typer.Option(
        "--decimal",
        metavar="[.|,]",
        help="Decimal mark of the numbers in CSV files, for a file that cannot tell. Default: as its numbers say "
        "(12,5 in a semicolon-separated file is 12.5; a file with both marks, or only 1,234, asks for this option).",
        show_default=False,
    ),
]


def progress_bar() -> Progress:
    """A counted progress bar on stderr for long work (runs, documents), gone when the work is done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console_err,
        transient=True,
    )


GroupsOption = Annotated[
    Path | None,
    typer.Option(
        "--groups",
        "-g",
        help="Groups file (group,institution_id or group,name,country[,aliases]). Default: the institutions' "
        "groups column.",
    ),
]


def load_previous(ws, edition, previous_id: str | None):
    """The edition named by ``--previous-edition``, else the same series' previous year when the workspace holds
    it (None otherwise)."""
    from impactrank.engine.edition import previous_ids

    if previous_id is not None:
        return ws.load(previous_id)
    default = (previous_ids(edition.id) or [None])[0]
    return ws.load(default) if default is not None and ws.has(default) else None
