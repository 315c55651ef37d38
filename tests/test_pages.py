"""The page mechanism on its own: one function, its context as HTML through a template and as JSON."""

from __future__ import annotations

import asyncio
import enum
import math
import warnings
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from jinja2 import DictLoader, Environment

from impactrank.pages import Later, Pages, jsonable

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_one_context_two_renderings():
    app = FastAPI()
    env = Environment(
        loader=DictLoader({"t.html": "<h1>{{ title }}</h1>{{ _secret }}{{ n * 2 }} {{ who }} {{ request.url.path }}"}),
        autoescape=True,
    )
    pages = Pages(app, env)
    pages.globals = lambda request: {"who": "<anon>"}

    @pages.page("/things/{n}", "t.html", summary="A thing")
    def thing(request: Request, n: int):
        if n == 0:
            return PlainTextResponse("none")  # a page may answer with a response of its own
        return {"title": "<Thing>", "n": n, "_secret": "for the template only"}

    client = TestClient(app)
    html = client.get("/things/21")
    assert html.text == "<h1>&lt;Thing&gt;</h1>for the template only42 &lt;anon&gt; /things/21"
    assert client.get("/api/things/21").json() == {"title": "<Thing>", "n": 21}
    assert client.get("/api/things/x").status_code == 422  # the function's own parameter types apply to both
    assert client.get("/things/0").text == client.get("/api/things/0").text == "none"
    assert list(app.openapi()["paths"]) == ["/api/things/{n}"]


def test_an_entry_only_the_html_reads_is_made_only_for_the_html():
    app = FastAPI()
    pages = Pages(app, Environment(loader=DictLoader({"t.html": "{{ n }}: {{ _table }}"}), autoescape=True))
    pages.globals = lambda request: {}
    made = []

    @pages.page("/things/{n}", "t.html")
    def thing(request: Request, n: int):
        return {"n": n, "_table": Later(lambda: made.append(n) or f"<table of {n}>")}

    client = TestClient(app)
    assert client.get("/api/things/3").json() == {"n": 3} and made == []
    assert client.get("/things/4").text == "4: &lt;table of 4&gt;" and made == [4]


class Colour(enum.Enum):
    RED = "red"


@dataclass
class Row:
    name: str
    score: float


def test_jsonable_gives_plain_json_values():
    value = {
        "frame": pl.DataFrame({"a": [1, None], "b": [1.5, math.nan]}),
        "row": Row("x", math.inf),
        "when": date(2026, 11, 30),
        "tags": ("a", "b"),
        "colour": Colour.RED,
        "_hidden": 1,
        3: {"_also": 1, "kept": True},
    }
    assert jsonable(value) == {
        "frame": [{"a": 1, "b": 1.5}, {"a": None, "b": None}],
        "row": {"name": "x", "score": None},
        "when": "2026-11-30",
        "tags": ["a", "b"],
        "colour": "red",
        "3": {"kept": True},
    }


def test_a_json_twin_runs_in_the_event_loop_only_when_its_quick_test_says_so():
    app = FastAPI()
    pages = Pages(app, Environment(loader=DictLoader({"t.html": "{{ in_loop }}"}), autoescape=True))

    def in_event_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread of the pool runs no loop
            return False
        return True

    @pages.page("/table", "t.html", quick=lambda a: a["sort"] == "rank")
    def table(request: Request, sort: Literal["rank", "name"] = "rank"):
        return {"in_loop": in_event_loop()}

    client = TestClient(app)
    assert client.get("/api/table").json() == {"in_loop": True}
    assert client.get("/api/table?sort=name").json() == {"in_loop": False}
    assert client.get("/table").text == "False"  # a page's HTML is rendered in the pool, unless quick_html

    @pages.page("/row", "t.html", quick=lambda a: a["sort"] == "rank", quick_html=True)
    def row(request: Request, sort: Literal["rank", "name"] = "rank"):
        return {"in_loop": in_event_loop()}

    assert client.get("/row").text == "True"
    assert client.get("/row?sort=name").text == "False"
    assert client.get("/api/row").json() == {"in_loop": True}
    assert client.get("/row?sort=x").status_code == 422
    assert client.get("/api/table?sort=x").status_code == 422  # its parameters validated before the test
    assert client.get("/openapi.json").json()["paths"]["/api/table"]["get"]["parameters"][0]["name"] == "sort"
