"""Running the real ``impactrank`` entry point in the test's own process: argv set, stdout and stderr captured,
the exit status taken from its SystemExit. Any other exception propagates, as the traceback a user would see.

``main`` calls the Typer app, which builds its click command anew on every call (a tenth of a second); here
the command is built once and ``main`` calls it in the app's place: the same parser, commands and error
handling, fast enough to run hundreds of cases."""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from unittest.mock import patch


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def message(self) -> str:
        """stderr with the terminal's line wrapping undone."""
        return " ".join(self.err.split())


@cache
def _command():
    import typer

    import impactrank.cli

    return typer.main.get_command(impactrank.cli.app)


def run_cli(*args: object, cwd: Path | None = None) -> Run:
    """``impactrank ARGS`` run from ``cwd`` (default: where the test runs)."""
    import impactrank.cli

    out, err = io.StringIO(), io.StringIO()
    argv, here = sys.argv, os.getcwd()
    sys.argv = ["impactrank", *map(str, args)]
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err), patch.object(impactrank.cli, "app", _command()):
            impactrank.cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        sys.argv = argv
        os.chdir(here)
    return Run(code, out.getvalue(), err.getvalue())
