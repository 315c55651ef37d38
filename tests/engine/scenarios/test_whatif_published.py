"""What-if and advice on a published edition: a synthetic published field whose overall scores this test
computes itself by THE's rule, properties of the intervals, and THE's real 2021 and 2023 tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactrank.engine.scenarios.whatif_published import place, whatif_published
from impactrank.engine.tables.edition import Edition
from impactrank.errors import InputError
from published_field import SDGS, banded, published_field, rule_bounds


@pytest.fixture(scope="module")
def field():
    """The synthetic field and its truth, built at the first test rather than at import: a mutation run forks its
    test processes after collection, and a fork after Polars has used its thread pool hangs."""
    return published_field()


def point(truth: dict, settings: dict[int, float], who: int) -> float:
    """The test's own recomputation after a change: min–max over each SDG with the new score in it."""
    scores = {k: truth["scores"][k].copy() for k in SDGS}
    extra = {}
    for k, v in settings.items():
        if k in scores:
            scores[k][who] = v
        else:
            extra[k] = v  # an added SDG: the institution alone in that table scales to 100
    scaled = {k: 100 * (v - v.min()) / (v.max() - v.min()) for k, v in scores.items()}
    others = [scaled[k][who] for k in SDGS if k != 17] + [100.0 for _ in extra]
    return 0.22 * scaled[17][who] + 0.26 * sum(sorted(others, reverse=True)[:3])


def test_unchanged_scores_give_the_published_score_and_place(field):
    edition, truth = field
    for i in (0, 5, 17, 39):
        r = whatif_published(edition, truth["ids"][i], {})
        published = edition.overall.row(i, named=True)
        assert r.overall_low - 0.05 <= published["overall_score"] <= r.overall_high + 0.05
        assert r.overall_low <= truth["overall"][i] <= r.overall_high
        assert r.rank_low <= published["rank_position"] <= r.rank_high
        assert r.overall_point == pytest.approx(truth["overall"][i], abs=1e-9)


def test_the_place_interval_spans_every_place_the_score_interval_allows(field):
    """Another row is certainly above when its published interval (display ± 0.05) lies wholly above the
    institution's interval, and possibly above when it reaches above the interval's bottom: the best place
    counts the first, the worst place the second. SDG 17 is set to its own displayed score, taken as exact: the
    interval is then the rule's, not only the published score's ± 0.05 (which meets no other row's)."""
    edition, truth = field
    shown = edition.overall["overall_score"].to_numpy()
    overlaps = 0
    for i, iid in enumerate(truth["ids"]):
        r = whatif_published(edition, iid, {17: float(truth["scores"][17][i])})
        others = np.delete(shown, i)
        # compared at 1e-9 so that float noise does not turn two intervals that only touch into an overlap
        assert r.rank_low == 1 + int((np.round(others - 0.05 - r.overall_high, 9) > 0).sum())
        assert r.rank_high == 1 + int((np.round(others + 0.05 - r.overall_low, 9) > 0).sum())
        overlaps += int(((others + 0.05 > r.overall_low) & (others + 0.05 <= r.overall_high)).sum())
    assert overlaps > 0  # rows whose interval reaches into another's without passing its top


def test_unchanged_rows_touching_by_a_tenth_are_certainly_above_or_below(field):
    """Unchanged, an exact row's interval is its displayed score ± 0.05: a row shown 0.1 higher touches it from
    above (certainly above), one shown 0.1 lower touches it from below (not above); the field has such a pair."""
    edition, truth = field
    shown = np.round(truth["overall"], 1)
    assert np.isclose(np.abs(shown[:, None] - shown[None, :]), 0.1).any()
    for i, iid in enumerate(truth["ids"]):
        r = whatif_published(edition, iid, {})
        others = np.delete(shown, i)
        assert (r.rank_low, r.rank_high) == (1 + int((others > shown[i]).sum()), 1 + int((others >= shown[i]).sum()))
        # shown as its published score, whichever way the interval's ends round
        assert (r.overall, r.edition, r.institution_id, r.name) == (f"{shown[i]:.1f}", "2021", iid, iid.upper())


