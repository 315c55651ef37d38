"""Accessibility gate of the portal: axe-core's WCAG 2.1 AA rules find no violation on any portal page type, in
English, French and Spanish, each page seen by the role that uses it over a realistic cycle (tests/portal/
portal_tour.py: the open cycle, then the review). The counts are printed per page and rule (``-s``) and written
to test-artifacts/axe-portal-<lang>.json; every page the portal registers is visited."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from axe import run_axe

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from portal_tour import REVIEW_PAGES, open_cycle_world, open_pages, review_world
from portal_world import make_world

from served import served

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # as the dashboard's gate: `make test-slow`

LANGS = ("en", "fr", "es")
# Not pages of the portal's own: downloads, the API, static files, Swagger UI's API docs (third-party markup,
# measured with the dashboard's), and an institution's results page, which exists once a cycle is published
# (its own tests publish one).
NOT_VISITED = re.compile(
    r"^/(api/|static/|openapi\.json$|evidence/|audit\.csv$|docs$|cycles/\{cycle\}/exports/\{name\}$"
    r"|cycles/\{cycle\}/institutions/\{institution\}/results(/presskit\.zip)?$|$)"
)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal-axe-gate")
    world = make_world(f"sqlite:///{root / 'portal.sqlite'}", root / "files")
    tokens = open_cycle_world(world)
    with served(world.app) as base:
        world.base = base
        yield world, tokens
    world.dispose()


def _measure(context, world, pages: dict, lang: str) -> dict[str, dict[str, int]]:
    """Elements in violation per rule on each page, seen in ``lang`` by its reader (their session's cookie)."""
    from impactrank.portal.http import SESSION_COOKIE

    sessions = {who: world.client(who).cookies[SESSION_COOKIE] for who, _, _ in pages.values() if who}
    page = context.new_page()
    found = {}
    for name, (who, url, status) in pages.items():
        context.clear_cookies()
        cookies = [{"name": "lang", "value": lang, "url": world.base}]
        if who:
            cookies.append({"name": SESSION_COOKIE, "value": sessions[who], "url": world.base})
        context.add_cookies(cookies)
        response = page.goto(f"{world.base}{url}")
        assert response is not None and response.status == status, (name, lang)
        assert page.evaluate("document.documentElement.lang") == lang, name
        found[name] = run_axe(page).counts()
    page.close()
    context.clear_cookies()
    return found


def test_every_portal_page_type_in_each_language_has_no_violation(portal, axe_browser, artifacts):
    world, tokens = portal
    pages = open_pages(tokens)
    visited = {re.sub(r"\?.*", "", url) for _, url, _ in [*pages.values(), *REVIEW_PAGES.values()]}
    registered = [r.path for r in world.app.routes if "GET" in (getattr(r, "methods", None) or ())]
    templates = [p for p in registered if not NOT_VISITED.match(p)]
    pattern = {p: re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$") for p in templates}
    assert [p for p in templates if not any(pattern[p].match(url) for url in visited)] == []
    results = {lang: _measure(axe_browser, world, pages, lang) for lang in LANGS}
    review_world(world)
    for lang in LANGS:
        results[lang] |= {f"{name} (review)": v for name, v in _measure(axe_browser, world, REVIEW_PAGES, lang).items()}
    for lang, found in results.items():
        print(f"\naxe-core WCAG 2.1 AA, portal ({lang}): elements in violation per page and rule")
        for name, counts in found.items():
            detail = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "none"
            print(f"  {name}: {sum(counts.values())} ({detail})")
        path = artifacts / f"axe-portal-{lang}.json"
        path.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    violations = {lang: {name: counts for name, counts in found.items() if counts} for lang, found in results.items()}
    assert violations == {lang: {} for lang in LANGS}
