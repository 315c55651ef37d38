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


# what sticks out of the viewport outside a table's own scrolling region, for a failure's message
WIDER_THAN_THE_VIEWPORT = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth && !e.closest('.table-scroll'))
  .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def page_fits(page) -> tuple[int, int]:
    """The page's width and the viewport's: a page wider than its viewport scrolls sideways."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("width", [390, 320])
def test_a_phone_shows_the_records_dashboard_and_evidence_without_scrolling_sideways(portal, browser, width):
    """Institution B's SDG 13 (A's is submitted by now). A rate's two inputs stack, its "Save as complete" stays
    on screen; the dashboard's and the evidence's tables scroll in a region of their own (named, reachable by
    keyboard), not the page."""
    base, page = portal.base, browser.new_page()
    sign_in(page, base, portal.users["B.contributor"], PASSWORD)
    page.set_viewport_size({"width": width, "height": 800})
    institution = f"{base}/cycles/2025/institutions/B"
    record = f"{institution}/records/13/low_carbon_energy_share"
    page.goto(record)
    if page.locator("#evidence-table").count() == 0:
        page.fill("#ev-title", "Energy report with a long title that wraps on a phone")
        page.fill("#ev-url", "https://a.example/reports/energy/2025/low-carbon-energy-share-of-the-campus.pdf")
        page.click("#ev-add")
        page.wait_for_url(record)
    for url in (f"{institution}/records?sdg=13", institution, record):
        page.goto(url)
        scroll, view = page_fits(page)
        wide = page.evaluate(WIDER_THAN_THE_VIEWPORT)
        assert scroll <= view, (url, width, scroll, wide[:8])
    page.goto(f"{institution}/records?sdg=13")
    button = page.locator("#complete-13-low_carbon_energy_share").bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= width
    for url, table in ((institution, "#sdg-table"), (record, "#evidence-table")):
        page.goto(url)
        region = page.locator(f".table-scroll:has({table})")
        assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label")
    page.close()


def test_a_refused_save_is_shown_again_with_the_typed_value_in_french(portal, browser, artifacts):
    """Text in a number field, saved as complete without script's help: the same page again, the text kept,
    the refusal beside the field and in the title, the summary focused and linking to the field."""
    base, page = portal.base, browser.new_page()
    sign_in(page, base, portal.users["B.contributor"], PASSWORD)
    page.goto(f"{base}/cycles/2025/institutions/B/records?sdg=13&lang=fr")
    page.fill("#sdg_top10_journals-value", "beaucoup")
    page.click("#complete-13-sdg_top10_journals")
    page.wait_for_load_state()
    field = page.locator("#sdg_top10_journals-value")
    assert field.input_value() == "beaucoup" and field.get_attribute("aria-invalid") == "true"
    said = page.locator("#" + field.get_attribute("aria-describedby")).inner_text()
    assert said == "un nombre est attendu"
    assert page.title().startswith("Non enregistré\u00a0: Valeur — un nombre est attendu")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#error-summary").get_attribute("role") == "alert"
    page.click("#error-summary-link")
    assert page.evaluate("document.activeElement.id") == "sdg_top10_journals-value"
    page.screenshot(path=str(artifacts / "portal-refused-save-fr.png"), full_page=True)
    page.fill("#sdg_top10_journals-value", "12,5")  # corrected, saved: the page that posted it, as usual
    page.click("#complete-13-sdg_top10_journals")
    page.wait_for_url("**/records?sdg=13")
    assert page.locator("#state-13-sdg_top10_journals").inner_text() == "complet"
    assert page.locator("#error-summary").count() == 0
    page.close()


def test_a_refused_save_and_a_refused_evidence_form_have_no_axe_violation(portal, axe_browser):
    """axe-core's WCAG 2.1 AA rules on the pages shown again (aria-invalid, aria-describedby, the summary), at a
    desktop's width and a phone's."""
    from axe import run_axe

    base, page = portal.base, axe_browser.new_page()
    sign_in(page, base, portal.users["B.contributor"], PASSWORD)
    record = f"{base}/cycles/2025/institutions/B/records/13/low_carbon_energy_share"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/cycles/2025/institutions/B/records?sdg=13&lang=fr")
        page.fill("#low_carbon_energy_share-numerator", "12")
        page.fill("#low_carbon_energy_share-denominator", "-4")
        page.click("#complete-13-low_carbon_energy_share")
        page.wait_for_load_state()
        assert page.locator("#low_carbon_energy_share-denominator").get_attribute("aria-invalid") == "true"
        assert run_axe(page).counts() == {}, width
        page.goto(record)
        page.fill("#ev-title", "Sans fichier ni adresse")
        page.click("#ev-add")
        page.wait_for_load_state()
        assert page.locator("#ev-file").get_attribute("aria-invalid") == "true"
        assert run_axe(page).counts() == {}, width
    page.close()
