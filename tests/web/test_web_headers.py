"""Security headers on every response the dashboard can send: each route the app registers (the OpenAPI spec's
JSON routes, their HTML pages, the docs and static files), each export format, and the errors of each."""

from __future__ import annotations

import re

import pytest
from web_workspace import assert_security_headers

# A value for each path parameter that exists in the test workspace, and one that does not.
GOOD = {"edition": "2021", "sdg": "2", "institution_id": "A", "country": "FR", "group": "Network", "name": "app.js"}
BAD = {"edition": "1999", "sdg": "99", "institution_id": "nobody", "country": "ZZ", "group": "Nobody", "name": "x.js"}
REQUIRED_QUERY = {"/compare": {"before": "2020", "after": "2021"}, "/report": {"edition": "2021"}}
REQUIRED_QUERY |= {"/api" + k: v for k, v in REQUIRED_QUERY.items()} | {"/report.pdf": {"edition": "2021"}}
GOOD_FOR = {"/static/swagger/{name}": {"name": "swagger-ui.css"}}
SKIPPED = {"/report.pdf"}  # rendered by Chromium; its headers are checked once below, not per variant
# What-if applies to imported editions; the test workspace's are built (test_web_whatif serves an imported one).
STATUS = {"/editions/{edition}/institutions/{institution_id}/whatif": 404}
STATUS |= {"/api" + k: v for k, v in STATUS.items()}


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _routes(client) -> list[str]:
    return sorted({r.path.replace(":path", "") for r in client.app.routes if "GET" in getattr(r, "methods", ())})


def test_openapi_routes_are_among_the_routes_walked(client):
    spec = client.get("/openapi.json").json()["paths"]
    assert set(spec) <= set(_routes(client))
    assert len(spec) == 9


def test_every_route_with_good_and_bad_ids_and_every_format(client):
    spec = client.get("/openapi.json").json()["paths"]
    exportable = {p for p, ops in spec.items() if any(x["name"] == "format" for x in ops["get"].get("parameters", []))}
    assert len(exportable) == 5
    requests = []
    for path in _routes(client):
        if path in SKIPPED:
            continue
        query = REQUIRED_QUERY.get(path, {})
        good = GOOD | GOOD_FOR.get(path, {})
        requests.append((_url(path, good), query, {STATUS.get(path, 200)}))
        if "{" in path:
            requests.append((_url(path, BAD), query, {404, 422}))  # unknown, or out of range (SDG 99)
        if query:
            requests.append((_url(path, good), {}, {422}))  # a required parameter missing
        if path in exportable:
            for fmt in ("csv", "xlsx", "json"):
                requests.append((_url(path, good), {**query, "format": fmt}, {200}))
            requests.append((_url(path, good), {**query, "format": "exe"}, {422}))
    requests.append(("/no/such/page", {}, {404}))
    requests.append(("/api/no/such/route", {}, {404}))
    requests.append(("/api/editions/2021", {"page": "-3"}, {422}))
    statuses = {}
    for url, params, expected in requests:
        response = client.get(url, params=params)
        assert response.status_code in expected, (url, params, response.status_code, response.text[:200])
        assert_security_headers(response, url)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    assert statuses.get(200, 0) >= 30 and statuses.get(404, 0) >= 10 and statuses.get(422, 0) >= 5, statuses


def test_post_and_other_methods_are_refused_with_headers(client):
    for method in ("POST", "PUT", "DELETE"):
        response = client.request(method, "/api/editions/2021")
        assert response.status_code == 405
        assert_security_headers(response, method)


@pytest.mark.slow
def test_the_pdf_report_carries_the_headers(client):
    response = client.get("/report.pdf", params={"edition": "2021"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert_security_headers(response, "/report.pdf")
