"""The portal's main forms by keyboard alone, in French: signing in, filling a metric and saving it complete,
signing out, and the admin submitting the SDG — Tab to reach a control, typing, Space on a checkbox, Enter on a
link or button; each focused control visibly outlined."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_keyboard_browser import tab_to

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from portal_world import PASSWORD, make_world

from served import served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal-keyboard")
    world = make_world(f"sqlite:///{root / 'portal.sqlite'}", root / "files")
    with served(world.app) as base:
        world.base = base
        yield world
    world.dispose()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()
    browser.clear_cookies()  # the session's other tests start signed out, in English


def press(page, selector: str, key: str) -> None:
    """Tab to the control, check its focus is outlined, press the key."""
    tab_to(page, selector)
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), f"{selector} has no visible focus"
    page.keyboard.press(key)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login?lang=fr")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        press(page, "#sign-in", "Enter")
    assert page.url.endswith("/cycles")


def test_sign_in_fill_a_metric_and_submit_by_keyboard_in_french(portal, page):
    base = portal.base
    sign_in(page, base, portal.users["A.contributor"])
    assert page.locator("h1").inner_text() == "Cycles de collecte"
    with page.expect_navigation():
        press(page, "a[href='/cycles/2025/institutions/A']", "Enter")
    with page.expect_navigation():
        press(page, "#sdg-3 a", "Enter")
    tab_to(page, "#pubs-value")
    page.keyboard.type("42")
    with page.expect_navigation():
        press(page, "#complete-3-pubs", "Enter")
    assert page.locator("#state-3-pubs").inner_text() == "complet"
    assert page.locator("#pubs-value").input_value() == "42"
    with page.expect_navigation():
        press(page, "header button[type=submit]", "Enter")  # se déconnecter

    sign_in(page, base, portal.users["A.admin"])
    page.goto(f"{base}/cycles/2025/institutions/A")
    assert page.locator("#sdg-3 .state").inner_text() == "prêt à soumettre"
    press(page, "#submit-sdg-3", "Space")
    assert page.locator("#submit-sdg-3").is_checked()
    with page.expect_navigation():
        press(page, "#submit-button", "Enter")
    assert page.locator("#sdg-3 .state").inner_text() == "soumis (verrouillé)"
