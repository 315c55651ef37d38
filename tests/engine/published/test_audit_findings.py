"""The audit's consistency findings on a table written out by hand: ties marked alone or with differing
scores, bands whose ranges differ, overlap or hold fewer rows than their positions, repeated names, quality
flags; what a subset of a table cannot be checked for; and the rows the formula check leaves out, by reason."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from impactrank.engine.published.audit import audit_edition
from impactrank.engine.tables.edition import Edition


def table(rows: list[tuple]) -> Edition:
    """rows: (id, name, country, rank, first place, last place, band, low, high, quality); an exact score when
    low == high. Each row's card: SDG 17 and SDGs 1–3, all 50."""
    overall, scores = [], []
    for iid, _, _, rank, first, last, band, lo, hi, quality in rows:
        exact = lo is not None and lo == hi
        overall.append(
            {
                "institution_id": iid,
                "rank": rank,
                "rank_position": first,
                "rank_low": first,
                "rank_high": last,
                "band": band,
                "overall_score": lo if exact else None,
                "overall_low": lo,
                "overall_high": hi,
                "overall_display": None if lo is None else f"{lo:.1f}" if exact else f"{lo:.1f}–{hi:.1f}",
                "sdg17_score": 50.0,
                "sdg17_low": 50.0,
                "sdg17_high": 50.0,
                "top_sdgs": "1;2;3",
                "quality": quality,
            }
        )
        scores += [
            {"institution_id": iid, "sdg": k, "score": 50.0, "score_low": 50.0, "score_high": 50.0, "counted": True}
            for k in (1, 2, 3, 17)
        ]
    return Edition(
        id="t",
        year=2021,
        kind="imported",
        source="test",
        institutions=pl.DataFrame(
            [{"institution_id": r[0], "name": r[1], "country": r[2]} for r in rows],
            schema={"institution_id": pl.String, "name": pl.String, "country": pl.String},
        ),
        overall=pl.DataFrame(overall),
        sdg_scores=pl.DataFrame(scores),
    )


ROWS = [
    ("a", "Alpha", "FR", "1", 1, 1, None, 90.0, 90.0, "ok"),
    ("b", "Univ  X", "FR", "=2", 2, 2, None, 80.0, 80.0, "ok"),
    ("c", "Gamma", "ES", "=2", 2, 2, None, 80.1, 80.1, "ok"),  # tied, another score; above b
    ("d", "univ x", "ES", "=4", 4, 4, None, 70.0, 70.0, "rank_reconstructed"),  # "=" alone; b's name
    ("e", "Epsilon", "ES", "5–6", 5, 6, "5–6", 60.0, 65.0, "ok"),
    ("f", "Phi", None, "5–6", 5, 6, "5–6", 60.0, 66.0, "ok;misaligned_columns"),  # another range in the band
    ("g", "Eta", "IT", "7–9", 7, 9, "7–9", 64.0, 66.0, "ok"),  # reaches into 5–6's scores; one row for three
]


def test_the_findings_of_a_complete_table():
    report = audit_edition(table(ROWS))
    c = report.consistency
    assert c["complete_table"] is True
    ranks = c["ranks_follow_scores"]
    assert ranks["rows_checked"] == 4
    assert [(i["institution_id"], i["above"]["institution_id"]) for i in ranks["inversions"]] == [("c", "b")]
    # b scores 80.0 with a (90.0) and c (80.1) above: competition gives it 3, not 2
    assert [(m["institution_id"], m["expected_position"]) for m in ranks["competition_rank_mismatches"]] == [("b", 3)]
    assert ranks["inversions"][0] | {"above": None} == {
        "row": 3,
        "institution_id": "c",
        "name": "Gamma",
        "rank": "=2",
        "overall": "80.1",
        "above": None,
    }
    assert c["ties"] == {
        "tie_groups": 1,
        "tied_rows": 2,
        "problems": [
            {"position": 2, "rows": 2, "issue": "tie_scores_differ"},
            {"position": 4, "rows": 1, "issue": "marked_alone"},
        ],
    }
    assert c["bands"]["bands"] == [
        {
            "band": "5–6",
            "rows": 2,
            "rows_ranked_above": 4,
            "positions_left": 2,
            "score_low": 60.0,
            "score_high": 66.0,
            "ranges": ["60.0–65.0", "60.0–66.0"],
        },
        {
            "band": "7–9",
            "rows": 1,
            "rows_ranked_above": 6,
            "positions_left": 3,
            "score_low": 64.0,
            "score_high": 66.0,
            "ranges": ["64.0–66.0"],
        },
    ]
    assert c["bands"]["problems"] == [
        {"band": "5–6", "issue": "score_ranges", "ranges": 2},
        {"band": "7–9", "issue": "scores_overlap", "other": "5–6"},
    ]
    assert c["bands"]["size_mismatches"] == [
        {"band": "7–9", "rows": 1, "positions_left": 3, "rows_through_band_end": 7, "band_end": 9}
    ]
    assert c["countries"] == {"distinct": 3, "unknown": 1, "rows": {"ES": 3, "FR": 2, "IT": 1}}
    assert list(c["countries"]["rows"]) == ["ES", "FR", "IT"]  # most rows first
    assert [(d["name"], [(r["institution_id"], r["country"]) for r in d["rows"]]) for d in c["duplicates"]] == [
        ("Univ  X", [("b", "FR"), ("d", "ES")])
    ]
    assert list(report.quality.items()) == [("ok", 6), ("misaligned_columns", 1), ("rank_reconstructed", 1)]
    assert (report.rows, report.previous) == (7, None)
    assert (report.edition, report.year, report.kind, report.source) == ("t", 2021, "imported", "test")
    assert report.notes[:3] == [
        "A displayed score x stands for [x − 0.05, x + 0.05] and a published range for its ends ±0.05; a model "
        "explains a row when its interval of overall scores meets the published one.",
        "Models named sdg_tables… rescale each SDG over its SDG table (every submitter); the others see only "
        "the SDG scores the overall table shows (each institution's top three and SDG 17).",
        "Rows whose SDG columns were scattered by a scraper (misaligned_columns) are left out of the "
        "formula check and of the SDG populations.",
    ]
    assert report.notes[-1] == "The edition has no SDG tables: THE's rule cannot be reproduced, only approximated."
    assert len(report.notes) == 4
    # f's columns were scattered; e and g publish ranges: only the four exact rows are exact
    assert report.formula["rows_excluded"]["misaligned_columns"] == 1
    assert (report.formula["exact_rows"], report.formula["interval_rows"]) == (4, 2)


