"""A reviewed cycle on SQLite and PostgreSQL: two institutions, two reviewers (one belongs to an institution, one
declared a conflict), automatic and overridden assignments, an accepted, a partly accepted and a rejected evidence
item, a revision round; the export carries the assessed answers, ``build`` scores them, and a correction after
publication changes what a second export and build show."""

from __future__ import annotations

import csv

import pytest
from portal_helpers import mini_scores, put, records
from portal_world import PASSWORD

from impactrank.io.build import build

CLAIMS = {
    "A": {1: {"pubs": 120, "policy": (1, 1, 1, 1)}, 3: {"pubs": 50}, 4: {"pubs": 40}, 17: {"reports": (1, 1, 1, 1)}},
    "B": {1: {"pubs": 40, "policy": (1, 1, 1, 0.5)}, 3: {"pubs": 100}, 4: {"pubs": 30}, 17: {"reports": (1, 1, 1, 1)}},
}
ASSESSED = {  # what the reviewers accept
    "A": {1: {"pubs": 120, "policy": (1, 1, 1, 1)}, 3: {"pubs": 50}, 4: {"pubs": 40}, 17: {"reports": (1, 1, 0.5, 0)}},
    "B": {1: {"pubs": 40, "policy": (1, 0, 0, 0)}, 3: {"pubs": 100}, 4: {"pubs": 30}, 17: {"reports": (1, 1, 1, 1)}},
}
RUBRIC = ("exists", "evidence", "public", "recent")


def fields(value) -> dict:
    return dict(zip(RUBRIC, value, strict=True)) if isinstance(value, tuple) else {"value": value}


def fill_and_submit(world, inst: str) -> None:
    contributor, admin = world.client(f"{inst}.contributor"), world.client(f"{inst}.admin")
    for sdg, metric in ((1, "policy"), (17, "reports")):
        r = contributor.post(
            f"/api/cycles/2025/institutions/{inst}/records/{sdg}/{metric}/evidence",
            json={"title": "Policy page", "url": f"https://{inst.lower()}.example/{metric}", "public": True},
        )
        assert r.status_code == 201
    for sdg, metrics in CLAIMS[inst].items():
        current = records(contributor, "2025", inst, sdg)
        for metric, value in metrics.items():
            assert (
                put(
                    contributor, "2025", inst, sdg, metric, version=current[metric]["version"], **fields(value)
                ).status_code
                == 200
            )
    assert (
        admin.post(f"/api/cycles/2025/institutions/{inst}/submit", json={"sdgs": sorted(CLAIMS[inst])}).status_code
        == 201
    )


def assess(client, inst, sdg, metric, verdict, answers=None, note=None):
    body = {"verdict": verdict, **(dict(zip(RUBRIC, answers, strict=False)) if answers else {}), "note": note}
    return client.post(f"/api/cycles/2025/institutions/{inst}/records/{sdg}/{metric}/assessment", json=body)


def read_rows(path) -> dict:
    with path.open() as fh:
        return {(r["institution_id"], int(r["sdg"]), r["metric"]): r for r in csv.DictReader(fh)}


