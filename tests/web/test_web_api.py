"""Every dashboard route and its JSON twin, checked against the engine's tables."""

from __future__ import annotations

import io
import json
import re

import polars as pl
import pytest

from impactrank.engine.views.compare import compare_editions
from impactrank.engine.views.explain import explain_institution


def test_editions_page_and_twin(client, editions):
    body = client.get("/api/editions").json()
    assert [(e["edition"], e["field_size"], e["participants"]) for e in body["editions"]] == [
        ("2020", editions["2020"].field_size, editions["2020"].participants),
        ("2021", editions["2021"].field_size, editions["2021"].participants),
    ]
    assert [e["field_size"] for e in body["editions"]] == [3, 4]
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="/editions/2021"' in page.text and 'href="/compare?before=2020&amp;after=2021"' in page.text
    # the same page, whose language links point at its own address
    assert client.get("/editions").text.replace('href="/editions?lang=', 'href="/?lang=') == page.text


def test_overall_table_matches_engine(client, editions):
    ed = editions["2021"]
    body = client.get("/api/editions/2021").json()
    # published order: a band's members by name (the order inside a band is not shown)
    expected = ed.overall.join(ed.institutions.select("institution_id", "name"), on="institution_id").sort(
        "rank_low", "name"
    )
    assert body["total"] == ed.field_size == 4
    assert [r["institution_id"] for r in body["rows"]] == expected["institution_id"].to_list()
    assert [r["rank"] for r in body["rows"]] == expected["rank"].to_list() == ["1", "2", "3–4", "3–4"]
    assert [r["overall_display"] for r in body["rows"]] == expected["overall_display"].to_list()
    assert body["rows"][0]["overall_score"] == pytest.approx(87.0)
    # rank intervals from the uncertainty table are shown as "rank (p05–p95)"
    assert [r["rank_interval"] for r in body["rows"][:3]] == ["1 (1–2)", "2 (1–3)", "3–4"]
    html = client.get("/editions/2021").text
    assert "1 (1–2)" in html and "Alpha University" in html and "12.3–37.0" in html


def test_overall_filters(client, editions):
    ed = editions["2021"]
    fr = client.get("/api/editions/2021", params={"country": "fr"}).json()
    exp = ed.overall.join(ed.institutions, on="institution_id").filter(pl.col("country") == "FR")
    assert sorted(r["institution_id"] for r in fr["rows"]) == sorted(exp["institution_id"].to_list()) == ["A", "C"]
    assert {r["country"] for r in fr["rows"]} == {"FR"} and fr["filters"]["country"] == "FR"
    grp = client.get("/api/editions/2021", params={"group": "Network"}).json()
    assert [r["institution_id"] for r in grp["rows"]] == ["A", "B"]  # E is in the group but not ranked
    in4 = ed.sdg_scores.filter(pl.col("sdg") == 4)["institution_id"].to_list()
    sdg4 = client.get("/api/editions/2021", params={"sdg": 4}).json()
    assert sorted(r["institution_id"] for r in sdg4["rows"]) == sorted(set(in4) & set(ed.overall["institution_id"]))
    q = client.get("/api/editions/2021", params={"q": "DELTA"}).json()
    assert [r["name"] for r in q["rows"]] == ["Delta University"]
    assert client.get("/api/editions/2021", params={"country": "ZZ"}).json()["total"] == 0


