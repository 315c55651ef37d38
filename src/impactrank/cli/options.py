"""The options several commands share, declared once so that each reads the same in every ``--help``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer

from impactrank.errors import N_, InputError
from impactrank.io.workspace import DEFAULT_WAIT as DEFAULT_WAIT  # the commands' default for --wait

DEFAULT_WORKSPACE = Path("impactrank.duckdb")

WorkspaceOption = Annotated[
    Path,
    typer.Option("--workspace", "-w", help="DuckDB workspace file holding built and imported editions."),
]

WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0,
        help="Seconds to wait for the workspace while another command holds it (a build or import writing it; "
        "readers, for a command that writes); 0: fail at once.",
    ),
]

EditionOption = Annotated[str, typer.Option("--edition", "-e", help="Edition id in the workspace, e.g. 2021.")]

DecimalOption = Annotated[
    str | None,
    typer.Option(
        "--decimal",
        metavar="[.|,]",
        help="Decimal mark of the numbers in CSV files, for a file that cannot tell. Default: as its numbers say "
        "(12,5 in a semicolon-separated file is 12.5; a file with both marks, or only 1,234, asks for this option). "
        "With '.', commas grouping thousands are read as such (1,234 is 1234).",
        show_default=False,
    ),
]


def _existing(path: Path | None) -> Path | None:
    """A file option's file is looked for when the option is read, whether or not another option uses it."""
    if path is not None and not path.is_file():
        raise InputError(N_("file not found"), file=str(path))
    return path


GroupsOption = Annotated[
    Path | None,
    typer.Option(
        "--groups",
        "-g",
        help="Groups file (group,institution_id or group,name,country[,aliases]). Default: the institutions' "
        "groups column.",
        callback=_existing,
    ),
]

LangOption = Annotated[str, typer.Option("--lang", "-l", help="Language of the text written: en, fr or es.")]


def check_lang(lang: str) -> str:
    """The --lang value when supported, from now on the language of everything the command writes (its errors
    included); otherwise the user error naming the supported languages."""
    from impactrank.errors import N_, InputError
    from impactrank.i18n import LOCALES
    from impactrank.i18n.templates import speak

    if lang not in LOCALES:
        raise InputError(
            N_("--lang must be one of %(languages)s, not %(lang)s"),
            field="lang",
            params={"languages": ", ".join(LOCALES), "lang": repr(lang)},
        )
    return speak(lang)


def opened_by(opening: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Commands that share options and their first steps: ``opening`` declares the shared options (Typer
    parameters) and returns what the commands work on; each command's body takes that as its first argument
    and declares only its own options, listed first in ``--help``. Typer sees one signature, as written by hand.
    An opening may itself be opened by another (a view's by :func:`stored_edition`)."""
    shared = inspect.signature(opening, eval_str=True).parameters

    def decorate(body: Callable[..., Any]) -> Callable[..., Any]:
        _, *own = inspect.signature(body, eval_str=True).parameters.values()

        @functools.wraps(body)
        def command(**values: Any) -> Any:
            return body(opening(**{name: values.pop(name) for name in shared}), **values)

        params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in (*own, *shared.values())]
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate


class InWorkspace(NamedTuple):
    """The workspace a command works in and how long to wait for it."""

    workspace: Path
    wait: float


def in_workspace(
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    lang: LangOption = "en",
) -> InWorkspace:
    """The options of a command that works in the workspace (an opening for :func:`opened_by`): the language is
    set first, so that everything after speaks it."""
    check_lang(lang)
    return InWorkspace(workspace, wait)


class Stored(NamedTuple):
    """An edition to read, where it is stored and how long to wait for the workspace."""

    edition: str
    workspace: Path
    wait: float


@opened_by(in_workspace)
def stored_edition(at: InWorkspace, edition: EditionOption) -> Stored:
    """The options of a command that reads one edition (an opening for :func:`opened_by`)."""
    return Stored(edition, *at)
