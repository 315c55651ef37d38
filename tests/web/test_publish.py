"""The static site of THE's real editions, as `impactrank publish` writes it: every link and asset reached from
index.html, no address outside the folder, each table's pages and downloads as many as the workbooks' rows, the
pages in both languages linked by hreflang, the search index finding institutions however their names are
typed, a second publish byte-identical, and an embargoed edition refused. The quick suite publishes 2020 and
2021 (one comparison); the slow one the five editions 2019–2023."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from site_crawl import crawl, json_links, links_of, page_links

from the_workbooks import THE_TABLES, sdgs_of, table_rows

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not THE_TABLES.is_dir(), reason=f"THE's table workbooks not found at {THE_TABLES}"),
]
QUICK = ["2020", "2021"]  # as the session's published_site (tests/conftest.py)
LANGS = ["fr", "en"]


def publish_into(workspace: Path, out: Path, editions: list[str] | None, **options) -> Path:
    from impactrank.web.publish.site import publish

    publish(workspace, out, LANGS, editions, **options)
    return out


@pytest.fixture(scope="session")
def quick_site(published_site) -> Path:
    return published_site


@pytest.fixture(scope="session")
def full_site(the_workspace, tmp_path_factory) -> Path:
    return publish_into(the_workspace, tmp_path_factory.mktemp("fullsite") / "site", None)


def manifest(site: Path) -> dict:
    return json.loads((site / "manifest.json").read_text())["files"]


def check_crawl(site: Path) -> None:
    reached, broken = crawl(site)
    assert broken == []
    # every file of the site is reached by a visitor's clicks (a table's later JSON pages through its twins'
    # next links), but the JSON twin of the editions page (which names none, as the dashboard's)
    assert set(manifest(site)) - reached == {"api/index.json"}


def test_every_link_and_asset_is_in_the_folder(quick_site):
    check_crawl(quick_site)


@pytest.mark.slow
def test_the_five_editions_site_every_link_and_asset_is_in_the_folder(full_site):
    check_crawl(full_site)
    rows, _ = table_rows()
    for year in range(2019, 2024):
        for sdg in sdgs_of(year):
            pages = math.ceil(rows[sdg, year] / 50)
            assert (full_site / f"fr/editions/{year}/sdgs/{sdg}/page-{pages}.html").is_file()
            assert not (full_site / f"fr/editions/{year}/sdgs/{sdg}/page-{pages + 1}.html").exists()


def test_no_page_names_an_address_outside_the_folder(quick_site):
    for name in manifest(quick_site):
        if not name.endswith(".html"):
            continue
        page = (quick_site / name).read_text(encoding="utf-8")
        for tag, address, _ in page_links(quick_site / name):
            assert not address.startswith(("/", "http:", "https:", "//")), f"{name}: <{tag}> {address}"
        assert "<form" not in page or name.endswith("search.html"), name  # no server answers a form
        assert 'http-equiv="Content-Security-Policy"' in page
        assert "<script>" not in page  # only the site's own script files
        assert "canonical" not in page  # no --base-url, no canonical address


def test_the_json_twins_link_to_the_published_files(quick_site):
    """A JSON twin names the site's own files, relative to itself (the crawl follows them), not the dashboard's
    addresses; an address the site holds no file for (the report, a filtered table) is null."""
    twin = json.loads((quick_site / "api/editions/2021/institutions/fr-imt-atlantique.json").read_text())
    assert twin["links"] == {
        "html": "../../../../en/editions/2021/institutions/fr-imt-atlantique.html",
        "json": "fr-imt-atlantique.json",
    }
    assert [h["link"] for h in twin["history"] if h["edition"] == "2020"] == [
        "../../2020/institutions/fr-imt-atlantique.json"
    ]
    table = json.loads((quick_site / "api/editions/2021/index.json").read_text())
    assert (table["links"]["csv"], table["links"]["json"], table["links"]["report"], table["links"]["next"]) == (
        "table.csv",
        "index.json",
        None,
        "page-2.json",  # the next page's JSON twin, beside this one
    )
    for name in manifest(quick_site):
        if name.endswith(".json"):
            for address in json_links(json.loads((quick_site / name).read_text(encoding="utf-8"))):
                assert not address.startswith(("/", "http:", "https:")), f"{name}: {address}"


def test_each_table_has_its_pages_and_downloads_with_the_workbooks_rows(quick_site):
    rows, _ = table_rows()
    for year in (2020, 2021):
        tables = [("overall", f"editions/{year}")] + [(s, f"editions/{year}/sdgs/{s}") for s in sdgs_of(year)]
        for table, place in tables:
            pages = math.ceil(rows[table, year] / 50)
            for lang in LANGS:
                assert (quick_site / lang / place / f"page-{pages}.html").is_file() or pages == 1
                assert not (quick_site / lang / place / f"page-{pages + 1}.html").exists()
            body = (quick_site / "api" / place / "table.csv").read_text(encoding="utf-8")
            assert len(list(csv.DictReader(io.StringIO(body)))) == rows[table, year], (table, year)
            book = openpyxl.load_workbook(quick_site / "api" / place / "table.xlsx", read_only=True)
            assert book.worksheets[0].max_row == rows[table, year] + 1
            first = json.loads((quick_site / "api" / place / "index.json").read_text())
            assert first["total"] == rows[table, year] and first["pages"] == pages


def test_pages_say_what_the_workbook_says_in_both_languages(quick_site):
    """IMT Atlantique's 2021 page: its published overall rank, in French and in English, with the alternates."""
    sheet = openpyxl.load_workbook(THE_TABLES / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx", read_only=True)
    lines = sheet.worksheets[0].iter_rows(values_only=True)
    next(lines)  # rank, year, name, country …
    rank = next(str(r[0]) for r in lines if r[2] == "IMT Atlantique" and r[1] == 2021)
    for lang, other in (("fr", "en"), ("en", "fr")):
        page = (quick_site / lang / "editions/2021/institutions/fr-imt-atlantique.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in page
        assert rank in re.sub(r"<[^>]+>", "", page)
        alternates = {a["hreflang"]: href for tag, href, a in links_of(page) if a.get("rel") == "alternate"}
        assert alternates == {
            lang: "fr-imt-atlantique.html",
            other: f"../../../../{other}/editions/2021/institutions/fr-imt-atlantique.html",
        }


def test_the_search_index_finds_names_however_typed(quick_site):
    """The index as search.js reads it (its format is documented in impactrank.web.publish.search): every word
    of the folded query other than the small ones is in the entry's key."""
    from impactrank.web.publish.search import fold

    text = (quick_site / "static/search-index.js").read_text(encoding="utf-8")
    data = json.loads(text.removeprefix("window.IMPACTRANK_SEARCH = ").removesuffix(";\n"))

    def found(query: str) -> list[str]:
        words = [w for w in fold(query).split() if w not in data["small"]]
        return [e["id"] for e in data["entries"] if all(w in e["key"] for w in words)]

    assert found("IMT Atlantique") == ["fr-imt-atlantique"]
    assert "fr-nantes-universite" in found("universite de nantes")
    assert "fr-nantes-universite" in found("NANTES Université")
    entry = next(e for e in data["entries"] if e["id"] == "fr-imt-atlantique")
    assert [p[0] for p in entry["pages"]] == QUICK
    for _, page in entry["pages"]:
        assert (quick_site / "fr" / page).is_file()


def check_identical(site: Path, again: Path) -> None:
    assert (again / "manifest.json").read_bytes() == (site / "manifest.json").read_bytes()
    on_disk = sorted(str(p.relative_to(again)) for p in again.rglob("*") if p.is_file())
    assert on_disk == sorted([*manifest(again), "manifest.json"])
    for name, entry in manifest(again).items():
        assert hashlib.sha256((again / name).read_bytes()).hexdigest() == entry["sha256"], name


def test_a_second_publish_is_byte_identical(ws_path, tmp_path):
    """Two processes, then one: the same bytes whichever process rendered which page; and the progress told
    the same way by both, chunk by chunk up to every address."""
    heard: dict[int, list[tuple[int, int]]] = {2: [], 1: []}
    first = publish_into(ws_path, tmp_path / "first", None, progress=lambda *done: heard[2].append(done))
    again = publish_into(ws_path, tmp_path / "again", None, processes=1, progress=lambda *done: heard[1].append(done))
    check_identical(first, again)
    done = [n for n, _ in heard[2]]
    total = heard[2][-1][1]
    assert heard[1] == heard[2] and done == sorted(set(done)) and done[-1] == total
    institutions = {n for n in manifest(first) if re.fullmatch(r"fr/editions/\d+/institutions/[^/]+\.html", n)}
    assert total > len(institutions) > 0  # each institution's page is one address, beside the tables' and others'


@pytest.mark.slow
def test_a_second_publish_of_the_five_editions_is_byte_identical(full_site, the_workspace, tmp_path):
    check_identical(full_site, publish_into(the_workspace, tmp_path / "again", None))


def test_hostile_names_stay_text_and_their_pages_are_reached(hostile_path, tmp_path):
    from impactrank.web.publish.addresses import file_name

    site = publish_into(hostile_path, tmp_path / "site", None)
    check_crawl(site)
    group = site / "fr/editions/2021/groups" / f"{file_name('<i>Net</i>')}.html"
    assert group.is_file() and "<i>Net</i>" not in group.read_text(encoding="utf-8")
    for name in manifest(site):
        if name.endswith(".html"):
            assert "<script>alert" not in (site / name).read_text(encoding="utf-8"), name


def test_base_url_adds_canonical_links_and_a_sitemap(ws_path, tmp_path):
    site = publish_into(ws_path, tmp_path / "site", None, base_url="https://example.org/results/")
    page = (site / "fr/editions/2021/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/results/fr/editions/2021/index.html">' in page
    sitemap = (site / "sitemap.xml").read_text()
    pages = sorted(n for n in manifest(site) if n.endswith(".html"))
    assert re.findall(r"<loc>https://example.org/results/(.*?)</loc>", sitemap) == pages


def test_an_embargoed_edition_is_refused_until_its_public_time(ws_path, tmp_path):
    import shutil

    from impactrank.errors import InputError
    from impactrank.io.workspace import Workspace
    from impactrank.web.publish.site import publish

    ws = tmp_path / "ws.duckdb"
    shutil.copyfile(ws_path, ws)
    shutil.copytree(ws_path.with_name(ws_path.name + ".tables"), tmp_path / "ws.duckdb.tables")  # its large tables
    public = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)
    with Workspace(ws) as w:
        w.set_public_time("2021", public)
    with pytest.raises(InputError, match=r"edition 2021 is under embargo until 2030-06-03 09:00 UTC"):
        publish(ws, tmp_path / "site", ["en"], None, now=public - timedelta(seconds=1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.duckdb", "ws.duckdb.tables"]  # nothing written
    publish(ws, tmp_path / "site", ["en"], ["2020"], now=public - timedelta(seconds=1))  # the other edition is public
    publish(ws, tmp_path / "site", ["en"], None, now=public)
    assert (tmp_path / "site/en/editions/2021/index.html").is_file()


@pytest.mark.slow
def test_a_site_without_english_has_the_api_rows_in_its_json_twins(ws_path, client, tmp_path):
    """Without English, a table's JSON twin is made from the API's context (its rows encoded when the edition was
    loaded), not from the English page's: the same rows as the dashboard's API."""
    from impactrank.web.publish.site import publish

    publish(ws_path, tmp_path / "site", ["fr"], None)
    twin = json.loads((tmp_path / "site/api/editions/2021/index.json").read_text(encoding="utf-8"))
    assert twin["rows"] == client.get("/api/editions/2021").json()["rows"]
    assert twin["links"]["html"] == "../../../fr/editions/2021/index.html"