def test_overall_sort_and_pagination(client, editions):
    by_name = client.get("/api/editions/2021", params={"sort": "name", "order": "desc"}).json()
    assert [r["name"] for r in by_name["rows"]] == [
        "Gamma College",
        "Delta University",
        "Beta Institute",
        "Alpha University",
    ]
    by_score = client.get("/api/editions/2021", params={"sort": "score"}).json()
    scores = [r["overall_high"] for r in by_score["rows"]]  # a band by its range's top: its own score is not shown
    assert scores == sorted(scores)
    p2 = client.get("/api/editions/2021", params={"per_page": 3, "page": 2}).json()  # band 3–4 lists D, then C
    assert (p2["total"], p2["pages"], p2["page"], [r["institution_id"] for r in p2["rows"]]) == (4, 2, 2, ["C"])
    assert p2["links"]["prev"] == "/api/editions/2021?page=1&per_page=3"
    assert p2["links"]["next"] is None  # the last page has no next one
    p1 = client.get("/api/editions/2021", params={"per_page": 3}).json()
    assert p1["links"]["next"] == "/api/editions/2021?page=2&per_page=3" and p1["links"]["prev"] is None
    whole = client.get("/api/editions/2021").json()  # 4 rows, one page
    assert (whole["pages"], whole["links"]["next"]) == (1, None)
    empty = client.get("/api/editions/2021", params={"country": "ZZ"}).json()
    assert (empty["total"], empty["pages"], empty["rows"], empty["links"]["next"]) == (0, 1, [], None)
    beyond = client.get("/api/editions/2021", params={"page": 2})  # a page past the end is no page
    assert (
        beyond.status_code == 404 and beyond.json()["error"] == "field 'page': no page 2: 4 rows make 1 page(s) of 50"
    )
    assert client.get("/api/editions/2021/sdgs/17", params={"page": 9}).status_code == 404
    pair = {"before": "2020", "after": "2021", "per_page": 1}
    either = {i for e in ("2020", "2021") for i in editions[e].overall["institution_id"]}
    first = client.get("/api/compare", params=pair).json()
    assert first["pages"] == first["total"] == len(either) > 1 and first["links"]["next"].endswith("page=2")
    last = client.get("/api/compare", params=pair | {"page": first["pages"]}).json()
    assert last["links"]["next"] is None and len(last["rows"]) == 1
    beyond = client.get("/api/compare", params=pair | {"page": first["pages"] + 1})
    assert beyond.status_code == 404 and "no page" in beyond.json()["error"]


def test_a_json_client_follows_next_through_the_api(client, editions):
    """An API answer names the pages it links to by their JSON twins: ``next`` from the first page of the overall
    table to the last, one row a page, every answer JSON; the last has no next; ``html`` still names the page."""
    expected = editions["2021"].overall["institution_id"].to_list()
    address, seen, prev = "/api/editions/2021?per_page=1", [], None
    while address is not None:
        r = client.get(address)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", address
        body = r.json()
        assert body["links"]["prev"] == prev and body["links"]["html"].startswith("/editions/2021")
        seen += [row["institution_id"] for row in body["rows"]]
        prev, address = f"/api/editions/2021?page={body['page']}&per_page=1", body["links"]["next"]
    assert sorted(seen) == sorted(expected) and body["page"] == body["pages"] == len(expected) == 4
    twin = client.get("/api/editions/2021/institutions/A").json()
    assert {h["link"] for h in twin["history"] if h["link"]} == {
        f"/api/editions/{e}/institutions/A" for e in ("2020", "2021") if "A" in editions[e].overall["institution_id"]
    }


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/editions/2021?page=0", "page"),
        ("/api/editions/2021?page=abc", "page"),
        ("/api/editions/2021?per_page=501", "per_page"),
        ("/api/editions/2021?country=%3Cscript%3E", "country"),
        ("/api/editions/2021?country=F", "country"),  # a code has two letters at least ("FRA" is France)
        ("/api/editions/2021?sdg=0", "sdg"),
        ("/api/editions/2021?sdg=18", "sdg"),
        ("/api/editions/2021?sort=rank;drop", "sort"),
        ("/api/editions/2021?order=up", "order"),
        ("/api/editions/2021?format=pdf", "format"),
        ("/api/editions/2021?q=" + "x" * 201, "q"),
        ("/api/editions/2021/sdgs/0", "sdg"),
        ("/api/editions/2021/sdgs/x1", "sdg"),
        ("/api/editions/2021/countries/F", "country"),
        ("/api/compare?before=2020", "after"),
        ("/api/report?edition=2021&lang=de", "lang"),
    ],
)
def test_malformed_parameters_are_4xx_with_message(client, url, param):
    r = client.get(url)
    assert r.status_code == 422
    body = r.json()
    assert f"parameter '{param}'" in body["error"] and body["status"] == 422


