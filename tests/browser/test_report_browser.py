"""Open the HTML report from disk in headless Chromium with networking off and check its charts rendered."""

from __future__ import annotations

import pytest

from impactrank.io.reports import write_report
from impactrank.io.workspace import Workspace

pytestmark = pytest.mark.browser


def test_report_renders_offline(browser_ws, browser, artifacts, tmp_path):
    with Workspace(browser_ws, read_only=True) as ws:
        edition, previous = ws.load("2021"), ws.load("2020")
    path = write_report(edition, tmp_path / "report.html", previous=previous, country="FR")
    requested: list[str] = []

    def gate(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    page = browser.new_page()
    browser.set_offline(True)
    try:
        page.route("**/*", gate)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        charts = page.locator("div.chart")
        # distribution, two SDG profiles (A, C), participation, movement
        assert charts.count() == 5
        page.wait_for_function("document.querySelectorAll('div.chart[data-rendered=\"true\"]').length === 5")
        assert page.locator("div.chart .main-svg").count() >= 5
        assert page.locator("div.chart .static-chart").count() == 0  # fallbacks replaced by live charts
        # the distribution marks exactly the selected institutions (A and C) over non-empty bars
        assert page.locator("#chart-distribution .scatterlayer .point").count() == 2
        assert page.locator("#chart-distribution .bars .point").count() > 0
        assert page.locator("#chart-profile-0 .bars .point").count() == 4  # A's four SDGs
        page.screenshot(path=str(artifacts / "report-offline.png"), full_page=True)
        assert requested == [] and errors == []
    finally:
        browser.set_offline(False)
        page.close()


def test_report_served_by_the_dashboard_runs_under_its_content_security_policy(server, browser):
    """The served report carries a policy that lets only its own inline scripts run (by hash): the charts must
    still render, and the browser must report no blocked script."""
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        response = page.goto(f"{server}/report?edition=2021&compare=2020&country=FR")
        assert "sha256-" in response.headers["content-security-policy"]
        page.wait_for_function("document.querySelectorAll('div.chart[data-rendered=\"true\"]').length === 5")
        assert violations == []
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_titles_are_whole_at_the_dashboards_widths(server, browser, width):
    """Each chart's title lies within its chart, wrapped where the chart is narrow; no mode bar covers it."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    try:
        page.goto(f"{server}/report?edition=2021&compare=2020&country=FR")
        page.wait_for_function("document.querySelectorAll('div.chart[data-rendered=\"true\"]').length === 5")
        page.locator("#chart-movement").hover()  # Plotly shows a mode bar on hover where one is configured
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll('div.chart[data-rendered="true"]')).map(c => {
                const r = c.getBoundingClientRect(), t = c.querySelector('.gtitle').getBoundingClientRect();
                const bars = c.querySelectorAll('.modebar-btn').length;
                return {chart: [r.left, r.right], title: [t.left, t.right, t.width], bars: bars};
            })"""
        )
        for b in boxes:
            assert b["title"][2] > 0 and b["bars"] == 0
            assert b["chart"][0] - 0.5 <= b["title"][0] and b["title"][1] <= b["chart"][1] + 0.5, b
    finally:
        page.close()
