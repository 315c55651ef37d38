"""Security keys (WebAuthn) as a second factor, on both databases: a key added through the options and the
browser's answer, checked by py_webauthn's real verification; signing in answers a challenge handed out after
the password, taken once; a replayed answer, an unknown key, another person's key, a copied key (its count behind)
or another site's answer are refused; a key counts as the second factor a role requires; removing one needs the
password. The answers come from soft_key's authenticator (the browser test uses Chromium's)."""

from __future__ import annotations

import itertools
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from portal_world import PASSWORD
from soft_key import SoftKey, b64

_addresses = itertools.count(1)


def add_key(client, key: SoftKey, name: str = "blue key"):
    options = client.post("/api/me/security-keys/options").json()
    return client.post("/api/me/security-keys", json={"name": name, "credential": key.create(options)})


def key_sign_in(world, email: str, key: SoftKey, origin: str = "http://testserver"):
    """The two steps a browser takes: the challenge for a correct password, then the key's answer with it (each
    from an address of its own: a refused answer counts against the sign-in throttle, as a wrong code does)."""
    c = world.client_at(f"192.0.2.{next(_addresses)}")
    options = c.post("/api/login/key", json={"email": email, "password": PASSWORD}).json()["options"]
    answer = key.get(options, origin)
    return c.post("/api/login", json={"email": email, "password": PASSWORD, "assertion": answer}), c, answer


def stored(world, email: str) -> list[tuple]:
    with world.db.engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT k.credential_id, k.public_key, k.sign_count, k.name, k.last_used_at FROM security_key k "
                "JOIN portal_user u ON u.id = k.user_id WHERE u.email = :e ORDER BY k.id"
            ),
            {"e": email},
        ).all()


def test_a_key_is_added_and_signs_in_once_per_challenge(world):
    email, key = world.users["A.admin"], SoftKey()
    admin = world.client("A.admin")
    options = admin.post("/api/me/security-keys/options").json()
    assert options["rp"] == {"id": "testserver", "name": "impactrank portal"} and options["excludeCredentials"] == []
    r = admin.post("/api/me/security-keys", json={"name": "  blue   key ", "credential": key.create(options)})
    assert r.status_code == 201, r.text
    assert r.json()["key"]["name"] == "blue key" and len(set(r.json()["recovery_codes"])) == 10  # a first factor
    [(credential_id, public_key, count, name, used)] = stored(world, email)
    assert (credential_id, bytes(public_key), count, name, used) == (key.id, key.cose_key(), 0, "blue key", None)
    again = admin.post("/api/me/security-keys/options").json()
    assert [c["id"] for c in again["excludeCredentials"]] == [key.id]

    r = world.client().post("/api/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 401 and r.json()["field"] == "assertion"  # the password alone no longer does
    r = world.client().post("/api/login/key", json={"email": email, "password": "wrong password"})
    assert r.status_code == 401 and r.json()["field"] == "password"  # no challenge without the password
    r, c, answer = key_sign_in(world, email, key)
    assert r.status_code == 200 and c.get("/api/me").json()["email"] == email
    assert stored(world, email)[0][2] == 1  # the key's counter, taken
    [shown] = admin.get("/api/me/second-factor").json()["keys"]
    assert shown["last_used"] == world.clock.now().isoformat(timespec="seconds")
    with world.db.engine.connect() as conn:
        after = conn.execute(sa.text("SELECT after FROM audit_log WHERE action = 'user.sign_in' ORDER BY id")).all()
    assert "security key" in str(after[-1][0])
    replayed = world.client().post("/api/login", json={"email": email, "password": PASSWORD, "assertion": answer})
    assert replayed.status_code == 401 and replayed.json()["field"] == "assertion"


def test_unknown_foreign_copied_or_misdirected_answers_are_refused(world):
    email, key, other = world.users["A.admin"], SoftKey(), SoftKey()
    assert add_key(world.client("A.admin"), key).status_code == 201
    assert add_key(world.client("A.contributor"), other, "theirs").status_code == 201
    assert key_sign_in(world, email, SoftKey())[0].status_code == 401  # a key never added
    assert key_sign_in(world, email, other)[0].status_code == 401  # another person's key
    assert key_sign_in(world, email, key, origin="http://evil.example")[0].status_code == 401  # another site's page
    with world.db.engine.begin() as conn:  # the stored count ahead of the key's own: a copy of the key was used
        conn.execute(sa.text("UPDATE security_key SET sign_count = 50 WHERE credential_id = :c"), {"c": key.id})
    r, _, _ = key_sign_in(world, email, key)
    assert r.status_code == 401 and r.json()["field"] == "assertion"
    with world.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE security_key SET sign_count = 0 WHERE credential_id = :c"), {"c": key.id})
    c = world.client()  # a challenge outlives its 5 minutes: refused
    options = c.post("/api/login/key", json={"email": email, "password": PASSWORD}).json()["options"]
    world.clock.advance(minutes=6)
    r = c.post("/api/login", json={"email": email, "password": PASSWORD, "assertion": key.get(options)})
    assert r.status_code == 401
    assert key_sign_in(world, email, key)[0].status_code == 200  # and the key itself still works
    for junk in ("not json", "{}", '{"id": "x", "rawId": "x", "type": "public-key", "response": {}}'):
        r = world.client().post("/api/login", json={"email": email, "password": PASSWORD, "assertion": junk})
        assert r.status_code == 401 and r.json()["field"] == "assertion" and "Traceback" not in r.text


def test_one_answer_sent_in_parallel_opens_one_session(world):
    email, key = world.users["A.observer"], SoftKey()
    assert add_key(world.client("A.observer"), key).status_code == 201
    c = world.client()
    options = c.post("/api/login/key", json={"email": email, "password": PASSWORD}).json()["options"]
    body = {"email": email, "password": PASSWORD, "assertion": key.get(options)}
    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(lambda _: world.client().post("/api/login", json=body).status_code, range(4)))
    assert statuses == [200, 401, 401, 401]


