"""The forecast on the dashboard's institution page of a published edition: next year's line, the part of next
year's score already fixed (under the two-year rule), and the assumptions one click away, in the reader's
language; none where the series cannot give one (2020: no earlier pair of overall tables)."""

from __future__ import annotations

import re
import warnings

import pytest

from the_workbooks import THE_TABLES

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.skipif(not THE_TABLES.is_dir(), reason="THE's table workbooks not found")


@pytest.fixture(scope="module")
def client(the_workspace):
    from impactrank.web.app import create_app

    return TestClient(create_app(the_workspace))


def _imt(the_tables, year: int) -> str:
    ed = next(e for e in the_tables.editions if e.year == year)
    return ed.institutions.filter(ed.institutions["name"] == "IMT Atlantique")["institution_id"][0]


def test_next_year_on_the_page_with_its_assumptions(client, the_tables):
    iid = _imt(the_tables, 2023)
    page = client.get(f"/editions/2023/institutions/{iid}?lang=en").text
    line = re.search(r'<p id="forecast-line">([^<]*)</p>', page)[1]
    assert re.fullmatch(r"Next year \(2024\): most likely [\d–+]+, 80% (between [\d–+]+ and [\d–+]+|in [\d–+]+)", line)
    assert '<p id="forecast-fixed">Already fixed by this year&#39;s score: ' in page
    assert re.search(
        r'<details id="forecast-assumptions"><summary>What the forecast assumes</summary>\s*<ul><li>', page
    )
    api = client.get(f"/api/editions/2023/institutions/{iid}").json()["forecast"]
    assert api["line"] == line and len(api["assumptions"]) == 5
    fr = client.get(f"/editions/2023/institutions/{iid}?lang=fr").text
    assert "L’an prochain (2024)\u00a0: le plus probable" in fr and "What the forecast assumes" not in fr


def test_no_forecast_without_an_earlier_pair(client, the_tables):
    page = client.get(f"/editions/2020/institutions/{_imt(the_tables, 2020)}?lang=en").text
    assert "forecast-line" not in page
    page_2021 = client.get(f"/editions/2021/institutions/{_imt(the_tables, 2021)}?lang=en").text
    assert "Next year (2022)" in page_2021 and "forecast-fixed" not in page_2021  # 2022 is single-year


def test_forecasts_made_once_and_kept_elsewhere_give_the_same_page(client, the_workspace, the_tables):
    """A static site's planning process makes the forecasts once and each rendering process keeps them (pickled
    across processes), rather than each making them again: the pages are the same."""
    import pickle

    from impactrank.web import forecasts
    from impactrank.web.app import create_app

    made = forecasts.made_for(client.app.state.store)
    assert sorted(made) == ["2020", "2021", "2022", "2023"] and made["2020"] is None  # 2019: SDG tables only
    kept = pickle.loads(pickle.dumps(made))
    worker = create_app(the_workspace)
    forecasts.keep(worker.state.store, kept)
    assert forecasts.made_for(worker.state.store)["2023"] is kept["2023"]  # kept, not made again
    iid = _imt(the_tables, 2023)
    for lang in ("en", "fr"):
        page = f"/editions/2023/institutions/{iid}?lang={lang}"
        assert TestClient(worker).get(page).text == client.get(page).text
