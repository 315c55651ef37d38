"""CSRF, sign-in throttling, upload limits and content checks, attachments, invitations, headers, cookies,
password and token storage, on both databases."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from portal_helpers import HTML_AS_PDF, PDF, mailed_token, pdf_file, put
from portal_world import PASSWORD

EVIDENCE = "/api/cycles/2025/institutions/A/records/1/policy/evidence"


def stored_files(world) -> list:
    objects = world.files / "objects"
    return sorted(p for p in objects.rglob("*") if p.is_file()) if objects.exists() else []


def test_csrf_is_required_for_cookie_sessions(world):
    c = world.client("A.contributor")
    token = c.headers.pop("X-CSRF-Token")
    assert put(c, "2025", "A", 1, "pubs", value=5).status_code == 403
    c.headers["X-CSRF-Token"] = "0" * 64
    r = put(c, "2025", "A", 1, "pubs", value=5)
    assert r.status_code == 403 and r.json()["field"] == "csrf_token"
    r = c.post(
        "/cycles/2025/institutions/A/records/1/pubs", data={"value": "5", "version": "0"}, follow_redirects=False
    )
    assert r.status_code == 403
    assert world.table("record") == []
    c.headers["X-CSRF-Token"] = token
    assert put(c, "2025", "A", 1, "pubs", value=5).status_code == 200
    r = c.post(
        "/cycles/2025/institutions/A/records/1/pubs",
        data={"value": "6", "version": "1", "csrf_token": token, "next": "/x"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/x"


def test_sign_in_is_throttled_per_account(world):
    c = world.client()
    for _ in range(5):
        r = c.post("/api/login", json={"email": world.users["A.admin"], "password": "wrong password"})
        assert r.status_code == 401 and r.json()["field"] == "password"
    r = c.post("/api/login", json={"email": world.users["A.admin"], "password": PASSWORD})
    assert r.status_code == 429  # even the right password waits
    assert c.post("/api/login", json={"email": world.users["B.admin"], "password": PASSWORD}).status_code == 200
    world.clock.advance(minutes=16)
    assert c.post("/api/login", json={"email": world.users["A.admin"], "password": PASSWORD}).status_code == 200


def test_oversize_upload_is_refused_while_streaming(world):
    c = world.client("A.contributor")
    big = b"%PDF-1.4\n" + b"0" * (300 * 1024)
    r = c.post(EVIDENCE, data={"title": "big"}, files=pdf_file("big.pdf", big))
    assert r.status_code == 413 and "content-security-policy" in r.headers

    def chunks():  # no Content-Length: the limit is counted as the body arrives
        boundary = b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
        yield boundary
        for _ in range(100):
            yield b"%PDF" + b"0" * 8192

    r = c.post(EVIDENCE, content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413
    assert stored_files(world) == [] and world.table("evidence_item") == []


def test_content_must_match_the_name(world):
    c = world.client("A.contributor")
    r = c.post(EVIDENCE, data={"title": "fake"}, files=pdf_file("policy.pdf", HTML_AS_PDF))
    assert r.status_code == 415 and r.json()["field"] == "file" and "HTML" in r.json()["error"]
    r = c.post(EVIDENCE, data={"title": "exe"}, files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert r.status_code == 415
    r = c.post(
        EVIDENCE,
        data={"title": "csv with markup"},
        files={"file": ("a.csv", b"a,b\n<script>x</script>,1\n", "text/csv")},
    )
    assert r.status_code == 415
    assert stored_files(world) == [] and world.table("evidence_item") == []
    assert (
        c.post(
            EVIDENCE, data={"title": "ok"}, files={"file": ("a.csv", b"year,value\n2024,3\n", "text/csv")}
        ).status_code
        == 201
    )


def test_files_are_attachments_for_allowed_users_only(world):
    c = world.client("A.contributor")
    r = c.post(EVIDENCE, data={"title": "Policy"}, files=pdf_file("<b>policy</b>.pdf"))
    item = r.json()
    assert item["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert stored_files(world) == [world.files / "objects" / item["sha256"][:2] / item["sha256"][2:]]
    observer = world.client("A.observer")
    r = observer.get(item["download"])
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff" and "sandbox" in r.headers["content-security-policy"]
    assert world.client().get(item["download"]).status_code == 401
    assert world.client("B.admin").get(item["download"]).status_code == 404


def test_invitations_expire_and_are_single_use(world):
    admin = world.client("A.admin")
    for email in ("new1@a.edu", "new2@a.edu"):
        assert admin.post("/api/institutions/A/invitations", json={"email": email}).status_code == 201
    first, second = (
        f"http://testserver/invitations/{mailed_token(world, e, '/invitations')}" for e in ("new1@a.edu", "new2@a.edu")
    )
    path1, path2 = first.split("testserver")[1], second.split("testserver")[1]
    c = world.client()
    assert c.post("/api" + path1, json={"password": "short"}).json()["field"] == "password"
    assert c.post("/api" + path1, json={"password": "long enough pw"}).status_code == 200
    assert world.client().post("/api" + path1, json={"password": "another password"}).status_code == 410
    world.clock.advance(days=8)
    r = world.client().post("/api" + path2, json={"password": "long enough pw"})
    assert r.status_code == 410 and "expired" in r.json()["error"]
    assert world.client().post("/api/invitations/not-a-token", json={"password": "long enough pw"}).status_code == 404
    with world.db.engine.connect() as conn:
        hashes = conn.execute(sa.text("SELECT token_hash FROM invitation")).scalars().all()
    assert (
        path1.rsplit("/", 1)[1] not in hashes and hashlib.sha256(path1.rsplit("/", 1)[1].encode()).hexdigest() in hashes
    )


def test_headers_on_every_response(world):
    c = world.client("A.admin")
    responses = [
        c.get("/cycles"),
        c.get("/api/cycles"),
        c.get("/no/such/page"),
        c.get("/api/cycles/2025/institutions/A/records?sdg=99"),
        world.client().get("/cycles", follow_redirects=False),
        c.get("/docs"),
        c.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": "x"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 404, 422, 303, 200, 422]
    for r in responses:
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_session_cookie_flags(world):
    r = world.client().post("/api/login", json={"email": world.users["A.admin"], "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    r = world.client(https=True).post("/api/login", json={"email": world.users["A.admin"], "password": PASSWORD})
    assert "secure" in r.headers["set-cookie"].lower()


def test_passwords_tokens_and_secret_are_stored_safely(world):
    with world.db.engine.connect() as conn:
        hashes = conn.execute(sa.text("SELECT password_hash FROM portal_user")).scalars().all()
        secret = conn.execute(sa.text("SELECT value FROM setting WHERE key = 'secret_key'")).scalar_one()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert len(secret) == 64

    admin = world.client("A.admin")
    made = admin.post("/api/institutions/A/tokens", json={"name": "script", "role": "contributor"}).json()
    with world.db.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM api_token")).scalar_one()
    assert stored == hashlib.sha256(made["token"].encode()).hexdigest()
    script = world.script(made["token"])
    with world.db.engine.connect() as conn:  # the session token it bought, likewise
        stored = conn.execute(sa.text("SELECT token_hash FROM token_session")).scalar_one()
    assert stored == hashlib.sha256(script.headers["Authorization"].removeprefix("Bearer ").encode()).hexdigest()
    assert put(script, "2025", "A", 1, "pubs", value=3).status_code == 200  # no cookie, so no CSRF token needed
    assert script.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [1]}).status_code == 403
    assert admin.delete(f"/api/institutions/A/tokens/{made['id']}").status_code == 200
    assert put(script, "2025", "A", 1, "pubs", value=4, version=1).status_code == 401
    observer_token = admin.post("/api/institutions/A/tokens", json={"name": "read", "role": "observer"}).json()["token"]
    script = world.script(observer_token)
    assert script.get("/api/cycles/2025/institutions/A/records?sdg=1").status_code == 200
    assert put(script, "2025", "A", 1, "pubs", value=4, version=1).status_code == 403


def test_team_routes_name_the_bad_field(world):
    admin = world.client("A.admin")
    member = next(m for m in admin.get("/api/institutions/A/team").json()["members"] if m["role"] == "contributor")
    before = world.snapshot()
    cases = [
        ("POST", "/api/institutions/A/invitations", {"email": "not an address"}, "email"),
        ("POST", "/api/institutions/A/invitations", {"email": "x@a.edu", "role": "operator"}, "role"),
        ("POST", "/api/institutions/A/tokens", {"name": " "}, "name"),
        ("PATCH", f"/api/institutions/A/users/{member['id']}", {}, "role"),
        ("PATCH", f"/api/institutions/A/users/{member['id']}", {"role": "operator"}, "role"),
        ("PATCH", f"/api/institutions/A/users/{member['id']}", {"active": "maybe"}, "active"),
    ]
    for method, url, body, field in cases:
        r = admin.request(method, url, json=body)
        assert 400 <= r.status_code < 500 and r.json()["field"] == field, (url, body, r.text)
    assert world.snapshot() == before


def test_deactivated_member_is_signed_out(world):
    contributor = world.client("A.contributor")
    admin = world.client("A.admin")
    member = next(m for m in admin.get("/api/institutions/A/team").json()["members"] if m["role"] == "contributor")
    assert admin.patch(f"/api/institutions/A/users/{member['id']}", json={"active": False}).status_code == 200
    assert contributor.get("/api/cycles").status_code == 401
    assert (
        world.client()
        .post("/api/login", json={"email": world.users["A.contributor"], "password": PASSWORD})
        .status_code
        == 401
    )
    me = next(m for m in admin.get("/api/institutions/A/team").json()["members"] if m["role"] == "admin")
    assert admin.patch(f"/api/institutions/A/users/{me['id']}", json={"role": "observer"}).status_code == 403


def test_prune_removes_only_old_unreferenced_files(world, capsys, monkeypatch):
    import os
    import sys

    from impactrank.cli import main

    c = world.client("A.contributor")
    kept = c.post(EVIDENCE, data={"title": "kept"}, files=pdf_file()).json()["sha256"]
    orphan = world.files / "objects" / "ab" / ("c" * 62)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"%PDF-1.4 from an upload whose transaction never committed")
    fresh = world.files / "objects" / "cd" / ("e" * 62)
    fresh.parent.mkdir(exist_ok=True)
    fresh.write_bytes(b"%PDF-1.4 an upload committing right now")
    partial = world.files / "incoming" / "tmpabc"
    partial.write_bytes(b"%PDF-1.4 cut")
    for path in (orphan, partial, world.files / "objects" / kept[:2] / kept[2:]):
        os.utime(path, (0, 0))
    argv = ["impactrank", "portal", "files", "prune", "--database", world.url, "--files", str(world.files)]
    monkeypatch.setattr(sys, "argv", argv)
    try:
        main()
    except SystemExit as done:
        assert done.code == 0
    assert "removed 1 unreferenced files and 1 partial uploads" in capsys.readouterr().out
    assert stored_files(world) == sorted([fresh, world.files / "objects" / kept[:2] / kept[2:]])


def test_password_hashes_verify_only_their_own_password():
    """argon2id hashes; a wrong password, a missing account (no hash) or a damaged hash never verifies."""
    from impactrank.portal.security import hash_password, verify_password

    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD) is True
    assert verify_password(stored, PASSWORD + "!") is False
    assert verify_password(None, PASSWORD) is False
    assert verify_password(None, "an unused password that only spends the same time") is False
    assert verify_password("not a hash", PASSWORD) is False


def test_tokens_are_random_and_stored_as_their_sha256():
    from impactrank.portal.security import new_token, token_hash

    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20 and all(len(t) == 43 for t in tokens)  # 32 random bytes, URL-safe base64
    token = "ab-é"
    assert token_hash(token) == hashlib.sha256("ab-é".encode()).hexdigest()


def test_the_csrf_token_is_the_sessions_hmac_and_matches_only_itself():
    import hmac

    from impactrank.portal.security import csrf_matches, csrf_token

    expected = hmac.new(b"key", b"csrf:session-1", hashlib.sha256).hexdigest()
    assert csrf_token("key", "session-1") == expected
    assert csrf_matches("key", "session-1", expected) is True
    assert csrf_matches("key", "session-2", expected) is False
    assert csrf_matches("other key", "session-1", expected) is False
    assert csrf_matches("key", "session-1", expected[:-1]) is False
    assert csrf_matches("key", "session-1", None) is False
    assert csrf_matches("key", "session-1", "") is False


def test_a_peppered_hash_opens_only_with_its_pepper(tmp_path):
    """With a pepper, the stored hash is a mark then argon2 of HMAC-SHA256(pepper, password): it opens only under
    that pepper; a hash made with the other setting, or with weaker argon2 parameters, is to be made anew."""
    import hmac

    from argon2 import PasswordHasher

    from impactrank.errors import InputError
    from impactrank.portal import security

    pepper = b"0123456789abcdefghijklmnopqrstuv"  # 32 characters: the shortest accepted
    (tmp_path / "pepper").write_bytes(b"  " + pepper + b"\n")
    assert security.read_pepper(tmp_path / "pepper") == pepper
    (tmp_path / "pepper").write_bytes(pepper[:-1] + b"\n")
    try:
        security.read_pepper(tmp_path / "pepper")
        raise AssertionError("a 31-character pepper was accepted")
    except InputError as refused:
        assert (refused.field, refused.params) == ("pepper-file", {"file": tmp_path / "pepper", "n": 32})
        assert refused.message == f"the pepper file {tmp_path / 'pepper'} holds fewer than 32 characters"
    try:
        security.read_pepper(tmp_path / "missing")
        raise AssertionError("a missing pepper file was accepted")
    except InputError as refused:
        assert (refused.field, refused.params) == ("pepper-file", {"file": tmp_path / "missing"})
        assert refused.message == f"cannot read the pepper file {tmp_path / 'missing'}"
    plain, weak = security.hash_password(PASSWORD), PasswordHasher(time_cost=1).hash(PASSWORD)
    keyed = hmac.new(pepper, PASSWORD.encode(), hashlib.sha256).hexdigest()
    try:
        security.use_pepper(pepper)
        stored = security.hash_password(PASSWORD)
        assert stored.startswith("$hmac-sha256$argon2id$") and PasswordHasher().verify(stored[12:], keyed)
        assert security.verify_password(stored, PASSWORD) is True
        assert security.verify_password(stored, PASSWORD + "!") is False
        assert security.verify_password(plain, PASSWORD) is True  # made before the pepper: opens, then redone
        assert [security.needs_rehash(h) for h in (plain, stored, "$hmac-sha256" + weak)] == [True, False, True]
        security.use_pepper(pepper[::-1])
        assert security.verify_password(stored, PASSWORD) is False
        security.use_pepper(None)
        assert security.verify_password(stored, PASSWORD) is False  # not without its pepper
        assert security.verify_password("$hmac-sha256" + plain, PASSWORD) is False
        dummy = security.hash_password("an unused password that only spends the same time")
        assert (
            security.verify_password("$hmac-sha256" + dummy, "an unused password that only spends the same time")
            is False
        )
        assert [security.needs_rehash(h) for h in (plain, stored, weak)] == [False, False, True]
        assert security.hash_password(PASSWORD).startswith("$argon2id$")
    finally:
        security.use_pepper(None)  # the process's pepper: the next tests hash plainly


def test_an_upload_declared_too_large_gets_the_portal_page_unread(world):
    """A body whose Content-Length passes the limit is refused before a byte of it is read, as every refusal is:
    on a page in the reader's language (was a bare English page) or as the API's JSON; a real server (uvicorn)
    answers at once and goes on serving."""
    import httpx

    from served import served

    c = world.client("A.contributor")
    page = EVIDENCE.removeprefix("/api") + "?lang=fr"
    big = b"%PDF-1.4\n" + b"0" * (300 * 1024)
    r = c.post(page, data={"title": "big"}, files=pdf_file("big.pdf", big))
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    # read (under the limit and its form's overhead) and then refused: the form's page again, said at the file
    message = re.search(r'<p class="field-error" id="ev-error">([^<]*)<', r.text)[1]
    assert "le fichier dépasse la limite de 0" in message  # 256 KiB here
    assert 'lang="fr"' in r.text and 'value="big"' in r.text
    with served(world.app) as base, httpx.Client(base_url=base) as http:
        signed = http.post("/api/login", json={"email": world.users["A.contributor"], "password": PASSWORD})
        headers = {"Content-Type": "multipart/form-data; boundary=x", "X-CSRF-Token": signed.json()["csrf_token"]}
        r = http.post(EVIDENCE, content=b"--x\r\n" + b"0" * (40 * 1024 * 1024), headers=headers, timeout=10)
        assert r.status_code == 413 and r.json()["field"] == "file"
        assert http.get("/login").status_code == 200


def test_a_form_with_its_file_field_left_empty_asks_for_a_file_or_an_address(world):
    """A page's form sends its file field even when no file was chosen: that is no file (it was refused as "files
    of type (none)")."""
    c = world.client("A.contributor")
    r = c.post(EVIDENCE, data={"title": "nothing"}, files={"file": ("", b"", "application/octet-stream")})
    assert (r.status_code, r.json()["field"], r.json()["message"]) == (
        422,
        "file",
        "give a file or a web address (URL)",
    )
    r = c.post(EVIDENCE, data={"title": "a link", "url": "https://a.edu/p"}, files={"file": ("", b"", "text/plain")})
    assert r.status_code == 201
