"""The portal tests run on SQLite and on PostgreSQL: every test taking ``db_url`` runs once per database.

A "world" holds two institutions (A in France, B in Germany), an operator, a reviewer, an admin, a contributor and
an observer of each institution, and an open cycle under the hand-computable mini methodology; its clock is
a plain object the test moves.
"""

from __future__ import annotations

import itertools
import sys
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import Cluster, why_not

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
START = datetime(2025, 10, 1, 9, 0)
CLOSES = "2025-11-11"
_ids = itertools.count()


class TestClock:
    """The portal's clock in tests: stands still until moved."""

    __test__ = False

    def __init__(self, now: datetime = START) -> None:
        self.t = now

    def now(self) -> datetime:
        return self.t

    def advance(self, **delta) -> None:
        self.t += timedelta(**delta)


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


@dataclass
class World:
    url: str
    files: Path
    clock: TestClock
    db: object
    app: object
    users: dict[str, str] = field(default_factory=dict)  # name → e-mail
    cycle: str = "2025"

    def client(self, who: str | None = None, https: bool = False) -> TestClient:
        c = TestClient(self.app, base_url="https://testserver" if https else "http://testserver")
        if who is not None:
            r = c.post("/api/login", json={"email": self.users[who], "password": PASSWORD})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c

    def table(self, name: str) -> list[tuple]:
        with self.db.engine.connect() as conn:
            return sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {name}"))), key=repr)

    def snapshot(self) -> dict[str, list[tuple]]:
        return {t: self.table(t) for t in sa.inspect(self.db.engine).get_table_names() if t != "alembic_version"}

    def audit_count(self) -> int:
        with self.db.engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()


MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml"


def make_world(url: str, files: Path, methodology: str = str(MINI)) -> World:
    from impactrank.portal.accounts import create_user
    from impactrank.portal.app import create_app
    from impactrank.portal.cycles import open_cycle
    from impactrank.portal.db import Database
    from impactrank.portal.initialise import initialise
    from impactrank.portal.institutions import add_institution
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    clock = TestClock()
    db = Database(url)
    initialise(db, clock.now())
    users = {"operator": "op@network.org", "reviewer": "rev@network.org"}
    with db.write() as session:
        scope = Scope(session, COMMAND_LINE, clock.now())
        add_institution(scope, "A", "Alpha University", "France")
        add_institution(scope, "B", "Beta Institute", "DE")
        create_user(scope, users["operator"], "operator", None, PASSWORD)
        create_user(scope, users["reviewer"], "reviewer", None, PASSWORD)
        for inst in ("A", "B"):
            for role in ("admin", "contributor", "observer"):
                email = f"{role}@{inst.lower()}.edu"
                create_user(scope, email, role, inst, PASSWORD)
                users[f"{inst}.{role}"] = email
        open_cycle(scope, "2025", methodology, CLOSES)
    app = create_app(db, files, clock=clock, upload_limit=256 * 1024)
    return World(url, files, clock, db, app, users)


@pytest.fixture
def world(db_url, tmp_path):
    w = make_world(db_url, tmp_path / "files")
    yield w
    w.db.dispose()