@settings(max_examples=60, deadline=None)
@given(
    who=st.integers(0, 39),
    sdg=st.sampled_from([3, 5, 9, 13, 17, 1]),
    value=st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)),
)
def test_the_interval_holds_the_point_at_the_displayed_inputs(field, who, sdg, value):
    edition, truth = field
    r = whatif_published(edition, truth["ids"][who], {sdg: value})
    expected = point(truth, {sdg: value}, who)
    assert r.overall_low - 1e-9 <= expected <= r.overall_high + 1e-9
    assert r.overall_point == pytest.approx(expected, abs=1e-9)
    assert 1 <= r.rank_low <= r.rank_high <= edition.overall.height


@settings(max_examples=40, deadline=None)
@given(
    who=st.integers(0, 39),
    sdg=st.sampled_from([3, 5, 9, 13, 17]),
    a=st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)),
    b=st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)),
)
def test_raising_a_score_never_lowers_the_interval(field, who, sdg, a, b):
    edition, truth = field
    low, high = sorted((a, b))
    r1 = whatif_published(edition, truth["ids"][who], {sdg: low})
    r2 = whatif_published(edition, truth["ids"][who], {sdg: high})
    assert r2.overall_low >= r1.overall_low - 1e-9 and r2.overall_high >= r1.overall_high - 1e-9


@pytest.mark.parametrize(
    ("settings", "institution", "message"),
    [
        ({18: 50.0}, "u01", "SDG 18 is not a goal: SDGs are numbered 1–17$"),
        ({0: 50.0}, "u01", "SDG 0 is not a goal"),
        ({13: 100.1}, "u01", "SDG 13 score 100.1 is outside 0–100$"),
        ({13: -0.1}, "u01", "SDG 13 score -0.1 is outside 0–100$"),
        ({}, "nobody", "no institution 'nobody'"),
    ],
)
def test_bad_settings(field, settings, institution, message):
    edition, _ = field
    with pytest.raises(InputError, match=message) as refused:
        whatif_published(edition, institution, settings)
    assert refused.value.field == ("set-sdg" if settings else "institution")


def test_the_ends_of_the_score_range_and_of_the_goals_are_accepted(field):
    edition, _ = field
    for scores in ({1: 0.0}, {17: 100.0}, {13: 0.0, 3: 100.0}):
        assert whatif_published(edition, "u01", scores).inputs


def test_an_edition_without_sdg_tables_is_refused(field):
    edition, _ = field
    bare = Edition(
        id="2021",
        year=2021,
        kind="imported",
        source="t",
        institutions=edition.institutions,
        overall=edition.overall,
        sdg_scores=edition.sdg_scores.filter(pl.col("counted")),
    )
    with pytest.raises(InputError, match="no SDG tables"):
        whatif_published(bare, "u01", {13: 50.0})


# ---------------------------------------------------------------------------------------------- THE's tables

TABLES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "published" / "the-impact-tables"


@pytest.fixture(scope="module")
def real(the_tables):
    eds = {e.year: e for e in the_tables.editions}
    raw = pl.read_excel(
        TABLES / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx", engine="calamine", infer_schema_length=0
    )
    return eds, raw


