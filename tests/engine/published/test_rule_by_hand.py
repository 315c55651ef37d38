"""The rule of a published edition on two small editions written out here: 2022 published by THE's single-year
rule, 2023 by the mean with 2022. Every published number is computed by the test itself (each SDG min–max over its
table, 0.22 × SDG 17 + 0.26 × the best three others, shown to one decimal), so the rule found, the rows it is judged
on and the bounds it gives can be checked against it."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from impactrank.engine.published import reproduce as rp
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

# institution → SDG → score as its SDG table shows it. D is in SDG tables only (no SDG 17); E (2022) and F (2023)
# have SDG 17 and two others, so no card, and their overall score is published as a band's range; C is alone in
# SDG 5's 2022 table (100 for it, nothing for the others); N is new in 2023.
SCORES = {
    2022: {
        "A": {17: 90.0, 1: 80.0, 2: 60.0, 3: 30.0},
        "B": {17: 10.0, 1: 20.0, 2: 40.0, 3: 70.0, 4: 40.0},
        "C": {17: 50.0, 1: 50.0, 2: 60.0, 3: 50.0, 4: 20.0, 5: 55.0},
        "D": {1: 20.0, 4: 80.0},
        "E": {17: 30.0, 1: 40.0, 4: 60.0},
    },
    2023: {
        "A": {17: 50.0, 1: 20.0, 2: 70.0, 3: 40.0},
        "B": {17: 90.0, 1: 80.0, 2: 30.0, 3: 40.0},
        "C": {17: 10.0, 1: 50.0, 2: 50.0, 3: 80.0},
        "N": {17: 30.0, 1: 80.0, 2: 50.0, 3: 20.0},
        "E": {17: 40.0, 1: 60.0, 2: 40.0, 3: 50.0},
        "F": {17: 20.0, 1: 30.0, 3: 60.0},
    },
}
RANGES = {2022: {"E": (20.0, 30.0)}, 2023: {"F": (30.0, 40.0)}}  # overall scores published as a band's range
E_2022_TRUE = 25.0  # the single-year score inside it that THE averaged with in 2023


def scaled(year: int) -> dict[str, dict[int, float]]:
    """Each SDG min–max over its table (100 for a table's one score)."""
    tables = {s: [v[s] for v in SCORES[year].values() if s in v] for s in range(1, 18)}
    return {i: {s: minmax(x, tables[s]) for s, x in v.items()} for i, v in SCORES[year].items()}


def minmax(x: float, table: list[float]) -> float:
    return 100.0 * (x - min(table)) / (max(table) - min(table)) if max(table) > min(table) else 100.0


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
    # the sum of halves, as THE's mean and the rule's interval bounds add them
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
    for i, (low, high) in RANGES[year].items():
        e = scores[i][17]
        overall.append(
            {"institution_id": i, "overall_low": low, "overall_high": high, "sdg17_score": e, "sdg17_low": e}
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
        manifest={"sdg_tables": {str(s): 0 for s in range(1, 18) if any(s in v for v in scores.values())}},
    )


@pytest.fixture(scope="module")
def editions() -> dict[int, Edition]:
    return {year: edition(year) for year in SCORES}


def test_2022_follows_the_single_year_rule_on_its_three_cards(editions):
    rule = edition_rule(editions[2022])
    assert (rule.name, rule.edition, rule.explained, rule.of) == ("single_year", "2022", 3, 3)
    assert rule.previous is None and rule.previous_edition is None
    assert rule.extremes.top[[0, 1, 2, 3, 4, 16]].tolist() == [80.0, 60.0, 70.0, 80.0, 55.0, 90.0]
    assert rule.extremes.bottom[[0, 1, 2, 3, 4, 16]].tolist() == [20.0, 40.0, 30.0, 20.0, 55.0, 10.0]


def test_2023_needs_its_previous_edition_and_follows_the_two_year_rule(editions):
    with pytest.raises(InputError) as refused:
        edition_rule(editions[2023])
    assert refused.value.field == "previous_edition"
    assert refused.value.message == (  # N, the newcomer, alone
        "edition 2023's published overall scores are not reproduced by the single-year rule (1 of 5 exact rows); "
        "THE averages with the previous year from 2023: import or name the previous edition (--previous-edition)"
    )
    rule = edition_rule(editions[2023], editions[2022])
    # judged on A, B, C (2022 published exactly) and N (new); not E, whose 2022 score is a band's range
    assert (rule.name, rule.edition, rule.previous_edition, rule.explained, rule.of) == (
        "two_year",
        "2023",
        "2022",
        4,
        4,
    )


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
    # F, in the overall table without a card: its term is unknown, anywhere in 0–100
    lo, hi, point = aligned(terms, ["F"])
    assert (lo[0], hi[0]) == (0.0, 100.0) and np.isnan(point[0])


def test_last_years_terms_are_unknown_when_it_has_no_sdg_tables(editions):
    full = editions[2022]
    overall_only = Edition(
        id="x",
        year=2022,
        kind="imported",
        source="",
        institutions=full.institutions,
        overall=full.overall,
        sdg_scores=full.sdg_scores.clear(),
    )
    lo, hi, point = aligned(previous_terms(overall_only), ["A", "E"])
    assert lo.tolist() == [0.0, 0.0] and hi.tolist() == [100.0, 100.0] and np.isnan(point).all()


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
    messages = [
        (
            no_tables,
            "edition x has no SDG tables, so its overall scores cannot be recomputed: import the edition with "
            "its SDG tables (impactrank import FOLDER)",
        ),
        (
            no_overall,
            "edition x has SDG tables only, no overall table: what-if and advice recompute an overall score "
            "by the rule its overall table shows, so they need an edition with one",
        ),
        (no_exact, "edition x has no row with exact scores to check a rule against"),
    ]
    for ed, message in messages:
        with pytest.raises(InputError) as refused:
            edition_rule(ed)
        assert refused.value.message == message and refused.value.field == "rule"


def test_2023_averaged_with_an_edition_that_does_not_explain_it_is_refused(editions):
    # 2023 as its own previous edition: its terms are its single-year scores, so the means are those scores again
    with pytest.raises(InputError) as refused:
        edition_rule(editions[2023], editions[2023])
    assert refused.value.field == "rule"
    assert refused.value.message == (
        "edition 2023's published overall scores are reproduced neither by the single-year rule (1 of 5 exact rows) "
        "nor by the two-year average with 2023 (1 of 5)"
    )


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
    # touching at one point: that point
    assert within_published(o_lo[:1], o_hi[:1], (20.0, 25.0)) == ([20.0], [20.0])


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


def test_change_bounds_add_every_changed_sdg_row_by_row(editions):
    """Exact scores and extremes: the bounds are the change itself, each row (a candidate) on its own; two SDGs
    changed in one row add, the second judged against the best three the first left."""
    tables = {k: [v[k] for v in SCORES[2022].values() if k in v] for k in range(1, 18)}
    top = np.array([max(tables[k]) if tables[k] else np.nan for k in range(1, 18)])
    bottom = np.array([min(tables[k]) if tables[k] else np.nan for k in range(1, 18)])
    rule = Rule("single_year", "2022", rp.Extremes(top, bottom, top, top, bottom, bottom), 0, 0, None)

    def overall(scores: dict[int, float]) -> float:
        scaled = {k: minmax(x, tables[k]) for k, x in scores.items()}
        return 0.22 * scaled[17] + 0.26 * sum(sorted((x for k, x in scaled.items() if k != 17), reverse=True)[:3])

    for who, changes in (
        # B: SDGs 1 and 2 from its tables' bottom to their top (0, 0, 100, 33 → 100, 100, 100, 33), SDG 17 to the top
        ("B", [{1: 80.0, 2: 60.0}, {17: 90.0}, {4: 20.0}]),
        # A, three SDGs besides 17: SDG 1 to its table's bottom (a not-submitted SDG is no better than 0)
        ("A", [{1: 20.0}, {3: 70.0, 2: 40.0}]),
        # C, five SDGs besides 17 (50, 100, 50, 0, 100): a row that leaves SDG 2 alone keeps its 100 there, so SDG 3
        # falling to 0 leaves SDG 1's 50 third and moves nothing
        ("C", [{2: 40.0}, {3: 30.0}]),
    ):
        now = np.full(17, np.nan)
        for k, x in SCORES[2022][who].items():
            now[k - 1] = x
        new = np.array([[v.get(k, now[k - 1]) for k in range(1, 18)] for v in changes])
        d_lo, d_hi = change_bounds(now, now, new, new, rule)
        moved = [overall(SCORES[2022][who] | v) - overall(SCORES[2022][who]) for v in changes]
        assert d_lo == pytest.approx(moved) and d_hi == pytest.approx(moved), who


def test_a_range_set_to_its_low_end_is_a_change(editions):
    # B's SDG 4 published as 40–50, set to 40: the score falls by anything from nothing to 10 points, scaled ×100/60
    tables = {k: [v[k] for v in SCORES[2022].values() if k in v] for k in range(1, 18)}
    top = np.array([max(tables[k]) if tables[k] else np.nan for k in range(1, 18)])
    bottom = np.array([min(tables[k]) if tables[k] else np.nan for k in range(1, 18)])
    rule = Rule("single_year", "2022", rp.Extremes(top, bottom, top, top, bottom, bottom), 0, 0, None)
    lo = np.array([SCORES[2022]["B"].get(k, np.nan) for k in range(1, 18)])
    hi = lo.copy()
    hi[3] = 50.0
    new = lo.copy()[None]
    d_lo, d_hi = change_bounds(lo, hi, new, new, rule)
    assert d_lo == pytest.approx([-0.26 * 10 * 100 / 60]) and d_hi == pytest.approx([0.0])
