"""The portal's results pages in headless Chromium, in English and French, with an institution's results under
embargo: axe-core's WCAG 2.1 AA rules find no violation, and the page says the embargo and offers the press
kits."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axe import run_axe

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from portal_results import attach_results, mini_results
from portal_world import make_world

from served import served

pytestmark = pytest.mark.browser
PAGES = ("/results", "/cycles/2025/institutions/A/results")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal-results")
    world = make_world(f"sqlite:///{root / 'portal.sqlite'}", root / "files")
    attach_results(world, mini_results(tmp_path_factory.mktemp("mini")), world.clock.now() + timedelta(days=10))
    with served(world.app) as base:
        world.base = base
        yield world
    world.dispose()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_results_pages_pass_axe(portal, axe_browser, lang):
    from impactrank.portal.http import SESSION_COOKIE

    member = portal.client("A.observer")
    axe_browser.clear_cookies()
    axe_browser.add_cookies([{"name": SESSION_COOKIE, "value": member.cookies[SESSION_COOKIE], "url": portal.base}])
    page = axe_browser.new_page()
    try:
        for path in PAGES:
            response = page.goto(f"{portal.base}{path}?lang={lang}")
            assert response is not None and response.status == 200
            assert page.evaluate("document.documentElement.lang") == lang
            violations = [str(f) for f in run_axe(page).violations]
            assert violations == [], f"{path} ({lang}): " + "; ".join(violations)
        embargo = page.inner_text("#embargo")
        assert ("embargo" in embargo) and (("Under" in embargo) if lang == "en" else ("Sous" in embargo))
        assert page.locator("#press-kits a").count() == 2
    finally:
        page.close()
        axe_browser.clear_cookies()
