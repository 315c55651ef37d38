"""THE's two-year average (from 2023) in a build: the hand-computed pair of editions in tests/conftest.py
(PAIR_POINTS), built with the bundled the-2022 and the-2023; and the average's invariants."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impactrank.engine.build import build_edition
from impactrank.engine.tables.averaging import describe_previous, previous_table, previous_terms, published_scores
from impactrank.engine.views.explain import explain_institution
from impactrank.errors import InputError
from impactrank.i18n.formula import formula
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.methodology import load_methodology
from impactrank.methodology.schema import Averaging


def inputs(paths, methodology):
    inst = read_institutions(paths[0])
    return inst, read_submissions([paths[1]], methodology, inst)


def previous_from(edition, lag=1) -> pl.DataFrame:
    """A previous edition's single-year scores, as ``build`` reads them from the workspace."""
    return edition.overall.select(
        "institution_id", "single_year_score", previous_edition=pl.lit(edition.id), lag=pl.lit(lag, pl.Int64)
    )


@pytest.fixture
def pair(evidence_pair):
    m22, m23 = load_methodology("the-2022"), load_methodology("the-2023")
    e22 = build_edition(m22, *inputs(evidence_pair[2022], m22), edition_id="2022")
    e23 = build_edition(m23, *inputs(evidence_pair[2023], m23), edition_id="2023", previous=previous_from(e22))
    return e22, e23


def by_id(edition, column):
    return dict(zip(edition.overall["institution_id"], edition.overall[column], strict=True))


def test_single_year_edition_publishes_its_single_year_score(pair):
    e22, _ = pair
    assert by_id(e22, "overall_score") == pytest.approx({"A": 87, "B": 39, "L": 37})
    assert by_id(e22, "single_year_score") == by_id(e22, "overall_score")
    assert e22.previous_scores.height == 0 and "previous_editions" not in e22.manifest
    assert "averaging" not in e22.manifest["overall_rules"]


def test_two_year_average_by_hand(pair):
    """A and B are in both overall tables: the mean of the two single-year scores; N is new: its own score;
    L left after 2022 and is not in 2023's table. Averaging reorders A and B."""
    _, e23 = pair
    assert by_id(e23, "single_year_score") == pytest.approx({"A": 61, "B": 65, "N": 37})
    assert by_id(e23, "overall_score") == pytest.approx({"A": (61 + 87) / 2, "B": (65 + 39) / 2, "N": 37})
    assert e23.overall["institution_id"].to_list() == ["A", "B", "N"]
    assert e23.overall["rank"].to_list() == ["1", "2", "3"]
    assert e23.overall["overall_display"].to_list() == ["74.0", "52.0", "37.0"]
    assert by_id(e23, "top_sdgs") == {"A": "2;1;3", "B": "1;2;3", "N": "3;1;2"}  # this year's SDGs
    assert (e23.manifest["counts"]["averaged"], e23.manifest["counts"]["newcomers"]) == (2, 1)
    (previous,) = e23.manifest["previous_editions"]
    assert (previous["edition"], previous["lag"], previous["institutions"]) == ("2022", 1, 3)
    assert len(previous["single_year_sha256"]) == 64
    assert e23.manifest["overall_rules"]["averaging"]["weights"] == [0.5, 0.5]
    assert sorted(e23.previous_scores["institution_id"].to_list()) == ["A", "B", "L"]


def test_explain_shows_the_averaging_terms(pair):
    _, e23 = pair
    a = explain_institution(e23, "A")
    assert [(t.edition, t.weight) for t in a.averaging] == [("", 0.5), ("2022", 0.5)]
    assert [t.score for t in a.averaging] == pytest.approx([61, 87])
    terms = a.formula
    assert (terms.single_year.low, terms.total.low) == pytest.approx((61, 74)) and terms.dropped == ()
    assert [(y.edition, y.weight, y.value.low) for y in terms.years] == [("", 0.5, 61), ("2022", 0.5, 87)]
    assert {terms.total.decimals, terms.single_year.decimals} == {1}  # the edition's display precision
    assert formula(terms, "en").endswith(
        "= 61.0 (single-year); published = 0.5 × 61.0 (this edition) + 0.5 × 87.0 (edition 2022) = 74.0"
    )
    assert formula(terms, "fr").endswith(
        "= 61,0 (sur une année)\u202f; publié = 0,5 × 61,0 (cette édition) + 0,5 × 87,0 (édition 2022) = 74,0"
    )
    n = explain_institution(e23, "N")
    assert n.averaging[1].score is None and n.formula.dropped == ("2022",) and n.formula.years == ()
    assert "(single-year; not in the overall table of edition 2022, so it is the published score)" in formula(
        n.formula, "en"
    )


