"""Sessions end after 30 minutes without a request, and 12 hours after sign-in however active (ASVS 4.0 3.3.2 at
level 2); a request moves the idle end on, written at most once a minute. Over HTTPS the session cookie has the
``__Host-`` prefix (3.4.4)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from portal_helpers import put
from portal_world import PASSWORD


def session_end(world) -> object:
    with world.db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT expires_at FROM web_session")).scalar_one()


def test_a_session_ends_after_30_idle_minutes(world):
    client = world.client("A.contributor")
    world.clock.advance(minutes=29)
    assert client.get("/api/me").status_code == 200  # a read: the end written in a transaction of its own
    assert str(session_end(world))[:19] == str(world.clock.now() + timedelta(minutes=30))  # moved on
    world.clock.advance(minutes=29)  # 58 minutes after sign-in, 29 after the last request
    assert put(client, "2025", "A", 1, "pubs", value=3).status_code == 200  # a write: in the write's transaction
    assert str(session_end(world))[:19] == str(world.clock.now() + timedelta(minutes=30))
    world.clock.advance(seconds=30)  # within the minute: the end is not written again
    before = session_end(world)
    assert client.get("/api/me").status_code == 200 and session_end(world) == before
    world.clock.advance(minutes=31)
    assert client.get("/api/me").status_code == 401
    assert client.get("/me", follow_redirects=False).headers["location"].startswith("/login")


def test_a_session_ends_12_hours_after_sign_in_however_active(world):
    client = world.client("A.observer")
    for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 h 40
        world.clock.advance(minutes=20)
        assert client.get("/api/me").status_code == 200
    world.clock.advance(minutes=20)  # 12 hours after sign-in
    assert client.get("/api/me").status_code == 401


def test_over_https_the_session_cookie_is_host_only(world):
    client = world.client(https=True)
    r = client.post("/api/login", json={"email": world.users["A.observer"], "password": PASSWORD})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-impactrank_portal=") and "domain" not in cookie.lower()
    assert "; secure" in cookie.lower() and "; path=/" in cookie.lower()
    assert client.get("/api/me").status_code == 200
    token = client.cookies["__Host-impactrank_portal"]
    shadow = world.client(https=True)
    shadow.cookies.set("impactrank_portal", token)  # the name another host of the domain could set
    assert shadow.get("/api/me").status_code == 401
    plain = world.client().post("/api/login", json={"email": world.users["A.observer"], "password": PASSWORD})
    assert plain.headers["set-cookie"].startswith("impactrank_portal=")  # loopback without TLS: no prefix


def test_a_person_sees_their_sessions_and_ends_the_others_with_their_password(world):
    start = world.clock.now()
    here = world.client("A.observer")
    world.clock.advance(minutes=1)
    there, admin = world.client("A.observer"), world.client("A.admin")
    listed = here.get("/api/me").json()["sessions"]
    assert listed == [
        {"started": f"{start + timedelta(minutes=1):%Y-%m-%dT%H:%M}", "ends": listed[0]["ends"], "this": False},
        {"started": f"{start:%Y-%m-%dT%H:%M}", "ends": listed[1]["ends"], "this": True},
    ]
    assert listed[0]["ends"] == f"{start + timedelta(minutes=31):%Y-%m-%dT%H:%M}"
    page = here.get("/me").text
    assert page.count("<tr><td>") == 2 and 'id="end-others"' in page
    r = here.post("/api/me/sessions/end-others", json={"current_password": "not my password"})
    assert r.status_code == 401 and there.get("/api/me").status_code == 200
    r = here.post("/api/me/sessions/end-others", json={"current_password": PASSWORD})
    assert r.status_code == 201 and r.json() == {"ended": 1}
    assert there.get("/api/me").status_code == 401
    assert here.get("/api/me").status_code == 200 and admin.get("/api/me").status_code == 200
    assert 'id="end-others"' not in here.get("/me").text  # one session left: nothing else to end
    with world.db.engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM audit_log WHERE action = 'user.sessions.end_others'")
        assert conn.execute(query).scalar_one() == 1
