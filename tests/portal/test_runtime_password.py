"""ASVS 2.10.1 on a real PostgreSQL: the runtime role's password rotates while an engine is up. The test's
database asks that role for its password (a pg_hba line for it alone, the cluster trusting everyone else); the
engine reads it from the libpq password file its URL names, as ``serve`` does. After a rotation the connection
already open carries on, a new one uses the new password, and the old password is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_cli import run

from impactrank.portal.clock import SystemClock
from impactrank.portal.db import Database
from impactrank.portal.initialise import initialise
from impactrank.portal.roles import Roles

ROLE = Roles().runtime


def _hba(admin: sa.Engine) -> Path:
    with admin.connect() as conn:
        return Path(conn.execute(sa.text("SHOW hba_file")).scalar_one())


def _reload(admin: sa.Engine) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_reload_conf()"))


@pytest.fixture
def password_asked(db_url):
    """The test database, where the runtime role must give its password (scram) from loopback."""
    if not db_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL has a runtime role")
    database = sa.engine.make_url(db_url).database
    admin = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    hba = _hba(admin)
    before = hba.read_text()
    hba.write_text(f"host {database} {ROLE} 127.0.0.1/32 scram-sha-256\n" + before)
    _reload(admin)
    yield db_url
    hba.write_text(before)
    _reload(admin)
    admin.dispose()


def _password(file: Path) -> str:
    return file.read_text().strip().rsplit(":", 1)[1]


def test_the_runtime_password_rotates_while_an_engine_is_up(password_asked, tmp_path, capsys, monkeypatch):
    url = password_asked
    owner = Database(url)
    initialise(owner, SystemClock().now(), Roles())
    owner.dispose()
    passfile = tmp_path / "runtime.pgpass"
    code, out, err = run(
        capsys, monkeypatch, "portal", "rotate-runtime-password", "--password-file", str(passfile), "-d", url
    )
    assert code == 0, err
    first = _password(passfile)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first) and first not in out + err  # 256 bits, never printed
    assert passfile.stat().st_mode & 0o777 == 0o600
    assert passfile.read_text() == f"*:*:*:{ROLE}:{first}\n"

    served = sa.engine.make_url(url).set(username=ROLE, query={"passfile": str(passfile)})
    engine = Database(served.render_as_string(hide_password=False)).engine
    kept = engine.connect()
    assert kept.execute(sa.text("SELECT current_user")).scalar_one() == ROLE

    code, _, err = run(
        capsys, monkeypatch, "portal", "rotate-runtime-password", "--password-file", str(passfile), "-d", url
    )
    assert code == 0, err
    second = _password(passfile)
    assert second != first
    assert kept.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() >= 0  # the open one carries on
    with engine.connect() as fresh:  # a new connection reads the new password from the file
        assert fresh.execute(sa.text("SELECT current_user")).scalar_one() == ROLE
    kept.close()
    engine.dispose()

    with_old = sa.engine.make_url(url).set(drivername="postgresql+psycopg", username=ROLE, password=first)
    refused = sa.create_engine(with_old)
    with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
        refused.connect()
    refused.dispose()
    without = sa.create_engine(sa.engine.make_url(url).set(drivername="postgresql+psycopg", username=ROLE))
    with pytest.raises(sa.exc.OperationalError, match="password"):  # the trust of other roles does not reach it
        without.connect()
    without.dispose()


def test_rotating_is_refused_clearly_where_it_cannot_be(db_url, tmp_path, capsys, monkeypatch):
    db = Database(db_url)
    initialise(db, SystemClock().now(), Roles())
    db.dispose()
    (tmp_path / "secrets").mkdir()
    passfile = tmp_path / "secrets" / "runtime.pgpass"
    args = ("portal", "rotate-runtime-password", "--password-file", str(passfile), "-d", db_url)
    if db_url.startswith("sqlite"):
        code, _, err = run(capsys, monkeypatch, *args)
        assert code == 2 and "only a PostgreSQL portal" in err and "Traceback" not in err
    else:
        code, _, err = run(capsys, monkeypatch, *args, "--runtime-role", "nobody_here")
        assert code == 2 and "no role 'nobody_here'" in err and "Traceback" not in err
    assert list(passfile.parent.iterdir()) == []  # no file, and nothing staged left behind
