"""A page's parameters read without FastAPI's dependency walk give what FastAPI gives: the same values, and on
bad input FastAPI's own answer."""

from __future__ import annotations

import warnings
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from jinja2 import DictLoader, Environment

from impactrank.page_route import PageRoute, _plain_fields
from impactrank.pages import Pages

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def things(
    request: Request,
    edition: Annotated[str, Path(max_length=5)],
    q: Annotated[str | None, Query(max_length=3)] = None,
    sdg: Annotated[int | None, Query(ge=1, le=17)] = None,
    sort: Literal["rank", "name"] = "rank",
    page: Annotated[int, Query(ge=1)] = 1,
    ratio: float = 0.5,
    flag: bool = False,
):
    return {"edition": edition, "q": q, "sdg": sdg, "sort": sort, "page": page, "ratio": ratio, "flag": flag}


def test_plain_parameters_are_validated_as_fastapi_validates_them():
    paged = FastAPI()
    pages = Pages(paged, Environment(loader=DictLoader({"t.html": "{{ edition }}"}), autoescape=True))
    pages.page("/e/{edition}", "t.html")(things)
    plain = FastAPI()  # the same function as FastAPI serves it
    plain.add_api_route("/api/e/{edition}", things, methods=["GET"])

    route = next(r for r in paged.routes if getattr(r, "path", "") == "/api/e/{edition}")
    assert isinstance(route, PageRoute) and _plain_fields(route.dependant) is not None
    ours, theirs = TestClient(paged), TestClient(plain)
    queries = [
        "",
        "q=ab&sdg=3&sort=name&page=2&ratio=1.25&flag=true",
        "sdg=3.0&page=002&flag=yes&ratio=1e2",
        "page=2&page=3",
        "q=abcd",
        "sdg=18",
        "sort=x",
        "page=0",
        "ratio=x",
        "flag=maybe",
        "other=1",
    ]
    for edition in ("2021", "toolong"):
        for query in queries:
            a, b = ours.get(f"/api/e/{edition}?{query}"), theirs.get(f"/api/e/{edition}?{query}")
            assert (a.status_code, a.json()) == (b.status_code, b.json()), (edition, query)
    assert ours.get("/api/e/2021?sdg=3&sort=name").json() == {
        "edition": "2021",
        "q": None,
        "sdg": 3,
        "sort": "name",
        "page": 1,
        "ratio": 0.5,
        "flag": False,
    }
    assert ours.get("/e/2021?page=0").status_code == 422


def test_a_page_with_more_than_plain_parameters_goes_through_fastapi():
    app = FastAPI()
    pages = Pages(app, Environment(loader=DictLoader({"t.html": "{{ who }} {{ n }}"}), autoescape=True))

    @pages.page("/d/{n}", "t.html")
    def with_dependency(request: Request, n: int, who: str = Depends(lambda: "dependency")):
        return {"who": who, "n": n}

    @pages.page("/l", "t.html")
    def with_list(request: Request, n: Annotated[list[int] | None, Query()] = None):
        return {"who": "list", "n": n}

    routes = {r.path: r for r in app.routes if isinstance(r, PageRoute)}
    assert _plain_fields(routes["/api/d/{n}"].dependant) is None
    assert _plain_fields(routes["/api/l"].dependant) is None
    client = TestClient(app)
    assert client.get("/d/4").text == "dependency 4"
    assert client.get("/api/l?n=1&n=2").json() == {"who": "list", "n": [1, 2]}
