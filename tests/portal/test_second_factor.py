"""The second factor: required by default of operators and reviewers (signed in without one, they may only set
it up), a TOTP code taken once, single-use recovery codes stored hashed, optional for institution members."""

from __future__ import annotations

import re
from datetime import UTC

import pyotp
import sqlalchemy as sa
from portal_world import PASSWORD

from impactrank.portal.security import token_hash


def login(world, email: str, code: str | None = None):
    c = world.client()
    body = {"email": email, "password": PASSWORD} | ({"code": code} if code is not None else {})
    r = c.post("/api/login", json=body)
    if r.status_code == 200:
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return r, c


def now_code(world, secret: str) -> str:
    return pyotp.TOTP(secret).at(world.clock.now().replace(tzinfo=UTC))


def test_an_operator_without_a_second_factor_may_only_set_one_up(world):
    from impactrank.portal.accounts import create_user
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        create_user(Scope(session, COMMAND_LINE, world.clock.now()), "ops2@network.org", "operator", None, PASSWORD)
    r, ops = login(world, "ops2@network.org")
    assert r.status_code == 200
    r = ops.get("/api/cycles")
    assert r.status_code == 403 and r.json()["field"] == "second_factor_setup"
    assert ops.post("/api/cycles/2025/close").status_code == 403
    page = ops.get("/audit", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/me/second-factor"
    assert "requires a second factor" in ops.get("/me/second-factor").text

    secret = ops.post("/api/me/second-factor").json()["secret"]
    r = ops.post("/api/me/second-factor/confirm", json={"code": "000000"})
    assert r.status_code == 422 and r.json()["field"] == "code"
    codes = ops.post("/api/me/second-factor/confirm", json={"code": now_code(world, secret)}).json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert ops.get("/api/cycles").status_code == 200  # the same session, now set up
    with world.db.engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT code_hash FROM recovery_code")).scalars())
    assert all(c not in stored and c.replace("-", "") not in stored for c in codes)
    assert {token_hash(c.replace("-", "")) for c in codes} <= stored

    # an operator cannot drop it, even proving who they are
    world.clock.advance(seconds=30)
    proof = {"current_password": PASSWORD, "code": now_code(world, secret)}
    r = ops.request("DELETE", "/api/me/second-factor", json=proof)
    assert r.status_code == 403 and r.json()["field"] == "second_factor"


def test_a_code_is_needed_and_taken_once(world):
    email, secret = world.users["operator"], world.totp["operator"]
    r, _ = login(world, email)
    assert r.status_code == 401 and r.json()["field"] == "code"
    r, _ = login(world, email, "123456" if now_code(world, secret) != "123456" else "654321")
    assert r.status_code == 401 and r.json()["field"] == "code"
    world.clock.advance(seconds=60)  # past the codes the world's own sign-ins used
    code = now_code(world, secret)
    r, c = login(world, email, code)
    assert r.status_code == 200 and c.get("/api/audit").status_code == 200
    r, _ = login(world, email, code)
    assert r.status_code == 401 and r.json()["field"] == "code"  # replayed: refused
    r, _ = login(world, "rev@network.org", code)
    assert r.status_code == 401  # another person's code
    with world.db.engine.connect() as conn:
        after = conn.execute(sa.text("SELECT after FROM audit_log WHERE action = 'user.sign_in' ORDER BY id")).all()
    assert '"totp"' in str(after[-1][0]).replace("'", '"')


def test_recovery_codes_are_single_use(world):
    from impactrank.portal import second_factor
    from impactrank.portal.accounts import actor_of
    from impactrank.portal.models import User

    email = world.users["reviewer"]
    with world.db.write() as session:  # the reviewer sets up a new authenticator, keeping the new codes
        user = session.scalar(sa.select(User).where(User.email == email))
        second_factor.reset(session, user.id)
        secret = second_factor.begin(session, actor_of(user), world.clock.now())["secret"]
        codes = second_factor.confirm(session, actor_of(user), now_code(world, secret), world.clock.now())
    r, c = login(world, email, codes[0].lower())
    assert r.status_code == 200 and c.get("/api/cycles/2025/review").status_code == 200
    r, _ = login(world, email, codes[0])
    assert r.status_code == 401 and r.json()["field"] == "code"
    assert login(world, email, codes[1].replace("-", " "))[0].status_code == 200


def test_an_institution_member_may_add_and_remove_one(world):
    email = world.users["A.admin"]
    admin = world.client("A.admin")
    assert "password only" in admin.get("/me/second-factor").text
    secret = admin.post("/api/me/second-factor").json()["secret"]
    assert admin.post("/api/me/second-factor/confirm", json={"code": now_code(world, secret)}).status_code == 201
    assert login(world, email)[0].status_code == 401
    world.clock.advance(seconds=30)
    assert login(world, email, now_code(world, secret))[0].status_code == 200
    r = admin.request("DELETE", "/api/me/second-factor", json={"current_password": "wrong one"})
    assert r.status_code == 401
    r = admin.request("DELETE", "/api/me/second-factor", json={"current_password": PASSWORD})
    assert r.status_code == 401 and r.json()["field"] == "code"  # the step-up asks for the code it would remove
    world.clock.advance(seconds=30)
    proof = {"current_password": PASSWORD, "code": now_code(world, secret)}
    assert admin.request("DELETE", "/api/me/second-factor", json=proof).status_code == 200
    assert login(world, email)[0].status_code == 200
    with world.db.engine.connect() as conn:
        told = conn.execute(sa.text("SELECT body FROM outbox WHERE to_email = :e ORDER BY id"), {"e": email}).scalars()
        assert [body.split(" on ")[0] for body in told] == ["The second factor of your account was removed"]


def test_the_sign_in_page_asks_for_the_code(world):
    page = world.client().get("/login").text
    assert 'name="code"' in page and 'href="/password-reset"' in page


def test_an_operator_resets_a_lost_second_factor_from_the_command_line(world, capsys, monkeypatch):
    from test_cli import run

    reviewer = world.client("reviewer")
    code, out, _ = run(capsys, monkeypatch, "portal", "user", "reset-second-factor", "REV@network.org", "-d", world.url)
    assert code == 0 and "rev@network.org" in out
    assert reviewer.get("/api/me").status_code == 401  # their sessions ended
    r, c = login(world, "rev@network.org")  # no code asked: they must set up a new factor first
    assert r.status_code == 200 and c.get("/api/cycles").json()["field"] == "second_factor_setup"
    code, _, err = run(capsys, monkeypatch, "portal", "user", "reset-second-factor", "rev@network.org", "-d", world.url)
    assert code == 2 and "field 'email'" in err and "Traceback" not in err
    with world.db.engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT actor_email, object_id FROM audit_log WHERE action = :a"), {"a": "user.second_factor.reset"}
        ).one()
    assert tuple(row) == ("command line", "rev@network.org")


