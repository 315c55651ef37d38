"""What the pages show: a cycle closed early gives the date it closed (on its page and in the 423), reviewers
appear to the institution under a stable pseudonym while operators see their e-mail (the history table's width
is measured in the browser test of the review)."""

from __future__ import annotations

from portal_helpers import put


def test_a_cycle_closed_early_gives_its_real_closing_date(world):
    assert "closes 2025-11-11 23:59 UTC" in world.client("A.contributor").get("/cycles").text
    world.clock.advance(days=3, hours=4)  # 2025-10-04 13:00, weeks before the date set
    operator, contributor = world.client("operator"), world.client("A.contributor")
    assert operator.post("/api/cycles/2025/close").status_code == 201
    page = contributor.get("/cycles").text
    assert "2025-11-11" not in page and "closed 2025-10-04 13:00 UTC" in page
    r = put(contributor, "2025", "A", 1, "pubs", value=3)
    assert r.status_code == 423
    assert r.json()["error"].endswith("cycle 2025 closed for submissions on 2025-10-04 13:00 UTC")
    assert contributor.get("/api/cycles").json()["cycles"][0]["closes_at"] == "2025-10-04T13:00:00"


def review_two_metrics(world) -> None:
    """A submits SDG 3 and 4; the cycle closes; the reviewer assesses both, a second reviewer one."""
    from portal_world import PASSWORD

    from impactrank.portal.accounts import create_user
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with world.db.write() as session:
        create_user(Scope(session, COMMAND_LINE, world.clock.now()), "second@network.org", "reviewer", None, PASSWORD)
    world.users["second"] = "second@network.org"
    world.enrol("second")
    admin, operator = world.client("A.admin"), world.client("operator")
    for sdg in (3, 4):
        assert put(admin, "2025", "A", sdg, "pubs", value=sdg).status_code == 200
    assert admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3, 4]}).status_code == 201
    assert operator.post("/api/cycles/2025/close").status_code == 201
    for who, sdg in (("reviewer", 3), ("reviewer", 4), ("second", 4)):
        body = {"institution": "A", "sdg": sdg, "reviewer": world.users[who]}
        assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 201
    for who, sdg in (("second", 4), ("reviewer", 4), ("reviewer", 3)):
        r = world.client(who).post(
            f"/api/cycles/2025/institutions/A/records/{sdg}/pubs/assessment", json={"verdict": "accepted"}
        )
        assert r.status_code == 201, r.text


def actors(client, sdg: int) -> list[str]:
    r = client.get(f"/api/cycles/2025/institutions/A/records/{sdg}/pubs/history")
    assert r.status_code == 200, r.text
    return [e["actor"] for e in r.json()["entries"] if e["action"].startswith("assessment.")]


def test_reviewers_are_pseudonyms_to_the_institution_and_e_mails_to_operators(world):
    review_two_metrics(world)
    admin, operator = world.client("A.admin"), world.client("operator")
    assert actors(admin, 4) == ["Reviewer 2", "Reviewer 1"]  # numbered by first assignment to A
    assert actors(admin, 3) == ["Reviewer 1"]  # the same reviewer, the same name, on another record
    assert actors(operator, 4) == ["second@network.org", "rev@network.org"]
    page = admin.get("/cycles/2025/institutions/A/records/4/pubs/history").text
    assert "Reviewer 2" in page and "network.org" not in page
    assert world.users["A.admin"] in page  # the institution's own people keep their names
