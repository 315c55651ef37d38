"""The page mechanism on its own: one function, its context as HTML through a template and as JSON."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from jinja2 import DictLoader, Environment

from impactrank.portal.render import Pages


def test_one_context_two_renderings():
    app = FastAPI()
    env = Environment(loader=DictLoader({"t.html": "<h1>{{ title }}</h1>{{ _secret }}{{ n * 2 }}"}), autoescape=True)
    pages = Pages(app, env, {"X-Test": "1"})

    @pages.page("/things/{n}", "t.html", summary="A thing")
    def thing(request: Request, n: int) -> dict:
        return {"title": "<Thing>", "n": n, "_secret": "for the template only"}

    client = TestClient(app)
    html = client.get("/things/21")
    assert html.text == "<h1>&lt;Thing&gt;</h1>for the template only42" and html.headers["x-test"] == "1"
    data = client.get("/api/things/21")
    assert data.json() == {"title": "<Thing>", "n": 21} and data.headers["x-test"] == "1"
    assert client.get("/api/things/x").status_code == 422  # the function's own parameter types apply to both
    assert list(app.openapi()["paths"]) == ["/api/things/{n}"]