def test_reviewed_cycle_exports_assessed_answers(world, tmp_path):
    from impactrank.portal.accounts import create_user
    from impactrank.portal.export import export_cycle
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        create_user(Scope(session, COMMAND_LINE, world.clock.now()), "rev2@a.edu", "reviewer", "A", PASSWORD)
    world.users["rev2"] = "rev2@a.edu"
    world.enrol("rev2")
    r1, r2, operator = world.client("reviewer"), world.client("rev2"), world.client("operator")
    assert r1.post("/api/conflicts", json={"country": "Germany", "note": "co-author at Beta"}).status_code == 201

    for inst in "AB":
        fill_and_submit(world, inst)
    assert assess(r1, "A", 1, "policy", "accepted", (1, 1, 1, 1)).status_code == 404  # the review is not open yet
    assert operator.post("/api/cycles/2025/close").status_code == 201

    auto = operator.post("/api/cycles/2025/assignments/auto", json={"per_item": 1}).json()
    pairs = {(a["institution"], a["sdg"]): a["reviewer"] for a in auto["assignments"]}
    assert auto["short"] == [] and len(pairs) == 8
    assert {p: e for p, e in pairs.items() if p[0] == "A"} == {("A", s): "rev@network.org" for s in (1, 3, 4, 17)}
    assert {p: e for p, e in pairs.items() if p[0] == "B"} == {("B", s): "rev2@a.edu" for s in (1, 3, 4, 17)}

    # conflicts: refused without an override; an override is logged with its reason
    r = operator.post(
        "/api/cycles/2025/assignments", json={"institution": "B", "sdg": 1, "reviewer": "rev@network.org"}
    )
    assert r.status_code == 409 and "country DE" in r.json()["error"]
    r = operator.post("/api/cycles/2025/assignments", json={"institution": "A", "sdg": 3, "reviewer": "rev2@a.edu"})
    assert r.status_code == 409 and "belongs to A" in r.json()["error"]
    r = operator.post(
        "/api/cycles/2025/assignments",
        json={"institution": "B", "sdg": 1, "reviewer": "rev@network.org", "override_reason": "only expert on SDG 1"},
    )
    assert r.status_code == 201
    log = operator.get("/api/audit", params={"action": "assignment.override"}).json()["entries"]
    assert [(e["actor"], e["reason"], e["after"]["conflict"]) for e in log] == [
        (world.users["operator"], "only expert on SDG 1", "rev@network.org declared a conflict with country DE")
    ]
    assert r1.get("/api/cycles/2025/institutions/B/records", params={"sdg": 1}).status_code == 200  # overridden pair
    assert records(r1, "2025", "B", 3)["pubs"]["version"] == 0  # not assigned: nothing of it is visible
    queue = r2.get("/api/cycles/2025/review").json()["assignments"]
    assert {(a["institution"], a["sdg"]) for a in queue} == {("B", 1), ("B", 3), ("B", 4), ("B", 17)}

    for sdg in (1, 3, 4):
        for metric in CLAIMS["A"][sdg]:
            if metric != "policy":
                assert assess(r1, "A", sdg, metric, "accepted").status_code == 201
    assert assess(r1, "A", 1, "policy", "accepted", (1, 1, 1, 1)).status_code == 201
    assert assess(r1, "A", 17, "reports", "accepted", (1, 1, 0.5, 0), "no dated report").status_code == 201  # partly
    for sdg, metric in ((1, "pubs"), (3, "pubs"), (4, "pubs")):
        assert assess(r2, "B", sdg, metric, "accepted").status_code == 201
    r = assess(r2, "B", 1, "policy", "rejected", (1, 0, 0, 0))
    assert r.status_code == 422 and r.json()["field"] == "note"
    assert assess(r2, "B", 1, "policy", "rejected", (1, 0, 0, 0), "the policy is a draft").status_code == 201
    assert assess(r2, "B", 17, "reports", "accepted", (1, 1)).json()["field"] == "public"
    r = assess(r2, "B", 17, "reports", "revision", None, "attach the 2024 report")
    assert r.status_code == 201

    # the export refuses while an item is unassessed, or exports the claims when told to
    with world.db.read() as session, pytest.raises(Exception, match="1 items are not assessed"):
        export_cycle(session, "2025", tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    with world.db.read() as session:
        manifest = export_cycle(session, "2025", tmp_path / "partial", allow_unassessed=True)
    assert manifest["review"] == {"reviewed": True, "unassessed_claims_exported": 1}

    # the revision round: B edits only that metric, answers, the reviewer accepts
    b = world.client("B.contributor")
    assert put(b, "2025", "B", 3, "pubs", version=1, value=1).status_code == 423  # everything else stays locked
    rec = records(b, "2025", "B", 17)["reports"]
    assert rec["reopened"] and rec["revision_round"] == 1 and rec["review"]["note"] == "attach the 2024 report"
    assert put(b, "2025", "B", 17, "reports", version=rec["version"], **fields((1, 1, 1, 1))).status_code == 200
    assert assess(r2, "B", 17, "reports", "accepted", (1, 1, 1, 1)).status_code == 409  # not answered yet
    assert b.post("/api/cycles/2025/institutions/B/records/17/reports/resubmit").status_code == 201
    assert put(b, "2025", "B", 17, "reports", version=rec["version"] + 1, exists=0).status_code == 423  # relocked
    assert assess(r2, "B", 17, "reports", "accepted", (1, 1, 1, 1)).status_code == 201

    assert operator.post("/api/cycles/2025/publish").status_code == 201
    assert assess(r2, "B", 3, "pubs", "rejected", None, "late change").status_code == 423  # frozen
    with world.db.read() as session:
        manifest = export_cycle(session, "2025", tmp_path / "x1")
    assert manifest["review"] == {"reviewed": True, "unassessed_claims_exported": 0} and manifest["corrections"] == []
    rows = read_rows(tmp_path / "x1" / "submissions.csv")
    for inst, sdgs in ASSESSED.items():
        for sdg, metrics in sdgs.items():
            for metric, value in metrics.items():
                got = {k: rows[(inst, sdg, metric)][k] for k in fields(value)}
                assert got == {k: f"{v:g}" for k, v in fields(value).items()}, (inst, sdg, metric)

    edition = build(
        tmp_path / "x1" / "institutions.csv",
        tmp_path / "x1" / "submissions.csv",
        methodology=tmp_path / "x1" / "methodology.yaml",
    ).edition
    expected = mini_scores(ASSESSED)
    overall = {r["institution_id"]: r["overall_score"] for r in edition.overall.iter_rows(named=True)}
    assert overall == pytest.approx(expected, abs=1e-9)
    assert mini_scores(CLAIMS) != pytest.approx(expected)  # the claims would have ranked differently

    # a correction after publication: requested, approved, exported with its name in the manifest
    b_admin = world.client("B.admin")
    assert put(b_admin, "2025", "B", 4, "pubs", version=1, value=50).status_code == 423
    body = {"sdg": 4, "metric": "pubs", "value": 50, "reason": "a campus was left out"}
    r = b_admin.post("/api/cycles/2025/institutions/B/corrections", json=body)
    assert r.status_code == 201 and r.json()["before"]["value"] == 30 and r.json()["state"] == "pending"
    cid = r.json()["id"]
    assert b_admin.post(f"/api/corrections/{cid}/decision", json={"approve": True, "reason": "ok"}).status_code == 403
    r = operator.post(f"/api/corrections/{cid}/decision", json={"approve": True, "reason": ""})
    assert r.json()["field"] == "reason"
    r = operator.post(f"/api/corrections/{cid}/decision", json={"approve": True, "reason": "source checked"})
    assert r.status_code == 201
    assert records(b_admin, "2025", "B", 4)["pubs"]["value"] == 30  # the record keeps the old value
    with world.db.read() as session:
        corrected = export_cycle(session, "2025", tmp_path / "x2")
    named = [(c["id"], c["before"]["value"], c["after"]["value"], c["reason"]) for c in corrected["corrections"]]
    assert named == [(cid, 30, 50, "a campus was left out")]
    assert corrected["database_state_sha256"] != manifest["database_state_sha256"]
    assert read_rows(tmp_path / "x2" / "submissions.csv")[("B", 4, "pubs")]["value"] == "50"

    from impactrank.engine.views.compare import compare_editions

    x2 = tmp_path / "x2"
    again = build(
        x2 / "institutions.csv", x2 / "submissions.csv", methodology=x2 / "methodology.yaml", edition_id="2025c"
    ).edition
    fixed = {**ASSESSED, "B": {**ASSESSED["B"], 4: {"pubs": 50}}}
    after = {r["institution_id"]: r["overall_score"] for r in again.overall.iter_rows(named=True)}
    assert after == pytest.approx(mini_scores(fixed)) and after["B"] > after["A"]
    moves = {r["institution_id"]: r["movement"] for r in compare_editions(edition, again).table.iter_rows(named=True)}
    assert moves == {"A": "declined", "B": "progressed"}


def test_a_conflicted_reviewer_sees_nothing_through_any_route(world):
    """rev, assigned to A's SDG 1, then declares a conflict with A: from then on every route naming A's items
    answers 404/403 to them, and no new assignment of A can be made without an override."""
    fill_and_submit(world, "A")
    reviewer, operator = world.client("reviewer"), world.client("operator")
    operator.post("/api/cycles/2025/close")
    body = {"institution": "A", "sdg": 1, "reviewer": "rev@network.org"}
    assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 201
    assert reviewer.get("/api/cycles/2025/institutions/A/records", params={"sdg": 1}).status_code == 200
    assert reviewer.post("/api/conflicts", json={"institution": "A"}).status_code == 201
    body = {"institution": "A", "sdg": 3, "reviewer": "rev@network.org"}
    assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 409
    auto = operator.post("/api/cycles/2025/assignments/auto", json={"per_item": 1}).json()
    assert auto["assigned"] == 0 and auto["short"] == ["A SDG 3", "A SDG 4", "A SDG 17"]
    evidence_id = records(world.client("A.admin"), "2025", "A", 1)["policy"]["evidence_items"][0]["id"]
    urls = [
        ("GET", "/api/cycles/2025/institutions/A"),
        ("GET", "/api/cycles/2025/institutions/A/records?sdg=1"),
        ("GET", "/api/cycles/2025/institutions/A/records/1/policy"),
        ("GET", "/api/cycles/2025/institutions/A/records/1/policy/history"),
        ("GET", f"/api/evidence/{evidence_id}/file"),
        ("POST", "/api/cycles/2025/institutions/A/records/1/policy/assessment"),
        ("GET", "/cycles/2025/institutions/A/records/1/policy"),
        ("POST", "/cycles/2025/institutions/A/records/1/policy/assessment"),
    ]
    for method, url in urls:
        kwargs = (
            {"json": {"verdict": "accepted", "exists": 1, "evidence": 1, "public": 1, "recent": 1}}
            if url.startswith("/api") and method == "POST"
            else {}
        )
        if not url.startswith("/api") and method == "POST":
            kwargs = {
                "data": {
                    "verdict": "accepted",
                    "exists": "1",
                    "evidence": "1",
                    "public": "1",
                    "recent": "1",
                    "csrf_token": reviewer.headers["X-CSRF-Token"],
                }
            }
        r = reviewer.request(method, url, **kwargs)
        assert r.status_code in (403, 404), (method, url, r.status_code)
        assert "Alpha University" not in r.text
    assert reviewer.get("/api/cycles/2025/review").json()["assignments"] == []
    assert world.table("assessment") == []
    assert operator.get("/api/cycles/2025/review").json()["assignments"][0]["institution"] == "A"  # still assigned


def test_the_institutions_dashboard_shows_a_revision_request_and_its_deadline(world):
    """SDG 3 is submitted and the cycle closed, but a reviewer reopened one of its metrics: the dashboard's SDG row
    says so, with the day it is open until and a link to it (it read "submitted (locked)" alone)."""
    from portal_tour import CYCLE, open_cycle_world, review_world

    open_cycle_world(world)
    review_world(world)
    for lang, words in (
        ("en", "revision requested on 1 metric, open until "),
        ("fr", "révision demandée pour 1 indicateur"),
    ):
        page = world.client("A.admin").get(f"{CYCLE}?lang={lang}").text
        row = page[page.index('<tr id="sdg-3">') : page.index("</tr>", page.index('<tr id="sdg-3">'))]
        assert words in row and f'href="{CYCLE}/records?sdg=3"' in row
        other = page[page.index('<tr id="sdg-4">') : page.index("</tr>", page.index('<tr id="sdg-4">'))]
        assert 'class="revision"' not in other
