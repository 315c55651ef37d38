"""The portal tests run on SQLite and on PostgreSQL: every test taking ``db_url`` (or ``world``) runs once per
database, the PostgreSQL one on a throwaway cluster started for the session (skipped, with the reason, where
no server can be started)."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal_pg import Cluster, why_not
from portal_world import cheap_argon2, make_world

_ids = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    reason = why_not()
    if reason:
        yield None, reason
        return
    cluster = Cluster()
    try:
        url = cluster.start()
    except Exception as exc:  # a machine where the server cannot start: say why and skip
        yield None, f"PostgreSQL did not start: {exc}"
        cluster.stop()
        return
    yield url, None
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.sqlite'}"
        return
    server, reason = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip(reason)
    name = f"portal_test_{next(_ids)}"
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    cheap_argon2(monkeypatch)
    w = make_world(db_url, tmp_path / "files")
    yield w
    w.dispose()


@pytest.fixture(scope="session")
def mini_results(tmp_path_factory):
    """The mini edition's facts and press kits of A and B, made once (see portal_results)."""
    from portal_results import mini_results as made

    return made(tmp_path_factory.mktemp("mini-results"))
