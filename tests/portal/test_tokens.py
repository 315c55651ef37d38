"""API tokens, attacked as issue 22 found them: a token minting tokens and invitations of its own role (now no token
mints any), a minted token outliving the revoked one, tokens that never expire, a demoted or deactivated admin's
tokens coming back with the role, and ``POST /api/logout`` with a token leaving it working; tokens listed with
their last use. A script sends its API token only to ``POST /api/tokens/session``, for a session token of 15
minutes that the API takes and that ends with the API token."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from portal_world import PASSWORD

RECORDS = "/api/cycles/2025/institutions/A/records"


def bearer(world, token: str):
    c = world.client()
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def exchanged(world, token: str):
    return bearer(world, token).post("/api/tokens/session")


def works(client) -> bool:
    r = client.get(RECORDS, params={"sdg": 1})
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def make_token(client, name: str, role: str = "admin", **extra) -> dict:
    r = client.post("/api/institutions/A/tokens", json={"name": name, "role": role, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def listed(world, token_id: int) -> dict:
    team = world.client("A.admin").get("/api/institutions/A/team").json()
    return next(t for t in team["tokens"] if t["id"] == token_id)


def add_admin(world, email: str) -> None:
    from impactrank.portal.accounts import create_user
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        create_user(Scope(session, COMMAND_LINE, world.clock.now()), email, "admin", "A", PASSWORD)
    world.users[email] = email


def test_a_token_grants_only_below_its_role_and_dies_with_its_maker(world):
    admin = world.client("A.admin")
    first = make_token(admin, "admin script")
    script = world.script(first["token"])
    r = script.post("/api/institutions/A/tokens", json={"name": "twin", "role": "admin"})
    assert r.status_code == 403 and r.json()["field"] == "role"
    r = script.post("/api/institutions/A/invitations", json={"email": "twin@a.edu", "role": "admin"})
    assert r.status_code == 403 and r.json()["field"] == "role"
    contributor_id = next(
        m["id"] for m in admin.get("/api/institutions/A/team").json()["members"] if m["role"] == "contributor"
    )
    r = script.patch(f"/api/institutions/A/users/{contributor_id}", json={"role": "admin"})
    assert r.status_code == 403
    with world.db.engine.connect() as conn:
        emails = set(conn.execute(sa.text("SELECT email FROM portal_user")).scalars())
        roles = dict(conn.execute(sa.text("SELECT email, role FROM portal_user")).all())
    assert "twin@a.edu" not in emails and roles[world.users["A.contributor"]] == "contributor"

    r = script.post("/api/institutions/A/tokens", json={"name": "child", "role": "contributor"})
    assert r.status_code == 403 and r.json()["field"] == "token"  # a token mints no token at all (step-up)
    child = legacy_child(world, first["id"])  # one minted through a token before that was refused

    child_script = world.script(child)
    assert works(child_script)
    assert admin.delete(f"/api/institutions/A/tokens/{first['id']}").status_code == 200
    assert not works(script) and not works(child_script)  # the minted one went with it, and their session tokens
    assert exchanged(world, first["token"]).status_code == 401 and exchanged(world, child).status_code == 401
    with world.db.engine.connect() as conn:
        reasons = conn.execute(
            sa.text("SELECT object_id, reason FROM audit_log WHERE action = 'token.revoke' ORDER BY id")
        ).all()
        ids = conn.execute(sa.text("SELECT id FROM api_token WHERE parent_id = :p"), {"p": first["id"]}).scalars()
        child_id = next(ids)
    assert listed(world, child_id)["revoked"] is True
    assert [tuple(r) for r in reasons] == [
        (str(first["id"]), None),
        (str(child_id), f"made through token {first['id']}, which was revoked"),
    ]


def legacy_child(world, parent_id: int) -> str:
    """A contributor token made through token ``parent_id``, as tokens could mint before the step-up: its secret."""
    from impactrank.portal.security import new_token, token_hash

    raw = new_token()
    with world.db.engine.begin() as conn:
        parent = conn.execute(sa.text("SELECT * FROM api_token WHERE id = :p"), {"p": parent_id}).mappings().one()
        conn.execute(
            sa.text(
                "INSERT INTO api_token (institution_id, created_by, name, role, token_hash, created_at, expires_at, "
                "parent_id) VALUES ('A', :by, 'child', 'contributor', :h, :at, :until, :p)"
            ),
            {
                "by": parent["created_by"],
                "h": token_hash(raw),
                "at": parent["created_at"],
                "until": parent["expires_at"],
                "p": parent_id,
            },
        )
    return raw


def test_tokens_expire_by_default_and_within_the_maximum(world):
    admin = world.client("A.admin")
    start = world.clock.now()
    default = make_token(admin, "default")
    assert datetime.fromisoformat(default["expires_at"]) == start + timedelta(days=90)
    for days in (0, 366):
        r = admin.post("/api/institutions/A/tokens", json={"name": "bad", "days": days})
        assert r.status_code == 422 and r.json()["field"] == "days"
    short = make_token(admin, "short", "observer", days=1)
    assert datetime.fromisoformat(short["expires_at"]) == start + timedelta(days=1)
    assert works(world.script(short["token"]))
    world.clock.advance(days=1)
    assert exchanged(world, short["token"]).status_code == 401  # at its expiry it is refused
    assert works(world.script(default["token"]))
    world.clock.advance(days=89)
    assert exchanged(world, default["token"]).status_code == 401


def test_demotion_and_deactivation_end_every_credential_for_good(world):
    admin = world.client("A.admin")
    members = {}
    for email in ("second@a.edu", "third@a.edu"):
        add_admin(world, email)
    for m in admin.get("/api/institutions/A/team").json()["members"]:
        members[m["email"]] = m["id"]
    second, third = world.client("second@a.edu"), world.client("third@a.edu")
    second_made = make_token(second, "second's script", "contributor")["token"]
    third_made = make_token(third, "third's script", "contributor")["token"]
    second_token, third_token = world.script(second_made), world.script(third_made)
    assert works(second) and works(second_token) and works(third) and works(third_token)

    demote = {"role": "contributor"}
    assert admin.patch(f"/api/institutions/A/users/{members['second@a.edu']}", json=demote).status_code == 200
    assert admin.patch(f"/api/institutions/A/users/{members['third@a.edu']}", json={"active": False}).status_code == 200
    assert not works(second) and not works(second_token) and not works(third) and not works(third_token)
    assert exchanged(world, second_made).status_code == 401 and exchanged(world, third_made).status_code == 401

    again = admin.patch(f"/api/institutions/A/users/{members['second@a.edu']}", json={"role": "admin"})
    assert again.status_code == 200
    assert admin.patch(f"/api/institutions/A/users/{members['third@a.edu']}", json={"active": True}).status_code == 200
    assert not works(second) and not works(second_token) and not works(third) and not works(third_token)
    assert exchanged(world, second_made).status_code == 401 and exchanged(world, third_made).status_code == 401
    assert works(world.client("second@a.edu")) and works(world.client("third@a.edu"))  # they sign in anew

    # a token acts below its role: an admin token cannot demote or deactivate an admin
    script = world.script(make_token(admin, "admin script")["token"])
    r = script.patch(f"/api/institutions/A/users/{members['second@a.edu']}", json={"active": False})
    assert r.status_code == 403


def test_logout_with_a_session_token_ends_it(world):
    """Signing out ends the session token sent; the API token stays, as a password stays when a person signs out
    (revoking it is the team's: DELETE /api/institutions/{institution}/tokens/{id})."""
    made = make_token(world.client("A.admin"), "to sign out", "contributor")
    script, other = world.script(made["token"]), world.script(made["token"])
    r = script.post("/api/logout")
    assert r.status_code == 200 and r.json() == {"signed_out": True}
    assert not works(script) and works(other)
    assert listed(world, made["id"])["revoked"] is False
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM token_session")).scalar_one() == 1


def test_tokens_are_listed_with_their_last_use(world):
    made = make_token(world.client("A.admin"), "counted", "observer")
    assert listed(world, made["id"])["last_used_at"] is None
    first = world.clock.now()
    script = world.script(made["token"])  # the exchange is a use
    assert listed(world, made["id"])["last_used_at"] == first.isoformat()
    world.clock.advance(seconds=30)  # written at most once a minute
    assert works(script)
    assert listed(world, made["id"])["last_used_at"] == first.isoformat()
    world.clock.advance(seconds=45)
    later = world.clock.now()
    r = script.get("/api/cycles/2025/institutions/B/records", params={"sdg": 1})
    assert r.status_code == 404  # a refused request is a use too
    assert listed(world, made["id"])["last_used_at"] == later.isoformat()
    page = world.client("A.admin").get("/institutions/A/team").text
    assert f"{later:%Y-%m-%d %H:%M}" in page and f"{first + timedelta(days=90):%Y-%m-%d}" in page


def test_tokens_made_before_expiry_existed_get_the_default(db_url):
    from alembic import command

    from impactrank.portal.db import Database, migrations_config, upgrade

    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrations_config(conn), "0003")
        conn.execute(
            sa.text("INSERT INTO institution (id, name, country, created_at) VALUES ('A', 'Alpha', 'FR', '2025-01-01')")
        )
        conn.execute(
            sa.text(
                "INSERT INTO portal_user (id, email, role, institution_id, active, created_at) "
                "VALUES (1, 'a@a.edu', 'admin', 'A', true, '2025-01-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO api_token (id, institution_id, created_by, name, role, token_hash, created_at) "
                "VALUES (1, 'A', 1, 'old', 'admin', 'h', '2025-03-01 10:00:00')"
            )
        )
    upgrade(db)
    with db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT expires_at, last_used_at, parent_id FROM api_token")).one()
    expires = row[0] if isinstance(row[0], datetime) else datetime.fromisoformat(row[0])
    assert (expires, row[1], row[2]) == (datetime(2025, 5, 30, 10, 0), None, None)
    db.dispose()


