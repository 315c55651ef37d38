"""Every page type of every edition of THE's real tables, as a reader gets it: the dashboard's home, overall and
SDG tables, country, group, comparison, institution, what-if and report pages (HTML and JSON), and the CLI's
country, group and comparison views, summaries (English and French) and report. Nothing shows a position
inside a band (no "position 101", no "101st" behind "101–200", no share of the field narrower than what the
table shows), no score at more than THE's one decimal, and every position or rank a sentence quotes is one the
workbook shows, with the workbook's table size. Expected facts are read from the workbooks with openpyxl.
"""

from __future__ import annotations

import html
import re
import warnings
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from inprocess import run_cli
from the_workbooks import THE_TABLES, goal_of, sdgs_of, table_rows

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not THE_TABLES.is_dir(), reason=f"THE's table workbooks not found at {THE_TABLES}"),
]
YEARS = (2019, 2020, 2021, 2022, 2023)
EXACT = re.compile(r"=?(\d+)")
BAND = re.compile(r"(\d+)(?:–(\d+)|\+)")
GROUP = "Institut Mines-Télécom"
GROUP_NAMES = (
    "IMT Atlantique",
    "IMT Mines Alès",
    "École des Mines de Saint-Étienne",
    "Institut Mines-Télécom Business School",
)
HIDDEN = ("rank_position", "position", "overall_score", "single_year_score", "score", "scaled_score")


@pytest.fixture(scope="module")
def facts() -> dict:
    """Per (table, year), table being "overall" or an SDG: the ranks the workbook shows, the positions it shows
    exactly, the first and last places of its bands, and its size; per year, the French rows of the overall
    table (rank, name)."""
    ranks: dict = defaultdict(set)
    exact: dict = defaultdict(set)
    edges: dict = defaultdict(set)
    french: dict = defaultdict(list)
    zero: dict = {}  # (year, score) → the place of an overall row scraped with rank 0
    sizes, _ = table_rows()
    for path in sorted(THE_TABLES.glob("*.xlsx")):
        rows = openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
        header = [str(h or "") for h in next(rows)]
        sdg = goal_of(header[4])
        table = "overall" if sdg is None else None
        scores: dict = defaultdict(list)
        for line in rows:
            if line[1] is None:
                continue
            year, rank = int(line[1]), str(line[0])
            key = (table or sdg, year)
            ranks[key].add(rank)
            score = line[5 if table else 4]  # the overall table's fifth column is the card, its sixth the score
            if re.fullmatch(r"\d+(\.\d)?", str(score)):
                scores[key].append((rank, float(score)))
            if m := BAND.fullmatch(rank):
                edges[key] |= {int(m[1]), int(m[2] or sizes[key])}
            elif m := EXACT.fullmatch(rank):
                exact[key].add(int(m[1]))
            if table and line[3] == "France":
                french[year].append((rank, line[2], score))
        for key, listed in scores.items():  # a scraped rank of 0 is a tie: its place is 1 + the higher scores
            for rank, score in listed:
                if rank == "0":
                    exact[key].add(1 + sum(other > score for _, other in listed))
                    if key[0] == "overall":
                        zero[key[1], score] = 1 + sum(other > score for _, other in listed)
    return {"ranks": ranks, "exact": exact, "edges": edges, "sizes": sizes, "french": french, "zero": zero}


