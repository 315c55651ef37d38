"""What every command shares: the Typer app and its groups, the consoles, the workspace, progress and --out."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console, ConsoleDimensions
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.status import Status
from rich.table import Table
from rich.text import Text
from typer.core import TyperOption

from impactrank.errors import N_, InputError
from impactrank.io.workspace import Waiting, Workspace

app = typer.Typer(
    name="impactrank",
    help="Open, reproducible university impact rankings against the UN Sustainable Development Goals.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_enable=False,
)
UNWRAPPED = 100_000  # columns of output that is not a terminal: more than any table's row needs


class StdoutConsole(Console):
    """The terminal's width on a terminal; unbounded when piped or redirected, so that a table's row stays one
    line and a name is never cut (``| grep`` finds whole rows, ``| less -S`` scrolls them)."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        return size if self.is_terminal else ConsoleDimensions(UNWRAPPED, size.height)


console = StdoutConsole()
console_err = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the width


def _print_version(value: bool) -> None:
    if value:
        from impactrank import __version__

        console.print(f"impactrank {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Options of ``impactrank`` itself, before any command."""


def _flag_type(option: TyperOption, ctx) -> str | None:
    """A flag takes no value, so its help names no type: Typer's rich help showed "<bool>" (its plain help,
    like click's, shows none)."""
    return None if option.is_flag or option.count else _option_type(option, ctx)


_option_type = TyperOption.display_type_rich
TyperOption.display_type_rich = _flag_type


def command_group(name: str, help: str, parent: typer.Typer = app) -> typer.Typer:
    """``impactrank NAME …``: a group of commands that lists them when called alone."""
    group = typer.Typer(help=help, no_args_is_help=True)
    parent.add_typer(group, name=name)
    return group


class WaitStatus:
    """A wait for a busy workspace, told on stderr: a live line counting the seconds on a terminal (under any
    progress display already there), one plain line in a log."""

    def __init__(self) -> None:
        self._status: Status | None = None
        self._told = False

    def __call__(self, waiting: Waiting | None) -> None:
        if waiting is None:
            if self._status is not None:
                self._status.stop()
                self._status = None
        elif console_err.is_interactive:
            if self._status is None:
                self._status = console_err.status(Text(waiting.line()))
                self._status.start()
            else:
                self._status.update(Text(waiting.line()))
        elif not self._told:
            console_err.print(
                Text(f"waiting for {waiting.path}, held by {waiting.holder} (up to {waiting.limit:g} s)…"),
                highlight=False,
            )
            self._told = True


def open_workspace(path: Path, wait: float, read_only: bool = False) -> Workspace:
    """The workspace at ``path``, once no other process holds it in a way that excludes us (waiting up to
    ``wait`` seconds with a status line); then one line and exit 2."""
    return Workspace(path, read_only=read_only, wait=wait, on_wait=WaitStatus())


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


def earlier(previous, edition, option: str):
    """``previous``, an edition an option names as the earlier of two, refused when it is the same edition or a later
    year's (movement read backwards would call a decline progress)."""
    if previous is not None and (previous.id == edition.id or previous.year > edition.year):
        raise InputError(
            N_("--%(option)s names edition %(previous)s, which is not earlier than %(edition)s"),
            field=option,
            params={"option": option, "previous": previous.id, "edition": edition.id},
        )
    return previous


def load_previous(ws, edition, previous_id: str | None):
    """The edition named by ``--previous-edition``, else the same series' previous year when the workspace holds
    it (None otherwise)."""
    from impactrank.engine.tables.edition import previous_ids

    if previous_id is not None:
        return earlier(ws.load(previous_id), edition, "previous-edition")
    default = (previous_ids(edition.id) or [None])[0]
    return ws.load(default) if default is not None and ws.has(default) else None


OUTPUT_SUFFIXES = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".md": "md",
    ".txt": "txt",
    ".zip": "zip",
}


def out_format(out: Path, allowed: tuple[str, ...]) -> str:
    """The format an ``--out`` file's suffix names, one of ``allowed``; any other suffix is refused (exit 2),
    never written in another format under that name."""
    fmt = OUTPUT_SUFFIXES.get(out.suffix.lower())
    if out.is_dir():
        raise InputError(N_("--out %(out)s is a directory: give a file name"), params={"out": out})
    if fmt not in allowed:
        wanted = ", ".join(f".{f}" for f in allowed)
        if out.suffix:
            raise InputError(
                N_("--out %(name)s: this command writes %(wanted)s, not %(suffix)s"),
                params={"name": out.name, "wanted": wanted, "suffix": out.suffix},
            )
        raise InputError(
            N_("--out %(name)s: this command writes %(wanted)s, not a file without a suffix"),
            params={"name": out.name, "wanted": wanted},
        )
    return fmt


def figures_table(
    title: str | Text, figures: tuple[str, ...], labels: tuple[str, ...] = (), title_justify: str = "left"
) -> Table:
    """A table whose ``labels`` columns (left-aligned) are followed by ``figures`` columns, right-aligned so that
    numbers line up."""
    table = Table(title=title, title_justify=title_justify)
    for column in labels:
        table.add_column(column)
    for column in figures:
        table.add_column(column, justify="right")
    return table


def out_dir(out: Path) -> Path:
    """An ``--out`` that names a folder: refused when it is a file, or names one by its suffix."""
    if out.is_file() or out.suffix.lower() in OUTPUT_SUFFIXES:
        raise InputError(
            N_("--out %(name)s: this command writes several files into a folder: name a folder"),
            params={"name": out.name},
        )
    return out


def warn_unless_loopback(host: str, why: str) -> None:
    """A server bound beyond this machine gets a warning saying what that exposes."""
    import ipaddress

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        console_err.print(
            f"[yellow]warning:[/] serving on {host}, reachable from other machines: {why}", highlight=False
        )
