"""A table page's rows: read column by column, they are the rows jsonable makes of the frame's dicts; encoded once,
they are put in an API answer as they are."""

import datetime
import json

import polars as pl
from fastapi.responses import JSONResponse

from impactrank.pages import Encoded, JSONBody, Plain, jsonable, plain_rows, rewrite_links


def test_plain_rows_are_jsonable_rows():
    frame = pl.DataFrame(
        {
            "rank": ["1", None, "3"],
            "score": [45.25, float("nan"), float("inf")],
            "position": [1, None, 3],
            "counted": [True, None, False],
            "_hidden": [1, 2, 3],
            "none": [None, None, None],
        }
    )
    assert plain_rows(frame) == [
        {"rank": "1", "score": 45.25, "position": 1, "counted": True, "none": None},
        {"rank": None, "score": None, "position": None, "counted": None, "none": None},
        {"rank": "3", "score": None, "position": 3, "counted": False, "none": None},
    ]
    assert list(plain_rows(frame)[0]) == ["rank", "score", "position", "counted", "none"]  # the frame's order
    assert plain_rows(frame.clear()) == []


def test_plain_rows_of_other_types_go_through_jsonable():
    frame = pl.DataFrame({"day": [datetime.date(2021, 4, 21)], "score": [float("nan")]})
    assert plain_rows(frame) == [{"day": "2021-04-21", "score": None}]


def test_plain_rows_are_kept_as_they_are_by_the_twin_unless_they_hold_an_address():
    frame = pl.DataFrame({"institution_id": ["A", "B"], "score": [1.5, float("nan")]})
    rows = plain_rows(frame)
    assert type(rows) is Plain
    assert jsonable({"rows": rows})["rows"] is rows  # not walked again
    assert rewrite_links({"rows": rows}, lambda name, a: "/api" + a)["rows"] is rows
    linked = plain_rows(frame.with_columns(pl.lit("/editions/2021").alias("link")))
    assert type(linked) is list  # an address a twin rewrites: walked as any list
    assert rewrite_links({"rows": linked}, lambda name, a: "/api" + a)["rows"][1] == {
        "institution_id": "B",
        "score": None,
        "link": "/api/editions/2021",
    }


def test_encoded_rows_are_put_in_the_answer_as_they_are():
    rows = [{"rank": "3–4", "score": 1.5, "none": None}, {"rank": "1", "name": "Université « A »", "score": 2.0}]
    text = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for r in rows]
    content = {"title": "Tableau", "rows": Encoded(text), "total": 2, "links": {"next": None}}
    expected = {"title": "Tableau", "rows": rows, "total": 2, "links": {"next": None}}
    assert JSONBody(content).body == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert JSONBody(expected).body == JSONResponse(expected).body  # without encoded rows: JSONResponse's bytes
    assert jsonable(content)["rows"] is content["rows"]  # not walked
    assert rewrite_links(content, lambda name, a: a)["rows"] is content["rows"]
    assert JSONBody({"rows": Encoded()}).body == b'{"rows":[]}'
