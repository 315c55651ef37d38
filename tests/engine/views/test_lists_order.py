"""Rows in published order: rank (first place, then last), then the score a row shows, then name."""

from __future__ import annotations

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.lists import overall_view, sdg_view

# THE's 2021 SDG 13 table around 12th, in small, with two rows sharing a published 20 and a band (id, rank shown,
# first and last place, score or band range)
ROWS = [
    ("victoria", "16", 16, 16, 74.2, 74.2),
    ("exeter", "=13–15", 13, 15, 74.3, 74.3),
    ("uab", "=13", 13, 13, 76.3, 76.3),
    ("band-b", "101–200", 101, 200, 60.0, 70.0),
    ("p", "=20", 20, 20, 70.1, 70.1),
    ("bournemouth", "=13–15", 13, 15, 74.3, 74.3),
    ("almeria", "12", 12, 12, 77.8, 77.8),
    ("concordia", "=13", 13, 13, 76.3, 76.3),
    ("q", "=20", 20, 20, 70.2, 70.2),
    ("band-a", "101–200", 101, 200, 60.0, 70.0),
]
LISTED = ["almeria", "concordia", "uab", "bournemouth", "exeter", "victoria", "q", "p", "band-a", "band-b"]


def edition() -> Edition:
    ids = [r[0] for r in ROWS]
    ranks = {
        "institution_id": ids,
        "rank": [r[1] for r in ROWS],
        "rank_position": [r[2] for r in ROWS],
        "rank_low": [r[2] for r in ROWS],
        "rank_high": [r[3] for r in ROWS],
        "band": [r[1] if "–" in r[1] and not r[1].startswith("=") else None for r in ROWS],
    }
    exact = [r[4] if r[4] == r[5] else None for r in ROWS]
    return Edition(
        id="2021",
        year=2021,
        kind="imported",
        source="test",
        institutions=pl.DataFrame({"institution_id": ids, "name": ids, "country": ["ES"] * len(ids)}),
        overall=pl.DataFrame(
            {**ranks, "overall_score": exact, "overall_low": [r[4] for r in ROWS], "overall_high": [r[5] for r in ROWS]}
        ),
        sdg_scores=pl.DataFrame(
            {
                **ranks,
                "sdg": [13] * len(ids),
                "score": exact,
                "score_low": [r[4] for r in ROWS],
                "score_high": [r[5] for r in ROWS],
            }
        ),
        manifest={"overall_table": True, "sdg_tables": {"13": len(ids)}},
    )


def test_sdg_and_overall_tables_list_by_rank_then_score_then_name():
    ed = edition()
    assert sdg_view(ed, 13)["institution_id"].to_list() == LISTED
    assert overall_view(ed)["institution_id"].to_list() == LISTED