def test_a_year_whose_edition_is_not_recorded_is_named_by_how_far_back_it_is(pair):
    """A stored 2023 whose manifest does not name its previous edition (one saved before manifests recorded it):
    the year that drops out has no edition to name, so the formula counts it back in the reader's language."""
    _, e23 = pair
    unnamed = dataclasses.replace(e23, manifest={k: v for k, v in e23.manifest.items() if k != "previous_editions"})
    n = explain_institution(unnamed, "N")  # new in 2023: no 2022 score, so its year drops out
    assert [(t.edition, t.lag, t.score) for t in n.averaging[1:]] == [("", 1, None)]
    assert (n.formula.dropped, n.formula.dropped_back) == ((), (1,))
    assert formula(n.formula, "en").endswith(
        "= 37.0 (single-year; no edition 1 year back was given, so it is the published score)"
    )
    assert formula(n.formula, "es").endswith(
        "= 37,0 (de un año; no se dio la edición de hace 1 año, es por tanto la puntuación publicada)"
    )


def test_the_previous_term_is_a_single_year_score_not_a_published_one(pair, evidence_pair):
    """A 2024 built on 2023 averages with 2023's single-year scores (61, 65, 37), not its averaged 74, 52, 37."""
    _, e23 = pair
    m23 = load_methodology("the-2023")
    again = build_edition(m23, *inputs(evidence_pair[2023], m23), edition_id="2024", previous=previous_from(e23))
    assert by_id(again, "overall_score") == pytest.approx({"A": 61, "B": 65, "N": 37})


def test_averaging_needs_exactly_its_previous_editions(evidence_pair):
    m21, m23 = load_methodology("the-2021"), load_methodology("the-2023")
    with pytest.raises(InputError, match=r"averages over 2 years: .* \(1 in all; missing, in years back: 1\)"):
        build_edition(m23, *inputs(evidence_pair[2023], m23))
    some = pl.DataFrame({"institution_id": ["A"], "single_year_score": [50.0], "previous_edition": ["x"], "lag": [1]})
    with pytest.raises(InputError, match="the-2021 does not average"):
        build_edition(m21, *inputs(evidence_pair[2023], m21), previous=some)
    with pytest.raises(InputError, match="two single-year scores"):
        previous_table(m23, pl.concat([some, some]))
    with pytest.raises(InputError, match=r"missing, in years back: 1\)"):
        previous_table(m23, some.with_columns(lag=pl.lit(2, pl.Int64)))


def test_three_years_reweight_over_the_years_present():
    m = load_methodology("the-2023")
    rules = m.overall.model_copy(update={"averaging": Averaging(years=3, weights=[0.5, 0.3, 0.2])})
    m = m.model_copy(update={"overall": rules})
    previous = pl.DataFrame(
        {
            "institution_id": ["a", "a", "b", "c"],
            "previous_edition": ["y1", "y2", "y2", "y1"],
            "lag": [1, 2, 2, 1],
            "single_year_score": [40.0, 20.0, 10.0, 30.0],
        }
    )
    terms = previous_terms(m, pl.Series(["a", "b", "c", "d"]), previous_table(m, previous))
    out = published_scores(m, np.array([60.0, 60.0, 60.0, 60.0]), terms)
    expected = [0.5 * 60 + 0.3 * 40 + 0.2 * 20, (0.5 * 60 + 0.2 * 10) / 0.7, (0.5 * 60 + 0.3 * 30) / 0.8, 60]
    assert out == pytest.approx(expected)


AVERAGING = load_methodology("the-2023")
score = st.floats(0, 100, allow_nan=False)


@given(single=score, previous=score, this_year=st.integers(1, 99))
def test_the_average_lies_between_its_two_terms(single, previous, this_year):
    w = this_year / 100
    m = AVERAGING.model_copy(
        update={"overall": AVERAGING.overall.model_copy(update={"averaging": Averaging(years=2, weights=[w, 1 - w])})}
    )
    out = published_scores(m, np.array([single, single]), np.array([[previous], [np.nan]]))
    low, high = min(single, previous), max(single, previous)
    assert low - 1e-9 <= out[0] <= high + 1e-9
    assert out[1] == single  # a newcomer: its single-year score, exactly


