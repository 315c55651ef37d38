"""The ``impactrank`` command: thin Typer commands over the library's layers.

Each command group lives in its own module; this module assembles them and turns user errors into one
clear line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
from importlib import import_module

import typer

from impactrank.cli.common import app, console_err
from impactrank.errors import InputError

# Command modules register themselves on ``app`` when imported; this order is the order of ``--help``.
COMMAND_MODULES = ("demo", "build", "methodology", "published", "views", "analysis", "web", "sdg")
for _module in COMMAND_MODULES:
    import_module(f"impactrank.cli.{_module}")


def main() -> None:
    try:
        app(standalone_mode=False)
    except InputError as exc:
        console_err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        sys.exit(2)
    except OSError as exc:  # an output path that cannot be written, a directory where a file should be …
        where = f" ({exc.filename})" if exc.filename else ""
        console_err.print(f"[bold red]error:[/] {exc.strerror or exc}{where}", highlight=False, markup=True)
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
