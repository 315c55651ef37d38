"""The portal's database: SQLite (one file, WAL) by default, PostgreSQL through psycopg 3.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout instead
of failing when a read lock cannot be upgraded; reads stay ``BEGIN`` (deferred) and never block under WAL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from impactrank.errors import N_, InputError

if TYPE_CHECKING:
    from impactrank.portal.roles import Roles

DEFAULT_URL = "sqlite:///portal.sqlite"
SQLITE_BUSY_MS = 30_000


def shown_url(url: str) -> str:
    """A database URL fit to print or log: its password, if any, as ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def engine_url(url: str) -> str:
    """Accept ``postgresql://…`` as a person writes it and pick the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            N_("not a database URL: %(url)r (use sqlite:///FILE or postgresql://…)"),
            field="database",
            params={"url": shown_url(url)},
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            N_("unsupported database %(backend)r: use SQLite or PostgreSQL"),
            field="database",
            params={"backend": parsed.get_backend_name()},
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise InputError(N_("the portal needs a database file: sqlite:///FILE"), field="database")
    return url


def make_engine(url: str) -> Engine:
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False},
            pool_size=10,
            max_overflow=30,
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # the driver must not open transactions itself: we do, below
            cursor = dbapi_conn.cursor()
            for pragma in (
                "journal_mode=WAL",
                "foreign_keys=ON",
                "synchronous=NORMAL",
                f"busy_timeout={SQLITE_BUSY_MS}",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("portal_write") else "BEGIN")

        return engine
    # as many kept connections as the thread pool has threads: an overflow connection is closed on return,
    # and a new PostgreSQL connection costs a server process
    return create_engine(url, pool_size=40, max_overflow=10, pool_recycle=3600)


class Database:
    """An engine and its two kinds of transaction; every change happens inside one :meth:`write` block."""

    def __init__(self, url: str) -> None:
        self.url = engine_url(url)
        self.engine = make_engine(url)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.engine.execution_options(portal_write=True), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def single_writer(self) -> bool:
        """SQLite's write transactions exclude each other from their first statement: keep slow work out of them."""
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """All or nothing: committed when the block ends normally, rolled back on any exception."""
        with self._writes() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def migrations_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("impactrank.portal") / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade(db: Database, roles: Roles | None = None) -> None:
    """The schema at its latest migration; on PostgreSQL with ``roles``, migrated as the owner role and the
    runtime role granted what the server needs, in the same transaction."""
    from alembic import command

    from impactrank.portal.roles import act_as_owner, grant_runtime

    owned = roles is not None and db.dialect == "postgresql"
    with db.engine.begin() as connection:
        if owned:
            act_as_owner(connection, roles)
        command.upgrade(migrations_config(connection), "head")
        if owned:
            grant_runtime(connection, roles)


def schema_is_current(db: Database) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        current = MigrationContext.configure(connection).get_current_heads()
        heads = ScriptDirectory.from_config(migrations_config(connection)).get_heads()
    return set(current) == set(heads)