def test_an_api_token_buys_a_session_token_and_is_refused_anywhere_else(world):
    """ASVS 3.5.2: the long-lived secret goes to one route; the API takes the 15-minute session token it buys."""
    admin = world.client("A.admin")
    made = make_token(admin, "nightly", "contributor")
    r = bearer(world, made["token"]).get(RECORDS, params={"sdg": 1})
    assert r.status_code == 401 and r.json()["field"] == "token"
    assert "exchange it at POST /api/tokens/session" in r.json()["error"]
    start = world.clock.now()
    r = exchanged(world, made["token"])
    assert r.status_code == 201, r.text
    bought = r.json()
    assert (bought["token_type"], bought["expires_in"]) == ("Bearer", 900)
    assert datetime.fromisoformat(bought["expires_at"]) == start + timedelta(minutes=15)
    assert works(bearer(world, bought["token"]))
    assert exchanged(world, bought["token"]).status_code == 401  # a session token buys no other
    assert admin.post("/api/tokens/session").status_code == 401  # nor does a person's session
    assert exchanged(world, "not-a-token").status_code == 401
    assert world.client().post("/api/tokens/session").status_code == 401

    world.clock.advance(minutes=15, seconds=-1)
    assert works(bearer(world, bought["token"]))
    world.clock.advance(seconds=1)  # at its expiry it is refused, as a token never sent
    r = bearer(world, bought["token"]).get(RECORDS, params={"sdg": 1})
    assert r.status_code == 401 and r.json()["field"] is None
    assert works(world.script(made["token"]))  # the script exchanges again


