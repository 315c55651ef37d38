"""The workspace: one DuckDB file holding every edition, built or imported, in the shape of
:class:`impactrank.engine.tables.edition.Edition`.

The large tables, a built edition's validated inputs, its metric scores and its SDG scores, are Parquet files
in the folder ``NAME.tables`` beside the file, named by the edition's transaction (see
:mod:`impactrank.io.table_files`); editions saved by an earlier version keep them as rows, and are read from there.

Saving an edition replaces it whole inside one transaction, so a failure leaves the workspace as it was; a
process killed mid-save leaves it as it was too (DuckDB keeps only committed transactions, replaying its
``.wal`` file at the next open).

One writer at a time, or any number of readers: a command that writes holds ``WORKSPACE.lock`` (beside the file)
exclusively, one that reads holds it shared, and DuckDB refuses what its own lock on the file forbids. A
workspace held by another process is waited for, up to ``wait`` seconds, and then refused with a
:class:`WorkspaceBusy` that says what to do (see :mod:`impactrank.io.lock`).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from impactrank.engine.tables.edition import TABLES, Edition
from impactrank.errors import N_, InputError
from impactrank.io.lock import LockFile
from impactrank.io.table_files import TableFiles

DEFAULT_WAIT = 30.0  # seconds a command waits for a workspace another process holds
POLL = 0.1  # seconds between attempts while waiting
HEADERS = 3 * 4096  # a DuckDB file starts with three 4 KiB headers, written when it is created

_DUCK_TYPES = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Float64: "DOUBLE", pl.Boolean: "BOOLEAN"}


def _ddl(name: str, schema: dict[str, pl.DataType]) -> str:
    cols = ", ".join(f'"{col}" {_DUCK_TYPES[dtype]}' for col, dtype in schema.items())
    return f'CREATE TABLE IF NOT EXISTS "{name}" (edition VARCHAR NOT NULL, {cols})'


PARQUET_TABLES = ("metric_scores", "sdg_scores", "submissions")
_FILES_DDL = (
    "CREATE TABLE IF NOT EXISTS table_files (edition VARCHAR NOT NULL, name VARCHAR NOT NULL, file VARCHAR NOT NULL)"
)

_EDITIONS_DDL = """
CREATE TABLE IF NOT EXISTS editions (
    edition VARCHAR PRIMARY KEY,
    year INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    field_size INTEGER,  -- NULL when the edition holds only part of its table
    participants INTEGER NOT NULL,
    manifest VARCHAR NOT NULL,
    methodology VARCHAR NOT NULL
)
"""
# Each save of an edition takes the next number: readers that keep editions loaded tell from it what changed.
_REVISIONS_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS edition_revisions",
    "ALTER TABLE editions ADD COLUMN IF NOT EXISTS revision BIGINT",
)


@dataclass(frozen=True)
class Waiting:
    """How a wait for a busy workspace stands, for a status line."""

    path: Path
    holder: str  # "another impactrank command", or "another program" (DuckDB's own lock, not our lock file)
    waited: float  # seconds so far
    limit: float  # seconds the caller waits at most

    def line(self) -> str:
        return f"waiting for {self.path}, held by {self.holder}… {self.waited:.0f} s"


WaitCallback = Callable[[Waiting | None], None]  # called while waiting (about every POLL seconds), None at the end
Ahead = Mapping[str, Callable[[], str]]  # an edition's tables written before its save: table → its file, once written


class WorkspaceBusy(InputError):
    """Another process held the workspace for longer than the caller would wait."""


def busy_message(path: Path, wait: float) -> str:
    """One line: the workspace, who may hold it and what to do; never the other process's details."""
    still = f"still in use by another process after {wait:g} s" if wait > 0 else "in use by another process"
    return (
        f"workspace {path} is {still} (a build, an import or a running server?): "
        "wait for it to finish, or use another --workspace"
    )


class _Held(Exception):
    """DuckDB's own lock on the file is held by another process."""


