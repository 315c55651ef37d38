"""The options several commands share, declared once so that each reads the same in every ``--help``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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

GroupsOption = Annotated[
    Path | None,
    typer.Option(
        "--groups",
        "-g",
        help="Groups file (group,institution_id or group,name,country[,aliases]). Default: the institutions' "
        "groups column.",
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