def test_a_session_token_ends_no_later_than_its_api_token(world):
    admin = world.client("A.admin")
    made = make_token(admin, "daily", "observer", days=1)
    world.clock.advance(hours=23, minutes=50)
    bought = exchanged(world, made["token"]).json()
    assert datetime.fromisoformat(bought["expires_at"]) == datetime.fromisoformat(made["expires_at"])
    assert bought["expires_in"] == 600
    script = world.script(made["token"])
    admin = world.client("A.admin")
    assert admin.delete(f"/api/institutions/A/tokens/{made['id']}").status_code == 200
    assert not works(script) and not works(bearer(world, bought["token"]))  # revoking it ends what it bought
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM token_session")).scalar_one() == 0


def test_a_session_token_sees_another_tenants_ids_as_missing(world):
    script = world.script(make_token(world.client("A.admin"), "reader", "observer")["token"])
    made_b = world.client("B.admin").post("/api/institutions/B/tokens", json={"name": "b", "role": "observer"})
    assert made_b.status_code == 201, made_b.text
    b_token = made_b.json()["id"]
    for method, path in (
        ("GET", "/api/cycles/2025/institutions/B/records?sdg=1"),
        ("GET", "/api/institutions/B/team"),
        ("DELETE", f"/api/institutions/A/tokens/{b_token}"),
        ("DELETE", f"/api/institutions/B/tokens/{b_token}"),
    ):
        r = script.request(method, path)
        assert r.status_code == 404, (path, r.text)
