"""The audit of a published table: hand-computed formula residuals, interval arithmetic for banded rows,
consistency findings, and the 2023 table's figures recomputed here from the raw CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from impactrank.engine.published.audit import audit_edition
from impactrank.engine.tables.edition import Edition

PUBLISHED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "published"


def edition(rows: list[dict]) -> Edition:
    """rows: id, rank, position, band, high, overall (value or (lo, hi)), sdg17, tops [(sdg, value)]."""

    def iv(v):
        return (None, v, v) if v is None or not isinstance(v, tuple) else (None, *v)

    overall, scores = [], []
    for r in rows:
        o, s17 = iv(r["overall"]), iv(r["sdg17"])
        overall.append(
            {
                "institution_id": r["id"],
                "rank": r["rank"],
                "rank_position": r["position"],
                "rank_low": r["position"],
                "rank_high": r.get("high", r["position"]),
                "band": r.get("band"),
                "overall_score": None if isinstance(r["overall"], tuple) else r["overall"],
                "overall_low": o[1],
                "overall_high": o[2],
                "overall_display": str(r["overall"]),
                "sdg17_score": None if isinstance(r["sdg17"], tuple) else r["sdg17"],
                "sdg17_low": s17[1],
                "sdg17_high": s17[2],
                "top_sdgs": ";".join(str(s) for s, _ in r["tops"]),
                "quality": r.get("q", "ok"),
            }
        )
        for sdg, v in [*r["tops"], (17, r["sdg17"])]:
            lo, hi = (v, v) if not isinstance(v, tuple) else v
            scores.append(
                {
                    "institution_id": r["id"],
                    "sdg": sdg,
                    "score": None if isinstance(v, tuple) else v,
                    "score_low": lo,
                    "score_high": hi,
                    "counted": True,
                }
            )
    institutions = [
        {"institution_id": r["id"], "name": r["id"].upper(), "country": r.get("country", "FR")} for r in rows
    ]
    return Edition(
        id="t",
        year=2021,
        kind="imported",
        source="test",
        institutions=pl.DataFrame(institutions),
        overall=pl.DataFrame(overall),
        sdg_scores=pl.DataFrame(scores),
    )


GOLDEN = [
    {
        "id": "a",
        "rank": "1",
        "position": 1,
        "overall": 90.0,
        "sdg17": 80.0,
        "tops": [(3, 90.0), (5, 100.0), (15, 90.0)],
    },
    {
        "id": "b",
        "rank": "2",
        "position": 2,
        "overall": 85.0,
        "sdg17": 50.0,
        "tops": [(5, 80.0), (12, 85.0), (15, 100.0)],
    },
    {
        "id": "c",
        "rank": "101–200",
        "position": 101,
        "high": 200,
        "band": "101–200",
        "overall": (60.1, 69.9),
        "sdg17": (30.0, 40.0),
        "tops": [(3, 50.0), (5, (60.0, 70.0)), (12, 55.5)],
    },
]


def model(report: dict, name: str) -> dict:
    return next(m for m in report["formula"]["models"] if m["model"] == name)


def test_displayed_formula_residuals_by_hand():
    m = model(audit_edition(edition(GOLDEN)).to_dict(), "displayed")
    # a: 0.22·80 + 0.26·(90+100+90) = 90.4 → −0.4;  b: 0.22·50 + 0.26·(80+85+100) = 79.9 → +5.1
    assert m["exact"]["n"] == 2
    assert m["exact"]["mean"] == pytest.approx((-0.4 + 5.1) / 2, abs=1e-4)
    assert m["exact"]["max_abs"] == pytest.approx(5.1, abs=1e-4)
    # c as intervals: [0.22·30 + 0.26·(50+60+55.5), 0.22·40 + 0.26·(50+70+55.5)] = [49.63, 54.43],
    # published from 60.1: gap 60.1 − 54.43 − 0.05 (display rounding) = 5.62
    assert m["interval"] == {
        "n": 1,
        "consistent": 0,
        "mean_gap": pytest.approx(5.62, abs=1e-4),
        "max_gap": pytest.approx(5.62, abs=1e-4),
    }


def test_max100_by_hand():
    m = model(audit_edition(edition(GOLDEN)).to_dict(), "max100")
    # highest seen: SDG17 80, SDG3 90, SDG5 100, SDG12 85, SDG15 100
    a = 0.22 * 100 + 0.26 * (100 + 100 + 90)
    b = 0.22 * 50 / 80 * 100 + 0.26 * (80 + 100 + 100)
    assert m["exact"]["mean"] == pytest.approx(((90 - a) + (85 - b)) / 2, abs=1e-4)


def test_fitted_models_need_enough_rows():
    f = audit_edition(edition(GOLDEN)).to_dict()["formula"]
    assert f["models_skipped"] == ["affine", "global_affine"]
    assert f["best_model"] is None  # two exact rows cannot single out a model


def test_consistency_findings():
    rows = [
        {"id": "a", "rank": "1", "position": 1, "overall": 80.0, "sdg17": 1.0, "tops": []},
        {"id": "b", "rank": "2", "position": 2, "overall": 85.0, "sdg17": 1.0, "tops": []},  # inversion
        {"id": "c", "rank": "3", "position": 3, "overall": 70.0, "sdg17": 1.0, "tops": []},
        {"id": "d", "rank": "3", "position": 3, "overall": 70.0, "sdg17": 1.0, "tops": []},  # tie without "="
        {
            "id": "e",
            "rank": "5–6",
            "position": 5,
            "high": 6,
            "band": "5–6",
            "overall": (60.0, 75.0),
            "sdg17": 1.0,
            "tops": [],
        },  # band range reaches above the lowest exact score
        {
            "id": "f",
            "rank": "6–7",
            "position": 6,
            "high": 7,
            "band": "6–7",
            "overall": (50.0, 59.0),
            "sdg17": 1.0,
            "tops": [],
            "country": None,
        },
    ]
    c = audit_edition(edition(rows)).to_dict()["consistency"]
    assert [i["institution_id"] for i in c["ranks_follow_scores"]["inversions"]] == ["b"]
    assert [m["institution_id"] for m in c["ranks_follow_scores"]["competition_rank_mismatches"]] == [
        "a",
        "b",
    ]
    assert c["ties"]["problems"] == [{"position": 3, "rows": 2, "issue": "unmarked_tie"}]
    issues = [(p["band"], p["issue"], p.get("other")) for p in c["bands"]["problems"]]
    assert ("5–6", "above_ranked", None) in issues
    assert ("6–7", "positions_overlap", "5–6") in issues
    assert c["countries"] == {"distinct": 1, "unknown": 1, "rows": {"FR": 5}}


@pytest.mark.shared
@pytest.mark.skipif(not PUBLISHED.is_dir(), reason=f"real published tables not found at {PUBLISHED}")
def test_2023_displayed_formula_matches_raw_file():
    from impactrank.io.published import read_published

    path = PUBLISHED / "the_impact_2023_overall__tuwaiq-ds-ml-bootcamp_data_the.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh))
    slots = [("sdg-score-multi__number", "sdg-score-multi__value")] + [
        (f"sdg-score-multi__number {k}", f"sdg-score-multi__value {k}") for k in (2, 3, 5, 6, 7, 8)
    ]

    def number(text):
        try:
            return float(text)
        except ValueError:
            return None

    residuals = []
    for r in raw:
        cells = [(r[n], r[v]) for n, v in slots if r[n] or r[v]]
        values = [number(v) for n, v in cells if n and v]
        s17, overall = number(r["sdg-score-multi__value 4"]), number(r["scores"])
        if len(cells) == 3 and len(values) == 3 and None not in values and s17 is not None and overall is not None:
            residuals.append(overall - (0.22 * s17 + 0.26 * sum(values)))
    report = audit_edition(read_published(path, edition="2023").editions[0]).to_dict()
    m = model(report, "displayed")
    assert m["exact"]["n"] == len(residuals) == 64
    assert m["exact"]["max_abs"] == pytest.approx(max(map(abs, residuals)), abs=1e-4)
    assert m["exact"]["mean"] == pytest.approx(sum(residuals) / len(residuals), abs=1e-4)
    assert report["consistency"]["ties"]["tied_rows"] == sum(r["Rank"].startswith("=") for r in raw)
    assert report["consistency"]["ranks_follow_scores"]["inversions"] == []
    assert report["formula"]["best_model"] in {m["model"] for m in report["formula"]["models"]}


def test_audit_recovers_the_scaling_a_built_edition_used(mini_paths):
    """The mini methodology scales by min–max over the eligible institutions; the audit, seeing every scaled
    input, should find that model reproduces each overall score and the plain formula does not."""
    from impactrank.io.build import build

    ed = build(mini_paths["institutions"], mini_paths["submissions"], methodology=mini_paths["methodology"]).edition
    report = audit_edition(ed).to_dict()
    assert report["formula"]["exact_rows"] == ed.overall.height == 4
    assert model(report, "minmax")["exact"]["max_abs"] == pytest.approx(0, abs=1e-4)
    assert model(report, "displayed")["exact"]["max_abs"] > 1


def with_tables(rows: list[dict], table_rows: list[tuple[str, int, object]], year: int = 2021) -> Edition:
    """``edition(rows)`` plus whole SDG tables: (institution, SDG, score or (lo, hi)) rows, the cards' SDGs
    among them."""
    ed = edition(rows)
    cards = {(r["institution_id"], r["sdg"]) for r in ed.sdg_scores.iter_rows(named=True)}
    extra = []
    for iid, sdg, v in table_rows:
        lo, hi = (v, v) if not isinstance(v, tuple) else v
        extra.append(
            {
                "institution_id": iid,
                "sdg": sdg,
                "score": None if isinstance(v, tuple) else v,
                "score_low": lo,
                "score_high": hi,
                "counted": (iid, sdg) in cards,
            }
        )
    tables = pl.DataFrame(extra)
    sizes = dict(tables.group_by("sdg").len().iter_rows())
    known = set(ed.institutions["institution_id"])
    more = [
        {"institution_id": i, "name": i.upper(), "country": "FR"} for i in sorted(set(tables["institution_id"]) - known)
    ]
    return Edition(
        id=str(year),
        year=year,
        kind="imported",
        source="test",
        institutions=pl.concat([ed.institutions, pl.DataFrame(more)], how="diagonal") if more else ed.institutions,
        overall=ed.overall,
        sdg_scores=tables,
        manifest={"sdg_tables": {str(k): v for k, v in sizes.items()}},
    )


TABLE_ROWS = [
    # SDG 3: top 90 (a), bottom 50 (the low end of c's band); SDG 5: top 100 (a), bottom 40 (x, not eligible)
    ("a", 3, 90.0), ("c", 3, 50.0), ("b", 3, 70.0),
    ("a", 5, 100.0), ("b", 5, 80.0), ("c", 5, (60.0, 70.0)), ("x", 5, 40.0),
    # SDG 12: 85 … 35.5; SDG 15: 100 … 90; SDG 17: top 99 (x, not eligible) … bottom 30 (c's band)
    ("b", 12, 85.0), ("c", 12, 55.5), ("z", 12, 35.5),
    ("a", 15, 90.0), ("b", 15, 100.0),
    ("a", 17, 80.0), ("b", 17, 50.0), ("c", 17, (30.0, 40.0)), ("x", 17, 99.0),
]  # fmt: skip


def test_sdg_table_model_by_hand():
    # a: SDG 3 (90−50)/40 → 100, SDG 5 (100−40)/60 → 100, SDG 15 (90−90)/10 → 0, SDG 17 (80−30)/69 → 72.4638
    #    0.22 · 72.4638 + 0.26 · 200 = 67.942
    # b: SDG 5 (80−40)/60 → 66.667, SDG 12 (85−35.5)/49.5 → 100, SDG 15 → 100, SDG 17 (50−30)/69 → 28.9855
    #    0.22 · 28.9855 + 0.26 · 266.667 = 75.710
    rows = [dict(GOLDEN[0], overall=67.9), dict(GOLDEN[1], overall=75.7), GOLDEN[2]]
    report = audit_edition(with_tables(rows, TABLE_ROWS)).to_dict()
    m = model(report, "sdg_tables")
    assert m["exact"]["n"] == 2 and m["exact"]["explained"] == 2
    assert m["exact"]["mean"] == pytest.approx(((67.9 - 67.942) + (75.7 - 75.710)) / 2, abs=1e-3)
    # the overall-eligible alone: SDG 17 tops at 80 (a), so b's SDG 17 scales to (50−30)/50 = 40, not 28.99
    e = model(report, "sdg_tables_eligible")
    assert e["exact"]["max_abs"] > 2
    assert report["formula"]["models_not_applicable"] == {
        "two_year_average": "no previous edition with its SDG tables or overall table was given"
    }


def test_two_year_average_by_hand():
    # 2022: a alone in the overall table at 67.9, its single-year score (67.942, above): a single-year edition.
    # 2023: a's SDG 15 rises to 95 and z takes part in SDG 15 at 90 ((95−90)/10 → 50): single-year
    # 0.22 · 72.4638 + 0.26 · 250 = 80.942, published
    # as the mean with 2022: (80.942 + 67.9) / 2 = 74.421; b, new to the overall table, keeps its 75.710.
    last = with_tables([dict(GOLDEN[0], overall=67.9)], TABLE_ROWS, year=2022)
    rows = [dict(GOLDEN[0], overall=74.4), dict(GOLDEN[1], overall=75.7), GOLDEN[2]]
    tables = [(i, k, 95.0 if (i, k) == ("a", 15) else v) for i, k, v in TABLE_ROWS] + [("z", 15, 90.0)]
    report = audit_edition(with_tables(rows, tables, year=2023), last).to_dict()
    m = model(report, "two_year_average")
    assert m["exact"]["n"] == 2 and m["exact"]["explained"] == 2
    assert m["exact"]["max_abs"] == pytest.approx(max(abs(74.4 - 74.421), abs(75.7 - 75.710)), abs=1e-3)
    assert model(report, "sdg_tables")["exact"]["explained"] == 1  # a's 74.4 is no single-year score
    assert report["previous"] == "2022"
