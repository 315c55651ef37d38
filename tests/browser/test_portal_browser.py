"""The portal in headless Chromium: an admin invites a contributor, who fills SDG 13 (uploading a PDF as
evidence); the admin submits it and the pages then show it locked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from portal_helpers import PDF, mailed_token
from portal_world import PASSWORD, make_world

from served import served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The portal over a fresh SQLite world (the-2021 methodology) in a uvicorn thread on loopback."""
    root = tmp_path_factory.mktemp("portal-browser")
    world = make_world(f"sqlite:///{root / 'portal.sqlite'}", root / "files", methodology="the-2021")
    with served(world.app) as base:
        world.base = base
        yield world
    world.db.dispose()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")
    page.wait_for_url("**/cycles")


def test_invite_fill_sdg13_with_a_pdf_submit_and_lock(portal, browser, artifacts, tmp_path):
    base = portal.base
    errors: list[str] = []
    admin = browser.new_page()
    admin.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(admin, base, portal.users["A.admin"], PASSWORD)
    admin.click("#nav-team")
    admin.fill("#invite-email", "newcomer@a.edu")
    admin.select_option("#invite-role", "contributor")
    admin.click("#invite")
    assert "sent by e-mail" in admin.locator("#shown-once").inner_text()
    link = f"{base}/invitations/{mailed_token(portal, 'newcomer@a.edu', '/invitations')}"
    admin.screenshot(path=str(artifacts / "portal-team.png"), full_page=True)

    admin.click("text=Sign out")  # one browser profile, one cookie jar: the contributor's turn
    contributor = browser.new_page()
    contributor.goto(link)
    assert contributor.locator("#invited-email").inner_text() == "newcomer@a.edu"
    contributor.fill("#password", "newcomer password")
    contributor.click("#accept")
    contributor.wait_for_url("**/cycles")
    contributor.click("text=Alpha University")
    contributor.click("#sdg-13 a")
    contributor.wait_for_url("**/records?sdg=13")

    def save(metric: str) -> None:
        contributor.click(f"#complete-13-{metric}")
        contributor.wait_for_url("**/records?sdg=13")
        assert contributor.locator(f"#state-13-{metric}").inner_text() == "complete", metric

    contributor.fill("#sdg_top10_journals-value", "22.5")
    contributor.press("#sdg_top10_journals-value", "Tab")  # autosave: a draft, through the JSON API
    status = contributor.locator("#form-13-sdg_top10_journals .status")
    contributor.wait_for_function("s => s.textContent.startsWith('Saved as draft')", arg=status.element_handle())
    assert contributor.locator("#state-13-sdg_top10_journals").inner_text() == "draft"
    assert contributor.locator("#form-13-sdg_top10_journals input[name=version]").input_value() == "1"
    for metric, value in (("sdg_top10_journals", "22.5"), ("sdg_fwci", "1.3"), ("sdg_publications", "140")):
        contributor.fill(f"#{metric}-value", value)
        save(metric)
    contributor.fill("#low_carbon_energy_share-numerator", "1200")
    contributor.fill("#low_carbon_energy_share-denominator", "5000")
    save("low_carbon_energy_share")
    for metric in ("local_climate_education", "climate_action_plan_shared", "climate_disaster_planning",
                   "regional_government_support", "ngo_climate_collaboration"):  # fmt: skip
        contributor.check(f"#form-13-{metric} input[name=unavailable]")
        save(metric)

    contributor.click("#metric-13-carbon_neutral_commitment a")
    pdf = tmp_path / "carbon-plan.pdf"
    pdf.write_bytes(PDF)
    contributor.fill("#ev-title", "Carbon neutrality plan")
    contributor.set_input_files("#ev-file", str(pdf))
    contributor.fill("#ev-date", "2025-02-01")
    contributor.check("#ev-public")
    contributor.click("#ev-add")
    contributor.wait_for_selector("#evidence-table")
    assert contributor.locator("#evidence-table").inner_text().count("carbon-plan.pdf") == 1
    for field in ("exists", "evidence", "public", "recent"):
        contributor.check(f"#carbon_neutral_commitment-{field}-yes")
    contributor.click("#complete-13-carbon_neutral_commitment")
    contributor.wait_for_selector("#record-state")
    assert contributor.locator("#record-state").inner_text() == "complete"
    contributor.goto(f"{base}/cycles/2025/institutions/A/records?sdg=13")
    contributor.screenshot(path=str(artifacts / "portal-sdg13-form.png"), full_page=True)
    assert contributor.locator("#sdg-table").count() == 0
    contributor.goto(f"{base}/cycles/2025/institutions/A")
    assert "10 / 10" in contributor.locator("#sdg-13").inner_text()
    assert contributor.locator("#submit-form").count() == 0  # only the admin submits

    contributor.click("text=Sign out")
    sign_in(admin, base, portal.users["A.admin"], PASSWORD)
    admin.goto(f"{base}/cycles/2025/institutions/A")
    assert admin.locator("#sdg-13 .state").inner_text() == "ready to submit"
    admin.check("#submit-sdg-13")
    admin.click("#submit-button")
    admin.wait_for_url("**/cycles/2025/institutions/A")
    assert admin.locator("#sdg-13 .state").inner_text() == "submitted (locked)"
    admin.screenshot(path=str(artifacts / "portal-dashboard.png"), full_page=True)

    admin.goto(f"{base}/cycles/2025/institutions/A/records?sdg=13")
    assert admin.locator(".locked").count() == 10
    assert admin.locator("#sdg_fwci-value").is_disabled()
    assert admin.locator("button:has-text('Save as complete')").count() == 0
    admin.goto(f"{base}/cycles/2025/institutions/A/records/13/carbon_neutral_commitment")
    assert admin.locator("#locked").is_visible() and admin.locator("#evidence-form").count() == 0
    with admin.expect_download() as download:
        admin.click("#evidence-table a[download]")
    assert Path(download.value.path()).read_bytes() == PDF
    admin.screenshot(path=str(artifacts / "portal-locked-record.png"), full_page=True)
    assert errors == []


