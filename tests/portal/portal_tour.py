"""A realistic portal for tests that visit every page type: institution A halfway through an open cycle, then the
cycle in review; each page type with the role that sees it, and the data the pages show."""

from __future__ import annotations

from portal_helpers import mailed_token, put, records
from portal_world import MINI

from impactrank.portal.app import create_app

CYCLE = "/cycles/2025/institutions/A"
HEADER = "institution_id,sdg,metric,value,numerator,denominator,exists,evidence,public,recent"


def open_cycle_world(world) -> dict:
    """Institution A halfway through the cycle: evidence, a rate, a number, a draft with a warning, SDGs 3 and 4
    submitted, a pending invitation, a reviewer's declared conflict; the app serves reset links."""
    world.app = create_app(
        world.served_db, world.files, clock=world.clock, upload_limit=256 * 1024, base_url="https://portal.example"
    )
    contributor, admin = world.client("A.contributor"), world.client("A.admin")
    r = contributor.post(
        f"/api{CYCLE}/records/1/policy/evidence",
        json={"title": "Policy page", "url": "https://a.example/policy", "public": True, "date": "2025-09-30"},
    )
    assert r.status_code == 201, r.text
    values = {
        (1, "pubs"): {"value": 120},
        (1, "policy"): {"exists": 1, "evidence": 1, "public": 1, "recent": 0.5},
        (2, "share"): {"numerator": 300, "denominator": 1200},
        (2, "waste"): {"value": 12.5},
        (3, "pubs"): {"value": 50},
        (4, "pubs"): {"value": 40},
    }
    for (sdg, metric), fields in values.items():
        version = records(contributor, "2025", "A", sdg)[metric]["version"]
        assert put(contributor, "2025", "A", sdg, metric, version=version, **fields).status_code == 200
    assert put(contributor, "2025", "A", 17, "reports", complete=False, evidence=1).json()["warnings"]
    assert admin.post(f"/api{CYCLE}/submit", json={"sdgs": [3, 4]}).status_code == 201
    assert admin.post("/api/institutions/A/invitations", json={"email": "new@a.edu"}).status_code == 201
    assert world.client("reviewer").post("/api/conflicts", json={"country": "DE"}).status_code == 201
    assert world.client().post("/api/password-reset", json={"email": world.users["B.admin"]}).status_code == 201
    return {
        "invitation": mailed_token(world, "new@a.edu", "/invitations"),
        "reset": mailed_token(world, world.users["B.admin"], "/password-reset"),
    }


def open_pages(tokens: dict) -> dict[str, tuple[str | None, str, int]]:
    """Page type → (who, address, status) while the cycle is open."""
    return {
        "sign-in": (None, "/login", 200),
        "password reset": (None, "/password-reset", 200),
        "new password": (None, f"/password-reset/{tokens['reset']}", 200),
        "invitation": (None, f"/invitations/{tokens['invitation']}", 200),
        "error: no such page": (None, "/no-such-page", 404),
        "cycles": ("A.contributor", "/cycles", 200),
        "institution dashboard": ("A.contributor", CYCLE, 200),
        "all records": ("A.contributor", f"{CYCLE}/records", 200),
        "SDG records (rate, lower is better)": ("A.contributor", f"{CYCLE}/records?sdg=2", 200),
        "record with evidence": ("A.contributor", f"{CYCLE}/records/1/policy", 200),
        "record with a warning": ("A.contributor", f"{CYCLE}/records/17/reports", 200),
        "submitted record": ("A.contributor", f"{CYCLE}/records/3/pubs", 200),
        "record history": ("A.contributor", f"{CYCLE}/records/1/pubs/history", 200),
        "account": ("A.contributor", "/me", 200),
        "second factor (optional)": ("A.contributor", "/me/second-factor", 200),
        "error: another tenant": ("A.contributor", "/cycles/2025/institutions/B", 404),
        "team": ("A.admin", "/institutions/A/team", 200),
        "results (none published yet)": ("A.admin", "/results", 200),
        "conflicts": ("reviewer", "/conflicts", 200),
        "empty review queue": ("reviewer", "/cycles/2025/review", 200),
        "operator's cycles": ("operator", "/cycles", 200),
        "progress": ("operator", "/cycles/2025/progress", 200),
        "audit log": ("operator", "/audit?cycle=2025", 200),
        "outbox": ("operator", "/outbox", 200),
        "second factor (enrolled)": ("operator", "/me/second-factor", 200),
    }


def review_world(world) -> None:
    """The cycle closed; the reviewer asked A for a revision of SDG 3 and has SDG 4 to assess."""
    operator = world.client("operator")
    assert operator.post("/api/cycles/2025/close").status_code == 201
    for sdg in (3, 4):
        body = {"institution": "A", "sdg": sdg, "reviewer": world.users["reviewer"]}
        assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 201
    r = world.client("reviewer").post(
        f"/api{CYCLE}/records/3/pubs/assessment", json={"verdict": "revision", "note": "which year?"}
    )
    assert r.status_code == 201, r.text


REVIEW_PAGES = {
    "closed dashboard": ("A.contributor", CYCLE, 200),
    "revision request": ("A.admin", f"{CYCLE}/records/3/pubs", 200),
    "review queue": ("reviewer", "/cycles/2025/review", 200),
    "assessment form": ("reviewer", f"{CYCLE}/records/4/pubs", 200),
    "operator's review queue": ("operator", "/cycles/2025/review", 200),
    "progress in review": ("operator", "/cycles/2025/progress", 200),
    "exports": ("operator", "/cycles/2025/exports", 200),
}


def data_of(world) -> list[str]:
    """What the pages show as data, in its own language: names, labels, addresses, the audit log's codes and
    values, the file format's columns, the reviewer's note, e-mail subjects (each in its recipient's language),
    reviewers' pseudonyms."""

    from impactrank.methodology.load import parse_methodology

    mini = parse_methodology(MINI.read_text(), "mini")
    data = ["Alpha University", "Beta Institute", "Policy page", "which year?", "impactrank", "mini"]
    data += [HEADER.replace(",", ", ")]  # the submissions format's columns, named as the file names them
    data += [s.label for s in mini.sdgs] + [m.label for s in mini.sdgs for m in s.metrics]
    data += [m.id for s in mini.sdgs for m in s.metrics] + list(world.users.values()) + ["new@a.edu"]
    for entry in world.client("operator").get("/api/audit", params={"cycle": "2025"}).json()["entries"]:
        data += [entry["action"], entry["object"], entry["reason"] or ""]
        for side in (entry["before"], entry["after"]):
            data += [str(v) for v in side.values()] + list(side) if isinstance(side, dict) else [str(side)]
    data += [m["subject"] for m in world.client("operator").get("/api/outbox").json()["messages"]]
    return data + [f"Reviewer {n}" for n in (1, 2)]