class Workspace:
    """A DuckDB file of editions. Use as a context manager; open read-only for serving and reading.

    ``wait``: seconds to wait for a workspace another process holds (a writer excludes everyone, readers only
    writers); ``on_wait`` hears how the wait stands. :class:`WorkspaceBusy` when the time is up."""

    def __init__(
        self,
        path: str | Path,
        read_only: bool = False,
        *,
        wait: float = DEFAULT_WAIT,
        on_wait: WaitCallback | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise InputError(
                N_("no workspace at %(path)s (build or import an edition first)"), params={"path": str(self.path)}
            )
        if self.path.is_dir():
            raise InputError(N_("%(path)s is a directory, not a workspace file"), params={"path": str(self.path)})
        self._lock = LockFile(self.path, exclusive=not read_only)
        self._files = TableFiles(self.path)
        self._ahead: set[str] = set()  # table files written ahead of a save (write_file) and not yet handed to one
        self._new = False  # created by this writer: a failure that leaves it without an edition removes it
        self.con: duckdb.DuckDBPyConnection | None = None
        try:
            self.con = self._open(wait, on_wait)
            self.con.execute("SET enable_progress_bar = false")  # the commands show their own progress
            if not read_only:
                self._create_tables()
            self._stored = self._stored_columns()
        except BaseException:
            self.close()
            raise

    def _open(self, wait: float, on_wait: WaitCallback | None) -> duckdb.DuckDBPyConnection:
        """Connect once the lock file and DuckDB's own lock allow it, trying every POLL seconds for ``wait``. Whoever
        listens hears of the wait before it is given up, even when one try took the whole time (a loaded machine)."""
        start = time.monotonic()
        waited = False
        try:
            while True:
                if self._lock.acquire():
                    try:
                        return self._connect()
                    except _Held:
                        self._lock.release()
                        holder = "another program"
                    except BaseException:
                        self._lock.release()
                        raise
                else:
                    holder = "another impactrank command"
                elapsed = time.monotonic() - start
                if elapsed >= wait and (waited or on_wait is None or wait <= 0):
                    raise WorkspaceBusy(busy_message(self.path, wait))
                if on_wait is not None:
                    on_wait(Waiting(self.path, holder, min(elapsed, wait), wait))
                    waited = True
                time.sleep(max(0.0, min(POLL, wait - elapsed)))
        finally:
            if waited and on_wait is not None:
                on_wait(None)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """DuckDB's connection, the lock file held. A file whose creation a crash cut short (empty, or DuckDB's
        headers only in part) holds nothing: a reader finds no workspace, a writer starts it afresh."""
        self._new = not self.read_only and (not self.path.exists() or self._interrupted_creation())
        if self._interrupted_creation():
            if self.read_only:
                raise InputError(
                    N_("no workspace at %(path)s (build or import an edition first)"), params={"path": str(self.path)}
                )
            try:
                return self._duckdb()
            except InputError:  # refused, and not for its lock: no one is creating it
                self.path.unlink(missing_ok=True)
            return self._duckdb()
        if self.path.exists() and self.path.stat().st_size > 0:
            with self.path.open("rb") as fh:
                if fh.read(12)[8:12] != b"DUCK":
                    raise InputError(
                        N_("%(name)s is not an impactrank workspace (a DuckDB file)"), params={"name": self.path.name}
                    )
        return self._duckdb()

    def _duckdb(self) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.path), read_only=self.read_only)
        except duckdb.Error as exc:
            if _lock_conflict(exc):
                raise _Held from None
            raise InputError(
                N_("cannot open workspace %(path)s: %(reason)s"), params={"path": str(self.path), "reason": _plain(exc)}
            ) from None

    def _interrupted_creation(self) -> bool:
        """Empty, or shorter than DuckDB's headers and starting as a DuckDB file, with no log of changes beside."""
        try:
            size = self.path.stat().st_size
            if size >= HEADERS or self.path.with_name(self.path.name + ".wal").exists():
                return False
            with self.path.open("rb") as fh:
                head = fh.read(12)
        except OSError:
            return False
        return size == 0 or head[8:12] == b"DUCK"

    def _create_tables(self) -> None:
        """The tables, created (or given the columns added since) in one transaction: all or none."""
        with self._transaction():
            self.con.execute(_EDITIONS_DDL)
            for ddl in _REVISIONS_DDL:
                self.con.execute(ddl)
            for name, schema in TABLES.items():
                self.con.execute(_ddl(name, schema))
            self.con.execute(_FILES_DDL)
            self._add_new_columns()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """All or nothing: committed when the block ends, rolled back on any exception (a kill included). Then
        the table files no edition names any more go (a crash's too: the tables are created in one)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self._sweep()

    def _sweep(self) -> None:
        try:
            named = self.con.execute("SELECT file FROM table_files").fetchall()
        except duckdb.CatalogException:  # the transaction that was to create the table did not
            return
        self._files.sweep({file for (file,) in named} | self._ahead)

    def _no_edition(self, edition_id: str) -> InputError:
        known = self.editions()["edition"].to_list()
        return InputError(
            N_("no edition %(edition)s in workspace %(workspace)s (editions: %(known)s)"),
            params={"edition": repr(edition_id), "workspace": self.path.name, "known": known},
        )

    def _stored_columns(self) -> dict[str, set[str]]:
        rows = self.con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
        stored: dict[str, set[str]] = {}
        for table, column in rows:
            stored.setdefault(table, set()).add(column)
        return stored

    def _add_new_columns(self) -> None:
        """A workspace written by an earlier version gains the columns added since (empty for its editions)."""
        stored = self._stored_columns()
        for name, schema in TABLES.items():
            for col, dtype in schema.items():
                if col not in stored.get(name, set()):
                    self.con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{col}" {_DUCK_TYPES[dtype]}')

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, failure: type[BaseException] | None, *exc: object) -> None:
        self.close(failed=failure is not None)

    def close(self, failed: bool = False) -> None:
        """Close the connection, then let the lock go (in that order: the next holder finds the file closed); table
        files no save took go first, and a workspace this writer made that ``failed`` before holding an edition."""
        try:
            if self._ahead and self.con is not None:
                self._ahead.clear()
                self._sweep()
        finally:
            con, self.con = self.con, None
            try:
                if con is not None:
                    discard = failed and self._new and not con.execute("SELECT count(*) FROM editions").fetchone()[0]
                    con.close()
                    if discard:
                        self.path.unlink(missing_ok=True)
                        self._files.sweep(set())
            finally:
                self._lock.release()

    def write_file(self, name: str, frame: pl.DataFrame) -> str:
        """Write an edition's table of ``PARQUET_TABLES`` before its save (a build, while its engine still computes),
        returning the file's name for the save's ``ahead``; a file no save takes goes when the workspace closes."""
        file = self._files.write(name, frame.select(list(TABLES[name])))
        self._ahead.add(file)
        return file

    def save(
        self, edition: Edition, *, ahead: Ahead | None = None, before_commit: Callable[[], object] | None = None
    ) -> None:
        self.save_many([edition], ahead={edition.id: ahead or {}}, before_commit=before_commit)

    def save_many(
        self,
        editions: list[Edition],
        *,
        ahead: Mapping[str, Ahead] | None = None,
        before_commit: Callable[[], object] | None = None,
    ) -> None:
        """Save several editions all or nothing (a multi-edition file imports whole or not at all).

        ``ahead``: by edition, its tables :meth:`write_file` wrote, each with a function giving the file's name once
        written. ``before_commit`` runs once the rows are in, before they are committed; if it raises, nothing is
        saved (a build writes its output files meanwhile and commits only when they are in place)."""
        with self._transaction():
            for edition in editions:
                self._save_unlocked(edition, (ahead or {}).get(edition.id, {}))
            if before_commit is not None:
                before_commit()

    def remove(self, edition_id: str) -> None:
        """Delete an edition with every row of it, in one transaction."""
        if not self.has(edition_id):
            raise self._no_edition(edition_id)
        with self._transaction():
            self._delete(edition_id, list(TABLES))

    def _delete(self, edition_id: str, tables: list[str]) -> None:
        self.con.execute("DELETE FROM editions WHERE edition = ?", [edition_id])
        for name in tables:
            self.con.execute(f'DELETE FROM "{name}" WHERE edition = ?', [edition_id])
        parquet = [name for name in tables if name in PARQUET_TABLES]
        if parquet:
            self.con.execute(
                "DELETE FROM table_files WHERE edition = ? AND list_contains(?, name)", [edition_id, parquet]
            )

    def _save_unlocked(self, edition: Edition, ahead: Ahead) -> None:
        # an edition loaded without its inputs (the default) keeps the stored ones when saved back
        keep_inputs = edition.submissions.height == 0
        tables = [name for name in TABLES if not (keep_inputs and name == "submissions")]
        self._delete(edition.id, tables)
        record = [edition.id, edition.year, edition.kind, edition.source, edition.field_size, edition.participants]
        self.con.execute(
            "INSERT INTO editions (edition, year, kind, source, field_size, participants, manifest, methodology, "
            "revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, nextval('edition_revisions'))",
            [*record, json.dumps(edition.manifest, sort_keys=True), json.dumps(edition.methodology, sort_keys=True)],
        )
        # the Parquet files not written ahead are written on threads of their own (polars releases the GIL) while
        # DuckDB takes the other tables; every one is written, or has failed, before the transaction ends (an empty
        # table is as good as none)
        files = [name for name in tables if name in PARQUET_TABLES and getattr(edition, name).height]
        with ThreadPoolExecutor(max_workers=max(len(files), 1)) as pool:
            written = {
                name: ahead.get(name)
                or pool.submit(self._files.write, name, getattr(edition, name).select(list(TABLES[name]))).result
                for name in files
            }
            for name in tables:
                if name not in PARQUET_TABLES:
                    self._insert(edition.id, name, getattr(edition, name))
            for name, file in written.items():
                self.con.execute("INSERT INTO table_files VALUES (?, ?, ?)", [edition.id, name, file()])
                self._ahead.discard(file())  # named by this transaction now: kept if it commits, swept if not

    def _insert(self, edition_id: str, name: str, frame: pl.DataFrame) -> None:
        """The table's rows into DuckDB. polars' own Arrow layout (string views) is handed over without copying
        a text column; the edition id is a parameter, not a column of millions of copies."""
        columns = list(TABLES[name])
        arrow = frame.select(columns).to_arrow(compat_level=pl.CompatLevel.newest())  # noqa: F841
        names = ", ".join(f'"{c}"' for c in ["edition", *columns])
        self.con.execute(f'INSERT INTO "{name}" ({names}) SELECT ?, * FROM arrow', [edition_id])

    def _parquet(self, name: str, edition_id: str) -> pl.DataFrame | None:
        """The table's rows from its Parquet file; None when the edition keeps them as rows (or has none)."""
        if name not in PARQUET_TABLES or "table_files" not in self._stored:
            return None
        files = self.con.execute(
            "SELECT file FROM table_files WHERE edition = ? AND name = ?", [edition_id, name]
        ).fetchall()
        return self._files.read(files[0][0], list(TABLES[name])) if files else None

    def editions(self) -> pl.DataFrame:
        """One row per edition: id, year, kind, source, field size, participants and whether it has an overall
        table (2019, imported from its SDG tables, has none), by year then id."""
        if "editions" not in self._stored:  # a workspace a crash left before its tables were made: empty
            return self._frame(_NO_EDITIONS)
        return self._frame(
            "SELECT edition, year, kind, source, field_size, participants, "
            "edition IN (SELECT DISTINCT edition FROM overall) AS overall_table FROM editions ORDER BY year, edition"
        )

    def revisions(self) -> dict[str, str]:
        """Edition → its revision, which changes with every save of the edition, so a reader that keeps
        editions loaded can tell which to load again (a workspace from a version without revision numbers:
        a digest of each edition's record, its manifest naming the inputs by hash)."""
        if "editions" not in self._stored:
            return {}
        revision = "revision" if "revision" in self._stored.get("editions", set()) else "NULL"
        rows = self.con.execute(
            f"SELECT edition, {revision}, year, kind, source, field_size, participants, manifest, methodology "
            "FROM editions"
        ).fetchall()
        return {r[0]: hashlib.sha256(json.dumps(r[1:]).encode("utf-8")).hexdigest() for r in rows}

    def has(self, edition_id: str) -> bool:
        if "editions" not in self._stored:
            return False
        return bool(self.con.execute("SELECT count(*) FROM editions WHERE edition = ?", [edition_id]).fetchall()[0][0])

    def public_times(self) -> dict[str, datetime]:
        """Edition → the time (UTC) its results become public, for the editions under embargo until then."""
        if "public_at" not in self._stored.get("editions", set()):
            return {}
        rows = self.con.execute("SELECT edition, public_at FROM editions WHERE public_at IS NOT NULL").fetchall()
        return {e: t.replace(tzinfo=UTC) for e, t in rows}

    def set_public_time(self, edition_id: str, when: datetime | None) -> None:
        """Keep an edition's results under embargo until ``when`` (a naive time is UTC); None lifts it. Saving
        the edition again clears it."""
        if not self.has(edition_id):
            raise self._no_edition(edition_id)
        utc = None if when is None else (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
        with self._transaction():
            self.con.execute("ALTER TABLE editions ADD COLUMN IF NOT EXISTS public_at TIMESTAMP")
            self.con.execute(
                "UPDATE editions SET public_at = ? WHERE edition = ?",
                [None if utc is None else utc.replace(tzinfo=None), edition_id],
            )
        self._stored = self._stored_columns()

    def load(self, edition_id: str, inputs: bool = False) -> Edition:
        """One edition; ``inputs`` also loads a built edition's validated submissions (large, and needed only
        to re-score: what-if, advice, uncertainty). Saved back without them, it keeps the stored ones."""
        rows = (
            self.con.execute(
                "SELECT edition, year, kind, source, manifest, methodology FROM editions WHERE edition = ?",
                [edition_id],
            ).fetchall()
            if "editions" in self._stored
            else []
        )
        if not rows:
            raise self._no_edition(edition_id)
        row = rows[0]
        tables = {name: self.table(name, edition_id) for name in TABLES if inputs or name != "submissions"}
        return Edition(
            id=row[0],
            year=row[1],
            kind=row[2],
            source=row[3],
            manifest=json.loads(row[4]),
            methodology=json.loads(row[5]),
            **tables,
        )

    def table(self, name: str, edition_id: str) -> pl.DataFrame:
        if name not in TABLES:
            raise KeyError(name)
        parquet = self._parquet(name, edition_id)
        if parquet is not None:
            return parquet
        stored = self._stored.get(name, set())
        if not stored:  # a read-only workspace from a version without this table
            return pl.DataFrame(schema=TABLES[name])
        cols = ", ".join(f'"{c}"' for c in TABLES[name] if c in stored)  # Edition adds any missing ones as empty
        frame = self._frame(f'SELECT {cols} FROM "{name}" WHERE edition = ? ORDER BY rowid', [edition_id])
        return frame if frame.height else pl.DataFrame(schema=TABLES[name])

    def _frame(self, query: str, params: list | None = None) -> pl.DataFrame:
        return pl.from_arrow(self.con.sql(query, params=params or None).to_arrow_table())


_NO_EDITIONS = (  # the columns of editions(), no rows
    "SELECT NULL::VARCHAR AS edition, NULL::INTEGER AS year, NULL::VARCHAR AS kind, NULL::VARCHAR AS source, "
    "NULL::INTEGER AS field_size, NULL::INTEGER AS participants, NULL::BOOLEAN AS overall_table WHERE false"
)


def _lock_conflict(exc: duckdb.Error) -> bool:
    """DuckDB's refusal because another process holds its lock on the file (its only signal is the text)."""
    text = str(exc)
    return isinstance(exc, duckdb.IOException) and ("Could not set lock" in text or "Conflicting lock" in text)


def _plain(exc: duckdb.Error) -> str:
    """DuckDB's message without its error class or web links."""
    text = re.sub(r"^[A-Za-z ]*Error: ", "", str(exc).strip())
    text = re.sub(r"\s*See also https?://\S+", "", text)
    text = re.sub(r"\s*https?://\S+", "", text)
    return text.rstrip(". ") or type(exc).__name__
