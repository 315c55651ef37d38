"""A security key in headless Chromium, through the DevTools protocol's virtual authenticator (CTAP2 over USB,
with user verification): a person adds a key on the second factor page, signs out, signs in with password and
key, and confirms it's them with the key; the signature count the server keeps is the authenticator's own; a
browser whose key is not the one added cannot sign in. Served on http://localhost (WebAuthn takes no IP address
as the relying party's id)."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from portal_world import PASSWORD, make_world

from served import served

pytestmark = pytest.mark.browser
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "usb",
    "hasResidentKey": False,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal-keys")
    world = make_world(f"sqlite:///{root / 'portal.sqlite'}", root / "files")
    with served(world.app) as base:
        world.base = base.replace("127.0.0.1", "localhost")
        yield world
    world.db.dispose()


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")


def stored_key(portal) -> tuple[str, int]:
    with portal.db.engine.connect() as conn:
        return tuple(conn.execute(sa.text("SELECT credential_id, sign_count FROM security_key")).one())


def test_add_a_key_then_sign_in_with_password_and_key(portal, browser, artifacts):
    base, email = portal.base, portal.users["A.contributor"]
    errors: list[str] = []
    page = browser.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cdp = browser.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]

    sign_in(page, base, email)  # no key yet: the password alone
    page.wait_for_url("**/cycles")
    page.goto(f"{base}/me/second-factor")
    page.fill("#key-name", "USB key")
    page.click("#add-key-button")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    assert "USB key" in page.locator("#keys").inner_text()
    [made] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    credential_id, count = stored_key(portal)
    assert base64.urlsafe_b64decode(credential_id + "==") == base64.b64decode(made["credentialId"])
    assert made["rpId"] == "localhost" and count == made["signCount"]
    page.screenshot(path=str(artifacts / "portal-security-key.png"), full_page=True)

    page.click("text=Sign out")
    sign_in(page, base, email)  # the password, then the key's touch
    page.wait_for_url("**/cycles")
    [used] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert used["signCount"] > made["signCount"] and stored_key(portal) == (credential_id, used["signCount"])
    page.goto(f"{base}/me")  # "Confirm it's you": the password and a touch of the key
    page.fill("#confirm-password", PASSWORD)
    with page.expect_navigation():  # after the key's touch, the form is sent and the page comes back
        page.click("#confirm-form button[type=submit]")
    with portal.db.engine.connect() as conn:
        how = conn.execute(sa.text("SELECT after FROM audit_log WHERE action = 'user.reauthenticate'")).scalar_one()
    assert "password and security key" in str(how) and stored_key(portal)[1] > used["signCount"]
    page.click("text=Sign out")

    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})  # another key in its place
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    sign_in(page, base, email)
    status = page.locator("#key-status")
    page.wait_for_function("s => s.textContent.includes('try again')", arg=status.element_handle())
    assert page.url.endswith("/login") and errors == []
