"""The impactrank command run in this process as a user runs it: the real entry point parses the arguments,
its output and exit status are captured. A subprocess would add only the start-up time; the tests that need a
process of their own (locks, signals, several workers) start one."""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def impactrank(*args: object, cwd: Path | None = None) -> Run:
    """Run ``impactrank ARGS`` from ``cwd``; an exception the command does not turn into a message propagates
    (the test fails with its traceback)."""
    from impactrank.cli import main

    out, err = io.StringIO(), io.StringIO()
    here, argv = os.getcwd(), sys.argv
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = ["impactrank", *map(str, args)]
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(here)
        sys.argv = argv
    return Run(code, out.getvalue(), err.getvalue())
