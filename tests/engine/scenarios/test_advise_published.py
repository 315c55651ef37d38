"""Advice on a published edition with bands, on synthetic fields whose overall scores and single-year bounds
this test computes itself by THE's rule: the target each row aims at, the levers' fields, and under the
two-year average the single-year score next year needs for each band."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from impactrank.engine.scenarios.advise_published import advise_published
from impactrank.engine.scenarios.whatif_published import whatif_published
from impactrank.errors import InputError
from published_field import SDGS, banded, published_field, rule_bounds

BANDS = [(11, 20), (21, 40)]


def by_place(truth: dict) -> list[int]:
    """Row indices in published order (the displayed score, highest first; ties keep the row order)."""
    shown = np.round(truth["overall"], 1)
    return sorted(range(len(shown)), key=lambda i: -shown[i])


@pytest.fixture(scope="module")
def single():
    edition, truth = published_field()
    return banded(edition, 10, BANDS), truth


@pytest.fixture(scope="module")
def two_year():
    last, last_truth = published_field(year=2022)
    edition, truth = published_field(seed=11, year=2023, last_year=last_truth["single"])
    return banded(edition, 10, BANDS), truth, last, last_truth


def test_each_row_aims_at_the_row_or_band_above(single):
    edition, truth = single
    order = by_place(truth)
    shown = np.round(truth["overall"], 1)
    ids = truth["ids"]
    top = advise_published(edition, ids[order[0]])
    assert (top.target, top.target_label, top.threshold, top.levers, top.current) == (None, None, None, [], "1")
    sixth = advise_published(edition, ids[order[5]])
    assert (sixth.target, sixth.target_label, sixth.current) == ("rank", "5", "6")
    assert sixth.threshold == pytest.approx(shown[order[4]])
    for j in order[:10]:  # ranked rows: the rule's interval held to the displayed score ± 0.05, shown as published
        a = advise_published(edition, ids[j])
        assert (a.edition, a.institution_id, a.overall) == ("2021", ids[j], f"{shown[j]:.1f}")
        s_lo, s_hi = rule_bounds(truth["scores"], j)
        assert a.overall_low == pytest.approx(max(s_lo, shown[j] - 0.05), abs=1e-9)
        assert a.overall_high == pytest.approx(min(s_hi, shown[j] + 0.05), abs=1e-9)
    first_band = advise_published(edition, ids[order[14]])
    assert (first_band.target, first_band.target_label, first_band.current) == ("ranked", None, "11–20")
    assert first_band.threshold == pytest.approx(min(shown[j] for j in order[:10]))
    last_band = advise_published(edition, ids[order[30]])
    assert (last_band.target, last_band.target_label, last_band.current) == ("band", "11–20", "21–40")
    assert last_band.threshold == pytest.approx(min(shown[j] for j in order[10:20]))
    assert last_band.name == ids[order[30]].upper() and last_band.rule_name == "single_year"


def test_a_tied_row_above_is_aimed_at_by_its_place_without_the_tie_mark():
    edition, truth = published_field(seed=20)  # two rows tie at 71.5, in the first ten
    shown = np.round(truth["overall"], 1)
    tied = [i for i in range(len(shown)) if shown[i] == 71.5]
    place = 1 + int((shown > 71.5).sum())
    below = max((i for i in range(len(shown)) if shown[i] < 71.5), key=lambda i: shown[i])
    assert len(tied) == 2 and set(edition.overall["rank"].gather(tied)) == {f"={place}"}
    advice = advise_published(edition, truth["ids"][below])
    assert (advice.target, advice.target_label, advice.threshold) == ("rank", str(place), 71.5)


def test_a_banded_rows_interval_is_the_rules_within_its_band(single):
    edition, truth = single
    order = by_place(truth)
    shown = np.round(truth["overall"], 1)
    band = [shown[j] for j in order[20:]]
    for j in (order[22], order[30], order[37]):
        s_lo, s_hi = rule_bounds(truth["scores"], j)
        a = advise_published(edition, truth["ids"][j])
        assert a.overall_low == pytest.approx(max(s_lo, min(band) - 0.05), abs=1e-9)
        assert a.overall_high == pytest.approx(min(s_hi, max(band) + 0.05), abs=1e-9)
        assert a.next_year is None


def test_levers_name_the_published_score_and_the_gain_from_it(single):
    edition, truth = single
    order = by_place(truth)
    j = order[25]
    iid = truth["ids"][j]
    advice = advise_published(edition, iid)
    counted = set(edition.sdg_scores.filter((pl.col("institution_id") == iid) & pl.col("counted"))["sdg"])
    assert {lv["sdg"] for lv in advice.levers} <= set(SDGS) and advice.levers
    for lv in advice.levers:
        now = float(truth["scores"][lv["sdg"]][j])
        assert lv["published"] == f"{now:.1f}"
        assert lv["counted"] == (lv["sdg"] in counted)
        for kind in ("certain", "possible"):
            needed = lv[f"needed_{kind}"]
            if needed is None:
                assert lv[f"gain_{kind}"] is None
                continue
            assert needed >= now and round(needed * 10) == pytest.approx(needed * 10)
            assert lv[f"gain_{kind}"] == round(needed - now, 1)
        if lv["needed_certain"] is not None:
            assert lv["needed_possible"] <= lv["needed_certain"]
    keys = [(lv["needed_certain"] is None, lv["gain_certain"], lv["sdg"]) for lv in advice.levers]
    assert keys == sorted(keys, key=lambda k: (k[0], np.inf if k[1] is None else k[1], k[2]))


def test_two_year_advice_gives_next_years_single_year_score_for_each_band(two_year):
    """Next year's published score is (next single-year + this single-year) / 2: for certain, next year's
    single-year score must bring the mean from this year's lowest single-year bound past the band's lowest
    published score + 0.05; possibly, from its highest bound past that score − 0.05."""
    edition, truth, last, last_truth = two_year
    order = by_place(truth)
    shown = np.round(truth["overall"], 1)
    lowest = {"11–20": min(shown[j] for j in order[10:20]), "21–40": min(shown[j] for j in order[20:])}
    for j, bands in ((order[15], ["11–20"]), (order[30], ["11–20", "21–40"])):
        advice = advise_published(edition, truth["ids"][j], last)
        s_lo, s_hi = rule_bounds(truth["scores"], j)
        assert advice.rule_name == "two_year"
        assert [b["band"] for b in advice.next_year] == bands
        for b in advice.next_year:
            t = lowest[b["band"]]
            assert b["threshold"] == pytest.approx(t)
            assert b["certain"] == pytest.approx(2 * (t + 0.05) - s_lo, abs=1e-9)
            assert b["possible"] == pytest.approx(2 * (t - 0.05) - s_hi, abs=1e-9)
        # the two-year interval: half the single-year bounds, half last year's displayed score ± 0.05
        last_shown = round(float(last_truth["overall"][j]), 1)
        band = [shown[i] for i in (order[10:20] if bands == ["11–20"] else order[20:])]
        lo = 0.5 * s_lo + 0.5 * (last_shown - 0.05)
        hi = 0.5 * s_hi + 0.5 * (last_shown + 0.05)
        assert advice.overall_low == pytest.approx(max(lo, min(band) - 0.05), abs=1e-9)
        assert advice.overall_high == pytest.approx(min(hi, max(band) + 0.05), abs=1e-9)


def test_an_institution_outside_the_overall_table_is_refused(single):
    edition, _ = single
    missing = edition.overall["institution_id"][0]
    outside = type(edition)(
        id=edition.id,
        year=edition.year,
        kind=edition.kind,
        source=edition.source,
        institutions=edition.institutions,
        overall=edition.overall.filter(pl.col("institution_id") != missing),
        sdg_scores=edition.sdg_scores,
        manifest=edition.manifest,
    )
    message = f"{missing} is not in edition 2021's overall table: try SDG scores with whatif --set-sdg$"
    with pytest.raises(InputError, match=message) as refused:
        advise_published(outside, missing)
    assert refused.value.field == "institution"
    with pytest.raises(InputError, match="no institution 'nobody'"):
        advise_published(edition, "nobody")


def test_two_year_levers_are_the_smallest_scores_what_if_confirms(two_year):
    """Each needed score, set by what-if, lifts the interval's end past the threshold (± 0.05) and a tenth less
    does not, unless a tenth less is below the published score; scores past a table's top are left out (what-if
    then moves the table's extremes, advice keeps them). A ranked row and a banded one."""
    edition, truth, last, _ = two_year
    checked = 0
    for j in (by_place(truth)[5], by_place(truth)[22]):
        iid = truth["ids"][j]
        advice = advise_published(edition, iid, last)
        assert 17 in {lv["sdg"] for lv in advice.levers}
        for lv in advice.levers:
            k = lv["sdg"]
            for kind, end, margin in (("certain", "overall_low", 0.05), ("possible", "overall_high", -0.05)):
                needed = lv[f"needed_{kind}"]
                if needed is None or needed >= truth["scores"][k].max():
                    continue
                assert getattr(whatif_published(edition, iid, {k: needed}, last), end) > advice.threshold + margin
                less = round(needed - 0.1, 1)
                if less >= truth["scores"][k][j]:
                    assert getattr(whatif_published(edition, iid, {k: less}, last), end) <= advice.threshold + margin
                checked += 1
    assert checked >= 4


