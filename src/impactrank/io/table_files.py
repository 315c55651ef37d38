"""A workspace's largest tables as Parquet files in the folder ``NAME.tables`` beside its DuckDB file ``NAME``.

polars writes and reads a table of millions of rows as Parquet in a fraction of the time DuckDB takes to insert
or scan them as rows, and with less memory. The workspace records which file holds which table of an edition in
the edition's own transaction. A file is written under a temporary name and renamed into place before that
transaction commits; files no committed edition names any more (those of an edition replaced or removed, or of
a save a crash cut short) are removed by a writer once its transaction has ended, while it holds the workspace
exclusively. So a reader always finds the files its edition names, and a crash leaves the old edition whole.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError
from impactrank.io.atomic import atomic_path, is_temporary


class TableFiles:
    """The Parquet files of one workspace."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.folder = workspace.with_name(workspace.name + ".tables")

    def write(self, name: str, frame: pl.DataFrame) -> str:
        """Write the table under a new file name, returned; lz4 writes fastest of Parquet's compressions."""
        file = f"{name}-{secrets.token_hex(8)}.parquet"
        with atomic_path(self.folder / file) as tmp:
            frame.write_parquet(tmp, compression="lz4", statistics=False)
        return file

    def read(self, file: str, columns: list[str]) -> pl.DataFrame:
        """The table's rows in the order written, with those of ``columns`` it holds (the edition adds others)."""
        try:
            frame = pl.read_parquet(self.folder / file)
        except FileNotFoundError:
            raise InputError(
                N_(
                    "workspace %(workspace)s lacks %(file)s in its folder %(folder)s: a workspace is its file and "
                    "that folder (copy or move both)"
                ),
                params={"workspace": self.workspace.name, "file": file, "folder": self.folder.name},
            ) from None
        return frame.select([c for c in columns if c in frame.columns])

    def sweep(self, kept: set[str]) -> None:
        """Remove the files not in ``kept`` (ours only: Parquet and temporary names), and the folder once empty.
        Only a writer holding the workspace exclusively calls this, between transactions."""
        try:
            entries = list(os.scandir(self.folder))
        except OSError:  # no folder (no large table saved yet), or one we may not read
            return
        for entry in entries:
            ours = entry.name.endswith(".parquet") or is_temporary(entry.name)
            if ours and entry.name not in kept and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        with contextlib.suppress(OSError):  # refused while it holds anything
            self.folder.rmdir()
