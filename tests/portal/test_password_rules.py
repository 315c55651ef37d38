"""What a new password must be (ASVS 4.0 2.1.1, 2.1.7): 12 characters at least, and not one of the passwords
found most in breaches nor made of guessable parts, judged by zxcvbn's lists shipped offline; the forms' strength
meter (2.1.8) and show-password button (2.1.12) from the portal's own static script; and the pepper kept outside
the database (2.4.5), with the hashes made before it redone at the next sign-in."""

from __future__ import annotations

import hmac
import re

import pytest
import sqlalchemy as sa
from portal_world import PASSWORD
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from impactrank.errors import InputError
from impactrank.portal import security
from impactrank.portal.app import create_app
from impactrank.portal.errors import PortalError

STRONG = "plum orbit kettle saffron"  # zxcvbn scores it 4
PEPPER = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEF"


def change(client, new: str):
    return client.post("/api/me/password", json={"current_password": PASSWORD, "new_password": new})


def stored_hash(world, email: str) -> str:
    with world.db.engine.connect() as conn:
        query = sa.text("SELECT password_hash FROM portal_user WHERE email = :e")
        return conn.execute(query, {"e": email}).scalar_one()


def test_a_new_password_has_12_characters_and_is_not_a_common_one(world):
    client = world.client("A.contributor")
    r = change(client, "x7#Kq!m2Pz9")  # 11 characters, hard to guess
    assert r.status_code == 422 and r.json()["field"] == "password" and "at least 12 characters" in r.json()["error"]
    breached = next(p for p in FREQUENCY_LISTS["passwords"] if len(p) >= 12)  # the most common of 12 or more
    email = world.users["A.contributor"]
    for new in (breached, "password1234", "qwertyuiop123", "aaaaaaaaaaaaaaaa", email):
        assert zxcvbn(new, user_inputs=[email])["score"] < 3, new  # zxcvbn's own judgement, not the portal's
        r = change(client, new)
        assert r.status_code == 422 and "too easy to guess" in r.json()["error"], new
    assert zxcvbn(email)["score"] >= 3  # the address is guessable because it is the account's own
    assert change(client, "x7#Kq!m2Pz9w").status_code == 201  # 12 characters, not guessable


def test_the_strength_meter_gives_the_estimate_that_decides(world):
    anonymous = world.client()
    for password in ("short", "password1234", "correct horse", STRONG, "x" * 1000):
        r = anonymous.post("/api/password-strength", json={"password": password})
        assert r.status_code == 200 and r.json()["score"] == zxcvbn(password[:72])["score"]
        refusal = "short" if len(password) < 12 else "guessable" if zxcvbn(password[:72])["score"] < 3 else None
        assert r.json()["refusal"] == refusal and r.json()["acceptable"] is (refusal is None), password
    own = "saffron.kettle@a.edu"
    assert zxcvbn(own)["score"] == 4 and zxcvbn(own, user_inputs=[own])["score"] == 0
    assert anonymous.post("/api/password-strength", json={"password": own}).json()["refusal"] is None
    r = anonymous.post("/api/password-strength", json={"password": own, "email": own})
    assert r.json() == {"score": 0, "acceptable": False, "refusal": "guessable"}  # the account's own address
    for body in ({"password": "x" * 1001}, {"password": "x", "extra": 1}):
        assert anonymous.post("/api/password-strength", json=body).status_code == 422


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_password_fields_have_a_reveal_button_and_new_ones_a_meter(world, lang):
    client = world.client("A.contributor")
    client.cookies.set("lang", lang)
    page = client.get("/me")
    html = page.text
    assert page.status_code == 200 and '<script src="/static/password.js" defer></script>' in html
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    buttons = re.findall(r'<button type="button" class="reveal" aria-controls="([\w-]+)"[^>]*hidden>([^<]+)<', html)
    assert [b[0] for b in buttons] == ["current-password", "new-password", "confirm-password"]  # "confirm it's you"
    for field, _ in buttons:
        assert re.search(rf'<input id="{field}" [^>]*type="password"', html)
    assert 'minlength="12"' in html and '<meter id="new-password-meter" min="0" max="4"' in html
    words = {"en": "Show password", "fr": "Afficher le mot de passe", "es": "Mostrar la contraseña"}[lang]
    assert buttons[0][1] == words
    assert html.count('role="status" aria-live="polite"') >= 1
    script = client.get("/static/password.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("application/javascript")
    assert "aria-pressed" in script.text and "/api/password-strength" in script.text
    login = world.client().get("/login").text
    assert 'aria-controls="password"' in login and "<meter" not in login  # signing in: no meter


@pytest.fixture
def no_pepper_after():
    yield
    security.use_pepper(None)  # the process's pepper: the next tests hash plainly


def test_a_pepper_kept_outside_the_database_keys_the_hashes(world, no_pepper_after):
    email = world.users["A.admin"]
    assert stored_hash(world, email).startswith("$argon2id$")
    world.app = create_app(world.served_db, world.files, clock=world.clock, pepper=PEPPER)
    r = world.client().post("/api/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200  # the hash made before the pepper still opens the account, once more
    redone = stored_hash(world, email)
    assert redone.startswith(security.PEPPERED + "$argon2id$")
    keyed = hmac.new(PEPPER, PASSWORD.encode(), "sha256").hexdigest()
    assert security._hasher.verify(redone.removeprefix(security.PEPPERED), keyed)  # argon2 of HMAC(pepper, pw)
    assert world.client().post("/api/login", json={"email": email, "password": PASSWORD}).status_code == 200
    assert stored_hash(world, email) == redone  # done once
    with pytest.raises(PortalError) as refused:
        create_app(world.served_db, world.files, clock=world.clock)
    assert refused.value.field == "pepper-file"
    world.app = create_app(world.served_db, world.files, clock=world.clock, pepper=PEPPER[::-1])
    assert world.client().post("/api/login", json={"email": email, "password": PASSWORD}).status_code == 401


def test_a_pepper_file_is_long_enough(tmp_path):
    short = tmp_path / "pepper"
    short.write_text("too short\n")
    with pytest.raises(InputError) as refused:
        security.read_pepper(short)
    assert refused.value.field == "pepper-file" and refused.value.params == {"file": short, "n": 32}
    with pytest.raises(InputError):
        security.read_pepper(tmp_path / "missing")
    short.write_bytes(PEPPER + b"\n")
    assert security.read_pepper(short) == PEPPER


def test_the_strength_meter_is_throttled_per_address(world):
    """Each estimate costs ~10 ms of CPU: counted per address like sign-ins, 600 per 15 minutes, no one typing
    reaches that; other addresses are not slowed."""
    from impactrank.portal.throttle import METER, METER_PER_ADDRESS, WINDOW

    body = {"password": "correct horse battery staple"}
    flood, other = world.client_at("203.0.113.9"), world.client_at("198.51.100.4")
    assert flood.post("/api/password-strength", json=body).status_code == 200
    with world.db.engine.begin() as conn:  # the count as 599 more estimates from that address would leave it
        conn.execute(
            sa.text("UPDATE sign_in_attempts SET attempts = :n WHERE email = :k AND ip = '203.0.113.9'"),
            {"n": METER_PER_ADDRESS, "k": METER},
        )
    r = flood.post("/api/password-strength", json=body)
    assert r.status_code == 429 and r.json()["field"] == "password" and "15 minutes" in r.json()["error"]
    assert other.post("/api/password-strength", json=body).status_code == 200
    world.clock.advance(seconds=WINDOW.total_seconds())
    assert flood.post("/api/password-strength", json=body).status_code == 200  # a new window