@pytest.mark.shared
@pytest.mark.parametrize("year", [2021, 2023])
def test_published_scores_set_back_give_the_published_score_and_rank(real, year):
    """Rows whose card is all exact: setting each counted SDG to its published score gives back the published
    overall score and a place holding the published rank (the position read from the raw table)."""
    eds, raw = real
    ed, previous = eds[year], eds.get(year - 1)
    rows = raw.filter(pl.col("Year") == str(year)).with_row_index("position", offset=1)
    checked = 0
    for rec in (
        ed.overall.filter(pl.col("band").is_null() & pl.col("overall_score").is_not_null())
        .head(40)
        .iter_rows(named=True)
    ):
        card = ed.sdg_scores.filter((pl.col("institution_id") == rec["institution_id"]) & pl.col("counted"))
        if card["score"].null_count():
            continue
        r = whatif_published(ed, rec["institution_id"], dict(zip(card["sdg"], card["score"], strict=True)), previous)
        raw_row = rows.filter(pl.col("University") == r.name)
        published = float(raw_row["Overall"][0])
        assert r.overall_low - 0.05 <= published <= r.overall_high + 0.05, r.name
        assert (
            r.rank_low <= int(raw_row["position"][0]) <= r.rank_high
            or r.rank_low <= rec["rank_position"] <= r.rank_high
        )
        checked += 1
    assert checked >= 20


