"""The formula check on small tables written out by hand: every model's interval and gap for each row
recomputed here, the rows no model explains, statistics of one, two and five residuals (with residuals of
exactly 0.1, 0.5 and 1), pairs put out of order when a model ties two rows, what a table without exact rows
reports, and how many exact rows a best model needs."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from test_audit import GOLDEN, TABLE_ROWS, edition, model, with_tables
from test_audit_field import cards, design, ridge, stats

from impactrank.engine.published.audit import audit_edition
from published_field import SDGS, banded, published_field

NO_TABLES = "the edition has no SDG tables"
NONE_LEFT_OUT = {"misaligned_columns": 0, "no_overall_score": 0, "no_sdg17_score": 0, "not_three_scored_top_sdgs": 0}
NO_MODEL = {
    "models": [],
    "models_skipped": [],
    "models_not_applicable": {},
    "best_model": None,
    "best_model_banded": None,
    "unexplained": [],
}


def flat(iid: str, v: float, published: float, place: int, **more) -> dict:
    """A row whose four card scores (SDGs 3, 5, 12 and 17) are all ``v``: every model gives it ``v`` scaled."""
    return {"id": iid, "rank": str(place), "position": place, "overall": published, "sdg17": v} | {
        "tops": [(3, v), (5, v), (12, v)],
        **more,
    }


# published − 0.22·v − 0.26·3v: 0.1, 0.5, −1, 5, −26; p and q tied by every model, p published lower
FIVE = [
    flat("p", 50.0, 50.1, 5, q=None),
    flat("q", 50.0, 50.5, 4),
    flat("r", 60.0, 59.0, 1),
    flat("t", 40.0, 45.0, 2),
    flat("u", 70.0, 44.0, 3),
]
# shown in the overall table without an SDG 17 score: left out of the check and of every SDG's population
LEFT_OUT = flat("z", 90.0, 80.0, 6) | {"sdg17": None}


def gap(published: float, lo: float, hi: float, published_high: float | None = None) -> float:
    """How far the published value or range (±0.05) is from a model interval: 0 when they meet."""
    top = published if published_high is None else published_high
    above, below = published - 0.05 - hi, top + 0.05 - lo
    return above if above > 1e-9 else below if below < -1e-9 else 0.0


def intervals(v: float, pop: np.ndarray, line: np.ndarray) -> dict[str, tuple[float, float]]:
    """Each model's interval for a flat row at ``v`` (each input ±0.05; the weights sum to 1, so the overall
    score is the one SDG's scaled score), over the SDGs' common population ``pop``."""
    lo, hi = v - 0.05, v + 0.05
    sd = pop.std()

    def phi(x: float) -> float:
        return 50 * (1 + math.erf((x - pop.mean()) / sd / math.sqrt(2)))

    return {
        "displayed": (lo, hi),
        "max100": (100 * lo / pop.max(), 100 * hi / pop.max()),
        "minmax": tuple(100 * (x - pop.min()) / (pop.max() - pop.min()) for x in (lo, hi)),
        "percentile": (100 * (pop <= lo).mean(), 100 * (pop <= hi).mean()),
        "normal_cdf": (phi(lo), phi(hi)),
        "global_affine": tuple(sorted(line[0] + line[1] * x for x in (lo, hi))),
    }


def test_every_models_gap_and_the_rows_no_model_explains():
    report = audit_edition(edition([*FIVE, LEFT_OUT])).formula
    v = np.array([r["sdg17"] for r in FIVE])
    pub = np.array([r["overall"] for r in FIVE])
    line = ridge(np.c_[np.ones(5), v], pub, np.array([0.0, 1.0]))  # the plain formula of a flat row is v
    gaps = {r["id"]: {m: gap(r["overall"], *iv) for m, iv in intervals(r["sdg17"], v, line).items()} for r in FIVE}
    unexplained = [i for i, g in gaps.items() if all(x != 0 for x in g.values())]
    assert unexplained == ["r", "t", "u"]  # q is met by at least one model; p by the plain formula, touching
    expected = sorted(
        (
            {
                "institution_id": i,
                "name": i.upper(),
                "rank": r["rank"],
                "overall_display": str(r["overall"]),
                "quality": "ok",
                "exact": True,
                "gap": min(abs(x) for x in gaps[i].values()),
                "residuals": {m: pytest.approx(x, abs=1e-9) for m, x in gaps[i].items()},
            }
            for r in FIVE
            if (i := r["id"]) in unexplained
        ),
        key=lambda u: -u["gap"],
    )
    assert [u["gap"] for u in expected] == sorted((u["gap"] for u in expected), reverse=True)
    assert 0 < expected[-1]["gap"] < 1  # r: 0.9 below the plain formula, the nearest model
    assert report["unexplained"] == [u | {"gap": pytest.approx(u["gap"], abs=1e-9)} for u in expected]
    for name in gaps["p"]:
        assert model(audit_edition(edition([*FIVE, LEFT_OUT])).to_dict(), name)["rows_explained"] == sum(
            gaps[i][name] == 0 for i in gaps
        )


def test_the_models_a_table_without_sdg_tables_gets():
    report = audit_edition(edition([*FIVE, LEFT_OUT])).formula
    assert report["rows_excluded"] == NONE_LEFT_OUT | {"no_sdg17_score": 1}  # a null quality is no flag
    assert (report["exact_rows"], report["interval_rows"]) == (5, 0)
    assert [m["model"] for m in report["models"]] == [  # in name order
        "displayed",
        "global_affine",
        "max100",
        "minmax",
        "normal_cdf",
        "percentile",
    ]
    assert report["models_skipped"] == ["affine"]  # 5 exact rows for 2 parameters in each of 4 SDGs
    assert report["models_not_applicable"] == {
        "sdg_tables": NO_TABLES,
        "sdg_tables_eligible": NO_TABLES,
        "sdg_tables_max100": NO_TABLES,
        "two_year_average": "no previous edition with its SDG tables or overall table was given",
    }
    plain = next(m for m in report["models"] if m["model"] == "displayed")
    residuals = np.array([r["overall"] - r["sdg17"] for r in FIVE])
    assert plain["exact"] == {k: pytest.approx(x, abs=1e-9) for k, x in stats(residuals).items()} | {"explained": 1}
    assert (plain["exact"]["within_0.1"], plain["exact"]["within_0.5"], plain["exact"]["within_1.0"]) == (1, 2, 3)
    # u is published below every other row and given more than any by every model (4 pairs); p and q, tied by
    # the model, are no discordant pair
    assert plain["discordant_pairs"] == {"pairs": 10, "discordant": 4}
    assert plain["parameters"] == 0 and plain["exact_leave_one_out"] is None
    assert plain["description"] == "0.22 × SDG 17 + 0.26 × (sum of the top three) on the displayed scores."
    percentile = next(m for m in report["models"] if m["model"] == "percentile")
    assert percentile["description"] == (
        "Each SDG score replaced by its percentile among the table's scores in that SDG. For a range, the low end "
        "counts only scores certainly below it and the high end every score possibly below it."
    )
    # max100 over the five rows' scores only (highest 70; z's 90 is left out with its row)
    top = next(m for m in report["models"] if m["model"] == "max100")
    assert top["exact"]["mean"] == pytest.approx(np.mean([r["overall"] - 100 * r["sdg17"] / 70 for r in FIVE]))


def test_a_card_sdg_whose_counted_flag_is_unknown_counts():
    ed = edition(FIVE)
    ed = type(ed)(**{**ed.__dict__, "sdg_scores": ed.sdg_scores.with_columns(counted=pl.lit(None, pl.Boolean))})
    report = audit_edition(ed).formula
    assert report["rows_excluded"] == NONE_LEFT_OUT and report["exact_rows"] == 5
    top = next(m for m in report["models"] if m["model"] == "max100")
    assert top["exact"]["mean"] == pytest.approx(np.mean([r["overall"] - 100 * r["sdg17"] / 70 for r in FIVE]))


def test_residual_statistics_of_one_and_of_two_exact_rows():
    # the plain formula: a 0.22·80 + 0.26·280 = 90.4, published 90 → −0.4; b 79.9, published 85 → +5.1
    one = model(audit_edition(edition([GOLDEN[0], GOLDEN[2]])).to_dict(), "displayed")["exact"]
    assert one == {
        "n": 1,
        "mean": pytest.approx(-0.4),
        "sd": 0.0,
        "rmse": pytest.approx(0.4),
        "median_abs": pytest.approx(0.4),
        "max_abs": pytest.approx(0.4),
        "within_0.1": 0,
        "within_0.5": 1,
        "within_1.0": 1,
        "explained": 0,
    }
    two = model(audit_edition(edition(GOLDEN)).to_dict(), "displayed")["exact"]
    assert two["sd"] == pytest.approx(5.5 / math.sqrt(2), abs=1e-4)
    assert two["rmse"] == pytest.approx(math.sqrt((0.4**2 + 5.1**2) / 2), abs=1e-4)
    assert two["median_abs"] == pytest.approx(2.75, abs=1e-4)


def test_tables_without_an_exact_row_get_no_model():
    assert audit_edition(edition([GOLDEN[2]])).formula == {
        "rows_excluded": NONE_LEFT_OUT,
        "exact_rows": 0,
        "interval_rows": 1,
        **NO_MODEL,
    }
    assert audit_edition(edition([GOLDEN[0] | {"sdg17": None}])).formula == {
        "rows_excluded": NONE_LEFT_OUT | {"no_sdg17_score": 1},
        "exact_rows": 0,
        "interval_rows": 0,
        **NO_MODEL,
    }
    ed = edition([GOLDEN[0]])
    empty = type(ed)(**{**ed.__dict__, "overall": ed.overall.clear(), "sdg_scores": ed.sdg_scores.clear()})
    assert audit_edition(empty).formula == {
        "rows_excluded": NONE_LEFT_OUT,
        "exact_rows": 0,
        "interval_rows": 0,
        **NO_MODEL,
    }


def test_a_published_score_touching_the_plain_formula_from_either_side_is_explained():
    # 0.22·50 + 0.26·150 = 50 (±0.05 from the inputs) against 50.1 and 49.9 (±0.05 from the display)
    found = model(audit_edition(edition([flat("a", 50.0, 50.1, 1), flat("b", 50.0, 49.9, 2)])).to_dict(), "displayed")
    assert (found["exact"]["explained"], found["rows_explained"]) == (2, 2)


def test_the_two_year_average_without_a_known_point_of_last_year_has_no_exact_row():
    # last year's table, without SDG tables, gives a and b each an unknown single-year score (0–100)
    rows = [dict(GOLDEN[0], overall=67.9), dict(GOLDEN[1], overall=75.7), GOLDEN[2]]
    report = audit_edition(with_tables(rows, TABLE_ROWS, year=2023), edition(rows[:2])).to_dict()
    two = model(report, "two_year_average")
    assert two["exact"] == {"n": 0, "explained": 0}
    assert two["exact_leave_one_out"] is None
    assert model(report, "sdg_tables")["exact"]["n"] == 2


@pytest.mark.parametrize(("n", "best"), [(9, None), (10, "sdg_tables")])
def test_a_best_model_needs_ten_exact_rows(n, best):
    ed, _ = published_field(n=n)
    assert audit_edition(ed).formula["best_model"] == best


def test_banded_rows_meet_the_rule_and_the_plain_formulas_gaps():
    ed, truth = published_field()
    table = banded(ed, 20, [(21, 30), (31, 40)])
    report = audit_edition(table).formula
    assert (report["exact_rows"], report["interval_rows"]) == (20, 20)
    rule = next(m for m in report["models"] if m["model"] == "sdg_tables")
    assert rule["interval"] == {"n": 20, "consistent": 20, "mean_gap": 0.0, "max_gap": 0.0}
    assert rule["rows_explained"] == 40
    best = next(m for m in report["models"] if m["model"] == report["best_model_banded"])
    assert best["interval"]["consistent"] == max(m["interval"]["consistent"] for m in report["models"])
    # the plain formula at the displayed scores (each row's card as the field counts it) against each band's
    # published range ±0.05
    rows = {r["institution_id"]: r for r in table.overall.iter_rows(named=True)}
    d = []
    for iid, card in zip(truth["ids"], cards(truth), strict=True):
        r = rows[iid]
        if r["band"] is not None:
            plain = sum((0.22 if k == 17 else 0.26) * v for k, v in card.items())
            d.append(abs(gap(r["overall_low"], plain, plain, r["overall_high"])))
    plain = next(m for m in report["models"] if m["model"] == "displayed")
    assert 0 < max(d) < 1 and min(d) == 0
    assert plain["interval"] == {
        "n": 20,
        "consistent": sum(x == 0 for x in d),
        "mean_gap": pytest.approx(np.mean(d), abs=1e-9),
        "max_gap": pytest.approx(max(d), abs=1e-9),
    }


def ranged(iid: str, lo: float, hi: float, place: int) -> dict:
    """A banded row whose four card scores are each published as the range lo–hi, as its overall score."""
    return {"id": iid, "rank": f"{place}–{place + 1}", "position": place, "high": place + 1, "band": "b"} | {
        "overall": (lo, hi),
        "sdg17": (lo, hi),
        "tops": [(3, (lo, hi)), (5, (lo, hi)), (12, (lo, hi))],
    }


def test_scores_published_as_ranges_in_the_scaling_models_populations():
    # every SDG shows 65 (a), 80 (b) and 60–70 (c): 65 is certainly above none of them (only 65 ≤ 65 at most)
    # and possibly above 60–70, so its percentile is 33.3 to 66.7; min–max runs from c's 60 to b's 80; the
    # normal CDF takes c at its midpoint, 65
    rows = [flat("a", 65.0, 40.0, 2), flat("b", 80.0, 99.0, 1), ranged("c", 60.0, 70.0, 3)]
    report = audit_edition(edition(rows)).to_dict()
    lows, highs = np.array([65.0, 80.0, 60.0]), np.array([65.0, 80.0, 70.0])
    mid = (lows + highs) / 2

    def phi(x: float) -> float:
        return 50 * (1 + math.erf((x - mid.mean()) / mid.std() / math.sqrt(2)))

    scales = {  # (low end, high end) of a score interval
        "percentile": lambda lo, hi: (100 * (highs <= lo).mean(), 100 * (lows <= hi).mean()),
        "minmax": lambda lo, hi: (100 * (lo - 60) / 20, 100 * (hi - 60) / 20),
        "normal_cdf": lambda lo, hi: (phi(lo), phi(hi)),
    }
    for name, scale in scales.items():
        found = model(report, name)
        at_display = np.array([scale(v, v)[0] for v in (65.0, 80.0)])
        assert found["exact"]["mean"] == pytest.approx(np.mean([40.0, 99.0] - at_display), abs=1e-4), name
        wide = [scale(v - 0.05, v + 0.05) for v in (65.0, 80.0)]
        explained = [gap(p, *iv) == 0 for p, iv in zip((40.0, 99.0), wide, strict=True)]
        assert found["exact"]["explained"] == sum(explained), name
        c_lo, c_hi = scale(60.0, 70.0)
        assert found["interval"]["mean_gap"] == pytest.approx(abs(gap(60.0, c_lo, c_hi, 70.0)), abs=1e-4), name


def test_an_sdg_whose_shown_scores_are_all_equal_or_nearly():
    # SDG 3 shows 50 for every row: min–max gives each the top (100), the normal CDF the mean (50); SDG 12
    # shows 50 and 50.5 (σ 0.25): ±1σ
    rows = [
        flat(iid, s17, overall, place) | {"tops": [(3, 50.0), (5, s5), (12, s12)]}
        for iid, place, overall, s17, s5, s12 in [("a", 1, 70.0, 80.0, 90.0, 50.5), ("b", 2, 40.0, 20.0, 30.0, 50.0)]
    ]
    report = audit_edition(edition(rows)).to_dict()
    # minmax: a 0.22·100 + 0.26·(100 + 100 + 100) = 100, b 0.22·0 + 0.26·(100 + 0 + 0) = 26
    assert model(report, "minmax")["exact"]["mean"] == pytest.approx(((70 - 100) + (40 - 26)) / 2, abs=1e-4)
    phi1 = 50 * (1 + math.erf(1 / math.sqrt(2)))  # Φ(1) in percent; SDGs 5 and 17 are ±1σ too
    a = 0.22 * phi1 + 0.26 * (50 + phi1 + phi1)
    b = 0.22 * (100 - phi1) + 0.26 * (50 + 2 * (100 - phi1))
    found = model(report, "normal_cdf")["exact"]
    assert (found["mean"], found["max_abs"]) == (
        pytest.approx(((70 - a) + (40 - b)) / 2, abs=1e-4),
        pytest.approx(max(abs(70 - a), abs(40 - b)), abs=1e-4),
    )


@pytest.mark.parametrize(
    ("n", "skipped"), [(3, ["affine", "global_affine"]), (4, ["affine"]), (11, ["affine"]), (12, [])]
)
def test_fitted_models_need_more_exact_rows_than_parameters_and_one(n, skipped):
    # global_affine: 2 parameters, needs 4 rows; affine: 2 per SDG of the cards (3, 5, 9, 13 and 17 here), 12
    ed, truth = published_field(n=n)
    assert {k for card in cards(truth) for k in card} == {3, 5, 9, 13, 17} or n < 11
    assert audit_edition(ed).formula["models_skipped"] == skipped


@pytest.mark.parametrize("fitted", ["global_affine", "affine"])
def test_fitted_models_explain_the_rows_their_line_meets_with_each_input_widened(fitted):
    ed, truth = published_field()
    x, prior = design(truth, fitted)
    y = np.round(truth["overall"], 1)
    theta = ridge(x, y, prior)
    if fitted == "global_affine":  # one line over the plain formula, itself ±0.05 (its weights sum to 1)
        ends = np.sort(np.c_[theta[0] + theta[1] * (x[:, 1] - 0.05), theta[0] + theta[1] * (x[:, 1] + 0.05)], 1)
    else:  # per SDG a + b × score, each score ±0.05, weighted as the card weighs it
        col = {k: j for j, k in enumerate(SDGS)}
        ends = np.zeros((len(y), 2))
        for i, card in enumerate(cards(truth)):
            for k, v in card.items():
                a, b = theta[col[k]], theta[len(SDGS) + col[k]]
                ends[i] += (0.22 if k == 17 else 0.26) * np.sort([a + b * (v - 0.05), a + b * (v + 0.05)])
    explained = sum(gap(p, lo, hi) == 0 for p, (lo, hi) in zip(y, ends, strict=True))
    found = model(audit_edition(ed).to_dict(), fitted)
    assert 0 < explained < len(y)
    assert (found["exact"]["explained"], found["rows_explained"]) == (explained, explained)