def test_an_sdg_not_submitted_is_a_lever_from_nothing():
    """A row without an SDG 9 score: SDG 9 can still be added, with no published score, not counted, and its
    needed score given in place of a gain; the levers that need a certain score come first."""
    edition, truth = published_field()
    j = by_place(truth)[20]
    iid = truth["ids"][j]
    v = truth["scores"][9]
    assert v.min() < v[j] < v.max()  # its absence leaves SDG 9's table its extremes
    without = type(edition)(
        id=edition.id,
        year=edition.year,
        kind=edition.kind,
        source=edition.source,
        institutions=edition.institutions,
        overall=edition.overall,
        sdg_scores=edition.sdg_scores.filter((pl.col("institution_id") != iid) | (pl.col("sdg") != 9)),
        manifest=edition.manifest,
    )
    advice = advise_published(without, iid)
    added = next(lv for lv in advice.levers if lv["sdg"] == 9)
    assert (added["published"], added["counted"], added["gain_certain"], added["gain_possible"]) == (
        None,
        False,
        None,
        None,
    )
    assert added["needed_certain"] is not None and added["needed_possible"] <= added["needed_certain"]
    assert any(lv["needed_certain"] is not None for lv in advice.levers)
    certain = [lv["needed_certain"] is None for lv in advice.levers]
    assert certain == sorted(certain)
