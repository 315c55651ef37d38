"""The audit log is append-only in the database itself: neither the application's session nor plain SQL can
change or remove a row, on SQLite (triggers) and PostgreSQL (a trigger function)."""

from __future__ import annotations

from datetime import UTC

import pyotp
import pytest
import sqlalchemy as sa
from portal_helpers import mailed_token, put
from portal_world import PASSWORD
from soft_key import SoftKey

from impactrank.portal.models import AuditEntry


def test_log_rows_cannot_be_changed_or_removed(world):
    c = world.client("A.contributor")
    assert put(c, "2025", "A", 1, "pubs", value=7).status_code == 200
    before = world.table("audit_log")
    assert before[-1][4] == "record.save" or any(r[4] == "record.save" for r in before)
    for statement in ("UPDATE audit_log SET reason = 'edited'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
            session.execute(sa.text(statement))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
        entry = session.scalars(sa.select(AuditEntry).limit(1)).one()
        entry.after = {"forged": True}
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
        session.delete(session.scalars(sa.select(AuditEntry).limit(1)).one())
    if world.db.dialect == "postgresql":
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
            session.execute(sa.text("TRUNCATE audit_log"))
    assert world.table("audit_log") == before


def test_a_saved_record_is_logged_with_before_and_after(world):
    c = world.client("A.contributor")
    n = world.audit_count()
    put(c, "2025", "A", 1, "pubs", value=7)
    put(c, "2025", "A", 1, "pubs", value=8, version=1)
    assert world.audit_count() == n + 2
    with world.db.read() as session:
        last = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.actor_email, last.action, last.object_id) == (
        world.users["A.contributor"],
        "record.save",
        "2025/A/1/pubs",
    )
    assert last.before["value"] == 7 and last.after["value"] == 8 and last.after["version"] == 2


def member_id(admin, email: str) -> int:
    return next(m["id"] for m in admin.get("/api/institutions/A/team").json()["members"] if m["email"] == email)