def one_previous(**changes) -> pl.DataFrame:
    rows = {
        "institution_id": ["b", "a"],
        "single_year_score": [50.0, 40.0],
        "previous_edition": ["y1"] * 2,
        "lag": [1, 1],
    }
    return pl.DataFrame(rows | changes)


def three_years():
    m = load_methodology("the-2023")
    rules = m.overall.model_copy(update={"averaging": Averaging(years=3, weights=[0.5, 0.3, 0.2])})
    return m.model_copy(update={"overall": rules})


def test_the_previous_editions_are_checked_one_per_year():
    """the-2023 averages over two years: exactly one previous edition, one year back, every score given once."""
    m23 = load_methodology("the-2023")
    table = previous_table(m23, one_previous())
    assert table.select("institution_id", "single_year_score").rows() == [("a", 40.0), ("b", 50.0)]  # sorted
    needs = (
        "methodology the-2023 averages over 2 years: it needs the single-year scores of one previous edition for "
        "each earlier year (1 in all"
    )
    for bad, message in (
        (one_previous(previous_edition=["y1", "y0"]), f"{needs})"),
        (pl.concat([one_previous(), one_previous(institution_id=["c", "d"], lag=[2, 2])]), f"{needs})"),
        (pl.concat([one_previous(), one_previous(institution_id=["c", "d"], lag=[0, 0])]), f"{needs})"),
        (one_previous(lag=[2, 2]), f"{needs}; missing, in years back: 1)"),
        (one_previous(single_year_score=[50.0, None]), "a previous single-year score is empty"),
        (one_previous(single_year_score=[50.0, float("nan")]), "a previous single-year score is empty"),
        (one_previous(institution_id=["a", "a"]), "an institution has two single-year scores in one previous edition"),
    ):
        with pytest.raises(InputError) as caught:
            previous_table(m23, bad)
        assert (caught.value.field, caught.value.message) == ("previous_edition", message)
    with pytest.raises(InputError) as caught:
        previous_table(three_years(), one_previous(lag=[3, 3]))
    assert caught.value.message.endswith("(2 in all; missing, in years back: 1, 2)")
    assert caught.value.text("fr", located=False).endswith(
        "(2 en tout\u202f; manquent, par nombre d’années en arrière\u00a0: 1, 2)"
    )
    assert previous_table(load_methodology("the-2021"), None).height == 0
    with pytest.raises(InputError) as caught:
        previous_table(load_methodology("the-2021"), one_previous())
    assert caught.value.field == "previous_edition"
    assert caught.value.message == (
        "methodology the-2021 does not average with previous editions; previous single-year scores do not apply"
    )


def test_the_checked_previous_scores_come_by_year_back_then_institution():
    two = pl.concat([one_previous(institution_id=["a", "c"], previous_edition=["y0"] * 2, lag=[2, 2]), one_previous()])
    table = previous_table(three_years(), two)
    assert table.select("lag", "institution_id").rows() == [(1, "a"), (1, "b"), (2, "a"), (2, "c")]


def test_monte_carlo_runs_are_averaged_run_by_run():
    """Institutions × runs of single-year scores, each run averaged with the same previous term (weights 0.5)."""
    m23 = load_methodology("the-2023")
    terms = previous_terms(m23, pl.Series(["a", "new", "b"]), previous_table(m23, one_previous()))
    assert np.array_equal(terms, [[40.0], [np.nan], [50.0]], equal_nan=True)
    runs = np.array([[60.0, 80.0], [10.0, 20.0], [50.0, 70.0]])
    expected = [[(60 + 40) / 2, (80 + 40) / 2], [10.0, 20.0], [(50 + 50) / 2, (70 + 50) / 2]]
    assert published_scores(m23, runs, terms).tolist() == expected


def test_the_manifest_fingerprints_each_previous_edition():
    """Per previous edition: id, years back, institutions, and the SHA-256 of its 'institution_id,score' CSV by id."""
    import hashlib

    older = pl.DataFrame({"institution_id": ["Z"], "single_year_score": [40.0], "previous_edition": ["y0"], "lag": [2]})
    described = describe_previous(pl.concat([older, one_previous()]))  # rows in any order; "Z" sorts before "a"
    header = "institution_id,single_year_score\n"
    sha = [hashlib.sha256((header + rows).encode()).hexdigest() for rows in ("a,40.0\nb,50.0\n", "Z,40.0\n")]
    assert described == [
        {"edition": "y1", "lag": 1, "institutions": 2, "single_year_sha256": sha[0]},
        {"edition": "y0", "lag": 2, "institutions": 1, "single_year_sha256": sha[1]},
    ]
