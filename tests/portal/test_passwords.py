"""Passwords people can manage: a change needs the current password and ends the other sessions; a reset is a
single-use, expiring link sent through the outbox, asked for with the same answer whether or not the account
exists; and the sign-in form is protected against login CSRF (a form on another site posting to /login)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from portal_helpers import mailed_token
from portal_world import PASSWORD

from impactrank.portal.app import create_app

NEW = "a brand new password"


def sign_in(world, email: str, password: str) -> int:
    return world.client().post("/api/login", json={"email": email, "password": password}).status_code


def outbox(world) -> list[tuple]:
    with world.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT to_email, subject FROM outbox ORDER BY id"))]


def with_base_url(world) -> None:
    """The app as ``portal serve --base-url`` makes it: reset links are built from that address only."""
    world.app = create_app(
        world.served_db, world.files, clock=world.clock, upload_limit=256 * 1024, base_url="https://portal.example"
    )


def test_change_needs_the_current_password_and_ends_the_other_sessions(world):
    email = world.users["A.contributor"]
    here, elsewhere = world.client("A.contributor"), world.client("A.contributor")
    r = here.post("/api/me/password", json={"current_password": "not my password", "new_password": NEW})
    assert r.status_code == 401 and r.json()["field"] == "current_password"
    r = here.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and r.json()["field"] == "password"
    here.headers.pop("X-CSRF-Token")
    r = here.post("/api/me/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert r.status_code == 403 and r.json()["field"] == "csrf_token"
    here.headers["X-CSRF-Token"] = world.client("A.contributor").headers["X-CSRF-Token"]  # another session's
    assert here.post("/api/me/password", json={"current_password": PASSWORD, "new_password": NEW}).status_code == 403
    here = world.client("A.contributor")
    elsewhere = world.client("A.contributor")
    r = here.post("/api/me/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert r.status_code == 201 and r.json() == {"password_changed": True}
    assert here.get("/api/me").status_code == 200
    assert elsewhere.get("/api/me").status_code == 401
    assert outbox(world) == [(email, "Your impactrank portal sign-in changed")]  # a change they did not make shows
    assert sign_in(world, email, PASSWORD) == 401 and sign_in(world, email, NEW) == 200


def test_a_token_cannot_change_its_makers_password(world):
    made = world.client("A.admin").post("/api/institutions/A/tokens", json={"name": "s", "role": "contributor"})
    script = world.script(made.json()["token"])
    r = script.post("/api/me/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert r.status_code == 403 and r.json()["field"] == "token"


def test_reset_link_is_single_use_expiring_and_asked_for_without_revealing_accounts(world):
    r = world.client().post("/api/password-reset", json={"email": world.users["A.admin"]})
    assert r.status_code == 503 and "--base-url" in r.json()["error"]  # never a link built from the Host header
    with_base_url(world)
    email = world.users["A.admin"]
    before = world.client("A.admin")
    answers = []
    for who in (email, "nobody@nowhere.example", "not an address"):
        r = world.client().post("/api/password-reset", json={"email": who})
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 201
    assert outbox(world) == [(email, "Reset your impactrank portal password")]
    world.client().post("/api/password-reset", json={"email": email})
    assert len(outbox(world)) == 1  # asked again within minutes: no second mail
    token = mailed_token(world, email, "/password-reset")
    with world.db.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM password_reset")).scalars().all()
    assert token not in stored and len(stored) == 1

    page = world.client().get(f"/password-reset/{token}")
    assert page.status_code == 200 and email in page.text
    r = world.client().post(f"/api/password-reset/{token}", json={"password": "short"})
    assert r.status_code == 422
    r = world.client().post(f"/api/password-reset/{token}", json={"password": NEW})
    assert r.status_code == 201
    assert before.get("/api/me").status_code == 401  # every session ended
    assert world.client().post(f"/api/password-reset/{token}", json={"password": PASSWORD}).status_code == 410
    assert sign_in(world, email, PASSWORD) == 401 and sign_in(world, email, NEW) == 200

    world.clock.advance(minutes=6)
    world.client().post("/api/password-reset", json={"email": email})
    late = mailed_token(world, email, "/password-reset")
    world.clock.advance(minutes=61)
    r = world.client().post(f"/api/password-reset/{late}", json={"password": PASSWORD})
    assert r.status_code == 410 and "expired" in r.json()["error"]
    assert sign_in(world, email, NEW) == 200


def test_reset_by_the_pages(world):
    with_base_url(world)
    c = world.client()
    r = c.post("/password-reset", data={"email": world.users["B.observer"]})
    assert r.status_code == 200 and "on its way" in r.text
    token = mailed_token(world, world.users["B.observer"], "/password-reset")
    assert "https://portal.example/password-reset/" in outbox_body(world, world.users["B.observer"])
    r = c.post(f"/password-reset/{token}", data={"password": NEW}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert sign_in(world, world.users["B.observer"], NEW) == 200


def outbox_body(world, to: str) -> str:
    with world.db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT body FROM outbox WHERE to_email = :t"), {"t": to}).scalar_one()


def test_login_csrf_a_cross_site_form_is_refused(world):
    email = world.users["A.admin"]
    attacker = world.client()  # a browser that never loaded the portal's sign-in page
    r = attacker.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "impactrank_portal" not in r.headers.get("set-cookie", "")
    # a form with enctype=text/plain can send JSON-looking text (an attacker picks a password with its "=")
    plain = '{"email": "' + email + '", "password": "' + PASSWORD + '"}'
    r = attacker.post("/login", content=plain, headers={"Content-Type": "text/plain"}, follow_redirects=False)
    assert r.status_code == 403
    r = attacker.post("/api/login", content=plain, headers={"Content-Type": "text/plain"}, follow_redirects=False)
    assert r.status_code == 403 and "set-cookie" not in r.headers

    browser = world.client()
    page = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text).group(1)
    r = attacker.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 403  # the token alone is not enough: it is bound to the page's cookie
    r = browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/cycles"
    assert browser.get("/api/me").json()["email"] == email


def test_login_csrf_through_an_invitation_is_refused(world):
    """An attacker's own invitation, accepted by a victim's browser from a cross-site form, would sign the victim
    in to the attacker's account: the invitation's form carries the same cookie-bound token."""
    admin = world.client("A.admin")
    assert admin.post("/api/institutions/A/invitations", json={"email": "mole@a.edu"}).status_code == 201
    path = "/invitations/" + mailed_token(world, "mole@a.edu", "/invitations")
    r = world.client().post(path, data={"password": "the attacker's pw"}, follow_redirects=False)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    browser = world.client()
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', browser.get(path).text).group(1)
    r = browser.post(path, data={"password": "the invitee's pw", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and browser.get("/api/me").json()["email"] == "mole@a.edu"


def test_one_reset_link_used_in_parallel_sets_one_password(world):
    from concurrent.futures import ThreadPoolExecutor

    with_base_url(world)
    email = world.users["A.observer"]
    world.client().post("/api/password-reset", json={"email": email})
    path = "/api/password-reset/" + mailed_token(world, email, "/password-reset")
    passwords = [f"parallel password {n}" for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda p: world.client().post(path, json={"password": p}).status_code, passwords))
    assert sorted(statuses) == [201, 410, 410, 410]
    winner = passwords[statuses.index(201)]
    assert [sign_in(world, email, p) for p in passwords] == [200 if p == winner else 401 for p in passwords]


def test_a_refused_sign_in_shows_the_form_again_with_why(world):
    """A form's wrong password, then too many tries, are said above the sign-in form in the reader's language,
    the address kept (too many tries was a bare "Error 429" page without the form)."""
    email = world.users["A.admin"]
    browser = world.client()
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', browser.get("/login?lang=fr").text).group(1)
    form = {"email": email, "password": "wrong password", "csrf_token": token}
    for _ in range(5):
        r = browser.post("/login?lang=fr", data=form, follow_redirects=False)
        assert r.status_code == 401 and 'id="login-form"' in r.text
        assert re.search(r'id="login-error">([^<]*)<', r.text)[1] == "courriel ou mot de passe erroné"
        assert f'value="{email}"' in r.text
    r = browser.post("/login?lang=fr", data={**form, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429 and 'id="login-form"' in r.text
    assert re.search(r'id="login-error">([^<]*)<', r.text)[1].startswith("trop de")
