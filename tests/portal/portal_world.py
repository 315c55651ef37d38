"""The portal tests' world: two institutions (A in France, B in Germany), an operator, a reviewer, and an admin,
a contributor and an observer of each institution, with an open cycle under the hand-computable mini
methodology; its clock is a plain object the test moves."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
START = datetime(2025, 10, 1, 9, 0)
CLOSES = "2025-11-11"


class TestClock:
    """The portal's clock in tests: stands still until moved."""

    __test__ = False

    def __init__(self, now: datetime = START) -> None:
        self.t = now

    def now(self) -> datetime:
        return self.t

    def advance(self, **delta) -> None:
        self.t += timedelta(**delta)


@dataclass
class World:
    url: str
    files: Path
    clock: TestClock
    db: object
    app: object
    users: dict[str, str] = field(default_factory=dict)  # name → e-mail
    cycle: str = "2025"
    served_db: object = None  # the app's database handle: on PostgreSQL, the runtime role's
    totp: dict[str, str] = field(default_factory=dict)  # name → the TOTP secret of its authenticator
    used_steps: dict[str, int] = field(default_factory=dict)  # name → the last time step whose code was sent

    def dispose(self) -> None:
        self.db.dispose()
        if self.served_db is not self.db:
            self.served_db.dispose()

    def client(self, who: str | None = None, https: bool = False) -> TestClient:
        c = TestClient(self.app, base_url="https://testserver" if https else "http://testserver")
        if who is not None:
            body = {"email": self.users[who], "password": PASSWORD}
            if who in self.totp:
                body["code"] = self.code(who)
            r = c.post("/api/login", json=body)
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c

    def script(self, api_token: str) -> TestClient:
        """A script's client: its API token exchanged once for a session token, which it sends from then on."""
        c = TestClient(self.app)
        r = c.post("/api/tokens/session", headers={"Authorization": f"Bearer {api_token}"})
        assert r.status_code == 201, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return c

    def code(self, who: str) -> str:
        """What the person's authenticator shows: a code of a step not used yet (the portal takes each step once,
        and one step either side of its own), the clock moved on a step when both are spent, as a person waits."""
        import pyotp

        from impactrank.portal.second_factor import STEP_SECONDS, step_of

        current = step_of(self.clock.now())
        step = max(current - 1, self.used_steps[who] + 1)
        if step > current + 1:
            self.clock.advance(seconds=STEP_SECONDS)
            return self.code(who)
        self.used_steps[who] = step
        return pyotp.TOTP(self.totp[who]).generate_otp(step)

    def client_at(self, address: str) -> TestClient:
        """An anonymous client whose requests come from ``address`` (as the server's peer)."""
        return TestClient(self.app, base_url="http://testserver", client=(address, 50000))

    def enrol(self, who: str) -> None:
        """Set up the person's second factor as they would: start, then confirm with their app's first code."""
        import pyotp

        from impactrank.portal import second_factor
        from impactrank.portal.accounts import actor_of
        from impactrank.portal.models import User

        now = self.clock.now()
        with self.db.write() as session:
            actor = actor_of(session.scalar(sa.select(User).where(User.email == self.users[who])))
            self.totp[who] = second_factor.begin(session, actor, now)["secret"]
            first = second_factor.step_of(now) - 1
            second_factor.confirm(session, actor, pyotp.TOTP(self.totp[who]).generate_otp(first), now)
        self.used_steps[who] = first

    def table(self, name: str) -> list[tuple]:
        with self.db.engine.connect() as conn:
            return sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {name}"))), key=repr)

    def snapshot(self) -> dict[str, list[tuple]]:
        return {t: self.table(t) for t in sa.inspect(self.db.engine).get_table_names() if t != "alembic_version"}

    def audit_count(self) -> int:
        with self.db.engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()


MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml"


_HASHES: dict[tuple[int, str], str] = {}


def _hash_once(password: str) -> str:
    """argon2 costs ~0.2 s a hash here: the world's accounts share one real hash of their one password (one for
    each hasher the portal uses, so that no sign-in finds a hash of other parameters to redo)."""
    from impactrank.portal import security

    key = (id(security._hasher), password)
    if key not in _HASHES:
        _HASHES[key] = security.hash_password(password)
    return _HASHES[key]


_CHEAP = PasswordHasher.from_parameters(CHEAPEST)


def cheap_argon2(monkeypatch) -> None:
    """The portal's argon2id with the parameters its library gives for tests (``argon2.profiles.CHEAPEST``): the
    worlds sign in about a thousand times a run, at ~0.1-0.2 s each with the production parameters (a third of
    the portal tests' time). The same code verifies, rehashes and spends the same work on an unknown account;
    the production parameters are tested without a world (test_security.py)."""
    from impactrank.portal import security

    monkeypatch.setattr(security, "_hasher", _CHEAP)
    monkeypatch.setattr(security, "_DUMMY", _CHEAP.hash("an unused password that only spends the same time"))


def make_world(url: str, files: Path, methodology: str = str(MINI)) -> World:
    from unittest import mock

    from impactrank.portal import accounts
    from impactrank.portal.app import create_app
    from impactrank.portal.cycles import open_cycle
    from impactrank.portal.db import Database
    from impactrank.portal.initialise import initialise
    from impactrank.portal.institutions import add_institution
    from impactrank.portal.roles import Roles
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    clock = TestClock()
    db = Database(url)
    initialise(db, clock.now(), Roles())
    users = {"operator": "op@network.org", "reviewer": "rev@network.org"}
    with db.write() as session:
        scope = Scope(session, COMMAND_LINE, clock.now())
        add_institution(scope, "A", "Alpha University", "France")
        add_institution(scope, "B", "Beta Institute", "DE")
        with mock.patch.object(accounts, "hash_password", _hash_once):
            accounts.create_user(scope, users["operator"], "operator", None, PASSWORD)
            accounts.create_user(scope, users["reviewer"], "reviewer", None, PASSWORD)
            for inst in ("A", "B"):
                for role in ("admin", "contributor", "observer"):
                    email = f"{role}@{inst.lower()}.edu"
                    accounts.create_user(scope, email, role, inst, PASSWORD)
                    users[f"{inst}.{role}"] = email
        open_cycle(scope, "2025", methodology, CLOSES)
    # on PostgreSQL the app connects as the runtime role; the tests' own handle (db) keeps the administrator's
    served = Database(runtime_url(url)) if db.dialect == "postgresql" else db
    app = create_app(served, files, clock=clock, upload_limit=256 * 1024)
    world = World(url, files, clock, db, app, users, served_db=served)
    for name in ("operator", "reviewer"):  # their roles require a second factor
        world.enrol(name)
    return world


def runtime_url(url: str) -> str:
    """The URL of the runtime role ``portal init`` made (the test cluster trusts loopback: no password)."""
    from impactrank.portal.roles import Roles

    return sa.engine.make_url(url).set(username=Roles().runtime).render_as_string(hide_password=False)
