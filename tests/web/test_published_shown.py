"""What a reader sees of THE's real tables, 2019–2023, on every surface: the dashboard's tables and institution
pages (HTML and JSON), the CLI's views and ``explain``, and ``advise``/``whatif``. No exact position appears
inside a band; scores read at THE's one decimal; an imported institution's page shows each SDG's published score
or range and THE's formula reproduced; advice stays within the published overall range and says "not
submitted" for the SDGs an institution did not enter. Expected values are read from the workbooks with openpyxl.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from pathlib import Path

import openpyxl
import pytest

from impactrank.io.workspace import Workspace
from inprocess import run_cli
from the_workbooks import goal_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TABLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published" / "the-impact-tables"
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not TABLES.is_dir(), reason=f"THE's table workbooks not found at {TABLES}"),
]
YEARS = (2019, 2020, 2021, 2022, 2023)
EXACT = re.compile(r"=?\d+")  # a rank the table shows as a position; anything else ("101–200", "1001+") is a band
IMT, MINES = "IMT Atlantique", "École des Mines de Saint-Étienne"


@pytest.fixture(scope="module")
def raw() -> dict[int | str, list[tuple]]:
    """Every workbook's rows (rank, year, name, country, score, overall), keyed by SDG, or "overall"."""
    out: dict[int | str, list[tuple]] = {}
    for path in sorted(TABLES.glob("*.xlsx")):
        rows = openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)
        header = next(rows)
        key = goal_of(header[4]) or "overall"
        out[key] = [tuple(r[:6]) for r in rows if r[1] is not None]
    return out


def row_of(raw, key, year: int, name: str) -> tuple | None:
    return next((r for r in raw[key] if r[1] == year and r[2] == name), None)


def interval(text: str) -> tuple[float, float]:
    low, _, high = str(text).partition("–")
    return float(low), float(high or low)