def test_setting_one_up_by_the_pages(world):
    from impactrank.portal.accounts import create_user
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        create_user(Scope(session, COMMAND_LINE, world.clock.now()), "rev3@network.org", "reviewer", None, PASSWORD)
    browser = world.client()
    csrf = re.search(r'name="csrf_token" value="(\w+)"', browser.get("/login").text).group(1)
    form = {"email": "rev3@network.org", "password": PASSWORD, "csrf_token": csrf}
    r = browser.post("/login", data=form)  # redirects followed: /cycles sends them to set up the factor
    assert r.url.path == "/me/second-factor" and "requires a second factor" in r.text
    csrf = re.search(r'name="csrf-token" content="(\w+)"', r.text).group(1)
    r = browser.post("/me/second-factor", data={"csrf_token": csrf})
    secret = re.search(r'id="factor-secret">(\w+)<', r.text).group(1)
    r = browser.post("/me/second-factor/confirm", data={"csrf_token": csrf, "code": now_code(world, secret)})
    assert r.status_code == 200 and len(re.findall(r"<li><code>[A-Z0-9-]{14}</code></li>", r.text)) == 10
    assert browser.get("/cycles/2025/review").status_code == 200


def test_one_code_sent_in_parallel_opens_one_session(world):
    from concurrent.futures import ThreadPoolExecutor

    world.clock.advance(seconds=60)
    code = now_code(world, world.totp["operator"])
    with ThreadPoolExecutor(5) as pool:
        statuses = sorted(pool.map(lambda _: login(world, world.users["operator"], code)[0].status_code, range(5)))
    assert statuses == [200, 401, 401, 401, 401]


def test_serve_names_the_roles_that_must_set_one_up(world, capsys, monkeypatch):
    from fastapi.testclient import TestClient
    from test_cli import run

    from impactrank.portal.accounts import create_user
    from impactrank.portal.serve import ENV, app_from_environment
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        create_user(Scope(session, COMMAND_LINE, world.clock.now()), "ops9@network.org", "operator", None, PASSWORD)
    served = {"database": world.url, "files": str(world.files), "limit": "1024"}
    for key, value in served.items():
        monkeypatch.setenv(ENV[key], value)
    for roles, status in (("operator,reviewer", 403), ("reviewer", 200), ("", 200)):
        monkeypatch.setenv(ENV["second_factor"], roles)
        c = TestClient(app_from_environment())
        assert c.post("/api/login", json={"email": "ops9@network.org", "password": PASSWORD}).status_code == 200
        assert c.get("/api/cycles").status_code == status, roles
    code, _, err = run(capsys, monkeypatch, "portal", "serve", "--second-factor-for", "operator,boss", "-d", world.url)
    assert code == 2 and "field 'second-factor-for'" in err and "'boss'" in err and "Traceback" not in err
