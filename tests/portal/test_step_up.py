"""Step-up (ASVS 3.7.1, 4.3.3): an API token, a role given or given back, an admin invited and a second factor
removed need the current password (and the code, with a second factor) sent with the change, or a sign-in or
"confirm it's you" at most 5 minutes old; API tokens never do them; each step-up is in the audit log."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from portal_world import PASSWORD

TOKENS = "/api/institutions/A/tokens"


def member_id(client, email: str) -> int:
    return next(m["id"] for m in client.get("/api/institutions/A/team").json()["members"] if m["email"] == email)


def step_ups(world) -> list[dict]:
    """The step-ups logged, oldest first: what each was for and how it was proved."""
    with world.db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT after FROM audit_log WHERE action = 'user.step_up' ORDER BY id")).scalars()
        return [r if isinstance(r, dict) else json.loads(r) for r in rows]


def refused(response, field: str, status: int = 403) -> bool:
    return response.status_code == status and response.json()["field"] == field


def test_sensitive_changes_need_a_proof_at_most_5_minutes_old(world):
    admin = world.client("A.admin")  # signed in now: a sign-in is a proof
    assert admin.post(TOKENS, json={"name": "at sign-in"}).status_code == 201
    world.clock.advance(minutes=5, seconds=1)  # the session lives on (30 idle minutes), the proof is stale
    assert refused(admin.post(TOKENS, json={"name": "stale"}), "current_password")
    assert refused(admin.post(TOKENS, json={"name": "x", "current_password": "wrong"}), "current_password", 401)
    assert admin.post(TOKENS, json={"name": "typed", "current_password": PASSWORD}).status_code == 201

    contributor = member_id(admin, world.users["A.contributor"])
    observer = member_id(admin, world.users["A.observer"])
    world.clock.advance(minutes=4)  # the password typed 4 minutes ago still counts
    assert admin.patch(f"/api/institutions/A/users/{contributor}", json={"role": "admin"}).status_code == 200
    world.clock.advance(minutes=2)
    assert refused(
        admin.patch(f"/api/institutions/A/users/{contributor}", json={"role": "observer"}), "current_password"
    )
    invite = {"email": "new@a.edu", "role": "admin"}
    assert refused(admin.post("/api/institutions/A/invitations", json=invite), "current_password")
    r = admin.post("/api/institutions/A/invitations", json={"email": "helper@a.edu", "role": "contributor"})
    assert r.status_code == 201  # a contributor is invited without a step-up
    assert admin.patch(f"/api/institutions/A/users/{observer}", json={"active": False}).status_code == 200  # nor a loss
    assert refused(admin.patch(f"/api/institutions/A/users/{observer}", json={"active": True}), "current_password")

    r = admin.post("/api/me/confirm", json={"current_password": PASSWORD})
    until = world.clock.now() + timedelta(minutes=5)
    assert r.status_code == 201 and r.json() == {"confirmed_until": until.isoformat()}
    assert admin.patch(f"/api/institutions/A/users/{observer}", json={"active": True}).status_code == 200
    assert admin.post("/api/institutions/A/invitations", json=invite).status_code == 201
    with world.db.engine.connect() as conn:
        roles = dict(conn.execute(sa.text("SELECT email, role FROM portal_user")).all())
        active = dict(conn.execute(sa.text("SELECT email, active FROM portal_user")).all())
    assert roles[world.users["A.contributor"]] == "admin" and roles["new@a.edu"] == "admin"
    assert bool(active[world.users["A.observer"]]) is True

    logged = [(s["for"], s["by"].split(" at ")[0]) for s in step_ups(world)]
    assert logged == [
        ("create an API token", "confirmed"),  # the sign-in's proof
        ("create an API token", "password"),
        ("give a role or reactivate", "confirmed"),
        ("give a role or reactivate", "confirmed"),  # after "confirm it's you"
        ("invite an admin", "confirmed"),
    ]


def test_with_a_second_factor_the_password_needs_the_code(world):
    world.enrol("A.admin")
    admin = world.client("A.admin")
    world.clock.advance(minutes=6)
    assert refused(admin.post(TOKENS, json={"name": "s", "current_password": PASSWORD}), "code", 401)
    assert refused(admin.post("/api/me/confirm", json={"current_password": PASSWORD, "code": "000000"}), "code", 401)
    made = admin.post(TOKENS, json={"name": "s", "current_password": PASSWORD, "code": world.code("A.admin")})
    assert made.status_code == 201
    assert step_ups(world)[-1] == {"for": "create an API token", "by": "password and totp"}


def test_an_api_token_never_steps_up(world):
    admin = world.client("A.admin")
    script = world.script(admin.post(TOKENS, json={"name": "s", "role": "admin"}).json()["token"])
    member = member_id(admin, world.users["A.observer"])
    proof = {"current_password": PASSWORD}
    for r in (
        script.post(TOKENS, json={"name": "child", "role": "observer"} | proof),
        script.patch(f"/api/institutions/A/users/{member}", json={"role": "contributor"} | proof),
        script.post("/api/me/confirm", json=proof),
    ):
        assert refused(r, "token"), r.text
        assert "API token cannot" in r.json()["error"]
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM api_token")).scalar_one() == 1


def test_the_team_page_asks_for_the_password_and_takes_it(world):
    admin = world.client("A.admin")
    page = admin.get("/institutions/A/team").text
    assert page.count('name="current_password"') == 4  # the invitation, the token, the two other members' rows
    world.clock.advance(minutes=6)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf, "name": "from the page", "role": "observer", "days": "30"}
    r = admin.post("/institutions/A/tokens", data=form)
    assert r.status_code == 403 and "confirm it" in r.text
    r = admin.post("/institutions/A/tokens", data=form | {"current_password": PASSWORD})
    assert r.status_code == 200 and 'id="shown-once"' in r.text
    french = admin.get("/institutions/A/team", headers={"Accept-Language": "fr"}).text
    assert "Votre mot de passe actuel" in french
