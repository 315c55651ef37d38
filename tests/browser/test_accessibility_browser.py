"""Accessibility measured: axe-core's WCAG 2.1 AA rules on every page type of the dashboard and of the portal,
with the violations printed per page and rule (run with ``-s`` to see them; the counts are also
written to test-artifacts/axe-en.json).

The dashboard's pages are a gate, in English, French and Spanish: zero violations, and no contrast left
undecided outside the charts (see test_dashboard_pages); the API docs page (Swagger UI) is measured only. The
portal's pages are measured, in English."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from axe import run_axe

from impactrank.io.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from portal_helpers import mailed_token
from portal_world import make_world

from served import served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = ("en", "fr", "es")
# Swagger UI, bundled as its authors ship it: its own markup and colours (contrast, nested buttons), which the
# dashboard does not write. It is measured and printed with the rest; only it is left out of the assertion.
THIRD_PARTY = {"API docs"}
# Sample values for the portal's path parameters (its test world: cycle 2025, institution A, the mini methodology)
PORTAL_PARAMS = {"cycle": "2025", "institution": "A", "sdg": "1", "metric": "policy"}
PORTAL_ROLES = (None, "A.contributor", "A.admin", "reviewer", "operator")  # each page: the first who may see it
NOT_PAGES = re.compile(r"^/(api/|static/|openapi\.json$|evidence/|audit\.csv$|cycles/\{cycle\}/exports/\{name\}$|$)")


def _measure(page, url: str) -> dict[str, dict[str, int]]:
    """Elements in violation per rule, and those axe leaves to a person (``incomplete``), on the page at url."""
    response = page.goto(url)
    assert response is not None
    page.wait_for_load_state("networkidle")
    audit = run_axe(page)
    contrast = [t for f in audit.incomplete if f.rule == "color-contrast" for t in f.targets]
    in_charts = page.evaluate("ts => ts.filter(t => document.querySelector(t)?.closest('.chart')).length", contrast)
    return {
        "violations": audit.counts(),
        "incomplete": {f.rule: len(f.targets) for f in audit.incomplete},
        "undecided contrast outside charts": len(contrast) - in_charts,
    }


def _print(title: str, results: dict[str, dict[str, dict[str, int]]], lang: str = "en") -> None:
    print(f"\naxe-core WCAG 2.1 AA, {title} ({lang}): elements in violation per page and rule [left to a person]")
    for name, found in results.items():
        detail = ", ".join(f"{rule} {n}" for rule, n in sorted(found["violations"].items())) or "none"
        left = ", ".join(f"{rule} {n}" for rule, n in sorted(found["incomplete"].items()))
        print(f"  {name}: {sum(found['violations'].values())} ({detail})" + (f" [{left}]" if left else ""))


def _dashboard_urls(browser_ws) -> dict[str, str]:
    """A URL of every page type of the dashboard, by name."""
    with Workspace(browser_ws, read_only=True) as ws:
        edition = ws.load("2021")
    sdg = sorted(edition.sdg_scores["sdg"].unique().to_list())[0]
    return {
        "editions": "/editions",
        "overall table": "/editions/2021",
        "SDG table": f"/editions/2021/sdgs/{sdg}",
        "institution": "/editions/2021/institutions/A",
        "what-if": "/editions/2021/institutions/A/whatif",
        "country": "/editions/2021/countries/FR",
        "group": "/editions/2021/groups/Network",
        "comparison": "/compare?before=2020&after=2021&country=FR",
        "report": "/report?edition=2021&compare=2020",
        "API docs": "/docs",
        "error": "/no-such-page",
    }


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_pages(server, browser_ws, axe_browser, artifacts, lang):
    """Zero violations on every dashboard page type in every language, and no contrast left undecided on our own
    pages; the API docs page is Swagger UI's (third-party): measured and printed, not asserted."""
    urls = _dashboard_urls(browser_ws)
    page = axe_browser.new_page()
    results = {
        name: _measure(page, f"{server}{url}{'&' if '?' in url else '?'}lang={lang}") for name, url in urls.items()
    }
    page.close()
    _print("dashboard", results, lang)
    _save(artifacts, "dashboard", results, lang)
    ours = {name: found for name, found in results.items() if name not in THIRD_PARTY}
    assert {name: found["violations"] for name, found in ours.items() if found["violations"]} == {}
    # A chart's text is Plotly's SVG, whose contrast axe cannot decide (Plotly's layers overlap it, tick labels are
    # too short to judge); the same numbers are in the table beside each chart, its text equivalent.
    undecided = {name: found["undecided contrast outside charts"] for name, found in ours.items()}
    assert {name: n for name, n in undecided.items() if n} == {}


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_pages_reflow_on_a_narrow_screen(server, browser_ws, browser, lang):
    """WCAG 1.4.10 (reflow): 320 CSS px wide (1280 px at 400 % zoom), no page scrolls sideways; a table wider than
    the screen scrolls in its own region, which is named and takes the keyboard's focus."""
    page = browser.new_page()
    page.set_viewport_size({"width": 320, "height": 800})
    wide, regions = {}, 0
    for name, url in _dashboard_urls(browser_ws).items():
        if name in THIRD_PARTY:
            continue
        page.goto(f"{server}{url}{'&' if '?' in url else '?'}lang={lang}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[name] = width
        found = page.evaluate(
            "Array.from(document.querySelectorAll('.table-scroll'), r => [r.tabIndex, r.role, r.ariaLabel])"
        )
        assert all(focus == 0 and role == "region" and label for focus, role, label in found), (name, found)
        regions += len(found)
    page.close()
    assert wide == {}
    assert regions >= 10  # every page type's tables are in such regions


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal-axe")
    world = make_world(f"sqlite:///{root / 'portal.sqlite'}", root / "files")
    with served(world.app) as base:
        world.base = base
        yield world
    world.dispose()


def _portal_paths(world) -> list[str]:
    """Every HTML page the portal registers (downloads, the API and static files left out)."""
    paths = [r.path for r in world.app.routes if "GET" in (getattr(r, "methods", None) or ())]
    return [p for p in paths if not NOT_PAGES.match(p)]


def _tokens(world, clients: dict) -> dict[str, str]:
    """Links sent by e-mail, as their readers open them: an invitation."""
    body = {"email": "new@a.edu", "role": "observer"}
    invited = clients["A.admin"].post("/api/institutions/A/invitations", json=body)
    assert invited.status_code == 201, invited.text
    return {"/invitations/{token}": mailed_token(world, "new@a.edu", "/invitations")}


def test_portal_pages(portal, axe_browser, artifacts):
    from impactrank.portal.http import SESSION_COOKIE

    clients = {who: portal.client(who) for who in PORTAL_ROLES}
    tokens = _tokens(portal, clients)
    results: dict[str, dict] = {}
    unmeasured = []
    page = axe_browser.new_page()
    for template in _portal_paths(portal):
        try:
            path = template.format(**PORTAL_PARAMS, **({"token": tokens[template]} if template in tokens else {}))
        except KeyError:  # a parameter with no sample: the page is measured as the error it answers
            path = re.sub(r"\{[^}]+\}", "unknown", template)
        allowed = [w for w in PORTAL_ROLES if clients[w].get(path, follow_redirects=False).status_code == 200]
        who = allowed[0] if allowed else None
        if not allowed:
            unmeasured.append(template)
        axe_browser.clear_cookies()
        if who is not None:
            axe_browser.add_cookies(
                [{"name": SESSION_COOKIE, "value": clients[who].cookies[SESSION_COOKIE], "url": portal.base}]
            )
        results[f"{template} ({who or 'anonymous'})"] = _measure(page, f"{portal.base}{path}")
    results["error (anonymous)"] = _measure(page, f"{portal.base}/no-such-page")
    axe_browser.clear_cookies()
    page.close()
    _print("portal", results)
    if unmeasured:
        print("  answered with an error page for every role (the error page was measured):", ", ".join(unmeasured))
    _save(artifacts, "portal", results)


def _save(artifacts: Path, app: str, results: dict[str, dict], lang: str = "en") -> None:
    path = artifacts / f"axe-{lang}.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    saved[app] = results
    path.write_text(json.dumps(saved, indent=1, sort_keys=True) + "\n", encoding="utf-8")