def test_advice_scores_are_the_smallest_that_reach_the_target(field):
    edition, truth = field
    from impactrank.engine.scenarios.advise_published import advise_published

    who = int(np.argsort(truth["overall"])[len(truth["overall"]) // 2])  # a middle row: one rank to gain
    iid = truth["ids"][who]
    advice = advise_published(edition, iid)
    above = edition.overall.filter(pl.col("rank_position") < edition.overall["rank_position"][who])
    target = above.sort("rank_position", descending=True).row(0, named=True)
    assert advice.threshold == target["overall_low"]
    assert advice.levers, "a middle row can pass the row above it through some SDG"
    for lever in advice.levers:
        if lever["needed_certain"] is None:
            continue
        at = whatif_published(edition, iid, {lever["sdg"]: lever["needed_certain"]})
        below = whatif_published(edition, iid, {lever["sdg"]: round(lever["needed_certain"] - 0.1, 1)})
        assert at.overall_low > advice.threshold + 0.05 >= below.overall_low - 1e-9
    gains = [lv["gain_certain"] for lv in advice.levers if lv["gain_certain"] is not None]
    assert gains == sorted(gains)


# ---------------------------------------------------------------------------------------------- bands


BANDS = [(11, 15), (16, 25), (26, 40)]  # of different sizes, so a band's first place counts every row above it


@pytest.fixture(scope="module")
def field_in_bands(field):
    """The field with its first ten places ranked individually, then bands 11–15, 16–25 and 26–40."""
    edition, truth = field
    return banded(edition, 10, BANDS), truth


def published_intervals(edition: Edition, institution_id: str) -> tuple[np.ndarray, np.ndarray]:
    """The other rows' published scores or band ranges as the true values they allow (±0.05)."""
    others = edition.overall.filter(pl.col("institution_id") != institution_id)
    return others["overall_low"].to_numpy() - 0.05, others["overall_high"].to_numpy() + 0.05


def expected_place(o_lo: np.ndarray, o_hi: np.ndarray, lo: float, hi: float) -> tuple[int, int, str, str | None]:
    """Best place: 1 + rows certainly above (their interval reaches past ours and starts where ours ends or
    higher); worst: 1 + rows possibly above (reaching past our bottom). A place's band: first ten ranked
    individually (None), 11–15, 16–25, and 26–40 stretched to 41 for a newcomer."""

    def band(p: int) -> str | None:
        if p <= 10:
            return None
        return next((f"{a}–{b}" for a, b in BANDS if a <= p <= b), "26–40")  # 41: a newcomer below every row

    above = o_hi > lo + 1e-9
    best, worst = 1 + int((above & (o_lo >= hi - 1e-9)).sum()), 1 + int(above.sum())
    return best, worst, band(best), band(worst)


def test_a_place_is_worded_by_the_bands_its_ends_fall_in(field_in_bands):
    edition, truth = field_in_bands
    shown = np.round(truth["overall"], 1)
    top, bottom = truth["scores"][17].max(), truth["scores"][17].min()
    seen = set()
    for nth in (1, 12, 30):
        who = int(np.argsort(-shown, kind="stable")[nth])
        iid = truth["ids"][who]
        o_lo, o_hi = published_intervals(edition, iid)
        for v in np.linspace(bottom, top, 25).round(1):  # within SDG 17's table: the others keep their intervals
            r = whatif_published(edition, iid, {17: float(v)})
            best, worst, b_best, b_worst = expected_place(o_lo, o_hi, r.overall_low, r.overall_high)
            ends = f"{r.overall_low:.1f}", f"{r.overall_high:.1f}"  # a change is not held to the published range
            assert r.overall == (ends[0] if ends[0] == ends[1] else "–".join(ends))
            assert (r.rank_low, r.rank_high) == (best, worst), v
            if b_best == b_worst and b_best is not None:
                kind = "one band"
                assert (r.band, r.rank, r.band_low, r.band_high) == (b_best, b_best, None, None)
            elif b_best is None and b_worst is None:
                kind = "ranked"
                assert (r.band, r.band_low, r.band_high) == (None, None, None)
                assert r.rank == (str(best) if best == worst else f"{best}–{worst}")
            else:
                kind = "across"
                assert (r.band, r.rank) == (None, f"{best}–{worst}")
                assert (r.band_low, r.band_high) == (b_best or str(best), b_worst or str(worst))
            seen.add((kind, best == worst))
    assert {k for k, _ in seen} == {"one band", "ranked", "across"} and ("ranked", True) in seen
    iid = truth["ids"][int(np.argsort(-shown, kind="stable")[30])]
    unchanged = whatif_published(edition, iid, {})
    assert (unchanged.published_rank, unchanged.rank, unchanged.band) == ("26–40", "26–40", "26–40")
    assert unchanged.published_overall == edition.overall.filter(pl.col("institution_id") == iid)["overall_display"][0]


def test_a_place_from_the_ranked_rows_into_the_first_band(field_in_bands):
    """An interval meeting only the tenth row's: nine rows certainly above, ten possibly: places 10–11, the
    first ranked individually, the second in band 11–15."""
    edition, truth = field_in_bands
    tenth = float(np.sort(np.round(truth["overall"], 1))[::-1][9])
    o_lo, o_hi = published_intervals(edition, "nobody")  # every row of the table
    p = place(edition, (o_lo, o_hi), tenth - 0.02, tenth + 0.02)
    assert (p.rank_low, p.rank_high, p.band, p.rank, p.band_low, p.band_high) == (10, 11, None, "10–11", "10", "11–15")


def test_a_newcomer_below_every_row_takes_the_open_last_band():
    edition, truth = published_field()
    edition = banded(edition, 10, BANDS)
    # SDG 17 and three others at their tables' bottom: a single-year score of at most 0.26 × 3 × 0.1 / range
    lows = {k: float(truth["scores"][k].min()) for k in (3, 5, 9, 17)}
    extra = pl.DataFrame(
        {
            "institution_id": ["new"] * 4,
            "sdg": list(lows),
            "score": list(lows.values()),
            "score_low": list(lows.values()),
            "score_high": list(lows.values()),
            "counted": [False] * 4,
        }
    )
    edition = Edition(
        id=edition.id,
        year=edition.year,
        kind=edition.kind,
        source=edition.source,
        institutions=pl.concat(
            [edition.institutions, pl.DataFrame({"institution_id": ["new"], "name": ["NEW"], "country": ["FR"]})],
            how="diagonal_relaxed",
        ),
        overall=edition.overall,
        sdg_scores=pl.concat([edition.sdg_scores, extra], how="diagonal_relaxed"),
        manifest=edition.manifest,
    )
    r = whatif_published(edition, "new", {})
    assert (r.rank_low, r.rank_high, r.band, r.rank) == (41, 41, "26–40", "26–40")
    assert (r.published_rank, r.published_overall) == (None, None)


def test_a_score_past_its_tables_top_rescales_every_other_row(field):
    """SDG 3 set above its table's top: the table's top moves, so the other rows' intervals are the rule's on
    their own scores over the new extremes, not their published ones."""
    edition, truth = field
    who = 12
    scores = {k: v.copy() for k, v in truth["scores"].items()}
    scores[3][who] = 99.0
    r = whatif_published(edition, truth["ids"][who], {3: 99.0})
    assert r.others_recomputed
    others = [rule_bounds(scores, i) for i in range(len(truth["ids"])) if i != who]
    o_lo, o_hi = np.array([b[0] for b in others]), np.array([b[1] for b in others])
    # the row's own interval: SDG 3 exact at the new top (100), the others ±0.05 over the new extremes
    assert r.overall_point == pytest.approx(point(truth, {3: 99.0}, who), abs=1e-9)
    best, worst, _, _ = expected_place(o_lo, o_hi, r.overall_low, r.overall_high)
    assert (r.rank_low, r.rank_high) == (best, worst)
    assert not whatif_published(edition, truth["ids"][who], {3: 90.0}).others_recomputed


def test_the_inputs_and_best_sdgs_as_used(field):
    edition, truth = field
    who = 7
    r = whatif_published(edition, truth["ids"][who], {5: 42.0, 1: 30.0})
    expected = [{"sdg": 1, "published": None, "used": [30.0, 30.0], "set": True}]
    for k in SDGS:
        v = 42.0 if k == 5 else float(truth["scores"][k][who])
        expected.append({"sdg": k, "published": f"{truth['scores'][k][who]:.1f}", "used": [v, v], "set": k == 5})
    assert r.inputs == sorted(expected, key=lambda e: e["sdg"])
    # the three best others by scaled score: SDG 1 alone in its table scales to 100; then the field's own
    scores = {k: v.copy() for k, v in truth["scores"].items()}
    scores[5][who] = 42.0
    scaled = {k: (scores[k][who] - scores[k].min()) / (scores[k].max() - scores[k].min()) for k in SDGS if k != 17}
    assert r.best_sdgs == [1, *sorted(scaled, key=lambda k: -scaled[k])[:2]]
    unchanged = whatif_published(edition, truth["ids"][who], {})
    assert unchanged.overall == f"{np.round(truth['overall'][who], 1):.1f}"
    assert unchanged.rule_name == "single_year" and unchanged.previous_edition is None


def test_two_year_point_averages_last_years_published_score():
    last, last_truth = published_field(year=2022)
    edition, truth = published_field(seed=11, year=2023, last_year=last_truth["single"])
    for who in (0, 9, 33):
        r = whatif_published(edition, truth["ids"][who], {}, last)
        assert (r.rule_name, r.previous_edition) == ("two_year", "2022")
        expected = 0.5 * truth["single"][who] + 0.5 * round(float(last_truth["overall"][who]), 1)
        assert r.overall_point == pytest.approx(expected, abs=1e-9)
        assert r.overall_low <= truth["overall"][who] <= r.overall_high  # the true score, last year's unrounded
    # past SDG 3's top, every other row is recomputed: half its single-year bounds, half last year's ± 0.05
    who = 0
    r = whatif_published(edition, truth["ids"][who], {3: 99.0}, last)
    scores = {k: v.copy() for k, v in truth["scores"].items()}
    scores[3][who] = 99.0
    last_shown = np.round(last_truth["overall"], 1)
    others = [(rule_bounds(scores, i), last_shown[i]) for i in range(len(truth["ids"])) if i != who]
    o_lo = np.array([0.5 * b[0] + 0.5 * (p - 0.05) for b, p in others])
    o_hi = np.array([0.5 * b[1] + 0.5 * (p + 0.05) for b, p in others])
    best, worst, _, _ = expected_place(o_lo, o_hi, r.overall_low, r.overall_high)
    assert r.others_recomputed and (r.rank_low, r.rank_high) == (best, worst)


def test_an_institution_short_of_sdgs_is_refused(field):
    edition, _ = field
    needs = r"u03 would not be in the overall table: it needs SDG 17 and three other SDGs \(scores in SDGs 3, 17\)$"
    with pytest.raises(InputError, match=needs) as refused:
        whatif_published(
            Edition(
                id=edition.id,
                year=edition.year,
                kind=edition.kind,
                source=edition.source,
                institutions=edition.institutions,
                overall=edition.overall,
                sdg_scores=edition.sdg_scores.filter(
                    (pl.col("institution_id") != "u03") | pl.col("sdg").is_in([3, 17])
                ),
                manifest=edition.manifest,
            ),
            "u03",
            {},
        )
    assert refused.value.field == "set-sdg"


def with_sdg_rows(edition: Edition, rows: list[tuple[str, int, float | None, float, float]]) -> Edition:
    """The edition with SDG-table rows (institution, SDG, score, low, high) replaced or added."""
    new = pl.DataFrame(
        rows, schema=["institution_id", "sdg", "score", "score_low", "score_high"], orient="row"
    ).with_columns(pl.col("sdg").cast(pl.Int64), counted=pl.lit(False))
    keep = edition.sdg_scores.join(new.select("institution_id", "sdg"), on=["institution_id", "sdg"], how="anti")
    ids = sorted(set(new["institution_id"]) - set(edition.institutions["institution_id"]))
    return Edition(
        id=edition.id,
        year=edition.year,
        kind=edition.kind,
        source=edition.source,
        institutions=pl.concat(
            [edition.institutions, pl.DataFrame({"institution_id": ids, "name": ids, "country": ["FR"] * len(ids)})],
            how="diagonal_relaxed",
        ),
        overall=edition.overall,
        sdg_scores=pl.concat([keep, new], how="diagonal_relaxed"),
        manifest=edition.manifest,
    )


def test_rows_outside_the_overall_table_are_not_placed_when_the_others_are_recomputed(field):
    """An institution in the SDG tables only, even with SDG 17 and three others near the top, takes no place:
    the place counts the overall table's rows."""
    edition, truth = field
    top = {k: float(v.max()) for k, v in truth["scores"].items()}  # the tables keep their extremes
    high = [("x", k, top[k], top[k], top[k]) for k in SDGS] + [("y", k, top[k], top[k], top[k]) for k in (3, 17)]
    wider = with_sdg_rows(edition, high)
    who = 12
    r = whatif_published(wider, truth["ids"][who], {3: 99.0})
    scores = {k: np.append(v.copy(), top[k]) for k, v in truth["scores"].items()}  # x at every top, y aside
    scores[3][who] = 99.0
    others = [rule_bounds(scores, i) for i in range(len(truth["ids"])) if i != who]
    o_lo, o_hi = np.array([b[0] for b in others]), np.array([b[1] for b in others])
    best, worst, _, _ = expected_place(o_lo, o_hi, r.overall_low, r.overall_high)
    assert r.others_recomputed and (r.rank_low, r.rank_high) == (best, worst)


def test_no_point_score_when_sdg_17_is_published_as_a_range(field):
    edition, _ = field
    ranged = with_sdg_rows(edition, [("u05", 17, None, 40.0, 50.0)])
    r = whatif_published(ranged, "u05", {})
    assert r.overall_point is None
    assert r.inputs[-1] == {"sdg": 17, "published": "40.0–50.0", "used": [40.0, 50.0], "set": False}
    assert r.overall_low < r.overall_high
    assert whatif_published(ranged, "u05", {17: 45.0}).overall_point is not None
    # three other SDGs, one published as a range: it counts among the best three, so no point either
    three = with_sdg_rows(edition, [("u05", 9, None, 40.0, 50.0)])
    three = Edition(
        id=three.id,
        year=three.year,
        kind=three.kind,
        source=three.source,
        institutions=three.institutions,
        overall=three.overall,
        sdg_scores=three.sdg_scores.filter((pl.col("institution_id") != "u05") | (pl.col("sdg") != 13)),
        manifest=three.manifest,
    )
    assert whatif_published(three, "u05", {}).overall_point is None