@pytest.fixture(scope="module")
def workspace(the_tables, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("shown") / "ws.duckdb"
    with Workspace(path) as ws:
        for edition in the_tables.editions:
            ws.save(edition)
    return path


@pytest.fixture(scope="module")
def client(workspace):
    from impactrank.web.app import create_app

    return TestClient(create_app(workspace))


def ids_of(client, year: int, names: list[str], table: str = "") -> dict[str, str]:
    """Institution ids by name, from the overall table's export (or an SDG table's: ``table`` "/sdgs/17")."""
    rows = csv.DictReader(io.StringIO(client.get(f"/api/editions/{year}{table}", params={"format": "csv"}).text))
    return {r["name"]: r["institution_id"] for r in rows if r["name"] in names}


@pytest.mark.parametrize("year", YEARS)
def test_no_position_inside_a_band_anywhere(raw, client, workspace, year):
    """The overall table (API export and CLI view), every SDG table, and the institution pages of the
    edition's French institutions (HTML and JSON) and ``explain``: a row shows a position only where the
    workbook's rank is one, and a banded row neither a position nor an exact score."""
    rows = [r for r in raw["overall"] if r[1] == year]
    exact = sum(bool(EXACT.fullmatch(str(r[0]))) for r in rows)
    api = list(csv.DictReader(io.StringIO(client.get(f"/api/editions/{year}", params={"format": "csv"}).text)))
    cli = run_cli("view", "overall", "-e", year, "-w", workspace, "--format", "csv")
    if not rows:  # 2019: SDG tables only
        assert client.get(f"/api/editions/{year}").status_code == 404 and cli.code == 2
    else:
        assert cli.code == 0, cli.err
        for table in (api, list(csv.DictReader(io.StringIO(cli.out)))):
            assert len(table) == len(rows)
            assert sum(bool(r["rank_position"]) for r in table) == exact
            for r in table:
                assert bool(r["rank_position"]) == bool(EXACT.fullmatch(r["rank"])), r
                if r["band"]:
                    assert not r["rank_position"] and not r["overall_score"], r
    for sdg in sorted(k for k in raw if k != "overall" and any(r[1] == year for r in raw[k])):
        table = list(
            csv.DictReader(io.StringIO(client.get(f"/api/editions/{year}/sdgs/{sdg}", params={"format": "csv"}).text))
        )
        in_file = [r for r in raw[sdg] if r[1] == year]
        assert sum(bool(r["rank_position"]) for r in table) == sum(bool(EXACT.fullmatch(str(r[0]))) for r in in_file)
        for r in table:
            if r["band"]:
                assert not r["rank_position"] and not r["score"] and r["score_low"], (sdg, r)
    french = [r for r in rows if r[3] == "France"]
    ids = ids_of(client, year, [r[2] for r in french])
    if not rows:  # an edition of SDG tables only: its institutions' pages have no overall to show
        goal = min(k for k in raw if k != "overall" and any(r[1] == year for r in raw[k]))
        listed = [r for r in raw[goal] if r[1] == year and r[3] == "France"]
        ids = ids_of(client, year, [r[2] for r in listed], f"/sdgs/{goal}")
        assert listed and len(ids) == len({r[2] for r in listed})
        for name, iid in ids.items():
            body = client.get(f"/api/editions/{year}/institutions/{iid}").json()
            assert body["overall"] is None and body["reproduced"] is None
            assert {s["sdg"]: s["published"] for s in body["sdgs"]}[goal] == str(row_of(raw, goal, year, name)[4])
            assert "Not in the overall table" in client.get(f"/editions/{year}/institutions/{iid}").text
    for rank, _, name, *_ in french:
        body = client.get(f"/api/editions/{year}/institutions/{ids[name]}").json()
        html = client.get(f"/editions/{year}/institutions/{ids[name]}").text
        assert "Score (full precision)" not in html
        if EXACT.fullmatch(str(rank)):  # (a scraped rank of 0 is one the importer rebuilt from the scores)
            assert body["overall"]["rank_position"] is not None
        else:
            assert body["overall"]["rank"] == rank and f'id="overall-rank">{rank}<' in html
            assert body["overall"]["rank_position"] is None and body["overall"]["overall_score"] is None
    for name in [n for n in (IMT, MINES) if n in ids]:
        out = run_cli("explain", "-e", year, "-i", ids[name], "-w", workspace)
        assert out.code == 0, out.err
        scores = re.sub(r"\b0\.\d+ ×", "", out.out)  # the formula's weights (0.22 ×, 0.26 ×) are not scores
        assert "position" not in out.out and not re.search(r"\d\.\d\d", scores), out.out


def test_imt_atlantique_2021_shows_its_sdg_ranges_and_the_reproduced_formula(raw, client, workspace):
    sdg17 = row_of(raw, 17, 2021, IMT)[4]
    overall = row_of(raw, "overall", 2021, IMT)
    assert (sdg17, overall[5]) == ("64.9–73.4", "77.5–85.2")  # the files' own values, for the reader of this test
    iid = ids_of(client, 2021, [IMT])[IMT]
    body = client.get(f"/api/editions/2021/institutions/{iid}").json()
    published = {s["sdg"]: s["published"] for s in body["sdgs"]}
    expected = {k: row_of(raw, k, 2021, IMT)[4] for k in range(1, 18) if row_of(raw, k, 2021, IMT)}
    assert published == {k: str(v) for k, v in expected.items()} and published[17] == sdg17
    assert body["overall"]["sdg17"] == sdg17 and all(s["scaled_range"] for s in body["sdgs"])
    reproduced = body["reproduced"]
    assert reproduced["published"] == overall[5] and reproduced["agrees"] is True
    p_lo, p_hi = interval(overall[5])
    assert reproduced["low"] <= p_hi + 0.05 and reproduced["high"] >= p_lo - 0.05
    counted = {int(x) for x in re.findall(r"(?:^|  )(\d+) ", overall[4])}  # the card: three best, then SDG 17
    assert {s["sdg"] for s in reproduced["sdgs"] if s["counted"]} == counted
    html = client.get(f"/editions/2021/institutions/{iid}").text
    assert f'id="overall-sdg17">{sdg17}<' in html and "No overall score to explain" not in html
    assert f"Published: {overall[5]}. They agree" in html
    for k, v in expected.items():
        assert re.search(rf'data-sdg="{k}">.*?<td class="num score">{re.escape(str(v))}</td>', html, re.S)
    for table in ("/sdgs/17", ""):  # the SDG table's score cell and the overall table's SDG 17 cell
        page = client.get(f"/editions/2021{table}", params={"q": IMT}).text
        assert f'<td class="num{" score" if table else ""}">{sdg17}</td>' in page
    out = " ".join(run_cli("explain", "-e", 2021, "-i", iid, "-w", workspace).out.split())
    assert f"SDG 17 published as {sdg17}" in out and f"published {overall[5]}: they agree" in out


def scaling(raw, sdg: int, year: int) -> tuple[float, float]:
    """The SDG table's extremes as THE scales them: the highest displayed score, the low end of the lowest."""
    values = [interval(r[4]) for r in raw[sdg] if r[1] == year and r[4] not in (None, "-", "")]
    return max(h for _, h in values), min(lo for lo, _ in values)


def test_advice_on_saint_etienne_2021_stays_in_its_band_and_says_not_submitted(raw, client, workspace):
    overall = row_of(raw, "overall", 2021, MINES)
    p_lo, p_hi = interval(overall[5])
    submitted = {k for k in range(1, 18) if row_of(raw, k, 2021, MINES)}
    assert (p_lo, p_hi, submitted) == (56.6, 66.2, {9, 11, 12, 17})
    iid = ids_of(client, 2021, [MINES])[MINES]
    out = run_cli("advise", "-e", 2021, "--institution", iid, "-w", workspace, "--format", "json")
    assert out.code == 0, out.err
    advice = json.loads(out.out)
    shown_lo, shown_hi = interval(advice["overall"])
    assert p_lo <= shown_lo <= shown_hi <= p_hi
    assert p_lo - 0.05 <= advice["overall_low"] <= advice["overall_high"] <= p_hi + 0.05
    # an SDG not submitted lifts the overall score only once its scaled score passes the lowest scaled score of
    # the three counted ones (it must enter the best three): its "possibly from" is at least that score
    lowest = min(
        100 * (interval(row_of(raw, k, 2021, MINES)[4])[0] - 0.05 - (b + 0.05)) / ((t + 0.05) - (b + 0.05))
        for k in submitted - {17}
        for t, b in [scaling(raw, k, 2021)]
    )
    levers = {r["sdg"]: r for r in advice["levers"]}
    for k in set(range(1, 18)) - submitted:
        r = levers[k]
        assert r["published"] is None and not r["counted"]
        top, bottom = scaling(raw, k, 2021)
        entry = (bottom - 0.05) + lowest / 100 * ((top - 0.05) - (bottom - 0.05))
        assert r["needed_possible"] is not None and r["needed_possible"] >= entry - 1e-9, (k, r, entry)
    text = run_cli("advise", "-e", 2021, "--institution", iid, "-w", workspace)
    assert f"(overall {advice['overall']})" in " ".join(text.out.split())
    assert len(re.findall(r"not submitted", text.out)) == 17 - len(submitted)
    whatif = run_cli("whatif", "-e", 2021, "--institution", iid, "--set-sdg", "7=60", "-w", workspace)
    assert whatif.code == 0, whatif.err
    assert re.search(r"│\s+7 │ not submitted │\s+60\.0 │ yes │", whatif.out), whatif.out
    page = client.get(f"/editions/2021/institutions/{iid}/whatif", params={"s7": "60"}).text
    assert '<label for="s7">SDG 7 <span class="muted">(not submitted)</span>' in page


@pytest.mark.parametrize("year", YEARS[1:])
def test_whatif_with_nothing_set_puts_each_band_where_the_table_does(raw, client, year):
    """What-if with no SDG score changed places an institution in the band its table publishes, for one row of
    every band of the workbook (the first with a name no other row has). A row whose interval starts where the
    institution's ends (a band's edge: 201–300 tops out below 77.45, 101–200 starts there) is certainly above it;
    counted as possibly below, Aix-Marseille's 201–300 read "103–301"."""
    rows = [r for r in raw["overall"] if r[1] == year]
    names = [r[2] for r in rows]
    first = {}
    for rank, _, name, *_ in rows:
        if name and not EXACT.fullmatch(str(rank)) and names.count(name) == 1:
            first.setdefault(str(rank).replace("-", "–"), name)  # 2022's file writes "101-200"
    assert len(first) >= 5, first
    ids = ids_of(client, year, list(first.values()))
    for band, name in first.items():
        answer = client.get(f"/api/editions/{year}/institutions/{ids[name]}/whatif")
        assert answer.status_code == 200, (name, answer.text)
        r = answer.json()["result"]
        assert (r["rank"], r["band"], r["published_rank"]) == (band,) * 3, (name, r["rank_low"], r["rank_high"])


def test_a_whatif_place_spanning_two_bands_is_worded_in_each_language(raw, client):
    """Cardiff 2021 with SDG 13 at 95: its interval reaches from a position to the 101–200 band; the place's two
    ends are data in the JSON and worded by the page's language, its numbers as the table shows them."""
    name = "Cardiff University"
    assert row_of(raw, "overall", 2021, name) is not None  # in THE's 2021 overall table
    iid = ids_of(client, 2021, [name])[name]
    r = client.get(f"/api/editions/2021/institutions/{iid}/whatif", params={"s13": "95"}).json()["result"]
    assert r["band_high"] == "101–200" and r["band_low"] == str(r["rank_low"]) and r["band"] is None
    assert r["rank"] == f"{r['rank_low']}–{r['rank_high']}"
    words = {"en": "{0} ({1} to {2})", "fr": "{0} (de {1} à {2})", "es": "{0} (de {1} a {2})"}
    for lang, pattern in words.items():
        page = client.get(f"/editions/2021/institutions/{iid}/whatif", params={"s13": "95", "lang": lang}).text
        said = re.search(r'<td id="whatif-rank">(.*?)</td>', page, re.S)[1]
        assert said == pattern.format(r["rank"], r["band_low"], r["band_high"]), lang
