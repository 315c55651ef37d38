"""Notifications: queued with their event, kept in the outbox without an SMTP server, delivered once through a
real SMTP server on loopback (aiosmtpd), never twice, and kept for a later attempt when the server is down."""

from __future__ import annotations

import email
import email.header
import socket

import pytest
from portal_helpers import mailed_token, put


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[email.message.Message] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def configure(world, port: int) -> None:
    from impactrank.portal.models import Setting

    with world.db.write() as session:
        for key, value in (("smtp_host", "127.0.0.1"), ("smtp_port", str(port)), ("mail_from", "portal@network.org")):
            session.merge(Setting(key=key, value=value))


def test_outbox_waits_then_delivers_once(world, smtp_server):
    from impactrank.portal.notify import deliver

    inbox, port = smtp_server
    admin, operator = world.client("A.admin"), world.client("operator")
    assert admin.post("/api/institutions/A/invitations", json={"email": "new@a.edu"}).status_code == 201
    link = f"http://testserver/invitations/{mailed_token(world, 'new@a.edu', '/invitations')}"
    assert (
        operator.post(
            "/api/cycles/2025/institutions/A/extension", json={"until": "2025-12-01", "reason": "x"}
        ).status_code
        == 201
    )
    assert deliver(world.db, world.clock.now()) == {"sent": 0, "failed": 0, "waiting": 2}  # no server configured
    waiting = operator.get("/api/outbox").json()
    assert not waiting["smtp"] and [m["state"] for m in waiting["messages"]] == ["waiting", "waiting"]

    configure(world, port + 1)  # a server that is not there: the messages stay, with the error
    assert deliver(world.db, world.clock.now())["failed"] == 2
    assert all(m["attempts"] == 1 and m["state"] == "waiting" for m in operator.get("/api/outbox").json()["messages"])

    configure(world, port)
    assert deliver(world.db, world.clock.now()) == {"sent": 2, "failed": 0, "waiting": 0}
    assert deliver(world.db, world.clock.now()) == {"sent": 0, "failed": 0, "waiting": 0}  # never twice
    got = {m["To"]: m for m in inbox.messages}
    assert sorted(got) == ["admin@a.edu", "new@a.edu"] and len(inbox.messages) == 2
    assert link in got["new@a.edu"].get_payload()
    assert "2025-12-01" in got["admin@a.edu"].get_payload() and got["admin@a.edu"]["From"] == "portal@network.org"


def test_revision_requests_and_decisions_are_mailed(world, smtp_server):
    from impactrank.portal.notify import deliver

    inbox, port = smtp_server
    configure(world, port)
    contributor, admin = world.client("A.contributor"), world.client("A.admin")
    reviewer, operator = world.client("reviewer"), world.client("operator")
    assert put(contributor, "2025", "A", 3, "pubs", value=5).status_code == 200
    assert admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3]}).status_code == 201
    operator.post("/api/cycles/2025/close")
    operator.post(
        "/api/cycles/2025/assignments", json={"institution": "A", "sdg": 3, "reviewer": world.users["reviewer"]}
    )
    r = reviewer.post(
        "/api/cycles/2025/institutions/A/records/3/pubs/assessment", json={"verdict": "revision", "note": "which year?"}
    )
    assert r.status_code == 201
    assert deliver(world.db, world.clock.now())["sent"] == 1
    [message] = inbox.messages
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert message["To"] == "admin@a.edu" and subject == "Revision requested: SDG 3 · Publications (2025)"
    assert "which year?" in message.get_payload()


def test_the_running_server_sends_the_outbox(world, smtp_server, monkeypatch):
    import time

    from portal_world import PASSWORD, TestClient

    from impactrank.portal import app as portal_app

    inbox, port = smtp_server
    configure(world, port)
    monkeypatch.setattr(portal_app, "OUTBOX_SECONDS", 0.1)
    with TestClient(world.app) as admin:  # the server's lifespan: its sender runs
        r = admin.post("/api/login", json={"email": world.users["A.admin"], "password": PASSWORD})
        admin.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        assert admin.post("/api/institutions/A/invitations", json={"email": "soon@a.edu"}).status_code == 201
        deadline = time.monotonic() + 10
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [m["To"] for m in inbox.messages] == ["soon@a.edu"]
    assert world.client("operator").get("/api/outbox").json()["messages"][0]["state"] == "sent"
