"""The rule of a published edition on two small editions written out here: 2022 published by THE's single-year
rule, 2023 by the mean with 2022. Every published number is computed by the test itself (each SDG min–max over its
table, 0.22 × SDG 17 + 0.26 × the best three others, shown to one decimal), so the rule found, the rows it is judged
on and the bounds it gives can be checked against it."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from impactrank.engine.published.rule import (
    Rule,
    aligned,
    change_bounds,
    edition_rule,
    overall_bounds,
    previous_terms,
    published_overall,
    score_intervals,
    score_matrix,
    within_published,
)
from impactrank.engine.tables.edition import Edition
from impactrank.errors import InputError

# institution → SDG → score as its SDG table shows it. D is in SDG tables only (no SDG 17); E has SDG 17 and two
# others in 2022, so it has no card, and its overall score is published as a band's range; N is new in 2023.
SCORES = {
    2022: {
        "A": {17: 90.0, 1: 80.0, 2: 60.0, 3: 30.0},
        "B": {17: 10.0, 1: 20.0, 2: 40.0, 3: 70.0, 4: 40.0},
        "C": {17: 50.0, 1: 50.0, 2: 60.0, 3: 50.0, 4: 20.0},
        "D": {1: 20.0, 4: 80.0},
        "E": {17: 30.0, 1: 40.0, 4: 60.0},
    },
    2023: {
        "A": {17: 50.0, 1: 20.0, 2: 70.0, 3: 40.0},
        "B": {17: 90.0, 1: 80.0, 2: 30.0, 3: 40.0},
        "C": {17: 10.0, 1: 50.0, 2: 50.0, 3: 80.0},
        "N": {17: 30.0, 1: 80.0, 2: 50.0, 3: 20.0},
        "E": {17: 40.0, 1: 60.0, 2: 40.0, 3: 50.0},
    },
}
E_2022_RANGE = (20.0, 30.0)  # E's published 2022 band
E_2022_TRUE = 25.0  # the single-year score inside it that THE averaged with in 2023


def scaled(year: int) -> dict[str, dict[int, float]]:
    """Each SDG min–max over its table."""
    tables = {s: [v[s] for v in SCORES[year].values() if s in v] for s in (1, 2, 3, 4, 17)}
    return {
        i: {s: 100.0 * (x - min(tables[s])) / (max(tables[s]) - min(tables[s])) for s, x in v.items()}
        for i, v in SCORES[year].items()
    }


def single_year(year: int) -> dict[str, float]:
    """0.22 × SDG 17 + 0.26 × the best three others, for the institutions with SDG 17 and three others."""
    out = {}
    for i, v in scaled(year).items():
        others = sorted((x for s, x in v.items() if s != 17), reverse=True)
        if 17 in v and len(others) >= 3:
            out[i] = 0.22 * v[17] + 0.26 * sum(others[:3])
    return out


def published(year: int) -> dict[str, float]:
    """The published overall score at full precision: 2023 the mean with 2022's published score (E's true one)."""
    if year == 2022:
        return single_year(2022)
    last = {i: round(x, 1) for i, x in single_year(2022).items()} | {"E": E_2022_TRUE}
    return {i: (x + last[i]) / 2 if i in last else x for i, x in single_year(2023).items()}


def counted(year: int) -> dict[str, set[int]]:
    """SDG 17 and the best three others of each institution with an overall score."""
    out = {}
    for i, v in scaled(year).items():
        others = sorted((s for s in v if s != 17), key=lambda s: -v[s])[:3]
        out[i] = {17, *others} if len(others) >= 3 else set(v)
    return out


def edition(year: int) -> Edition:
    scores, shown, flags = SCORES[year], published(year), counted(year)
    sdg_rows = [
        {"institution_id": i, "sdg": s, "score": x, "score_low": x, "score_high": x, "counted": s in flags[i]}
        for i, v in scores.items()
        for s, x in v.items()
    ]
    overall = [
        {
            "institution_id": i,
            "overall_score": round(x, 1),
            "overall_low": round(x, 1),
            "overall_high": round(x, 1),
            "sdg17_score": scores[i][17],
            "sdg17_low": scores[i][17],
            "sdg17_high": scores[i][17],
            "quality": "ok",
        }
        for i, x in shown.items()
    ]
    if year == 2022:
        e = scores["E"][17]
        low, high = E_2022_RANGE
        overall.append(
            {"institution_id": "E", "overall_low": low, "overall_high": high, "sdg17_score": e, "sdg17_low": e}
            | {"sdg17_high": e, "quality": "ok"}
        )
    return Edition(
        id=str(year),
        year=year,
        kind="imported",
        source="by hand",
        institutions=pl.DataFrame({"institution_id": list(scores), "name": list(scores)}),
        overall=pl.DataFrame(overall),
        sdg_scores=pl.DataFrame(sdg_rows),
        manifest={"sdg_tables": {str(s): 0 for s in (1, 2, 3, 4, 17) if any(s in v for v in scores.values())}},
    )


@pytest.fixture(scope="module")
def editions() -> dict[int, Edition]:
    return {year: edition(year) for year in SCORES}


def test_2022_follows_the_single_year_rule_on_its_three_cards(editions):
    rule = edition_rule(editions[2022])
    assert (rule.name, rule.edition, rule.explained, rule.of) == ("single_year", "2022", 3, 3)
    assert rule.previous is None and rule.previous_edition is None
    assert rule.extremes.top[[0, 1, 2, 3, 16]].tolist() == [80.0, 60.0, 70.0, 80.0, 90.0]
    assert rule.extremes.bottom[[0, 1, 2, 3, 16]].tolist() == [20.0, 40.0, 30.0, 20.0, 10.0]


def test_2023_needs_its_previous_edition_and_follows_the_two_year_rule(editions):
    with pytest.raises(InputError) as refused:
        edition_rule(editions[2023])
    assert refused.value.field == "previous_edition"
    assert refused.value.params == {"edition": "2023", "k": 1, "n": 5}  # N, the newcomer, alone
    rule = edition_rule(editions[2023], editions[2022])
    # judged on A, B, C (2022 published exactly) and N (new); not E, whose 2022 score is a band's range
    assert (rule.name, rule.previous_edition, rule.explained, rule.of) == ("two_year", "2022", 4, 4)


def test_last_years_terms_are_its_published_scores_when_it_is_single_year(editions):
    terms = previous_terms(editions[2022])
    lo, hi, point = aligned(terms, ["A", "B", "C", "E", "N"])
    shown = {i: round(x, 1) for i, x in single_year(2022).items()}
    assert point[:3].tolist() == [shown["A"], shown["B"], shown["C"]]
    assert lo.tolist()[:4] == pytest.approx([shown["A"] - 0.05, shown["B"] - 0.05, shown["C"] - 0.05, 19.95])
    assert hi.tolist()[:4] == pytest.approx([shown["A"] + 0.05, shown["B"] + 0.05, shown["C"] + 0.05, 30.05])
    assert np.isnan(point[3]) and np.isnan(lo[4]) and np.isnan(hi[4]) and np.isnan(point[4])


def test_last_years_terms_are_its_single_year_scores_reproduced_when_it_averages(editions):
    # 2023 averages, so its own terms (for a 2024) are its single-year scores from its cards: exact where the card is
    terms = previous_terms(editions[2023])
    lo, hi, point = aligned(terms, ["A", "B", "C", "N", "E"])
    expected = single_year(2023)
    for k, i in enumerate(["A", "B", "C", "N", "E"]):
        assert lo[k] <= expected[i] <= hi[k] and hi[k] - lo[k] < 0.4, i
        assert point[k] == pytest.approx(expected[i]), i


def test_refusals_name_what_the_edition_lacks(editions):
    full = editions[2022]
    no_tables = Edition(
        id="x",
        year=2022,
        kind="imported",
        source="",
        institutions=full.institutions,
        overall=full.overall,
        sdg_scores=full.sdg_scores.clear(),
    )
    no_overall = Edition(
        id="x",
        year=2022,
        kind="imported",
        source="",
        institutions=full.institutions,
        overall=full.overall.clear(),
        sdg_scores=full.sdg_scores,
        manifest=full.manifest,
    )
    ranges = full.overall.with_columns(overall_score=None)
    no_exact = Edition(
        id="x",
        year=2022,
        kind="imported",
        source="",
        institutions=full.institutions,
        overall=ranges,
        sdg_scores=full.sdg_scores,
        manifest=full.manifest,
    )
    for ed, words in ((no_tables, "no SDG tables"), (no_overall, "no overall table"), (no_exact, "no row with exact")):
        with pytest.raises(InputError) as refused:
            edition_rule(ed)
        assert words in refused.value.message and refused.value.field == "rule"


def test_2023_averaged_with_an_edition_that_does_not_explain_it_is_refused(editions):
    # 2023 as its own previous edition: its terms are its single-year scores, so the means are those scores again
    with pytest.raises(InputError) as refused:
        edition_rule(editions[2023], editions[2023])
    assert refused.value.field == "rule"
    assert refused.value.params == {"edition": "2023", "k": 1, "n": 5, "previous": "2023", "k2": 1, "n2": 5}


@pytest.mark.parametrize("year", [2022, 2023])
def test_overall_bounds_hold_the_published_score_of_every_eligible_row(editions, year):
    ed = editions[year]
    rule = edition_rule(ed, editions[2022] if year == 2023 else None)
    ids, lo, hi = score_matrix(ed.sdg_scores)
    assert ids == sorted(SCORES[year])
    for r, i in enumerate(ids):
        for s in range(1, 18):
            x = SCORES[year][i].get(s)
            assert (lo[r, s - 1], hi[r, s - 1]) == (
                (x - 0.05, x + 0.05) if x is not None else (pytest.approx(np.nan, nan_ok=True),) * 2
            )
    o_lo, o_hi = overall_bounds(lo, hi, rule.extremes, rule, ids)
    expected = published(year)
    for r, i in enumerate(ids):
        if i in expected and not (year == 2022 and i == "E"):
            # E's 2022 term is known only as its band's range (10 points): half of it stays in 2023's bounds
            width = 0.5 * 10.1 + 0.6 if i == "E" else 0.6
            assert o_lo[r] <= expected[i] <= o_hi[r] and o_hi[r] - o_lo[r] < width, i
        else:  # not eligible: no SDG 17, or fewer than three other SDGs
            assert np.isnan(o_lo[r]) and np.isnan(o_hi[r]), i


def test_published_overall_is_the_interval_its_display_allows(editions):
    assert published_overall(editions[2022], "A") == pytest.approx(
        (round(single_year(2022)["A"], 1) - 0.05,) * 1 + (round(single_year(2022)["A"], 1) + 0.05,)
    )
    assert published_overall(editions[2022], "E") == pytest.approx((19.95, 30.05))
    assert published_overall(editions[2022], "D") is None


def test_within_published_intersects_or_keeps_the_derived_bounds():
    o_lo, o_hi = np.array([10.0, 10.0, 10.0]), np.array([20.0, 20.0, 20.0])
    lo, hi = within_published(o_lo, o_hi, (15.0, 25.0))
    assert lo.tolist() == [15.0] * 3 and hi.tolist() == [20.0] * 3
    lo, hi = within_published(o_lo, o_hi, (15.0, 25.0), (np.array([0.0, -10.0, 10.0]), np.array([1.0, -8.0, 12.0])))
    # moved by the change: [15, 26] → [15, 20]; [5, 17] → [10, 17]; [25, 37] meets nothing → kept as derived
    assert lo.tolist() == [15.0, 10.0, 10.0] and hi.tolist() == [20.0, 17.0, 20.0]
    assert within_published(o_lo, o_hi, None) == (o_lo, o_hi)


def test_score_intervals_round_the_published_scores_only(editions):
    mine = editions[2022].sdg_scores.filter(pl.col("institution_id") == "B")
    lo, hi, point = score_intervals(mine, {3: 75.0})
    for s in range(1, 18):
        x = SCORES[2022]["B"].get(s)
        width = 0.0 if s == 3 else 0.05
        if x is None:
            assert np.isnan(lo[s - 1]) and np.isnan(hi[s - 1]) and np.isnan(point[s - 1])
        else:
            assert (lo[s - 1], hi[s - 1], point[s - 1]) == pytest.approx((x - width, x + width, x))


def test_under_the_two_year_rule_only_this_years_half_moves(editions):
    two_year = edition_rule(editions[2023], editions[2022])
    one_year = Rule("single_year", "2023", two_year.extremes, 0, 0, None)
    # C's SDG 1 from 50 to 80 (the table's top): scaled 50 → 100, best three 100, 50, 100 where they were 50, 50, 100
    now = np.full(17, np.nan)
    for s, x in SCORES[2023]["C"].items():
        now[s - 1] = x
    new = now.copy()
    new[0] = 80.0
    d_lo, d_hi = change_bounds(now, now, new[None], new[None], one_year)
    assert d_lo[0] <= 0.26 * 50 <= d_hi[0] and d_hi[0] - d_lo[0] < 0.1
    half = change_bounds(now, now, new[None], new[None], two_year)
    assert (half[0][0], half[1][0]) == pytest.approx((0.5 * d_lo[0], 0.5 * d_hi[0]))
