"""The attacks that once got through, each replayed on both databases: parallel guesses against the sign-in
limit, a stranger locking the owner out, a forged X-Forwarded-For, a reviewer reading another cycle, formulas
in the audit CSV, rewriting the audit log with database access, enumerating accounts through invitations, an
anonymous upload read before its 401, a client leaving mid-upload, and the database password printed."""

from __future__ import annotations

import csv
import io
import logging
import os
import socket
import subprocess
import sys
import threading

import httpx
import pytest
import sqlalchemy as sa
from portal_helpers import cycle_in_review, put
from portal_world import PASSWORD

from impactrank.portal.app import create_app
from impactrank.portal.serve import proxy_options
from served import free_port, served

WRONG = "not the password"


def login(base: str, email: str, password: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    body = {"email": email, "password": password}
    return httpx.post(f"{base}/api/login", json=body, headers=headers, timeout=120).status_code


def test_parallel_guesses_are_counted_before_any_is_checked(world):
    """Finding 1: 20 wrong passwords at once for one account: at most 5 are checked, the rest answer 429."""
    statuses: list[int] = []
    with served(world.app, **proxy_options("")) as base:
        start = threading.Barrier(20)

        def guess() -> None:
            start.wait()
            statuses.append(login(base, world.users["A.admin"], WRONG))

        threads = [threading.Thread(target=guess) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(statuses) == 20 and set(statuses) <= {401, 429}
    assert statuses.count(401) <= 5 and statuses.count(429) >= 15, sorted(statuses)


def test_a_stranger_cannot_lock_the_owner_out(world):
    """Finding 5: five wrong passwords from one address slow that address only; the owner elsewhere signs in."""
    stranger = world.client_at("203.0.113.9")
    owner = world.client_at("198.51.100.7")
    email = world.users["A.admin"]
    assert [stranger.post("/api/login", json={"email": email, "password": WRONG}).status_code for _ in range(6)] == [
        401
    ] * 5 + [429]
    assert stranger.post("/api/login", json={"email": email, "password": PASSWORD}).status_code == 429
    assert owner.post("/api/login", json={"email": email, "password": PASSWORD}).status_code == 200
    world.clock.advance(minutes=16)  # the stranger's window has passed
    assert stranger.post("/api/login", json={"email": email, "password": PASSWORD}).status_code == 200


def test_one_address_guessing_across_accounts_is_limited(world):
    """Thirty attempts from one address over many accounts, then every account answers 429 from there."""
    c = world.client_at("203.0.113.9")
    statuses = [c.post("/api/login", json={"email": f"u{i}@x.org", "password": WRONG}).status_code for i in range(30)]
    assert statuses == [401] * 30
    assert c.post("/api/login", json={"email": world.users["B.admin"], "password": PASSWORD}).status_code == 429
    assert (
        world.client_at("198.51.100.7")
        .post("/api/login", json={"email": world.users["B.admin"], "password": PASSWORD})
        .status_code
        == 200
    )


def test_forwarded_addresses_are_believed_only_from_named_proxies(world):
    """Finding 5: by default X-Forwarded-For is ignored (another header does not reset the count); behind a
    proxy named by --forwarded-allow-ips, it names the client."""
    email = world.users["A.admin"]
    with served(world.app, **proxy_options("")) as base:
        assert [login(base, email, WRONG, forwarded=f"10.0.0.{i}") for i in range(5)] == [401] * 5
        assert login(base, email, PASSWORD, forwarded="10.9.9.9") == 429
    with served(world.app, **proxy_options("127.0.0.1")) as base:
        assert login(base, email, PASSWORD, forwarded="10.9.9.9") == 200  # another client behind the proxy
        assert [login(base, email, WRONG, forwarded="10.0.0.1") for _ in range(6)] == [401] * 5 + [429]
        assert login(base, email, PASSWORD, forwarded="10.0.0.2") == 200


def test_a_reviewer_sees_an_institution_only_in_the_cycles_they_review(world):
    """Finding 2: assigned to B in 2024 and 2026 (both in review), the reviewer gets 404 for B in 2025 (open)."""
    for cycle in ("2024", "2026"):
        cycle_in_review(world, cycle, "B", "reviewer")
    assert put(world.client("B.admin"), "2025", "B", 1, "pubs", value=9).status_code == 200
    reviewer = world.client("reviewer")
    assert reviewer.get("/api/cycles/2026/institutions/B").status_code == 200
    assert reviewer.get("/api/cycles/2026/institutions/B/records").status_code == 200
    base = "/api/cycles/2025/institutions/B"
    for path in (base, f"{base}/records", f"{base}/records/1/pubs", f"{base}/records/1/pubs/history"):
        r = reviewer.get(path)
        assert r.status_code == 404 and "Beta" not in r.text, (path, r.status_code)
    cycles = {c["id"]: [i["id"] for i in c["institutions"]] for c in reviewer.get("/api/cycles").json()["cycles"]}
    assert cycles == {"2024": ["B"], "2025": [], "2026": ["B"]}


FORMULA = '=HYPERLINK("http://evil.example/","see")'


def test_the_audit_csv_neutralises_formulas(world, tmp_path, monkeypatch, capsys):
    """Finding 3: a correction reason, a review note and an extension reason that are formulas reach the audit
    CSV (web and command line) as text: no cell starts with a character a spreadsheet runs."""
    import sys

    from impactrank.cli import main

    operator = world.client("operator")
    r = operator.post("/api/cycles/2025/institutions/A/extension", json={"until": "2025-12-01", "reason": FORMULA})
    assert r.status_code == 201
    cycle_in_review(world, "2026", "A", "reviewer")
    note = {"verdict": "rejected", "note": "+1+cmd|' /C calc'!A0"}
    assessed = world.client("reviewer").post("/api/cycles/2026/institutions/A/records/3/pubs/assessment", json=note)
    assert assessed.status_code == 201, assessed.text
    assert operator.post("/api/cycles/2026/publish").status_code in (200, 201)
    correction = {"sdg": 3, "metric": "pubs", "value": 4, "reason": "@SUM(1+1)*cmd|' /C calc'!A0"}
    r = world.client("A.admin").post("/api/cycles/2026/institutions/A/corrections", json=correction)
    assert r.status_code == 201, r.text
    web = operator.get("/api/audit.csv").text
    monkeypatch.setattr(
        sys, "argv", ["impactrank", "portal", "audit", "--out", str(tmp_path / "a.csv"), "-d", world.url]
    )
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0, capsys.readouterr()
    for text in (web, (tmp_path / "a.csv").read_text()):
        rows = list(csv.DictReader(io.StringIO(text)))
        reasons = {r["reason"] for r in rows}
        assert "'" + FORMULA in reasons and "'" + correction["reason"] in reasons
        assert any(note["note"] in r["after"] and r["after"].startswith("{") for r in rows)
        cells = [cell for r in rows for cell in r.values()]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL: its roles, below
def test_audit_rows_cannot_be_replaced_on_sqlite(world):
    """Finding 4 (SQLite): REPLACE and an UPSERT over an existing audit row are refused by the triggers."""
    before = world.table("audit_log")
    attacks = (
        "REPLACE INTO audit_log (id, at, actor_email, action, object_type, object_id) "
        "VALUES (1, '2000-01-01', 'x', 'forged', 'x', 'x')",
        "INSERT OR REPLACE INTO audit_log (id, at, actor_email, action, object_type, object_id) "
        "VALUES (1, '2000-01-01', 'x', 'forged', 'x', 'x')",
        "INSERT INTO audit_log (id, at, actor_email, action, object_type, object_id) "
        "VALUES (1, '2000-01-01', 'x', 'forged', 'x', 'x') ON CONFLICT (id) DO UPDATE SET action = 'forged'",
        "UPDATE OR REPLACE audit_log SET action = 'forged' WHERE id = 1",
    )
    for statement in attacks:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert world.table("audit_log") == before
    with world.db.engine.begin() as conn:  # a new row still goes in
        conn.exec_driver_sql(
            "INSERT INTO audit_log (at, actor_email, action, object_type, object_id) "
            "VALUES ('2000-01-01', 'x', 'appended', 'x', 'x')"
        )
    assert len(world.table("audit_log")) == len(before) + 1


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has no roles: its triggers, above
def test_the_runtime_role_can_only_append_to_the_audit_log(world):
    """Finding 4 (PostgreSQL): the server's role may insert and read log rows, and nothing else: no update,
    delete or truncate, and (owning no table) no disabling of the log's triggers."""
    runtime = world.served_db
    assert put(world.client("A.contributor"), "2025", "A", 1, "pubs", value=7).status_code == 200  # app works
    with runtime.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT current_user")) == "impactrank_app"
        assert conn.scalar(sa.text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'audit_log'")) == (
            "impactrank_owner"
        )
    before = world.table("audit_log")
    for statement in (
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
        "UPDATE audit_log SET reason = 'edited'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DROP TABLE audit_log",
        "INSERT INTO audit_log (id, at, actor_email, action, object_type, object_id) VALUES "
        "(1, now(), 'x', 'forged', 'x', 'x') ON CONFLICT (id) DO UPDATE SET action = 'forged'",
        "UPDATE alembic_version SET version_num = '0001'",
    ):
        with pytest.raises(sa.exc.DBAPIError, match=r"permission denied|must be owner"), runtime.engine.begin() as c:
            c.exec_driver_sql(statement)
    assert world.table("audit_log") == before
    with runtime.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO audit_log (at, actor_email, action, object_type, object_id) VALUES (now(), 'x', 'a', 'x', 'x')"
        )
    assert len(world.table("audit_log")) == len(before) + 1


def test_invitations_answer_the_same_whether_or_not_an_account_exists(world):
    """Finding 7: inviting an operator, another institution's admin or a new address: the same answer; the
    existing person is told by e-mail and their account is unchanged."""
    admin = world.client("A.admin")
    users_before = world.table("portal_user")
    answers = {}
    for email in (world.users["operator"], world.users["B.admin"], world.users["reviewer"], "newcomer@a.edu"):
        r = admin.post("/api/institutions/A/invitations", json={"email": email, "role": "contributor"})
        body = r.json()
        answers[email] = (r.status_code, tuple(sorted(body)), body["sent"], body["role"], body["institution"])
    assert len(set(answers.values())) == 1 and next(iter(answers.values()))[0] == 201
    added = [u for u in world.table("portal_user") if u not in users_before]
    assert [u[1] for u in added] == ["newcomer@a.edu"]  # the existing accounts untouched
    with world.db.engine.connect() as conn:
        mails = dict(conn.execute(sa.text("SELECT to_email, body FROM outbox")).all())
    assert "already have an account" in mails[world.users["operator"]]
    assert "already have an account" in mails[world.users["B.admin"]]
    assert "/invitations/" in mails["newcomer@a.edu"]


def raw_request(base: str, head: str, body: bytes, read_timeout: float = 10) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as s:
        s.sendall(head.encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


UPLOAD = "/api/cycles/2025/institutions/A/records/1/policy/evidence"


def test_an_anonymous_upload_is_refused_before_its_body_is_read(world):
    """Finding 8: headers declaring a 10 MB multipart body, no credentials, and only the first bytes sent: the
    401 comes back at once (the server does not wait for the other 10 MB)."""
    big = 10 * 1024 * 1024
    head = (
        f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {big}\r\n\r\n"
    )
    app = create_app(world.served_db, world.files, clock=world.clock, upload_limit=20 * 1024 * 1024)
    with served(app) as base:
        answer = raw_request(base, head, b"--b\r\n", read_timeout=10)
        assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        # a route that takes no file refuses a multipart body, whoever sends it
        assert httpx.post(f"{base}/api/login", files={"f": ("a", b"x")}).status_code == 415


def test_a_client_leaving_mid_upload_is_one_log_line(world, caplog):
    """Finding 8: a signed-in upload cut off halfway is logged as one line, with no traceback."""
    c = world.client("A.contributor")
    cookie = c.cookies.get("impactrank_portal")
    with served(world.app) as base, caplog.at_level(logging.INFO):
        head = (
            f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nCookie: impactrank_portal={cookie}\r\n"
            f"X-CSRF-Token: {c.headers['X-CSRF-Token']}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
        )
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as s:
            s.sendall(head.encode() + b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n')
        for _ in range(100):  # the server notices the closed connection on its next read
            if any("disconnected" in r.getMessage() for r in caplog.records):
                break
            threading.Event().wait(0.05)
    portal_lines = [r for r in caplog.records if r.name.startswith(("impactrank", "uvicorn"))]
    assert [r.getMessage() for r in portal_lines if "disconnected" in r.getMessage()] == [
        f"client disconnected during POST {UPLOAD}"
    ]
    assert not [r for r in portal_lines if r.exc_info], [r.getMessage() for r in portal_lines]


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from impactrank.cli import main; main()", "portal", *args]


def test_init_and_serve_print_no_password_and_serve_ignores_forwarded_addresses(db_url, tmp_path):
    """Finding 9: what init and serve print shows the database URL with its password masked; finding 4: on
    PostgreSQL, serve warns when its role could rewrite the audit log; finding 5 through the real command: by
    default a forged X-Forwarded-For does not reset the sign-in count."""
    env = os.environ | {"COLUMNS": "300"}
    url, secrets_ = db_url, ["runtime-secret-2"]
    if db_url.startswith("postgresql"):
        url = sa.engine.make_url(db_url).set(password="hunter2-secret").render_as_string(hide_password=False)
        secrets_.append("hunter2-secret")
    init = subprocess.run(
        command("init", "--database", url, "--runtime-password-stdin"),
        input="runtime-secret-2\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    assert not [s for s in secrets_ if s in init.stdout + init.stderr]
    serve_as = [url]
    if db_url.startswith("postgresql"):
        assert f"portal database ready: {url.replace('hunter2-secret', '***')}" in init.stdout
        runtime = sa.engine.make_url(url).set(username="impactrank_app", password="runtime-secret-2")
        assert runtime.render_as_string(hide_password=True) in init.stdout
        serve_as.insert(0, runtime.render_as_string(hide_password=False))
    for database in serve_as:
        port = free_port()
        args = command("serve", "--database", database, "--port", str(port), "--files", str(tmp_path / "f"))
        server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            printed = []
            while not any("impactrank portal on" in line for line in printed):
                line = server.stdout.readline()
                assert line, server.stderr.read()
                printed.append(line)
            assert not [s for s in secrets_ if s in "".join(printed)]
            assert f"database {sa.engine.make_url(database).render_as_string(hide_password=True)};" in printed[-1]
            warned = any("may rewrite the audit log" in line for line in printed)
            assert warned == (database.startswith("postgresql") and "impactrank_app" not in database)
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(f"{base}/login", timeout=5)
                    break
                except httpx.TransportError:
                    threading.Event().wait(0.1)
            if database == serve_as[0]:
                email = "someone@a.edu"
                assert [login(base, email, WRONG, forwarded=f"10.0.0.{i}") for i in range(5)] == [401] * 5
                assert login(base, email, WRONG, forwarded="10.9.9.9") == 429
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_signing_out_ends_the_session_on_the_server(world):
    """ASVS 3.3.1: after sign-out the old cookie is refused even when a client keeps and replays it."""
    c = world.client("A.observer")
    cookie = c.cookies.get("impactrank_portal")
    assert c.get("/api/me").status_code == 200
    assert c.post("/api/logout").status_code == 200
    replay = world.client()
    replay.cookies.set("impactrank_portal", cookie)
    assert replay.get("/api/me").status_code == 401