def test_a_subset_of_a_table_is_not_checked_for_what_it_cannot_show():
    """Bands starting past the rows given: competition ranks, "=" alone and band sizes need the whole table."""
    subset = [*ROWS[:-1], ("g", "Eta", "IT", "70–90", 70, 90, "70–90", 64.0, 66.0, None)]  # no flags: ok
    report = audit_edition(table(subset))
    assert list(report.quality.items()) == [("ok", 6), ("misaligned_columns", 1), ("rank_reconstructed", 1)]
    c = report.consistency
    assert c["complete_table"] is False
    assert c["ranks_follow_scores"]["competition_rank_mismatches"] == []
    assert c["ties"]["problems"] == [{"position": 2, "rows": 2, "issue": "tie_scores_differ"}]
    assert c["bands"]["size_mismatches"] == []
    assert report.notes[-1] == (
        "The table is a subset of the edition (its bands start beyond its row count): band sizes "
        "and competition ranks cannot be checked, and scaling models see only the subset's scores."
    )
    assert len(report.notes) == 5


def test_rows_left_out_of_the_formula_check_are_counted_under_their_first_reason():
    rows = [(*r[:9], "ok") for r in ROWS[:4]]
    ed = table(rows)
    ed = Edition(
        id=ed.id,
        year=ed.year,
        kind=ed.kind,
        source=ed.source,
        institutions=ed.institutions,
        overall=ed.overall.with_columns(
            quality=pl.when(pl.col("institution_id") == "a").then(pl.lit("misaligned_columns")).otherwise("quality"),
            overall_low=pl.when(pl.col("institution_id").is_in(["a", "b"])).then(None).otherwise("overall_low"),
            sdg17_low=pl.when(pl.col("institution_id") == "c").then(None).otherwise("sdg17_low"),
        ),
        sdg_scores=ed.sdg_scores.filter((pl.col("institution_id") != "d") | (pl.col("sdg") != 3)),
    )
    assert audit_edition(ed).formula["rows_excluded"] == {
        "misaligned_columns": 1,  # a, also without an overall score
        "no_overall_score": 1,  # b
        "no_sdg17_score": 1,  # c
        "not_three_scored_top_sdgs": 1,  # d: SDGs 1 and 2 only
    }


def test_the_report_as_json_rounds_floats_to_four_decimals():
    report = audit_edition(table(ROWS))
    report.consistency["figure"] = (1 / 3, float("nan"), np.int64(7), pytest)
    out = report.to_dict()
    assert out["consistency"]["figure"] == [0.3333, None, 7, pytest]
    assert type(out["consistency"]["figure"][2]) is int
    displayed = next(m for m in out["formula"]["models"] if m["model"] == "displayed")
    raw = next(m for m in report.formula["models"] if m["model"] == "displayed")
    assert displayed["exact"]["mean"] == round(raw["exact"]["mean"], 4)


def test_bands_sharing_a_displayed_end_do_not_overlap():
    """Two displayed scores that are equal may stand for true scores in either order: a band whose top shows
    the score of the row or band above it overlaps nothing."""
    rows = [
        ("a", "A", "FR", "1", 1, 1, None, 80.0, 80.0, "ok"),
        ("b", "B", "FR", "2–3", 2, 3, "2–3", 70.0, 80.0, "ok"),
        ("c", "C", "FR", "2–3", 2, 3, "2–3", 70.0, 80.0, "ok"),
        ("d", "D", "FR", "4–5", 4, 5, "4–5", 60.0, 70.0, "ok"),
        ("e", "E", "FR", "4–5", 4, 5, "4–5", 60.0, 70.0, "ok"),
    ]
    bands = audit_edition(table(rows)).consistency["bands"]
    assert bands["problems"] == [] and bands["size_mismatches"] == []
    raised = [*rows[:3], *((*r[:8], 70.1, "ok") for r in rows[3:])]
    assert audit_edition(table(raised)).consistency["bands"]["problems"] == [
        {"band": "4–5", "issue": "scores_overlap", "other": "2–3"}
    ]
