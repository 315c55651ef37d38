"""The dashboard's filters and links by keyboard alone: Tab to reach a control, typing into a text field, Space
on a button, Enter on a link or in a field; no mouse, no arrow keys."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
MAX_TABS = 80


def tab_to(page, selector: str) -> None:
    """Tab until the focused element matches ``selector`` (failing if it is never reached)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable by Tab")


def rows(page) -> list[str]:
    return page.locator("#overall-table tbody td.name").all_inner_texts()


@pytest.fixture
def page(browser):
    """A page whose language choice (a cookie) is forgotten afterwards: the session's other tests read English."""
    page = browser.new_page()
    yield page
    page.close()
    browser.clear_cookies()


def test_filters_pages_and_language_by_keyboard(page, server):
    page.goto(f"{server}/editions/2021?lang=fr&per_page=2")
    assert len(rows(page)) == 2
    tab_to(page, "#filters input[name=q]")
    page.keyboard.type("Gamma")
    tab_to(page, "#apply")
    with page.expect_navigation():
        page.keyboard.press(" ")
    assert "q=Gamma" in page.url and rows(page) == ["Gamma College"]

    tab_to(page, "#filters input[name=q]")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a field submits the filters
    assert len(rows(page)) == 2 and page.locator("#total").inner_text() == "4"

    tab_to(page, "#next")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "page=2" in page.url and len(rows(page)) == 2

    tab_to(page, 'a.sdg-chip[aria-label="ODD 1"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/sdgs/1") and page.locator("h1").inner_text().endswith("Classement ODD 1 2021")

    tab_to(page, '#language-switch a[hreflang="es"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert (
        page.locator("html").get_attribute("lang") == "es" and "Clasificación ODS 1" in page.locator("h1").inner_text()
    )
    page.close()


def test_focus_is_visible(page, server):
    """A focused control is outlined (WCAG 2.4.7): the outline the style sheet gives :focus-visible."""
    page.goto(f"{server}/editions/2021")
    tab_to(page, "#apply")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
