"""The dashboard on THE's imported editions offers only what each edition has: 2019's SDG tables and no overall
page, summary or comparison for it; a country's page is reached by name or code and titled by its name.
Expectations come from the workbooks themselves."""

from __future__ import annotations

import re
import warnings

import pytest

from the_workbooks import sdgs_of, table_rows

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(the_workspace):
    from impactrank.web.app import create_app

    return TestClient(create_app(the_workspace), raise_server_exceptions=True)


def test_home_offers_each_editions_own_tables_and_comparisons(client):
    years = [2019, 2020, 2021, 2022, 2023]
    home = client.get("/api/editions").json()
    assert [e["edition"] for e in home["editions"]] == [str(y) for y in years]
    assert {e["edition"]: e["sdgs"] for e in home["editions"]} == {str(y): sdgs_of(y) for y in years}
    assert [e["overall_table"] for e in home["editions"]] == [False, True, True, True, True]
    assert home["editions"][0]["links"] == {}
    assert [(c["before"], c["after"]) for c in home["comparisons"]] == [
        ("2020", "2021"),
        ("2021", "2022"),
        ("2022", "2023"),
    ]
    html = client.get("/").text
    chips = [int(s) for s in re.findall(r'href="/editions/2019/sdgs/(\d+)"', html)]
    assert chips == sdgs_of(2019) and len(chips) == 10
    assert 'href="/editions/2019"' not in html and "before=2019" not in html and "after=2019" not in html
    assert len(re.findall(r'href="/editions/2021/sdgs/\d+"', html)) == 17


def test_no_overall_page_or_comparison_for_an_edition_of_sdg_tables_only(client):
    rows, _ = table_rows()
    for url in ("/api/editions/2019", "/editions/2019", "/api/compare?before=2019&after=2021"):
        r = client.get(url)
        assert r.status_code == 404 and "edition 2019 has no overall table" in r.text, url
    held = sdgs_of(2019)
    missing = next(s for s in range(1, 18) if s not in held)
    r = client.get(f"/api/editions/2019/sdgs/{missing}")
    assert r.status_code == 404 and f"edition 2019 has no SDG {missing} table" in r.json()["error"]
    assert client.get(f"/api/editions/2019/sdgs/{held[0]}").json()["total"] == rows[held[0], 2019]
    assert client.get("/api/compare", params={"before": "2019", "after": "2021"}).status_code == 404
    page = client.get("/compare", params={"before": "2020", "after": "2021"}).text
    assert re.findall(r'<select name="before">(.*?)</select>', page) == [
        "".join(f"<option{' selected' if y == 2020 else ''}>{y}</option>" for y in (2020, 2021, 2022, 2023))
    ]
    # the 2020 pages compare with nothing before them, 2021's with 2020
    assert client.get("/api/editions/2020").json()["edition"]["previous"] is None
    assert client.get("/api/editions/2021").json()["edition"]["previous"] == "2020"


def test_the_pages_of_an_edition_of_sdg_tables_only_link_to_what_exists(client):
    """From 2019's SDG pages and institution pages, every link of the dashboard leads to a page (none to an
    overall table, a country or group page, an SDG table or a what-if 2019 does not have)."""
    held = sdgs_of(2019)
    sdg_page = client.get(f"/editions/2019/sdgs/{held[0]}").text
    assert [int(s) for s in re.findall(r'href="/editions/2019/sdgs/(\d+)"', sdg_page)] == held
    institutions = re.findall(r'href="(/editions/2019/institutions/[^"?]+)"', sdg_page)[:5]
    assert len(institutions) == 5
    pages = {institution: client.get(institution).text for institution in institutions}
    assert all("the edition has none (it was imported from SDG tables only)" in text for text in pages.values())
    links = {
        href.replace("&amp;", "&")
        for text in [sdg_page, *pages.values()]
        for href in re.findall(r'href="(/[^"]*)"', text)
        if not href.startswith("/static")
    }
    assert len(links) > 20
    statuses = {href: client.get(href).status_code for href in links}
    client.cookies.clear()  # the language switch's links chose a language: the module's other tests read English
    assert {href: status for href, status in statuses.items() if status >= 400} == {}


@pytest.mark.parametrize("name", ["France", "france", "fr"])
def test_a_country_page_is_reached_by_name_and_titled_by_it(client, name):
    _, by_country = table_rows()
    french = by_country["overall", 2021, "France"]
    moved = client.get(f"/editions/2021/countries/{name}?lang=fr", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/editions/2021/countries/FR?lang=fr"
    api = client.get(f"/api/editions/2021/countries/{name}").json()
    assert api["title"] == "France in edition 2021" and api["country"] == "FR" and api["count"] == french
    page = client.get(f"/editions/2021/countries/{name}")
    assert page.status_code == 200 and "<h1>France in edition 2021</h1>" in page.text
    assert client.get("/api/editions/2021", params={"country": name}).json()["total"] == french
    report = client.get("/api/report", params={"edition": "2021", "country": name}).json()
    assert (report["selection"]["country"], report["selection"]["ranked"]) == ("FR", french)


def test_a_country_path_naming_no_country_is_refused_as_such(client):
    """Text that names no country is told so as written, not upper-cased into a country with no institutions; a
    country the edition has no institution from keeps its own message."""
    _, by_country = table_rows()
    assert not any(c == "Andorra" for _, y, c in by_country if y == 2021)
    page = client.get("/editions/2021/countries/Narnia")
    assert page.status_code == 404 and "is not a country name or ISO code" in page.text
    refused = client.get("/api/editions/2021/countries/Narnia")
    assert (refused.status_code, refused.json()["error"]) == (
        404,
        "field 'country': 'Narnia' is not a country name or ISO code",
    )
    absent = client.get("/api/editions/2021/countries/Andorra", follow_redirects=True).json()
    assert absent["error"] == "field 'country': no institution from country 'AD' in edition 2021"
