"""What-if and advice on a published edition: a synthetic published field whose overall scores this test
computes itself by THE's rule, properties of the intervals, and THE's real 2021 and 2023 tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactrank.engine.scenarios.whatif_published import whatif_published
from impactrank.engine.tables.edition import Edition
from impactrank.errors import InputError
from published_field import SDGS, published_field


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
        ({18: 50.0}, "u01", "SDG 18 is not a goal"),
        ({13: 101.0}, "u01", "outside 0–100"),
        ({}, "nobody", "no institution 'nobody'"),
    ],
)
def test_bad_settings(field, settings, institution, message):
    edition, _ = field
    with pytest.raises(InputError, match=message):
        whatif_published(edition, institution, settings)


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