def test_every_change_route_writes_one_row_and_past_rows_never_change(world):
    from portal_helpers import pdf_file

    calls: list[tuple[str, str]] = []  # the route templates exercised

    def log() -> list:
        with world.db.engine.connect() as conn:
            return list(map(tuple, conn.execute(sa.text("SELECT * FROM audit_log ORDER BY id"))))

    rows = log()

    def one(route: tuple[str, str], response, status: int = 201, stepped_up: bool = False):
        """One row for the change, and with ``stepped_up`` one more: the proof of who asked (a step-up)."""
        nonlocal rows
        assert response.status_code == status, (route, response.text)
        now = log()
        assert now[: len(rows)] == rows, f"{route} changed a past row"
        assert len(now) == len(rows) + 1 + stepped_up, f"{route} wrote {len(now) - len(rows)} rows"
        assert ("user.step_up" in {r[4] for r in now[len(rows) :]}) == stepped_up, route
        new = now[-1]
        assert new[9] is not None or new[10] is not None, f"{route}: no before/after"  # before, after
        rows = now
        calls.append(route)
        return response

    base = "/api/cycles/{cycle}/institutions/{institution}"
    rec = base + "/records/{sdg}/{metric}"
    c = world.client()
    r = one(
        ("POST", "/api/login"),
        c.post("/api/login", json={"email": world.users["A.contributor"], "password": "correct horse battery"}),
        200,
    )
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    one(("PUT", rec), put(c, "2025", "A", 3, "pubs", value=5), 200)
    ev = one(
        ("POST", rec + "/evidence"),
        c.post(
            "/api/cycles/2025/institutions/A/records/1/policy/evidence", json={"title": "t", "url": "https://a.example"}
        ),
    ).json()
    c.post("/api/cycles/2025/institutions/A/records/1/policy/evidence", data={"title": "f"}, files=pdf_file())
    rows = log()
    one(
        ("DELETE", base + "/evidence/{evidence_id}"),
        c.delete(f"/api/cycles/2025/institutions/A/evidence/{ev['id']}"),
        200,
    )
    upload = b"institution_id,sdg,metric,value\nA,4,pubs,7\n"
    one(
        ("POST", base + "/upload"),
        c.post("/api/cycles/2025/institutions/A/upload", files={"file": ("a.csv", upload, "text/csv")}),
    )

    admin = world.client("A.admin")
    rows = log()
    one(
        ("POST", "/api/institutions/{institution}/invitations"),
        admin.post("/api/institutions/A/invitations", json={"email": "n@a.edu"}),
    )
    one(
        ("POST", "/api/invitations/{token}"),
        world.client().post(
            f"/api/invitations/{mailed_token(world, 'n@a.edu', '/invitations')}", json={"password": "long enough pw"}
        ),
        200,
    )
    one(
        ("PATCH", "/api/institutions/{institution}/users/{user_id}"),
        admin.patch(f"/api/institutions/A/users/{member_id(admin, 'n@a.edu')}", json={"role": "observer"}),
        200,
        stepped_up=True,
    )
    tok = one(
        ("POST", "/api/institutions/{institution}/tokens"),
        admin.post("/api/institutions/A/tokens", json={"name": "s"}),
        stepped_up=True,
    ).json()
    before = log()  # a script's exchange of its token writes no row (the token keeps its last use)
    exchange = world.client().post("/api/tokens/session", headers={"Authorization": f"Bearer {tok['token']}"})
    assert exchange.status_code == 201 and log() == before, "a token's exchange wrote to the log"
    calls.append(("POST", "/api/tokens/session"))
    one(
        ("DELETE", "/api/institutions/{institution}/tokens/{token_id}"),
        admin.delete(f"/api/institutions/A/tokens/{tok['id']}"),
        200,
    )
    one(("POST", base + "/submit"), admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3]}))

    reviewer, operator = world.client("reviewer"), world.client("operator")
    rows = log()
    one(("POST", "/api/conflicts"), reviewer.post("/api/conflicts", json={"institution": "B"}))
    one(
        ("POST", base + "/extension"),
        operator.post("/api/cycles/2025/institutions/B/extension", json={"until": "2025-12-01", "reason": "strike"}),
    )
    one(("POST", "/api/cycles/{cycle}/close"), operator.post("/api/cycles/2025/close"))
    one(
        ("POST", "/api/cycles/{cycle}/assignments"),
        operator.post(
            "/api/cycles/2025/assignments", json={"institution": "A", "sdg": 3, "reviewer": world.users["reviewer"]}
        ),
    )
    one(
        ("POST", "/api/cycles/{cycle}/assignments/auto"),
        operator.post("/api/cycles/2025/assignments/auto", json={"per_item": 1}),
    )
    one(
        ("POST", rec + "/assessment"),
        reviewer.post(
            "/api/cycles/2025/institutions/A/records/3/pubs/assessment", json={"verdict": "revision", "note": "source?"}
        ),
    )
    one(("PUT", rec), put(c, "2025", "A", 3, "pubs", version=1, value=6), 200)
    one(("POST", rec + "/resubmit"), c.post("/api/cycles/2025/institutions/A/records/3/pubs/resubmit"))
    one(
        ("POST", rec + "/assessment"),
        reviewer.post("/api/cycles/2025/institutions/A/records/3/pubs/assessment", json={"verdict": "accepted"}),
    )
    one(("POST", "/api/cycles/{cycle}/publish"), operator.post("/api/cycles/2025/publish"))
    corr = one(
        ("POST", base + "/corrections"),
        admin.post(
            "/api/cycles/2025/institutions/A/corrections",
            json={"sdg": 3, "metric": "pubs", "value": 8, "reason": "typo"},
        ),
    ).json()
    one(
        ("POST", "/api/corrections/{correction_id}/decision"),
        operator.post(f"/api/corrections/{corr['id']}/decision", json={"approve": False, "reason": "no source"}),
    )
    one(("POST", "/api/logout"), c.post("/api/logout"), 200)

    # a person's own account: password change and reset, second factor set up and removed

    world.app.state.portal.base_url = "https://portal.example"  # as served with --base-url: reset links need it
    admin = world.client("B.admin")
    rows = log()
    one(
        ("POST", "/api/me/password"),
        admin.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "another password"}),
    )
    one(
        ("POST", "/api/me/sessions/end-others"),
        admin.post("/api/me/sessions/end-others", json={"current_password": "another password"}),
    )
    # the strength meter's POST keeps the password out of the address and changes nothing: no row
    meter = world.client().post("/api/password-strength", json={"password": "correct horse battery staple"})
    assert meter.status_code == 200 and log() == rows, "the strength meter wrote to the log"
    calls.append(("POST", "/api/password-strength"))
    one(("POST", "/api/password-reset"), world.client().post("/api/password-reset", json={"email": "admin@b.edu"}))
    token = mailed_token(world, "admin@b.edu", "/password-reset")
    one(
        ("POST", "/api/password-reset/{token}"),
        world.client().post(f"/api/password-reset/{token}", json={"password": PASSWORD}),
    )
    admin = world.client("B.admin")
    rows = log()
    secret = one(("POST", "/api/me/second-factor"), admin.post("/api/me/second-factor")).json()["secret"]
    code = pyotp.TOTP(secret).at(world.clock.now().replace(tzinfo=UTC))
    one(("POST", "/api/me/second-factor/confirm"), admin.post("/api/me/second-factor/confirm", json={"code": code}))
    world.clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(world.clock.now().replace(tzinfo=UTC))
    one(("POST", "/api/me/confirm"), admin.post("/api/me/confirm", json={"current_password": PASSWORD, "code": code}))
    one(("DELETE", "/api/me/second-factor"), admin.request("DELETE", "/api/me/second-factor"), 200, stepped_up=True)
    # a security key: its options (and its challenge at sign-in) write no row; adding and removing one write one
    options = admin.post("/api/me/security-keys/options")
    assert options.status_code == 201 and log() == rows, "a key's options wrote to the log"
    calls.append(("POST", "/api/me/security-keys/options"))
    assert options.json()["rp"]["id"] == "portal.example"  # the relying party: the host --base-url names
    desk = SoftKey()
    made = {"name": "desk key", "credential": desk.create(options.json(), "https://portal.example")}
    key = one(("POST", "/api/me/security-keys"), admin.post("/api/me/security-keys", json=made)).json()["key"]
    confirming = admin.post("/api/me/confirm/key")
    assert confirming.json()["options"]["allowCredentials"][0]["id"] == desk.id and log() == rows
    calls.append(("POST", "/api/me/confirm/key"))
    challenge = world.client().post("/api/login/key", json={"email": "admin@b.edu", "password": PASSWORD})
    assert challenge.status_code == 201 and log() == rows, "a key's challenge wrote to the log"
    calls.append(("POST", "/api/login/key"))
    gone = admin.request("DELETE", f"/api/me/security-keys/{key['id']}", json={})  # confirmed it's them above
    one(("DELETE", "/api/me/security-keys/{key_id}"), gone, 200, stepped_up=True)

    spec = world.app.openapi()["paths"]
    changing = {(m.upper(), p) for p, ops in spec.items() for m in ops if m != "get"}
    assert changing == set(calls)
    actions = [r[4] for r in log()]
    assert {
        "assessment.revision",
        "record.resubmit",
        "assessment.accepted",
        "correction.request",
        "correction.reject",
    } <= set(actions)
