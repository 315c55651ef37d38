"""The static site in Chromium, opened from file:// (no server at all): the search page runs its script under
the site's policy and finds institutions however their names are typed, its results lead to their pages, and
each page type passes axe-core's WCAG 2.1 AA audit in French and in English."""

from __future__ import annotations

import pytest
from axe import run_axe

from the_workbooks import THE_TABLES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.shared,
    pytest.mark.skipif(not THE_TABLES.is_dir(), reason=f"THE's table workbooks not found at {THE_TABLES}"),
]
PAGE_TYPES = (
    "index.html",  # the editions
    "editions/2021/index.html",  # the overall table
    "editions/2021/page-2.html",
    "editions/2021/sdgs/17/index.html",
    "editions/2021/institutions/fr-imt-atlantique.html",
    "editions/2021/countries/FR.html",
    "editions/2021/groups/Institut~20Mines-T~C3~A9l~C3~A9com.html",  # web.publish.addresses.file_name
    "compare/2020--2021/index.html",
    "search.html",
)


def search(page, site, lang: str, query: str) -> list[str]:
    """The names the search page lists for a query typed into it."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((site / lang / "search.html").as_uri())
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    names = page.locator("#search-results > li > a:first-child").all_inner_texts()
    assert errors == []  # the policy let the site's scripts run, and nothing failed
    return names


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_search_finds_institutions_from_file(browser, published_site, lang):
    page = browser.new_page()
    assert search(page, published_site, lang, "IMT Atlantique") == ["IMT Atlantique"]
    # one institution found, said in the singular, its country named in the page's language
    assert (
        page.locator("#search-status").inner_text()
        == {"fr": "Un établissement trouvé.", "en": "One institution found."}[lang]
    )
    assert page.locator("#search-results > li").inner_text().startswith("IMT Atlantique (France)")
    assert "Nantes Université" in search(page, published_site, lang, "universite de nantes")
    assert search(page, published_site, lang, "zzzz") == []
    assert page.locator("#search-status").inner_text() != ""  # "no institution matches", in the page's language
    search(page, published_site, lang, "imt atlantique")
    page.locator("#search-results > li > a:first-child").click()
    page.wait_for_load_state()
    assert page.url == (published_site / lang / "editions/2021/institutions/fr-imt-atlantique.html").as_uri()
    assert page.locator("h1").inner_text() == "IMT Atlantique"
    page.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_each_page_type_passes_wcag_aa(axe_browser, published_site, lang, path):
    page = axe_browser.new_page()
    address = published_site.as_uri() + "/" + (path if path == "index.html" and lang == "fr" else f"{lang}/{path}")
    page.goto(address)
    page.wait_for_load_state("load")
    audit = run_axe(page)
    assert audit.violations == [], "\n".join(map(str, audit.violations))
    page.close()
