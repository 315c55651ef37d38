"""Drive the dashboard in headless Chromium: filter the overall table by country, open an institution, and
check what is shown against the engine's tables."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.io.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def engine(browser_ws):
    with Workspace(browser_ws, read_only=True) as ws:
        return ws.load("2021")


def test_filter_by_country_then_open_institution(server, browser, artifacts, engine):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/editions/2021")
    assert page.locator("#total").inner_text() == str(engine.field_size)

    page.select_option("#country-filter", "FR")
    page.click("#apply")
    page.wait_for_url("**/editions/2021?*country=FR*")
    expected = (
        engine.overall.join(engine.institutions, on="institution_id")
        .filter(pl.col("country") == "FR")
        .sort("rank_position")
    )
    rows = page.locator("#overall-table tbody tr")
    assert rows.count() == expected.height == 2
    assert page.locator("#overall-table td.country").all_inner_texts() == ["France"] * expected.height  # its name
    assert page.locator("#overall-table td.name").all_inner_texts() == expected["name"].to_list()
    assert page.locator("#overall-table td.score").all_inner_texts() == expected["overall_display"].to_list()
    ranks = page.locator("#overall-table td.rank").all_inner_texts()
    assert ranks == ["1 (1–2)", "3–4"]  # A carries an uncertainty interval; C is in the 3–4 band
    page.screenshot(path=str(artifacts / "dashboard-overall-country.png"), full_page=True)

    page.click("#overall-table td.name a >> nth=0")
    page.wait_for_url("**/editions/2021/institutions/A")
    row = engine.overall.filter(pl.col("institution_id") == "A").row(0, named=True)
    assert page.locator("#institution-name").inner_text() == "Alpha University"
    assert page.locator("#overall-rank").inner_text() == f"{row['rank']} (1–2)"
    assert page.locator("#overall-score").inner_text() == row["overall_display"] == "87.0"
    best = row["top_sdgs"].split(";")
    assert page.locator("#top-sdgs").inner_text() == f"SDG 17 and the best {len(best)}: " + ", ".join(
        f"SDG {k}" for k in best
    )
    page.wait_for_selector("#profile-chart[data-rendered='true'] .main-svg")
    n_sdgs = engine.sdg_scores.filter(pl.col("institution_id") == "A").height
    assert page.locator("#profile-chart .bars .point").count() == n_sdgs == 4
    shown = page.locator("#sdg-scores td.score").all_inner_texts()
    exp_scores = engine.sdg_scores.filter(pl.col("institution_id") == "A").sort("sdg")["score"].to_list()
    assert shown == [f"{s:.1f}" for s in exp_scores]
    page.screenshot(path=str(artifacts / "dashboard-institution.png"), full_page=True)
    assert errors == []
    page.close()


def test_hostile_name_is_text_not_script(hostile_server, browser, artifacts):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{hostile_server}/editions/2021/institutions/A")
    page.wait_for_selector("#profile-chart[data-rendered='true']")
    assert page.locator("#institution-name").inner_text() == "<script>alert(1)</script>"
    page.goto(f"{hostile_server}/editions/2021")
    assert "<script>alert(1)</script>" in page.locator("#overall-table").inner_text()
    page.wait_for_timeout(300)
    assert dialogs == []
    page.screenshot(path=str(artifacts / "dashboard-hostile-names.png"), full_page=True)
    page.close()


def test_api_docs_run_under_the_policy(server, browser, artifacts):
    """Swagger UI starts from an inline script, which the dashboard's policy allows only by its hash."""
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/editions/{edition}" in [p.replace("\u200b", "") for p in paths]
    assert not [m for m in console if "Content Security Policy" in m]
    page.screenshot(path=str(artifacts / "dashboard-api-docs.png"))
    page.close()
