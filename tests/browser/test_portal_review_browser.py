"""The review in headless Chromium: a reviewer requests a revision, the contributor answers it, the reviewer
accepts; the record's history page shows the three steps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from portal_helpers import put
from portal_world import PASSWORD, make_world

from served import served

pytestmark = pytest.mark.browser
LONG_URL = "https://alpha.example/" + "sustainabilityreport2024" * 8  # one unbreakable word in the history


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """A mini-methodology world whose SDG 17 is submitted by A, assigned to the reviewer, under review."""
    root = tmp_path_factory.mktemp("portal-review")
    world = make_world(f"sqlite:///{root / 'portal.sqlite'}", root / "files")
    contributor, admin, operator = world.client("A.contributor"), world.client("A.admin"), world.client("operator")
    r = contributor.post(
        "/api/cycles/2025/institutions/A/records/17/reports/evidence",
        json={"title": "SDG report 2024", "url": LONG_URL, "public": True},
    )
    assert r.status_code == 201
    assert (
        put(contributor, "2025", "A", 17, "reports", version=1, exists=1, evidence=1, public=1, recent=0).status_code
        == 200
    )
    assert admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [17]}).status_code == 201
    assert operator.post("/api/cycles/2025/close").status_code == 201
    body = {"institution": "A", "sdg": 17, "reviewer": world.users["reviewer"]}
    assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 201
    with served(world.app) as base:
        world.base = base
        yield world
    world.db.dispose()


def sign_in(page, world, who: str) -> None:
    """The sign-in form; for a person with a second factor, the code their authenticator shows."""
    page.goto(f"{world.base}/login")
    page.fill("#email", world.users[who])
    page.fill("#password", PASSWORD)
    if who in world.totp:
        page.fill("#code", world.code(who))
    page.click("#sign-in")
    page.wait_for_url("**/cycles")


def test_revision_answer_accept_and_history(portal, browser, artifacts):
    base, record = portal.base, "/cycles/2025/institutions/A/records/17/reports"
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    sign_in(page, portal, "reviewer")
    page.click("#queue-2025")
    page.click("text=SDG reports")
    page.wait_for_url(f"**{record}")
    page.check("#verdict-revision")
    page.fill("#assess-note", "The report is not dated: attach the 2024 edition.")
    page.click("#assess")
    page.wait_for_url(f"**{record}")
    assert "revision" in page.locator("#revision-request").inner_text()
    page.click("text=Sign out")

    sign_in(page, portal, "A.contributor")
    page.goto(f"{base}{record}")
    assert "attach the 2024 edition" in page.locator("#revision-request").inner_text()
    page.check("#reports-recent-yes")
    page.click("#complete-17-reports")
    page.wait_for_url(f"**{record}")
    page.click("#resubmit")
    page.wait_for_url(f"**{record}")
    assert page.locator("#locked").is_visible()
    page.click("text=Sign out")

    sign_in(page, portal, "reviewer")
    page.goto(f"{base}{record}")
    for field in ("exists", "evidence", "public", "recent"):
        page.check(f"#assess-{field}-yes")
    page.check("#verdict-accepted")
    page.click("#assess")
    page.wait_for_url(f"**{record}")
    assert "accepted" in page.locator("#review-verdict").inner_text()
    page.click("#history-link")
    page.wait_for_url(f"**{record}/history")
    cells = page.locator("#history td.action")
    codes = cells.evaluate_all("cells => cells.map(c => c.dataset.action)")  # the audit codes behind the words
    steps = [a for a in codes if a in ("assessment.revision", "record.save", "record.resubmit", "assessment.accepted")]
    assert steps[-4:] == ["assessment.revision", "record.save", "record.resubmit", "assessment.accepted"]
    words = cells.all_inner_texts()[-4:]
    assert words == ["assessed: revision requested", "saved", "resubmitted after review", "assessed: accepted"]
    text = page.locator("#history").inner_text()
    assert "attach the 2024 edition" in text and portal.users["A.contributor"] in text
    page.screenshot(path=str(artifacts / "portal-history.png"), full_page=True)
    overflow = page.evaluate(
        "() => document.querySelector('#history').getBoundingClientRect().right"
        " - document.querySelector('main').getBoundingClientRect().right"
    )
    assert overflow <= 0, f"the history table runs {overflow:.0f} px past its column"
    page.click("text=Sign out")

    sign_in(page, portal, "operator")
    page.goto(f"{base}/cycles/2025/progress")
    assert page.locator("#progress tbody tr").first.locator("td.p-accepted").count() == 1
    page.screenshot(path=str(artifacts / "portal-progress.png"), full_page=True)
    assert errors == []
