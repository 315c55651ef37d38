"""Country views and SDG positions read national ranks and positions made once per edition: each country's view
is the same whichever country was asked first, and an edition made from another (its names in a language) makes
its own."""

from __future__ import annotations

import dataclasses

import polars as pl
from test_lists import brute_national, make_edition

from impactrank.engine.views.lists import country_view, sdg_positions

ROWS = [("a", "FR", "5"), ("b", "DE", "6"), ("c", "FR", "=7"), ("d", "FR", "=7"), ("e", "DE", "101–200")]
SDG_ROWS = [
    {"institution_id": "a", "sdg": 3, "rank": "2", "rank_position": 2, "score": 80.0},
    {"institution_id": "b", "sdg": 3, "rank": "1", "rank_position": 1, "score": 90.0},
    {"institution_id": "c", "sdg": 17, "rank": "1", "rank_position": 1, "score": 70.0},
]


def national_of(rows):
    spans = []
    for iid, country, rank in rows:
        low = int(rank.lstrip("=").split("–")[0])
        high = int(rank.split("–")[1]) if "–" in rank else low
        spans.append((iid, country, low, high))
    return brute_national(spans)


def test_each_country_view_is_the_same_whichever_country_came_first():
    expected = national_of(ROWS)
    for order in (["FR", "DE"], ["DE", "FR"]):
        edition = make_edition(ROWS, sdg_rows=SDG_ROWS)
        views = {code: country_view(edition, code) for code in order}
        for code, view in views.items():
            got = {r["institution_id"]: (r["national_position"], r["national_tied"]) for r in view.table.to_dicts()}
            want = {i: expected[i] for i, c, _ in ROWS if c == code}
            assert got == want, (order, code)
            assert view.count == len(want)
    assert country_view(edition, "IT").count == 0  # no row: an empty view, as before


def test_sdg_positions_pick_the_institutions_asked_from_the_whole_edition():
    edition = make_edition(ROWS, sdg_rows=SDG_ROWS)
    both = sdg_positions(edition, ["b", "a"])
    assert both.select("institution_id", "sdg", "rank").rows() == [("a", 3, "2"), ("b", 3, "1")]
    assert sdg_positions(edition, ["c"]).select("institution_id", "sdg").rows() == [("c", 17)]
    assert sdg_positions(edition, ["zz"]).height == 0


def test_an_edition_made_from_another_makes_its_own_tables():
    edition = make_edition(ROWS, sdg_rows=SDG_ROWS)
    assert country_view(edition, "FR").leaders == ["Name a"]
    renamed = dataclasses.replace(
        edition, institutions=edition.institutions.with_columns(name=pl.format("Nom {}", "institution_id"))
    )
    assert country_view(renamed, "FR").leaders == ["Nom a"]
    assert sdg_positions(renamed, ["a"])["name"].to_list() == ["Nom a"]
    assert country_view(edition, "FR").leaders == ["Name a"]
