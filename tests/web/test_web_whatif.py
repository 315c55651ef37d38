"""The what-if page of a published edition, served: the scores in the query string give the overall score the
test recomputes itself by THE's rule, as HTML and as its JSON twin; bad scores are 400s; built editions have none."""

from __future__ import annotations

import warnings

import pytest
from web_workspace import assert_security_headers

from impactrank.io.workspace import Workspace
from published_field import SDGS, published_field

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FIELD, TRUTH = published_field()


@pytest.fixture(scope="module")
def whatif_client(tmp_path_factory):
    from impactrank.web.app import create_app

    path = tmp_path_factory.mktemp("whatif") / "ws.duckdb"
    with Workspace(path) as ws:
        ws.save(FIELD)
    return TestClient(create_app(path))


def recomputed(who: int, sdg: int, value: float) -> float:
    """Min–max over each SDG table with the new score in it; 0.22 × SDG 17 + 0.26 × the best three others."""
    scores = {k: TRUTH["scores"][k].copy() for k in SDGS}
    scores[sdg][who] = value
    scaled = {k: 100 * (v - v.min()) / (v.max() - v.min()) for k, v in scores.items()}
    others = sorted((scaled[k][who] for k in SDGS if k != 17), reverse=True)
    return 0.22 * scaled[17][who] + 0.26 * sum(others[:3])


@pytest.mark.parametrize(("who", "sdg", "value"), [(5, 13, 80.0), (0, 17, 12.5), (39, 3, 99.9)])
def test_the_page_and_its_twin_give_the_recomputed_score(whatif_client, who, sdg, value):
    iid = TRUTH["ids"][who]
    url = f"/editions/2021/institutions/{iid}/whatif"
    body = whatif_client.get("/api" + url, params={f"s{sdg}": str(value)}).json()
    expected = recomputed(who, sdg, value)
    assert body["result"]["overall_point"] == pytest.approx(expected, abs=1e-9)
    assert body["result"]["overall_low"] <= expected <= body["result"]["overall_high"]
    assert body["settings"] == {str(sdg): value}
    page = whatif_client.get(url, params={f"s{sdg}": str(value).replace(".", ",")})  # a decimal comma too
    assert page.status_code == 200
    # scores at the published precision: the interval as the displayed scores it allows, the point at one decimal
    low, high = round(body["result"]["overall_low"], 1), round(body["result"]["overall_high"], 1)
    assert body["result"]["overall"] == (f"{low:.1f}" if low == high else f"{low:.1f}–{high:.1f}")
    assert f'id="whatif-overall">{body["result"]["overall"]} (at the displayed values: {expected:.1f})' in page.text
    assert (
        f'id="s{sdg}" name="s{sdg}" type="number" step="0.1" min="0" max="100" inputmode="decimal" value="{value}"'
        in (page.text)
    )
    assert_security_headers(page, url)


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"s13": "abc"}, 400, "'abc' is not a score"),
        ({"s13": "120"}, 400, "outside 0–100"),
        ({"s3": "<script>alert(1)</script>"}, 400, "is not a score"),
    ],
)
def test_bad_scores_are_400_with_the_reason(whatif_client, params, status, message):
    for prefix in ("", "/api"):
        response = whatif_client.get(f"{prefix}/editions/2021/institutions/u01/whatif", params=params)
        assert response.status_code == status and message in response.text.replace("&#39;", "'")
        if not prefix:  # the page shows it as text; JSON carries it as data, served as application/json
            assert "<script>alert(1)</script>" not in response.text
        else:
            assert response.headers["content-type"].startswith("application/json")
        assert_security_headers(response)


def test_unknown_institution_is_404(whatif_client):
    response = whatif_client.get("/api/editions/2021/institutions/nobody/whatif")
    assert response.status_code == 404 and "no institution 'nobody'" in response.json()["error"]


def test_a_built_edition_has_no_published_whatif(client):
    response = client.get("/api/editions/2021/institutions/A/whatif")
    assert response.status_code == 404 and "is built" in response.json()["error"]