def test_malformed_parameters_on_html_pages_give_escaped_error_page(client):
    r = client.get("/editions/2021", params={"country": "<b>"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "parameter &#39;country&#39;" in r.text
    assert "<b>" not in r.text.split("<main>")[1]


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/api/editions/1999", "no edition '1999'"),
        ("/api/editions/2021/institutions/ZZ", "no institution 'ZZ'"),
        ("/api/editions/2021/countries/ZZ", "'ZZ' is not a country name or ISO code"),
        ("/api/editions/2021/groups/Nobody", "no group 'Nobody'"),
        ("/api/compare?before=2020&after=1999", "no edition '1999'"),
        ("/api/report?edition=1999", "no edition '1999'"),
        ("/api/editions/2021/institutions/..%2F..%2Fetc%2Fpasswd", "no page at"),
        ("/api/editions/2021/institutions/%3Cscript%3E", "no institution '<script>'"),
    ],
)
def test_unknown_things_are_404(client, url, needle):
    r = client.get(url)
    assert r.status_code == 404
    assert needle in r.json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/static/..%2F..%2Fapp.py",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/app.py",
        "/static/templates",
        "/../../etc/passwd",
        "/api/nothing",
    ],
)
def test_no_path_traversal(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert "create_app" not in r.text and "root:" not in r.text


def test_static_files(client):
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000 and b"plotly" in js.content[:2000].lower()


def test_read_only(client):
    assert client.post("/api/editions").status_code == 405
    assert client.delete("/api/editions/2021").status_code == 405
    assert client.put("/editions/2021").status_code == 405


def test_sdg_table_matches_engine(client, editions):
    ed = editions["2021"]
    body = client.get("/api/editions/2021/sdgs/1").json()
    exp = ed.sdg_scores.filter(pl.col("sdg") == 1).sort("rank_position")
    assert [r["institution_id"] for r in body["rows"]] == exp["institution_id"].to_list() == ["A", "E", "B", "D", "C"]
    assert exp["score"].to_list() == [100.0, 60.0, 50.0, 30.0, 10.0]
    # a banded row shows its band's score range, not its own score
    banded = exp["band"].is_not_null().to_list()
    band = exp.filter(pl.col("band").is_not_null())["score"]
    assert banded == [False, False, True, True, True]
    assert [r["score"] for r in body["rows"]] == [100.0, 60.0, None, None, None]
    assert {(r["score_low"], r["score_high"]) for r in body["rows"][2:]} == {(band.min(), band.max())}
    assert [r["counted"] for r in body["rows"]] == exp["counted"].to_list()
    fr = client.get("/api/editions/2021/sdgs/1", params={"country": "FR", "sort": "score", "order": "desc"}).json()
    assert [r["institution_id"] for r in fr["rows"]] == ["A", "C"]
    html = client.get("/editions/2021/sdgs/1").text
    assert "Epsilon School" in html and "60.0" in html


def test_institution_matches_engine_and_explain(client, editions):
    ed = editions["2021"]
    body = client.get("/api/editions/2021/institutions/B").json()
    row = ed.overall.filter(pl.col("institution_id") == "B").row(0, named=True)
    assert body["overall"]["rank"] == row["rank"] == "2"
    assert body["overall"]["overall_score"] == pytest.approx(row["overall_score"]) == pytest.approx(37.555556)
    assert body["overall"]["rank_interval"] == "2 (1–3)"
    terms = body["formula"]  # the formula as terms: weights, SDGs and scaled scores, the total at one decimal
    assert terms == json.loads(json.dumps(explain_institution(ed, "B").formula.to_dict()))
    assert terms["total"] == {"low": pytest.approx(37.555556), "high": pytest.approx(37.555556), "decimals": 1}
    rules = ed.manifest["overall_rules"]
    assert (terms["required_weight"], terms["required"]["sdg"], terms["best_weight"]) == (
        rules["required_weight"] / 100,
        rules["required_sdg"],
        rules["best_weight"] / 100,
    )
    scaled = dict(ed.sdg_scores.filter(pl.col("institution_id") == "B").select("sdg", "scaled_score").iter_rows())
    assert [t["value"]["low"] for t in terms["best"]] == pytest.approx(
        [scaled[int(k)] for k in row["top_sdgs"].split(";")]
    )
    mine = ed.sdg_scores.filter(pl.col("institution_id") == "B").sort("sdg")
    assert [(s["sdg"], s["score"], s["counted"]) for s in body["sdgs"]] == list(
        zip(mine["sdg"], mine["score"], mine["counted"], strict=True)
    )
    assert [h["rank"] for h in body["history"]] == ["=1", "2"]
    assert [(h["top_percent_low"], h["top_percent_high"]) for h in body["history"]] == [(33.3, 33.3), (50.0, 50.0)]
    c = client.get("/api/editions/2021/institutions/C").json()["history"][1]
    assert (c["rank"], c["top_percent_low"], c["top_percent_high"]) == ("3–4", 75.0, 100.0)
    assert body["chart"]["sdgs"][0] == {
        "sdg": 1,
        "score": 50.0,
        "low": 50.0,  # an exact score is its own range
        "high": 50.0,
        "scaled": pytest.approx(44.44, abs=0.01),
        "text": "50.0",  # the bar's label, the score to the published decimal
        "counted": True,
        "rank": "3+",
    }
    metrics = {m["metric"]: m for m in body["sdgs"][0]["metrics"]}
    exp_m = ed.metric_scores.filter((pl.col("institution_id") == "B") & (pl.col("sdg") == 1))
    assert {m: metrics[m]["contribution"] for m in metrics} == dict(exp_m.select("metric", "contribution").iter_rows())
    html = client.get("/editions/2021/institutions/B").text
    assert '<span id="overall-rank">2 (1–3)</span>' in html and '<td id="overall-score">37.6</td>' in html
    assert 'data-figure-for="profile-chart"' in html and "<svg" in html


def test_institution_shows_its_sdg_positions_in_every_edition(client, editions):
    body = client.get("/api/editions/2021/institutions/C").json()
    expected = {}
    for eid, ed in editions.items():
        sizes = dict(ed.sdg_scores.group_by("sdg").len().iter_rows())
        for r in ed.sdg_scores.filter(pl.col("institution_id") == "C").iter_rows(named=True):
            expected.setdefault(r["sdg"], {})[eid] = (r["rank"], sizes[r["sdg"]])
    got = {h["sdg"]: {e: (v["rank"], v["table_size"]) for e, v in h["editions"].items()} for h in body["sdg_history"]}
    assert got == expected and len(got) > 1
    html = client.get("/editions/2021/institutions/C").text
    assert 'id="sdg-history"' in html


def test_institution_not_in_overall_table(client):
    body = client.get("/api/editions/2021/institutions/E").json()
    assert body["overall"] is None and body["formula"] is None
    assert [s["sdg"] for s in body["sdgs"]] == [1, 2, 3]
    assert "Not in the overall table" in client.get("/editions/2021/institutions/E").text


def test_country_page(client, editions):
    body = client.get("/api/editions/2021/countries/fr").json()
    assert body["country"] == "FR" and body["count"] == 2
    assert [r["institution_id"] for r in body["table"]] == ["A", "C"]
    assert [r["national_rank"] for r in body["table"]] == ["1", "2"]
    assert body["summary"]["paragraph"]
    html = client.get("/editions/2021/countries/FR").text
    assert 'id="country-count">2<' in html and "Gamma College" in html


def test_group_page(client):
    body = client.get("/api/editions/2021/groups/Network").json()
    assert body["members"] == 3
    assert [r["institution_id"] for r in body["ranked"]] == ["A", "B"]
    assert [(r["institution_id"], r["reason"]) for r in body["absent"]] == [("E", "in SDG tables only")]
    assert "Epsilon School" in client.get("/editions/2021/groups/Network").text


def test_compare_matches_engine(client, editions):
    body = client.get("/api/compare", params={"before": "2020", "after": "2021"}).json()
    comp = compare_editions(editions["2020"], editions["2021"])
    assert body["counts"] == comp.counts()
    assert (body["field_from"], body["field_to"]) == (3, 4)
    assert [r["institution_id"] for r in body["rows"]] == comp.table["institution_id"].to_list()
    d = next(r for r in body["rows"] if r["institution_id"] == "D")
    assert d["status"] == "new" and d["movement"] == "new"
    fr = client.get("/api/compare", params={"before": "2020", "after": "2021", "country": "FR"}).json()
    assert sorted(r["institution_id"] for r in fr["rows"]) == ["A", "C"]
    assert [i["institution_id"] for i in fr["chart"]["items"]] == ["A", "C"]
    assert fr["chart"]["items"][0]["top_after"] == 25.0
    html = client.get("/compare", params={"before": "2020", "after": "2021", "country": "FR"}).text
    assert 'data-figure-for="movement-chart"' in html
    # a newcomer's rank before reads "not ranked", in the reader's language, never a blank cell
    for lang, words in (("en", "not ranked"), ("fr", "non classé"), ("es", "no clasificada")):
        page = client.get("/compare", params={"before": "2020", "after": "2021", "lang": lang}).text
        row = re.search(r'<tr><td><a href="/editions/2021/institutions/D">.*?</tr>', page, re.S)[0]
        assert re.findall(r'<td class="num">([^<]*)</td>', row)[:2] == [words, d["rank_to"]]


def test_exports_csv_and_xlsx(client, editions):
    r = client.get("/api/editions/2021", params={"country": "FR", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    frame = pl.read_csv(io.BytesIO(r.content))
    assert frame["institution_id"].to_list() == ["A", "C"]
    assert frame["overall_display"].to_list() == ["87.0", "12.3–37.0"]
    x = client.get("/api/editions/2021/sdgs/1", params={"format": "xlsx"})
    assert x.content[:2] == b"PK"
    sheet = pl.read_excel(io.BytesIO(x.content))
    assert sheet["institution_id"].to_list() == ["A", "E", "B", "D", "C"]
    c = client.get("/api/compare", params={"before": "2020", "after": "2021", "format": "csv"})
    expected = compare_editions(editions["2020"], editions["2021"]).table
    assert pl.read_csv(io.BytesIO(c.content))["institution_id"].to_list() == expected["institution_id"].to_list()


def test_country_and_group_exports(client):
    body = client.get("/api/editions/2021/countries/FR", params={"format": "csv"}).content
    country = pl.read_csv(io.BytesIO(body), infer_schema=False)
    assert country.select("national_rank", "rank", "institution_id").rows() == [("1", "1", "A"), ("2", "3–4", "C")]
    group = client.get("/api/editions/2021/groups/Network", params={"format": "xlsx"})
    assert pl.read_excel(io.BytesIO(group.content))["institution_id"].to_list() == ["A", "B"]
    assert client.get("/api/editions/2021/countries/ZZ", params={"format": "csv"}).status_code == 404


def test_exports_neutralise_formulas_but_keep_tied_ranks(hostile_client):
    csv = pl.read_csv(io.BytesIO(hostile_client.get("/api/editions/2020", params={"format": "csv"}).content))
    names = dict(zip(csv["institution_id"], csv["name"], strict=True))
    assert names["B"] == '\'=HYPERLINK("http://evil.example","x")'
    assert names["C"].startswith("'+SUM")
    assert dict(zip(csv["institution_id"], csv["rank"], strict=True))["A"] == "=1"
    xlsx = pl.read_excel(io.BytesIO(hostile_client.get("/api/editions/2021/sdgs/1", params={"format": "xlsx"}).content))
    xnames = dict(zip(xlsx["institution_id"], xlsx["name"], strict=True))
    assert xnames["D"] == "'@cmd|' /C calc'!A0" and xnames["E"].startswith("'-2+3")


HOSTILE_PAGES = [
    "/editions/2021",
    "/editions/2020",
    "/editions/2021/sdgs/1",
    "/editions/2021/institutions/A",
    "/editions/2021/institutions/E",
    "/editions/2021/countries/FR",
    "/compare?before=2020&after=2021",
    "/compare?before=2020&after=2021&country=FR",
    "/report?edition=2021&country=FR",
    "/editions/2021?q=%3Cscript%3E",
    "/editions/2021/groups/%3Ci%3ENet%3C%2Fi%3E",
    "/",
]


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_hostile_names_are_escaped(hostile_client, url):
    r = hostile_client.get(url)
    assert r.status_code == 200
    text = r.text
    assert "<script>alert(1)</script>" not in text
    assert "<img src=x" not in text and "<b>bold</b>" not in text and "<i>Net</i>" not in text


def test_hostile_names_show_as_text(hostile_client):
    html = hostile_client.get("/editions/2021").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    inst = hostile_client.get("/editions/2021/institutions/A").text
    assert '<h1 id="institution-name">&lt;script&gt;alert(1)&lt;/script&gt;</h1>' in inst
    # the chart JSON inside <script> cannot close the element
    figure = inst.split('data-figure-for="profile-chart">')[1].split("</script>")[0]
    assert "<" not in figure and "alert(1)" in figure
    body = hostile_client.get("/api/editions/2021/institutions/A").json()
    assert body["institution"]["name"] == "<script>alert(1)</script>"  # JSON carries the value unchanged


def test_hostile_group_name_in_path(hostile_client):
    from urllib.parse import quote

    r = hostile_client.get("/editions/2021/groups/" + quote("<i>Net</i>", safe=""))
    assert r.status_code == 200 and "&lt;i&gt;Net&lt;/i&gt; in edition 2021" in r.text
    assert hostile_client.get("/api/editions/2021/groups/" + quote("<i>Net</i>", safe="")).json()["members"] == 3
    filt = hostile_client.get("/api/editions/2021", params={"group": "<i>Net</i>"}).json()
    assert [r["institution_id"] for r in filt["rows"]] == ["A", "B"]


def test_hostile_member_names_on_the_group_page_ranked_and_absent(hostile_client):
    html = hostile_client.get("/editions/2021/groups/%3Ci%3ENet%3C%2Fi%3E").text
    ranked = html.split('id="group-table"')[1].split("</table>")[0]
    absent = html.split('id="group-absent"')[1].split("</table>")[0]
    assert '">&lt;script&gt;alert(1)&lt;/script&gt;</a>' in ranked  # A, ranked, as text in its link
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;x&#34;)</a>" in ranked  # B
    assert "<td>-2+3 &lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</td>" in absent  # E, not ranked
    assert "<script>" not in ranked + absent and "<img" not in ranked + absent


def test_report_routes(client, editions):
    html = client.get("/report", params={"edition": "2021", "compare": "2020", "country": "FR"})
    assert html.status_code == 200 and "Plotly" in html.text and 'id="chart-distribution"' in html.text
    assert 'id="chart-movement"' in html.text
    data = client.get("/api/report", params={"edition": "2021", "country": "FR"}).json()
    assert [m["institution_id"] for m in data["charts"]["distribution"]["marked"]] == ["A", "C"]
    assert data["selection"] == {"country": "FR", "group": None, "institutions": 2, "ranked": 2}
    pdf = client.get("/report.pdf", params={"edition": "2021", "group": "Network"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/report", params={"edition": "2021", "group": "Nobody"}).status_code == 404


def test_api_docs_work_offline(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()
    js = client.get("/static/swagger/swagger-ui-bundle.js")
    assert js.status_code == 200 and "SwaggerUIBundle" in js.text
    assert client.get("/static/swagger/..%2F..%2Fsetup.py").status_code == 404
    assert client.get("/static/swagger/index.html").status_code == 404


def test_openapi_lists_every_api_route(client):
    paths = set(client.get("/openapi.json").json()["paths"])
    assert paths == {
        "/api/editions",
        "/api/editions/{edition}",
        "/api/editions/{edition}/sdgs/{sdg}",
        "/api/editions/{edition}/institutions/{institution_id}",
        "/api/editions/{edition}/institutions/{institution_id}/whatif",
        "/api/editions/{edition}/countries/{country}",
        "/api/editions/{edition}/groups/{group}",
        "/api/compare",
        "/api/report",
    }


def test_every_page_has_a_json_twin(client):
    pages = [
        "/editions/2021",
        "/editions/2021/sdgs/3",
        "/editions/2021/institutions/A",
        "/editions/2021/countries/FR",
        "/editions/2021/groups/Network",
        "/compare?before=2020&after=2021",
    ]
    for page in pages:
        assert client.get(page).headers["content-type"].startswith("text/html"), page
        twin = client.get("/api" + page)
        assert twin.status_code == 200 and twin.headers["content-type"] == "application/json", page


def test_empty_form_fields_mean_no_filter(client):
    body = client.get("/api/editions/2021?q=&country=FR&group=&sdg=&sort=rank&order=asc&per_page=50").json()
    assert [r["institution_id"] for r in body["rows"]] == ["A", "C"]


def test_response_cache_serves_identical_bytes_and_skips_errors_and_exports(ws_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx
        from fastapi.testclient import TestClient
    from impactrank.web.app import create_app

    cached = TestClient(create_app(ws_path))
    plain = TestClient(create_app(ws_path, cache=False))
    for url in ["/editions/2021/institutions/A", "/api/editions/2021?country=FR", "/editions/2021/sdgs/2"]:
        first, second = cached.get(url), cached.get(url)
        assert first.content == second.content == plain.get(url).content
        assert first.headers["content-type"] == second.headers["content-type"]
    assert cached.get("/api/editions/1999").status_code == cached.get("/api/editions/1999").status_code == 404
    csv = cached.get("/api/editions/2021?format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and b"institution_id" in csv.content


def test_html_pages_forbid_inline_scripts(client):
    csp = client.get("/editions/2021/institutions/A").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert client.get("/editions/2021?page=0").headers["x-content-type-options"] == "nosniff"


def test_report_links_follow_the_selection(client):
    html = client.get("/editions/2021", params={"country": "FR"}).text
    assert 'href="/report?edition=2021&amp;compare=2020&amp;country=FR"' in html
    assert 'href="/report.pdf?edition=2021&amp;compare=2020&amp;country=FR"' in html
    assert client.get("/report.pdf?edition=2021&compare=2020&country=FR").content.startswith(b"%PDF")
    assert client.get("/report?edition=2021&compare=2021").status_code == 400  # compare with itself


@pytest.mark.parametrize(
    "params",
    [{}, {"country": "FR"}, {"sort": "name", "order": "desc", "per_page": 3, "page": 2}, {"sdg": 4}, {"q": "delta"}],
)
def test_overall_table_answer_is_its_content_encoded(client, params):
    """The overall table's API rows are put in as encoded when the edition was loaded: the answer is still
    exactly its content as JSON (compact, UTF-8), its rows those of the HTML page's query."""
    r = client.get("/api/editions/2021", params=params)
    assert r.content == json.dumps(r.json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert r.headers["content-type"] == "application/json" and int(r.headers["content-length"]) == len(r.content)
    assert r.json()["rows"] and all(set(row) == set(r.json()["rows"][0]) for row in r.json()["rows"])