def test_api_docs_render_the_portal_spec(portal, browser):
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(f"{portal.base}/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = [p.replace("\u200b", "") for p in page.locator(".opblock-summary-path").all_inner_texts()]
    assert "/api/login" in paths and len(paths) > 20
    assert not [m for m in console if "Content Security Policy" in m]
    page.close()


def test_a_draft_saved_as_one_types_reads_numbers_as_the_page_writes_them(portal, browser):
    """French page: "12,5" is saved as 12.5; what is no number is not sent (it arrived as nothing and erased the
    value); a refusal and a warning read in French, with the field's own label, the warning and its confirmation
    shown at once."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, portal.base, portal.users["A.contributor"], PASSWORD)
    records = f"{portal.base}/cycles/2025/institutions/A/records?sdg=3&lang=fr"
    page.goto(records)
    status = page.locator("#form-3-views_downloads .status")

    def typed(text: str, then: str) -> None:
        page.fill("#views_downloads-value", text)
        page.press("#views_downloads-value", "Tab")
        page.wait_for_function("([s, t]) => s.textContent.startsWith(t)", arg=[status.element_handle(), then])

    typed("1 234,5", "Enregistré comme brouillon")
    version = page.locator("#form-3-views_downloads input[name=version]").input_value()
    typed("12,5,3", "Non enregistré\u00a0: la saisie de «\u00a0Valeur\u00a0» n’est pas un nombre")
    typed("-3", "Non enregistré\u00a0: Valeur\u00a0: ")
    assert status.inner_text().endswith("ne peut pas être négative") and "value" not in status.inner_text()
    page.goto(records)
    assert page.locator("#views_downloads-value").input_value() == "1234,5"  # kept: neither refusal was stored
    assert page.locator("#form-3-views_downloads input[name=version]").input_value() == version

    form = "#form-3-smoke_free_policy"
    assert page.locator(f"{form} .warnings").is_hidden()
    page.check("#smoke_free_policy-evidence-yes")
    saved = "s => s.textContent.startsWith('Enregistré')"
    page.wait_for_function(saved, arg=page.locator(f"{form} .status").element_handle())
    assert page.locator(f"{form} .warnings").is_visible()
    assert page.locator(f"{form} .warnings li").inner_text() == "un justificatif est déclaré mais aucun n'est joint"
    assert page.locator(f"{form} input[name=acknowledge_warnings]").is_visible()
    assert errors == []
