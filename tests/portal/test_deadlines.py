"""Deadlines with a controllable clock: the grace period, the close, per-institution extensions (logged)."""

from __future__ import annotations

from datetime import timedelta

from portal_helpers import put
from portal_world import START


def test_grace_close_and_extension(world):
    from impactrank.portal.models import Cycle

    with world.db.write() as session:
        cycle = session.get(Cycle, "2025")
        cycle.grace_hours = 6
        closes = cycle.closes_at
    world.clock.t = closes + timedelta(hours=5)  # past the date shown, within the grace period
    a, b, operator = world.client("A.contributor"), world.client("B.contributor"), world.client("operator")
    assert put(a, "2025", "A", 1, "pubs", value=1).status_code == 200
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] == "2025-11-11T23:59:59"  # no grace shown
    world.clock.advance(hours=2)
    r = put(a, "2025", "A", 1, "pubs", version=1, value=2)
    assert r.status_code == 423 and "closed for submissions on 2025-11-11 23:59" in r.json()["error"]

    r = operator.post("/api/cycles/2025/institutions/A/extension", json={"until": "2025-11-20", "reason": ""})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = operator.post(
        "/api/cycles/2025/institutions/A/extension", json={"until": "2025-11-20", "reason": "server outage"}
    )
    assert r.status_code == 201
    assert operator.post("/api/cycles/2025/close").status_code == 201  # closed for everyone else
    assert put(a, "2025", "A", 1, "pubs", version=1, value=2).status_code == 200  # the extended institution writes
    r = put(b, "2025", "B", 1, "pubs", value=2)
    assert r.status_code == 423 and "2025-11-11" in r.json()["error"]
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] == "2025-11-20T23:59:59"
    log = operator.get("/api/audit", params={"action": "deadline."}).json()["entries"]
    assert [(e["action"], e["object"], e["before"], e["after"], e["reason"]) for e in log] == [
        (
            "deadline.extend",
            "deadline:2025/A",
            {"until": "2025-11-11T23:59:59"},
            {"until": "2025-11-20T23:59:59"},
            "server outage",
        )
    ]
    world.clock.t = world.clock.t.replace(day=21)
    a = world.client("A.contributor")
    r = put(a, "2025", "A", 1, "pubs", version=2, value=3)
    assert r.status_code == 423 and "2025-11-20 23:59" in r.json()["error"]
    with world.db.read() as session:
        from impactrank.portal.models import Record

        assert [(r.value, r.version) for r in session.query(Record)] == [(2.0, 2)]


def test_an_extension_only_ever_moves_the_deadline_later(world):
    """While the cycle stays open an institution writes until the later of the cycle's close (with its grace
    period) and its own extension: an extension past the close keeps it writing after everyone else stops, one
    before the close takes nothing away."""
    operator = world.client("operator")
    for inst, until in (("A", "2025-11-20"), ("B", "2025-11-05")):
        r = operator.post(f"/api/cycles/2025/institutions/{inst}/extension", json={"until": until, "reason": "flood"})
        assert r.status_code == 201, r.text
    world.clock.t = START.replace(month=11, day=8)  # past B's extension, before the cycle's close
    b = world.client("B.contributor")
    assert put(b, "2025", "B", 1, "pubs", value=1).status_code == 200
    assert b.get("/api/cycles/2025/institutions/B").json()["writable_until"] == "2025-11-11T23:59:59"
    world.clock.t = START.replace(month=11, day=15)  # past the close and any grace, before A's extension
    a, b = world.client("A.contributor"), world.client("B.contributor")
    assert put(a, "2025", "A", 1, "pubs", value=1).status_code == 200
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] == "2025-11-20T23:59:59"
    r = put(b, "2025", "B", 1, "pubs", version=1, value=2)
    assert r.status_code == 423 and "closed for submissions on 2025-11-11 23:59" in r.json()["error"]
