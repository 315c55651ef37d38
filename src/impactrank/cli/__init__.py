"""The ``impactrank`` command: thin Typer commands over the library's layers.

Each command group lives in its own module; this module assembles them and turns user errors into one
clear line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

# Command modules register themselves on ``app`` when imported.
from impactrank.cli import analysis as _analysis  # noqa: F401
from impactrank.cli import build as _build  # noqa: F401
from impactrank.cli import demo as _demo  # noqa: F401
from impactrank.cli import methodology as _methodology  # noqa: F401
from impactrank.cli import published as _published  # noqa: F401
from impactrank.cli import views as _views  # noqa: F401
from impactrank.cli.common import app, console_err
from impactrank.errors import InputError


def main() -> None:
    try:
        app(standalone_mode=False)
    except InputError as exc:
        console_err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        sys.exit(2)
    except typer.Abort:
        console_err.print("aborted")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors arrive here with standalone_mode=False
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
