"""A real second process holding a workspace, as another command or another program would: our own
``Workspace`` (the lock file and DuckDB's lock) or plain DuckDB (its lock only), for reading or writing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OPENERS = {
    "impactrank": "from impactrank.io.workspace import Workspace as open_",
    "duckdb": "from duckdb import connect as open_",
}


@contextmanager
def held(path: Path, by: str = "impactrank", read_only: bool = False) -> Iterator[subprocess.Popen]:
    """Yields once the other process holds the workspace; it lets go when a line comes on its stdin
    (``proc.communicate("release\\n")``) and is killed when the block ends."""
    code = (
        f"{OPENERS[by]}\nimport sys\nws = open_({str(path)!r}, read_only={read_only})\nprint('held', flush=True)"
        "\nsys.stdin.readline()\nws.close()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "held", proc.stderr.read()
        yield proc
    finally:
        proc.kill()
        proc.wait()