@pytest.fixture(scope="module")
def groups_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("groups") / "groups.csv"
    path.write_text("group,name,country\n" + "".join(f"{GROUP},{n},FR\n" for n in GROUP_NAMES), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(the_workspace, groups_file):
    from impactrank.web.app import create_app

    return TestClient(create_app(the_workspace, groups=groups_file))


def readable(page: str) -> str:
    """A page's text as a reader reads it: no scripts, styles, drawing data or tags; entities decoded; the
    formula's weights ("0.22 ×"), the display's rounding ("±0.05") and the forecast's correlation ("correlation
    0.24") left out, since they are no scores."""
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\b0\.\d+ ×|±0\.05|correlation -?0\.\d+", " ", re.sub(r"[\u202f\xa0]", " ", text))


def check_text(text: str, year: int, facts: dict, where: str, lang: str = "en") -> None:
    """A reader's text of ``year``: no position behind a band, no score past one decimal, and every position
    a sentence quotes shown so in its table, of the table's size."""
    text = " ".join(text.split())
    assert not re.search(r"\bposition \d", text), (where, text)
    decimal = r"\d+,\d{2,}\b" if lang == "fr" else r"(?<![\d.,])\d+\.\d{2,}\b"
    assert not re.findall(decimal, text), (where, re.findall(rf".{{60}}{decimal}", text))
    if lang == "fr":
        quoted = r"(?:rang )?(=?\d+)(?:e|er|re)? sur ([\d ]+?) pour l'ODD (\d+)"
        world = r"(\d+)(?:e|er|re) au niveau mondial"
    else:
        quoted = r"(?:rank )?(?:joint )?(=?\d+)(?:st|nd|rd|th)? of ([\d,]+) in SDG (\d+)"
        world = r"(\d+)(?:st|nd|rd|th) in the world"
    listed = re.findall(quoted, text)
    if lang == "en":  # a report's list: "SDG 7, 100th of 362"
        items = re.findall(r"SDG (\d+), (?:joint )?(=?\d+)(?:st|nd|rd|th) of ([\d,]+)", text)
        listed += [(r, n, k) for k, r, n in items]
    for rank, size, sdg in listed:
        key = (int(sdg), year)
        assert int(rank.lstrip("=")) in facts["exact"][key], (where, rank, sdg)
        assert int(re.sub(r"[ ,]", "", size)) == facts["sizes"][key], (where, size, sdg)
    for rank in re.findall(world, text):
        assert int(rank) in facts["exact"]["overall", year], (where, rank)
    national = (
        r"(\d+)(?:st|nd|rd|th) among the French institutions \((?:in the (\d+)\D\S* band|(\d+)\w\w in the world)\)"
    )
    for place, band, world_rank in re.findall(national, text):  # a national place counts the places before it
        first = int(band or world_rank)
        before = [r for r in facts["french"][year] if first_place(r, year, facts) < first]
        assert int(place) == 1 + len(before), (where, place, first)
    if lang == "en":  # an ordinal is a position a table shows (one of the sentences above) or a count of members
        for m in re.finditer(r"\b(\d+)(?:st|nd|rd|th)\b", text):
            after = text[m.end() :]
            allowed = r"(?: of [\d,]+ in SDG| in the world| member of | among the French institutions \()"
            listed_item = re.search(r"SDG \d+, (?:joint )?$", text[: m.start()]) and after.startswith(" of ")
            assert re.match(allowed, after) or listed_item, (where, text[m.start() - 80 :])
    for low, high, size in re.findall(r"top ([\d.]+)(?:–([\d.]+))? % of ([\d,]+)", text):
        check_share(float(low), float(high or low), int(size.replace(",", "")), year, facts, where)


def first_place(row: tuple, year: int, facts: dict) -> int:
    """The first place of a workbook row's rank: its position, its band's first place, or a rank-0 tie's."""
    rank, _, score = row
    if rank == "0":
        return facts["zero"][year, float(score)]
    return int((BAND.fullmatch(rank) or EXACT.fullmatch(rank))[1])


def check_share(low: float, high: float, size: int, year: int, facts: dict, where: str) -> None:
    """A share of the field is a shown position's, or runs from a band's (or tie's) first place to its last."""
    tables = [k for k in facts["sizes"] if k[1] == year and facts["sizes"][k] == size]
    assert tables, (where, size)
    exact = set().union(*(facts["exact"][k] for k in tables))
    edges = set().union(*(facts["edges"][k] for k in tables)) | exact | {size}
    first, last = low * size / 100, high * size / 100
    near = [p for p in edges if abs(p - first) <= 0.06 * size / 100 + 1e-9]
    assert near, (where, f"top {low}–{high} % of {size}: place {first:.1f} is no place the table shows")
    if low != high:
        assert any(abs(p - last) <= 0.06 * size / 100 + 1e-9 for p in edges | exact), (where, low, high, size)


def check_json(body, year: int, facts: dict, where: str) -> None:
    """Every row of a JSON answer in a band (by its band, or a rank the tables only show as a band) carries no
    position and no score behind the band; every score has at most one decimal past what the tables show."""
    if isinstance(body, list):
        for item in body:
            check_json(item, year, facts, where)
        return
    if not isinstance(body, dict):
        return
    rank = body.get("rank")
    banded = bool(body.get("band")) or body.get("banded") is True or (isinstance(rank, str) and BAND.fullmatch(rank))
    if banded:
        shown = {k: body[k] for k in HIDDEN if body.get(k) is not None}
        assert not shown, (where, body)
    for value in body.values():
        check_json(value, year, facts, where)


def overall_years() -> list[int]:
    rows, _ = table_rows()
    return sorted(y for t, y in rows if t == "overall")


@pytest.mark.parametrize("year", YEARS)
def test_every_dashboard_page_shows_only_what_the_tables_show(client, facts, year):
    has_overall = year in overall_years()
    pages = ["/editions", f"/editions/{year}", f"/editions/{year}?country=FR"]
    pages += [f"/editions/{year}/sdgs/{k}" for k in sdgs_of(year)] + [
        f"/editions/{year}/sdgs/{sdgs_of(year)[-1]}?country=FR"
    ]
    pages += [f"/editions/{year}/countries/FR", f"/editions/{year}/countries/NE", f"/editions/{year}/groups/{GROUP}"]
    pages += [f"/report?edition={year}&country=FR", f"/report?edition={year}&group={GROUP}"]
    earlier = [y for y in overall_years() if y < year]
    if earlier:
        pages.append(f"/compare?before={earlier[-1]}&after={year}")
    ids = {}
    for k in (sdgs_of(year) if not has_overall else []) or ["overall"]:
        table = f"/sdgs/{k}" if k != "overall" else ""
        rows = client.get(f"/api/editions/{year}{table}", params={"country": "FR", "per_page": 100}).json()["rows"]
        ids |= {r["name"]: r["institution_id"] for r in rows}
    assert ids
    for iid in ids.values():
        pages.append(f"/editions/{year}/institutions/{iid}")
        if has_overall:
            pages.append(f"/editions/{year}/institutions/{iid}/whatif")
    for page in pages:
        answer = client.get(page)
        overall_only = any(s in page for s in ("/countries/", "/groups/", "/report", "/compare")) or re.search(
            rf"/editions/{year}(\?|$)", page
        )
        if overall_only and not has_overall:  # an edition of SDG tables only has none of these
            assert answer.status_code == 404, page
            continue
        assert answer.status_code == 200, (page, answer.status_code)
        check_text(readable(answer.text), year, facts, page)
        api = "/api/report?" + page.split("?", 1)[1] if page.startswith("/report") else "/api" + page
        data = client.get(api)
        assert data.status_code == 200, api
        check_json(data.json(), year, facts, api)
    for k in set(range(1, 18)) - set(sdgs_of(year)):  # only the SDG tables the edition has
        assert client.get(f"/editions/{year}/sdgs/{k}").status_code == 404


@pytest.mark.parametrize("year", YEARS)
def test_home_page_offers_only_what_each_edition_has(client, year):
    home = client.get("/api/editions").json()
    entry = next(e for e in home["editions"] if e["edition"] == str(year))
    assert sorted(entry["sdgs"]) == sdgs_of(year)
    compared = {(c["before"], c["after"]) for c in home["comparisons"]}
    if year not in overall_years():
        assert not any(str(year) in pair for pair in compared)
    row = re.search(rf"<tr>\s*<td>(?:<a [^>]+>)?{year}\b.*?</tr>", client.get("/editions").text, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)  # edition, year, kind, source, overall table, …
    read = f"{len(sdgs_of(year))} SDG tables (THE workbooks)"
    rows, _ = table_rows()
    if year in overall_years():
        assert cells[3].endswith(f" + {read}") and cells[4] == f"{rows['overall', year]:,}", cells
    else:  # the source names what was read, the overall table's size is none rather than unknown
        assert (cells[3], cells[4]) == (read, "–"), cells


@pytest.mark.parametrize("year", [y for y in YEARS if y in (2020, 2021, 2022, 2023)])
def test_every_cli_view_summary_and_report_shows_only_what_the_tables_show(
    the_workspace, groups_file, facts, tmp_path, year
):
    ws = ["-w", the_workspace]
    runs = {
        "view overall": run_cli("view", "overall", "-e", year, *ws),
        "view sdg": run_cli("view", "sdg", sdgs_of(year)[-1], "-e", year, *ws),
        "view country FR": run_cli("view", "country", "France", "-e", year, *ws),
        "view country FR --sdgs": run_cli("view", "country", "FR", "-e", year, "--sdgs", *ws),
        "view group": run_cli("view", "group", GROUP, "-e", year, "-g", groups_file, *ws),
        "summary en": run_cli("summary", "-e", year, "--country", "FR", "--lang", "en", *ws),
        "summary fr": run_cli("summary", "-e", year, "--country", "FR", "--lang", "fr", *ws),
    }
    if year > 2020:
        runs["compare"] = run_cli("compare", "--from", year - 1, "--to", year, "--country", "FR", *ws)
    for what, run in runs.items():
        assert run.code == 0, (what, run.err)
        check_text(run.out, year, facts, what, "fr" if what.endswith(" fr") else "en")
    sizes = {f"{n:,}" for (table, y), n in facts["sizes"].items() if y == year and table != "overall"}
    quoted = re.findall(r" of ([\d,]+) \(top", runs["view country FR --sdgs"].out)  # "201–300 of 1,154 (top …"
    assert quoted and set(quoted) <= sizes, set(quoted) - sizes
    french = {n: r for r, n, _ in facts["french"][year]}
    for name, rank in french.items():  # the summary's leader is quoted at its published rank or band
        if f"{name} (world rank" in " ".join(runs["summary en"].out.split()):
            assert f"{name} (world rank {rank})" in " ".join(runs["summary en"].out.split())
    out = tmp_path / "report.html"
    run = run_cli("report", "--country", "France", "-e", year, "-o", out, *ws)
    assert run.code == 0, run.err
    check_text(readable(out.read_text(encoding="utf-8")), year, facts, "report")


def test_2019_has_sdg_tables_only_everywhere(the_workspace, client, facts):
    """2019 (SDG tables only): no overall view, comparison, summary, report, what-if or advice — one line each
    — and an institution's other editions say so in its history."""
    ws = ["-w", the_workspace]
    iid = next(r["institution_id"] for r in client.get("/api/editions/2019/sdgs/9").json()["rows"])
    for args in (
        ("view", "overall", "-e", 2019),
        ("compare", "--from", 2019, "--to", 2021),
        ("summary", "-e", 2019, "--country", "FR"),
        ("report", "-e", 2019, "--country", "FR", "-o", "unused.html"),
        ("whatif", "-e", 2019, "--institution", iid, "--set-sdg", "17=60"),
        ("advise", "-e", 2019, "--institution", iid),
    ):
        run = run_cli(*args, *ws)
        assert run.code == 2 and "no overall table" in run.err and "Traceback" not in run.err, (args, run.err)
        assert len(run.err.strip().splitlines()) == 1, (args, run.err)
    explain = run_cli("explain", "-e", 2019, "-i", iid, *ws)
    assert explain.code == 0 and "Edition 2019 has SDG tables only, no overall table" in explain.out
    later = client.get("/api/editions/2021/sdgs/17").json()["rows"][0]["institution_id"]
    history = {h["edition"]: h for h in client.get(f"/api/editions/2021/institutions/{later}").json()["history"]}
    assert history["2019"]["overall_table"] is False and history["2019"]["field_size"] is None
    page = client.get(f"/editions/2021/institutions/{later}").text
    row = re.search(r"<tr><td>(?:<a [^>]+>)?2019(?:</a>)?</td>(.*?)</tr>", page, re.S)
    assert row and "SDG tables only: no overall table" in row[1] and "?" not in row[1] and "–<" not in row[1]


def test_a_country_the_source_filed_elsewhere_is_flagged_in_its_view(the_workspace, client):
    """The workbook's universities under Niger are in Nigeria: ``view country Nigeria`` and the country page's
    JSON list each as flagged."""
    names = []
    for path in sorted(THE_TABLES.glob("*.xlsx")):
        rows = openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
        if str(next(rows)[4]).startswith("Best scores"):
            names = sorted({r[2] for r in rows if r[1] == 2021 and r[3] == "Niger"})
    assert {"University of Ibadan", "University of Lagos", "Lagos State University", "Covenant University"} <= set(
        names
    )
    run = run_cli("view", "country", "Nigeria", "-e", 2021, "-w", the_workspace)
    assert run.code == 0, run.err
    flagged = re.findall(r"flagged: (.+?), filed under Niger, is probably in Nigeria", " ".join(run.out.split()))
    assert sorted(flagged) == names
    page = client.get("/api/editions/2021/countries/Nigeria", follow_redirects=True).json()
    assert sorted(f["name"] for f in page["flagged"] if f["suggested"] == "NG" and f["country"] == "NE") == names


def test_a_university_the_tables_file_under_two_countries_is_said_so_on_its_page(client, the_tables):
    """A name in an SDG table of 2023 under one country and in the overall table only under another (the
    workbooks' Nigeria and Niger): its page says the published tables disagree on its country and links to the
    ranked one, where it would otherwise explain the absence by the rules."""
    year, overall, in_sdgs = 2023, {}, set()
    for path in sorted(THE_TABLES.glob("*.xlsx")):
        rows = openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
        sdg = goal_of(str(next(rows)[4]))
        for _rank, y, name, country, *_ in rows:
            if y == year and sdg is None:
                overall.setdefault(name, set()).add(country)
            elif y == year:
                in_sdgs.add((name, country))
    split = sorted((name, country) for name, country in in_sdgs if name in overall and country not in overall[name])
    assert split, "no university filed under two countries in 2023's workbooks"
    name, country = split[0]
    edition = next(e for e in the_tables.editions if e.year == year)
    ids = edition.institutions.filter(edition.institutions["name"] == name)["institution_id"].to_list()
    ranked = set(edition.overall["institution_id"].to_list())
    absent = [i for i in ids if i not in ranked]
    assert len(absent) == 1 and len(ids) >= 2, (name, ids)
    page = readable(client.get(f"/editions/{year}/institutions/{absent[0]}").text)
    assert "the published tables disagree on its country" in page and "needs a score in SDG 17" not in page
    for other in set(ids) - set(absent):
        assert (
            f'href="/editions/{year}/institutions/{other}"'
            in client.get(f"/editions/{year}/institutions/{absent[0]}").text
        )
