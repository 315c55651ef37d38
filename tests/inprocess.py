"""Running the real ``impactrank`` entry point in the test's own process: argv set, stdout and stderr captured,
the exit status taken from its SystemExit. Any other exception propagates, as the traceback a user would see."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def message(self) -> str:
        """stderr with the terminal's line wrapping undone."""
        return " ".join(self.err.split())


def run_cli(*args: str) -> Run:
    from impactrank.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["impactrank", *args]
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        sys.argv = argv
    return Run(code, out.getvalue(), err.getvalue())
