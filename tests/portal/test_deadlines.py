"""Deadlines with a controllable clock: the grace period, the close, per-institution extensions (logged)."""

from __future__ import annotations

from datetime import timedelta

from portal_helpers import cycle_in_review, put, records
from portal_world import START


def locked_as(response) -> str:
    """The error of a 423 (locked) answer: the field it names, then why."""
    assert response.status_code == 423, response.text
    assert response.json()["error"].startswith(f"field '{response.json()['field']}': ")
    return response.json()["error"]


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
    world.clock.advance(hours=2)  # past the grace period; idle sessions end after 30 minutes, so sign in again
    a, b, operator = world.client("A.contributor"), world.client("B.contributor"), world.client("operator")
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


def test_an_extension_holds_in_its_own_cycle_only(world):
    """A's extension of cycle 2025 does not reach cycle 2026, which closed earlier: there A is locked out at
    2026's close like everyone else, and the date it is told is 2026's."""
    from portal_world import MINI

    from impactrank.portal.cycles import open_cycle
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        open_cycle(Scope(session, COMMAND_LINE, world.clock.now()), "2026", str(MINI), "2025-11-05")
    operator = world.client("operator")
    body = {"until": "2025-11-20", "reason": "flood"}
    assert operator.post("/api/cycles/2025/institutions/A/extension", json=body).status_code == 201
    world.clock.t = START.replace(month=11, day=15)  # past both closes, before A's extension of 2025
    a = world.client("A.contributor")
    assert put(a, "2025", "A", 1, "pubs", value=1).status_code == 200
    r = put(a, "2026", "A", 1, "pubs", value=1)
    assert locked_as(r) == "field 'cycle': cycle 2026 closed for submissions on 2025-11-05 23:59 UTC"
    assert a.get("/api/cycles/2026/institutions/A").json()["writable_until"] is None
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] == "2025-11-20T23:59:59"


def test_a_reopened_metric_is_writable_until_its_revision_is_due_and_never_once_published(world):
    """A reviewer's revision request reopens one metric for the cycle's revision days (14), to the minute; the
    cycle's other metrics stay closed, and publishing the cycle ends the revision too."""
    cycle_in_review(world, "2026", "A", "reviewer")
    body = {"verdict": "revision", "note": "give the 2024 count"}
    r = world.client("reviewer").post("/api/cycles/2026/institutions/A/records/3/pubs/assessment", json=body)
    assert r.status_code == 201, r.text
    due = START + timedelta(days=14)
    world.clock.t = due  # the last moment
    a = world.client("A.contributor")
    version = records(a, "2026", "A", 3)["pubs"]["version"]
    assert put(a, "2026", "A", 3, "pubs", version=version, value=4).status_code == 200
    r = put(a, "2026", "A", 1, "pubs", value=1)  # not reopened: closed with the cycle, on the day it was closed
    assert locked_as(r) == "field 'cycle': cycle 2026 closed for submissions on 2025-10-01 09:00 UTC"
    world.clock.advance(minutes=1)
    r = put(a, "2026", "A", 3, "pubs", version=version + 1, value=5)
    assert locked_as(r) == "field 'metric': the revision of this metric was due on 2025-10-15 09:00 UTC"
    assert world.client("operator").post("/api/cycles/2026/publish").status_code == 201
    r = put(world.client("A.contributor"), "2026", "A", 3, "pubs", version=version + 1, value=5)
    assert locked_as(r) == "field 'cycle': cycle 2026 is published: ask for a correction instead"


def test_a_published_cycle_takes_no_writes_even_with_an_extension(world):
    operator = world.client("operator")
    body = {"until": "2025-11-20", "reason": "flood"}
    assert operator.post("/api/cycles/2025/institutions/A/extension", json=body).status_code == 201
    assert operator.post("/api/cycles/2025/close").status_code == 201
    a = world.client("A.contributor")
    assert put(a, "2025", "A", 1, "pubs", value=1).status_code == 200  # in review, within its extension
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] == "2025-11-20T23:59:59"
    assert put(world.client("B.contributor"), "2025", "B", 1, "pubs", value=1).status_code == 423
    assert operator.post("/api/cycles/2025/publish").status_code == 201
    r = put(a, "2025", "A", 1, "pubs", version=1, value=2)
    assert locked_as(r) == "field 'cycle': cycle 2025 is published: ask for a correction instead"
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] is None


def test_the_deadline_is_inclusive_to_the_second(world):
    """The cycle closes at 23:59:59 on its date; with 2 hours of grace, 01:59:59 the next day is the last
    moment to write, one second later is too late."""
    with world.db.write() as session:
        from impactrank.portal.models import Cycle

        session.get(Cycle, "2025").grace_hours = 2
    world.clock.t = START.replace(month=11, day=12, hour=1, minute=59, second=59)
    a = world.client("A.contributor")
    assert put(a, "2025", "A", 1, "pubs", value=1).status_code == 200
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] == "2025-11-11T23:59:59"
    world.clock.advance(seconds=1)
    assert put(a, "2025", "A", 1, "pubs", version=1, value=2).status_code == 423
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] is None


def test_an_extension_to_the_close_date_keeps_the_grace_period(world):
    """An extension granted to the cycle's own close date moves nothing: the institution keeps the grace period
    everyone has while the cycle is open."""
    from impactrank.portal.models import Cycle

    with world.db.write() as session:
        cycle = session.get(Cycle, "2025")
        cycle.grace_hours = 6
        closes = cycle.closes_at
    operator = world.client("operator")
    r = operator.post("/api/cycles/2025/institutions/A/extension", json={"until": "2025-11-11", "reason": "flood"})
    assert r.status_code == 201, r.text
    world.clock.t = closes + timedelta(hours=5)
    a = world.client("A.contributor")
    assert put(a, "2025", "A", 1, "pubs", value=1).status_code == 200
    assert a.get("/api/cycles/2025/institutions/A").json()["writable_until"] == "2025-11-11T23:59:59"
    world.clock.advance(hours=2)
    a = world.client("A.contributor")
    assert "closed for submissions on 2025-11-11 23:59" in locked_as(put(a, "2025", "A", 1, "pubs", version=1))
