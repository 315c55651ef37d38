"""A table page's rows: read column by column, they are the rows jsonable makes of the frame's dicts."""

import datetime

import polars as pl

from impactrank.pages import Plain, jsonable, rewrite_links
from impactrank.web.common import plain_rows


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