def test_a_key_is_the_second_factor_an_operator_needs(world):
    from impactrank.portal.accounts import create_user
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        create_user(Scope(session, COMMAND_LINE, world.clock.now()), "ops4@network.org", "operator", None, PASSWORD)
    ops = world.client()
    ops.headers["X-CSRF-Token"] = ops.post(
        "/api/login", json={"email": "ops4@network.org", "password": PASSWORD}
    ).json()["csrf_token"]
    assert ops.get("/api/cycles").json()["field"] == "second_factor_setup"
    key = SoftKey()
    assert add_key(ops, key, "desk key").status_code == 201
    assert ops.get("/api/cycles").status_code == 200  # the same session, now with a second factor
    [listed] = ops.get("/api/me/second-factor").json()["keys"]
    assert listed["name"] == "desk key" and set(listed) == {"id", "name", "added", "last_used"}
    r = ops.request("DELETE", f"/api/me/security-keys/{listed['id']}", json={"current_password": PASSWORD})
    assert r.status_code == 403 and r.json()["field"] == "second_factor"  # the role's last second factor stays
    r, signed_in, _ = key_sign_in(world, "ops4@network.org", key)
    assert r.status_code == 200 and signed_in.get("/api/audit").status_code == 200


def test_removing_a_key_needs_a_fresh_proof_and_is_told(world):
    email, key, spare = world.users["B.admin"], SoftKey(), SoftKey()
    admin = world.client("B.admin")
    first = add_key(admin, key).json()
    codes = first["recovery_codes"]
    assert add_key(admin, spare, "spare").json()["recovery_codes"] == []  # not the first factor: codes kept
    path = f"/api/me/security-keys/{first['key']['id']}"
    assert admin.request("DELETE", path, json={"current_password": "not mine"}).status_code == 401
    r = world.client("A.admin").request("DELETE", path, json={})
    assert r.status_code == 404  # someone else's key is not found
    world.clock.advance(minutes=6)  # the sign-in is no longer a fresh proof of who is asking
    r = admin.request("DELETE", path, json={})
    assert r.status_code == 403 and r.json()["field"] == "current_password"
    r = admin.request("DELETE", path, json={"current_password": PASSWORD})  # the password alone is one factor
    assert r.status_code == 401 and r.json()["field"] == "assertion"
    proof = {"current_password": PASSWORD, "code": codes[0]}  # a key-only account proves it with a recovery code
    assert admin.request("DELETE", path, json=proof).status_code == 200
    assert [row[0] for row in stored(world, email)] == [spare.id]
    spare_id = admin.get("/api/me/second-factor").json()["keys"][0]["id"]
    r = admin.request("DELETE", f"/api/me/security-keys/{spare_id}", json={})  # within 5 minutes of that proof
    assert r.status_code == 200
    assert world.client().post("/api/login", json={"email": email, "password": PASSWORD}).status_code == 200
    with world.db.engine.connect() as conn:
        codes = conn.execute(
            sa.text("SELECT count(*) FROM recovery_code r JOIN portal_user u ON u.id = r.user_id WHERE u.email = :e"),
            {"e": email},
        ).scalar_one()
        told = conn.execute(sa.text("SELECT body FROM outbox WHERE to_email = :e ORDER BY id"), {"e": email}).scalars()
        told = [body.split(" on ")[0] for body in told]
        actions = conn.execute(
            sa.text("SELECT action FROM audit_log WHERE actor_email = :e AND action LIKE 'user.security_key.%'"),
            {"e": email},
        ).scalars()
        assert sorted(actions) == ["user.security_key.add"] * 2 + ["user.security_key.remove"] * 2
    assert codes == 0 and told == ["A security key was removed from your account"] * 2  # last factor: codes gone


