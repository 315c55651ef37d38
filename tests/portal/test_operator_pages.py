"""The operator's and the reviewer's pages render, as HTML and as their JSON twins, with the cycle's real state."""

from __future__ import annotations

import json

from portal_helpers import put


def test_operator_and_reviewer_pages(world):
    contributor, admin = world.client("A.contributor"), world.client("A.admin")
    operator, reviewer = world.client("operator"), world.client("reviewer")
    assert put(contributor, "2025", "A", 3, "pubs", value=5).status_code == 200
    assert admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3]}).status_code == 201
    assert operator.post("/api/cycles/2025/close").status_code == 201
    body = {"institution": "A", "sdg": 3, "reviewer": world.users["reviewer"]}
    assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 201
    assert reviewer.post("/api/conflicts", json={"country": "DE", "note": "visiting chair"}).status_code == 201

    progress = operator.get("/api/cycles/2025/progress").json()
    assert {i["id"]: i["sdgs"]["3"] for i in progress["institutions"]} == {"A": "in review", "B": ""}
    queue = operator.get("/api/cycles/2025/review").json()["assignments"]
    assert [(a["institution"], a["sdg"], a["reviewer"], a["to_assess"]) for a in queue] == [
        ("A", 3, "rev@network.org", 1)
    ]
    exports = operator.get("/api/cycles/2025/exports").json()
    assert (
        exports["blocked"].startswith("1 item is not assessed yet: the files below hold its answers as the institution")
        and exports["manifest"]["counts"]["submission_rows"] == 1
    )
    r = operator.get("/api/cycles/2025/exports/submissions.csv")
    assert r.status_code == 409 and r.json()["field"] == "cycle"
    r = operator.get("/api/cycles/2025/exports/manifest.json", params={"allow_unassessed": "true"})
    assert r.headers["content-disposition"] == 'attachment; filename="2025-manifest.json"'
    assert json.loads(r.content)["review"]["unassessed_claims_exported"] == 1
    assert operator.get("/api/cycles/2025/exports/other.txt").status_code == 404
    audit = operator.get("/api/audit", params={"cycle": "2025", "action": "assignment"}).json()["entries"]
    assert [e["action"] for e in audit] == ["assignment.add"]
    csv_text = operator.get("/api/audit.csv", params={"cycle": "2025"}).text
    assert csv_text.splitlines()[0] == "at,actor,action,object,before,after,reason" and "sdg.submit" in csv_text
    assert operator.get("/api/outbox").json()["smtp"] is False

    pages = {
        "/cycles": "Progress",
        "/cycles/2025/progress": "in review",
        "/cycles/2025/review": "rev@network.org",
        "/cycles/2025/exports": "1 item is not assessed yet",
        "/audit?cycle=2025": "assignment.add",
        "/outbox": "No SMTP server is configured",
        "/cycles/2025/institutions/A/records/3/pubs/history": 'data-action="record.save">saved<',  # in words
    }
    for url, text in pages.items():
        r = operator.get(url)
        assert r.status_code == 200 and text in r.text, url
    for url, text in {
        "/cycles/2025/review": "Alpha University · SDG 3",  # the institution by its name
        "/conflicts": "Every institution in DE",
        "/cycles/2025/institutions/A/records/3/pubs": "Your assessment",
    }.items():
        r = reviewer.get(url)
        assert r.status_code == 200 and text in r.text, url
    for url in ("/cycles/2025/progress", "/audit", "/outbox", "/cycles/2025/exports", "/cycles/2025/review"):
        assert admin.get(url).status_code == 403, url
