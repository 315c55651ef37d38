"""The mini case end to end, with every number computed by hand (see tests/fixtures/mini_*.csv).

SDG 1 pubs (min–max over 0…100): A 100, B 50, C 0, D 50, E 100; policy rubric 4/4, 2/4, 1/4, missing, missing.
SDG 1 = 0.6 pubs + 0.4 policy: A 100, B 50, C 10, D 30, E 60.
SDG 2 share = numerator/denominator: A .3, B .1, D .2, E .2 → 100, 0, 50, 50; waste (lower is better):
A 10 → 100, B 20 → 0, D and E missing → 0. SDG 2: A 100, B 0, D 25, E 25.
SDG 3 pubs: A 50, B 100, C 0, E 10. SDG 4: C 100, D 0. SDG 17 rubric: A 100, B 50, C 75, D 50; E has none.
Eligible: A, B, C, D (E lacks SDG 17). Scaling over the eligible: SDG 1 min 10 max 100; SDG 17 min 50 max 100.
"""

import polars as pl
import pytest

from impactrank.engine.build import build_edition
from impactrank.io.inputs import read_institutions, read_submissions


@pytest.fixture
def edition(mini_paths, mini_methodology):
    inst = read_institutions(mini_paths["institutions"])
    subs = read_submissions([mini_paths["submissions"]], mini_methodology, inst)
    return build_edition(mini_methodology, inst, subs)


def scores(edition, sdg):
    t = edition.sdg_scores.filter(pl.col("sdg") == sdg)
    return dict(zip(t["institution_id"], t["score"], strict=True))


def test_metric_scores(edition):
    m = edition.metric_scores
    get = {(r["institution_id"], r["sdg"], r["metric"]): r for r in m.iter_rows(named=True)}
    assert get[("B", 1, "pubs")]["score"] == pytest.approx(50)
    assert get[("C", 1, "policy")]["score"] == pytest.approx(25)
    assert get[("A", 2, "share")]["raw"] == pytest.approx(0.3)
    assert get[("A", 2, "waste")]["score"] == pytest.approx(100)
    assert get[("B", 2, "waste")]["score"] == pytest.approx(0)
    missing = m.filter(pl.col("missing"))
    assert sorted(zip(missing["institution_id"], missing["metric"], strict=True)) == [
        ("D", "policy"),
        ("D", "waste"),
        ("E", "policy"),
        ("E", "waste"),
    ]
    assert missing["score"].to_list() == [0.0] * 4
    assert edition.manifest["counts"]["metric_values_missing"] == 4


def test_sdg_scores(edition):
    assert scores(edition, 1) == pytest.approx({"A": 100, "B": 50, "C": 10, "D": 30, "E": 60})
    assert scores(edition, 2) == pytest.approx({"A": 100, "B": 0, "D": 25, "E": 25})
    assert scores(edition, 17) == pytest.approx({"A": 100, "B": 50, "C": 75, "D": 50})


def test_scaling_and_overall(edition):
    o = {r["institution_id"]: r for r in edition.overall.iter_rows(named=True)}
    assert set(o) == {"A", "B", "C", "D"}
    assert o["A"]["overall_score"] == pytest.approx(0.22 * 100 + 0.26 * (100 + 100 + 50))
    assert o["B"]["overall_score"] == pytest.approx(0.26 * (100 + 400 / 9 + 0))
    assert o["C"]["overall_score"] == pytest.approx(0.22 * 50 + 0.26 * 100)
    assert o["D"]["overall_score"] == pytest.approx(0.26 * (25 + 200 / 9 + 0))
    assert [o[k]["top_sdgs"] for k in "ABCD"] == ["1;2;3", "3;1;2", "4;1;3", "2;1;4"]
    scaled = edition.sdg_scores.filter(pl.col("institution_id") == "B").sort("sdg")
    assert scaled["scaled_score"].to_list() == pytest.approx([400 / 9, 0, 100, 0])
    assert edition.sdg_scaling.filter(pl.col("sdg") == 1).row(0, named=True) == {
        "sdg": 1,
        "population": 4,
        "min": pytest.approx(10),
        "max": pytest.approx(100),
    }


def test_ranks_bands_and_ranges(edition):
    o = edition.overall
    assert o["institution_id"].to_list() == ["A", "B", "C", "D"]
    assert o["rank"].to_list() == ["1", "2", "3–4", "3–4"]
    assert o["rank_position"].to_list() == [1, 2, 3, 4]
    assert o["overall_display"].to_list() == ["87.0", "37.6", "12.3–37.0", "12.3–37.0"]


def test_sdg_tables_list_every_submitter_with_ties(edition):
    t = edition.sdg_scores.filter(pl.col("sdg") == 2)
    assert t["institution_id"].to_list() == ["A", "D", "E", "B"]
    assert t["rank"].to_list() == ["1", "=2", "=2", "3+"]
    assert t["rank_position"].to_list() == [1, 2, 2, 4]


def test_ineligible_submitter_only_in_sdg_tables(edition):
    assert "E" not in edition.overall["institution_id"].to_list()
    e = edition.sdg_scores.filter(pl.col("institution_id") == "E").sort("sdg")
    assert e["sdg"].to_list() == [1, 2, 3]
    assert e["scaled_score"].to_list() == [None, None, None]
    assert e["counted"].to_list() == [False, False, False]


def test_counted_marks_sdg17_and_best_three(edition):
    c = edition.sdg_scores.filter(pl.col("institution_id") == "C").sort("sdg")
    assert dict(zip(c["sdg"], c["counted"], strict=True)) == {1: True, 3: True, 4: True, 17: True}