def test_bad_answers_when_adding_a_key_are_refused_by_field(world):
    admin, key = world.client("A.admin"), SoftKey()
    options = admin.post("/api/me/security-keys/options").json()
    r = admin.post("/api/me/security-keys", json={"name": " ", "credential": key.create(options)})
    assert r.status_code == 422 and r.json()["field"] == "name"
    for credential in ("not json", "{}", key.create(options, origin="http://evil.example")):
        r = admin.post("/api/me/security-keys", json={"name": "k", "credential": credential})
        assert r.status_code == 422 and r.json()["field"] == "credential" and "Traceback" not in r.text
    assert add_key(admin, key).status_code == 201
    options = admin.post("/api/me/security-keys/options").json()
    r = admin.post("/api/me/security-keys", json={"name": "again", "credential": key.create(options)})
    assert r.status_code == 409 and r.json()["field"] == "credential"
    token = admin.post("/api/institutions/A/tokens", json={"name": "script"})
    if token.status_code == 201:  # a script's token adds no key for a person
        script = world.script(token.json()["token"])
        assert script.post("/api/me/security-keys/options").status_code == 403
    assert b64(key.credential_id) == key.id


def test_key_routes_need_the_csrf_token_and_the_sign_in_form_its_cookie(world):
    admin, key = world.client("A.admin"), SoftKey()
    token = admin.headers.pop("X-CSRF-Token")
    for path, body in (
        ("/api/me/security-keys/options", None),
        ("/api/me/security-keys", {"name": "k", "credential": "{}"}),
    ):
        r = admin.post(path, json=body)
        assert r.status_code == 403 and r.json()["field"] == "csrf_token"
    r = admin.post("/me/security-keys", data={"name": "k", "credential": "{}"}, follow_redirects=False)
    assert r.status_code == 403
    assert world.table("key_challenge") == [] and world.table("security_key") == []
    admin.headers["X-CSRF-Token"] = token
    assert add_key(admin, key).status_code == 201
    admin.headers.pop("X-CSRF-Token")
    [shown] = admin.get("/api/me/second-factor").json()["keys"]  # a read needs no token
    r = admin.request("DELETE", f"/api/me/security-keys/{shown['id']}", json={})
    assert r.status_code == 403 and len(world.table("security_key")) == 1
    # the challenge after the password, asked from another site's form: refused before the password is looked at
    attacker, email = world.client(), world.users["A.admin"]
    r = attacker.post("/login/key", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    plain = '{"email": "' + email + '", "password": "' + PASSWORD + '"}'
    r = attacker.post("/api/login/key", content=plain, headers={"Content-Type": "text/plain"})
    assert r.status_code == 403 and r.json()["field"] == "csrf_token"


def test_key_sign_ins_leave_no_count_and_asking_for_challenges_resets_none(world):
    email, key, address = world.users["A.admin"], SoftKey(), "198.51.100.7"
    assert add_key(world.client("A.admin"), key).status_code == 201
    c = world.client_at(address)
    for _ in range(3):  # an office behind one address: its people's sign-ins with keys use up nothing
        options = c.post("/api/login/key", json={"email": email, "password": PASSWORD}).json()["options"]
        r = c.post("/api/login", json={"email": email, "password": PASSWORD, "assertion": key.get(options)})
        assert r.status_code == 200
    counts = {row[0]: row[3] for row in world.table("sign_in_attempts") if row[1] == address}
    assert counts == {"": 0}
    statuses = []  # someone with the password guessing recovery codes, asking for a challenge between guesses
    for _ in range(3):
        statuses.append(c.post("/api/login/key", json={"email": email, "password": PASSWORD}).status_code)
        wrong = {"email": email, "password": PASSWORD, "code": "AAAA-BBBB-CCCC"}
        statuses.append(c.post("/api/login", json=wrong).status_code)
    assert statuses == [201, 401, 201, 401, 201, 429]


def test_the_key_page_and_the_sign_in_form_speak_the_readers_language(world):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
    from test_web_i18n_pages import check_page

    admin = world.client("A.admin")
    assert add_key(admin, SoftKey(), "clé bleue").status_code == 201
    data = ["clé bleue", world.users["A.admin"], "A", "impactrank"]
    touch = {"fr": "Touchez votre clé de sécurité…", "es": "Toque su llave de seguridad…"}
    for lang in ("fr", "es"):
        admin.cookies.set("lang", lang)
        page = admin.get("/me/second-factor").text
        assert check_page(page, lang, data) == [] and touch[lang] in page and "clé bleue" in page
        login = world.client()
        login.cookies.set("lang", lang)
        assert touch[lang] in login.get("/login").text


def test_an_operator_with_a_key_may_drop_the_app_but_not_the_last_factor(world):
    ops, key, email = world.client("operator"), SoftKey(), world.users["operator"]
    assert add_key(ops, key).json()["recovery_codes"] == []  # the app came first: its codes stay
    app = {"current_password": PASSWORD, "code": world.code("operator")}
    assert ops.request("DELETE", "/api/me/second-factor", json=app).status_code == 200  # the key stays
    [left] = ops.get("/api/me/second-factor").json()["keys"]
    r = ops.request("DELETE", f"/api/me/security-keys/{left['id']}", json={"current_password": PASSWORD})
    assert r.status_code == 403 and r.json()["field"] == "second_factor"
    r, signed_in, _ = key_sign_in(world, email, key)
    assert r.status_code == 200 and signed_in.get("/api/outbox").status_code == 200


def test_confirm_its_you_with_a_key_then_remove_one(world):
    key, spare = SoftKey(), SoftKey()
    member = world.client("A.contributor")
    assert add_key(member, key).status_code == 201 and add_key(member, spare, "spare").status_code == 201
    world.clock.advance(minutes=6)  # the sign-in is no longer fresh
    path = f"/api/me/security-keys/{member.get('/api/me/second-factor').json()['keys'][0]['id']}"
    assert member.request("DELETE", path, json={}).status_code == 403
    options = member.post("/api/me/confirm/key").json()["options"]
    answer = spare.get(options)  # the spare key vouches
    r = member.post("/api/me/confirm", json={"current_password": PASSWORD, "assertion": answer})
    assert r.status_code == 201, r.text
    assert member.request("DELETE", path, json={}).status_code == 200
    r = member.post("/api/me/confirm", json={"current_password": PASSWORD, "assertion": answer})
    assert r.status_code == 401 and r.json()["field"] == "assertion"  # replayed: refused
    with world.db.engine.connect() as conn:
        how = conn.execute(sa.text("SELECT after FROM audit_log WHERE action = 'user.reauthenticate'")).scalar_one()
    assert "password and security key" in str(how)
