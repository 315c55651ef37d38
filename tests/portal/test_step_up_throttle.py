"""Passwords sent by someone signed in (a step-up, "confirm it's you", a password change, ending other sessions)
are throttled as sign-ins are, on both databases: a stolen session cannot guess the password through these forms,
not even with parallel requests; a right password clears the account's count. And a key-only person confirms
with their key, then sends the password alone; the forms name the proof the person's factors give."""

from __future__ import annotations

import threading

import httpx
from portal_world import PASSWORD
from soft_key import SoftKey
from test_security_keys import add_key

from served import served

WRONG = "not the password"
TOKENS = "/api/institutions/A/tokens"


def status(client, path: str, body: dict, method: str = "POST") -> int:
    return client.request(method, path, json=body).status_code


def test_wrong_step_up_passwords_are_counted_per_account_until_the_window_ends(world):
    admin = world.client("A.admin")
    world.clock.advance(minutes=6)  # the sign-in is no longer a proof: each form checks the password
    guesses = [
        ("/api/me/confirm", {"current_password": WRONG}),
        ("/api/me/password", {"current_password": WRONG, "new_password": "a long new passphrase here"}),
        (TOKENS, {"name": "t", "current_password": WRONG}),
        ("/api/me/sessions/end-others", {"current_password": WRONG}),
    ]
    assert [status(admin, path, body) for path, body in guesses] == [401] * 4
    assert status(admin, "/api/me/confirm", {"current_password": PASSWORD}) == 201  # right: the count is cleared
    world.clock.advance(minutes=6)
    assert [status(admin, path, body) for path, body in guesses + guesses[:1]] == [401] * 5
    assert status(admin, TOKENS, {"name": "t", "current_password": WRONG}) == 429  # the sixth
    r = admin.post("/api/me/confirm", json={"current_password": PASSWORD})
    assert r.status_code == 429 and r.json()["field"] == "current_password"  # the right one is refused too
    assert status(admin, "/api/me/password", {"current_password": PASSWORD, "new_password": "x" * 20}) == 429
    elsewhere = world.client("A.admin")  # signing in is not refused; the count is the account's, in every session
    assert status(elsewhere, "/api/me/sessions/end-others", {"current_password": PASSWORD}) == 429
    world.clock.advance(minutes=14)
    assert status(admin, "/api/me/confirm", {"current_password": PASSWORD}) == 429  # 14 of 15 minutes
    world.clock.advance(minutes=1, seconds=1)
    assert status(admin, "/api/me/confirm", {"current_password": PASSWORD}) == 201
    assert status(elsewhere, "/api/me/sessions/end-others", {"current_password": PASSWORD}) == 201


def test_parallel_step_up_guesses_are_counted_before_any_is_checked(world):
    """Twenty wrong passwords at once through one stolen session: at most 5 are checked, the rest answer 429."""
    admin = world.client("A.admin")
    world.clock.advance(minutes=6)
    statuses: list[int] = []
    with served(world.app) as base:
        start = threading.Barrier(20)

        def guess() -> None:
            start.wait()
            r = httpx.post(
                f"{base}/api/me/confirm",
                json={"current_password": WRONG},
                cookies=dict(admin.cookies),
                headers={"X-CSRF-Token": admin.headers["X-CSRF-Token"]},
                timeout=120,
            )
            statuses.append(r.status_code)

        threads = [threading.Thread(target=guess) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(statuses) == 20 and set(statuses) <= {401, 429}
    assert statuses.count(401) <= 5 and statuses.count(429) >= 15, sorted(statuses)
    assert status(admin, "/api/me/confirm", {"current_password": PASSWORD}) == 429


def test_a_key_only_person_confirms_with_the_key_then_sends_the_password(world):
    member, key, spare = world.client("A.contributor"), SoftKey(), SoftKey()
    assert add_key(member, key).status_code == 201 and add_key(member, spare, "spare").status_code == 201
    world.clock.advance(minutes=6)
    path = f"/api/me/security-keys/{member.get('/api/me/second-factor').json()['keys'][0]['id']}"
    r = member.request("DELETE", path, json={"current_password": PASSWORD})
    assert r.status_code == 401 and r.json()["field"] == "assertion"  # no fresh key confirmation: a code needed
    options = member.post("/api/me/confirm/key").json()["options"]
    confirmed = member.post("/api/me/confirm", json={"current_password": PASSWORD, "assertion": spare.get(options)})
    assert confirmed.status_code == 201
    assert status(member, path, {"current_password": WRONG}, "DELETE") == 401  # a password sent is still checked
    assert status(member, path, {"current_password": PASSWORD}, "DELETE") == 200
    page = member.get("/me/second-factor").text
    assert "Confirm it's you with your security key" in page.replace("&#39;", "'")
    assert "Code from your authenticator app" not in page


def test_the_forms_name_the_proof_of_the_persons_factors(world):
    world.enrol("A.admin")
    admin = world.client("A.admin")
    page = admin.get("/institutions/A/team").text
    assert "Code from your authenticator app" in page and "with your security key" not in page
    assert add_key(admin, SoftKey()).status_code == 201  # app and key: the app's code is asked
    assert "Code from your authenticator app" in admin.get("/institutions/A/team").text
    b_admin = world.client("B.admin")
    assert add_key(b_admin, SoftKey()).status_code == 201
    page = b_admin.get("/institutions/B/team", headers={"Accept-Language": "fr"}).text.replace("&#39;", "'")
    assert "Confirmez votre identité avec votre clé de sécurité" in page
    assert "Code de votre application" not in page
