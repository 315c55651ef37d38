"""Edition comparison: statuses, percentile intervals and the documented movement rules."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.compare import compare_editions
from impactrank.errors import InputError


def edition(
    edition_id: str, n: int, rows: list[tuple[str, int, int]], *, names=None, aliases=None, uncertainty=None
) -> Edition:
    """An overall table of field size ``n`` with the given (id, rank_low, rank_high) rows; filler rows
    ("f1", …) complete the field so its size is ``n``."""
    ids = [r[0] for r in rows]
    lows = [r[1] for r in rows]
    highs = [r[2] for r in rows]
    filler = n - len(rows)
    ids += [f"fill{edition_id}-{k}" for k in range(filler)]
    lows += [n] * filler
    highs += [n] * filler
    ranks = [str(lo) if lo == hi else f"{lo}–{hi}" for lo, hi in zip(lows, highs, strict=True)]
    names = names or {}
    aliases = aliases or {}
    inst = pl.DataFrame(
        {
            "institution_id": ids,
            "name": [names.get(i, f"Name {i}") for i in ids],
            "country": ["FR"] * len(ids),
            "aliases": [aliases.get(i) for i in ids],
        }
    )
    overall = pl.DataFrame(
        {
            "institution_id": ids,
            "rank": ranks,
            "rank_position": lows,
            "rank_low": lows,
            "rank_high": highs,
            "band": [None if lo == hi else r for lo, hi, r in zip(lows, highs, ranks, strict=True)],
        }
    )
    unc = pl.DataFrame(
        uncertainty or [],
        schema={
            "institution_id": pl.String,
            "table": pl.String,
            "rank_p05": pl.Float64,
            "rank_p95": pl.Float64,
        },
    )
    return Edition(
        id=edition_id,
        year=int(edition_id[:4]),
        kind="built",
        source="test",
        institutions=inst,
        overall=overall,
        sdg_scores=pl.DataFrame(),
        rank_uncertainty=unc,
    )


def row(comp, iid):
    return comp.table.filter(pl.col("institution_id") == iid).row(0, named=True)


def test_same_band_in_a_larger_field_progressed_relative_to_the_field():
    comp = compare_editions(edition("2020", 766, [("x", 301, 400)]), edition("2021", 1115, [("x", 301, 400)]))
    r = row(comp, "x")
    assert (comp.field_from, comp.field_to) == (766, 1115)
    assert r["status"] == "both" and r["rank_change"] == "same" and r["movement"] == "progressed"
    assert r["pct_low_from"] == pytest.approx(100 * 301 / 766)
    assert r["pct_high_to"] == pytest.approx(100 * 400 / 1115)


def test_a_band_lower_with_overlapping_percentiles_is_maintained():
    # 101–200 of 766 is 13.2–26.1 %; 201–300 of 1,115 is 18.0–26.9 %: overlapping
    comp = compare_editions(edition("2020", 766, [("x", 101, 200)]), edition("2021", 1115, [("x", 201, 300)]))
    r = row(comp, "x")
    assert r["rank_change"] == "worse" and r["movement"] == "maintained"


@pytest.mark.parametrize(
    ("before", "after", "movement", "change"),
    [
        ((50, 50), (50, 50), "maintained", "same"),
        ((50, 50), (51, 51), "declined", "worse"),
        ((50, 50), (12, 12), "progressed", "better"),
        ((101, 200), (150, 150), "maintained", "overlapping"),
        ((101, 200), (201, 300), "declined", "worse"),
        ((101, 200), (101, 101), "maintained", "overlapping"),  # touching at 101: neither better nor worse
        ((101, 101), (101, 200), "maintained", "overlapping"),
    ],
)
def test_rules_in_a_field_of_constant_size(before, after, movement, change):
    comp = compare_editions(edition("2020", 1000, [("x", *before)]), edition("2021", 1000, [("x", *after)]))
    r = row(comp, "x")
    assert (r["movement"], r["rank_change"]) == (movement, change)


@pytest.mark.parametrize(
    ("before", "after", "movement", "change"),
    [  # the table in the README, 766 → 1,115 ranked
        ((301, 400), (301, 400), "progressed", "same"),
        ((301, 400), (101, 200), "progressed", "better"),
        ((101, 200), (201, 300), "maintained", "worse"),
        ((401, 600), (401, 600), "maintained", "same"),
    ],
)
def test_documented_examples(before, after, movement, change):
    comp = compare_editions(edition("2020", 766, [("x", *before)]), edition("2021", 1115, [("x", *after)]))
    r = row(comp, "x")
    assert (r["movement"], r["rank_change"]) == (movement, change)


def test_statuses_new_left_both():
    b = edition("2020", 10, [("a", 1, 1), ("b", 2, 2), ("gone", 3, 3)], names={"a": "Old Name"})
    a = edition("2021", 12, [("a", 2, 2), ("b", 1, 1), ("fresh", 3, 3)], names={"a": "New Name"})
    comp = compare_editions(b, a)
    assert row(comp, "a")["name"] == "New Name"  # this year's name
    ids_b, ids_a = set(b.overall["institution_id"]), set(a.overall["institution_id"])
    status = dict(zip(comp.table["institution_id"], comp.table["status"], strict=True))
    assert {i for i, s in status.items() if s == "both"} == ids_a & ids_b
    assert {i for i, s in status.items() if s == "new"} == ids_a - ids_b
    assert {i for i, s in status.items() if s == "left"} == ids_b - ids_a
    assert row(comp, "fresh")["movement"] == "new" and row(comp, "gone")["movement"] == "left"
    assert (row(comp, "gone")["name"], row(comp, "gone")["country"]) == ("Name gone", "FR")
    statuses = comp.table["status"].to_list()  # left rows, with no rank this year, come last
    assert statuses == sorted(statuses, key=lambda s: s == "left") and statuses[-1] == "left"
    assert (comp.edition_from, comp.edition_to, comp.sdg) == ("2020", "2021", None)
    only = compare_editions(b, a, institution_ids=["a", "fresh"])
    assert sorted(only.table["institution_id"]) == ["a", "fresh"]
    assert only.counts() == {"progressed": 0, "maintained": 0, "declined": 1, "new": 1, "left": 0}


def test_a_renamed_institution_is_not_a_first_entry():
    b = edition("2020", 5, [("fr-old-school", 2, 2)], names={"fr-old-school": "Old School"})
    a = edition(
        "2021",
        5,
        [("fr-new-school", 2, 2)],
        names={"fr-new-school": "New School"},
        aliases={"fr-new-school": "Old  School"},
    )
    comp = compare_editions(b, a)
    r = row(comp, "fr-new-school")
    assert r["status"] == "both" and r["renamed_from"] == "fr-old-school" and r["name_from"] == "Old School"
    assert "fr-old-school" not in comp.table["institution_id"].to_list()


def test_significance_needs_uncertainty_in_both_editions():
    unc_b = [
        {"institution_id": "x", "table": "overall", "rank_p05": 40.0, "rank_p95": 60.0},
        {"institution_id": "y", "table": "overall", "rank_p05": 40.0, "rank_p95": 60.0},
    ]
    unc_a = [
        {"institution_id": "x", "table": "overall", "rank_p05": 5.0, "rank_p95": 15.0},
        {"institution_id": "y", "table": "overall", "rank_p05": 45.0, "rank_p95": 70.0},
    ]
    b = edition("2020", 100, [("x", 50, 50), ("y", 50, 50), ("z", 50, 50)], uncertainty=unc_b)
    a = edition("2021", 100, [("x", 10, 10), ("y", 55, 55), ("z", 40, 40)], uncertainty=unc_a)
    comp = compare_editions(b, a)
    assert row(comp, "x")["significant"] is True  # 5–15 % vs 40–60 %: apart
    assert row(comp, "y")["significant"] is False  # 45–70 % vs 40–60 %: overlap
    assert row(comp, "z")["significant"] is None  # no uncertainty rows
    touching = [
        {"institution_id": "x", "table": "overall", "rank_p05": 20.0, "rank_p95": 40.0},
        {"institution_id": "y", "table": "overall", "rank_p05": 60.0, "rank_p95": 80.0},
    ]
    a = edition("2021", 100, [("x", 30, 30), ("y", 70, 70)], uncertainty=touching)
    comp = compare_editions(b, a)  # 20–40 % and 60–80 % touch 40–60 %: not apart
    assert (row(comp, "x")["significant"], row(comp, "y")["significant"]) == (False, False)


def expected_movement(b: tuple[int, int], n1: int, a: tuple[int, int], n2: int) -> str:
    """The documented rule, with exact fractions."""
    p1 = (Fraction(b[0], n1), Fraction(b[1], n1))
    p2 = (Fraction(a[0], n2), Fraction(a[1], n2))
    if p2[1] < p1[0]:
        return "progressed"
    if p2[0] > p1[1]:
        return "declined"
    return "maintained"


band = st.integers(1, 400).flatmap(lambda lo: st.tuples(st.just(lo), st.integers(lo, lo + 200)))


@settings(max_examples=80, deadline=None)
@given(band, st.integers(0, 400), band, st.integers(0, 400), st.integers(2, 5))
def test_movement_follows_the_rule_and_only_the_percentiles(b, extra1, a, extra2, k):
    n1, n2 = b[1] + extra1, a[1] + extra2
    before = edition("2020", n1, [("x", *b)])
    after = edition("2021", n2, [("x", *a)])
    got = row(compare_editions(before, after), "x")["movement"]
    assert got == expected_movement(b, n1, a, n2)
    # the same percentile interval in a field k times larger: the classification does not change
    grown = edition("2021", n2 * k, [("x", a[0] * k, a[1] * k)])
    assert row(compare_editions(before, grown), "x")["movement"] == got
    # and reading the comparison backwards swaps progressed and declined
    back = row(compare_editions(after, before), "x")["movement"]
    assert back == {"progressed": "declined", "declined": "progressed", "maintained": "maintained"}[got]


@settings(max_examples=30, deadline=None)
@given(band, st.integers(0, 300), st.integers(2, 4))
def test_unchanged_percentile_interval_is_maintained_whatever_the_growth(b, extra, k):
    n1 = b[1] + extra
    before = edition("2020", n1, [("x", *b)])
    after = edition("2021", n1 * k, [("x", b[0] * k, b[1] * k)])
    assert row(compare_editions(before, after), "x")["movement"] == "maintained"


# ---------------------------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo(demo_build):
    return demo_build.data, demo_build.editions


def test_demo_statuses_and_field_sizes(demo):
    _, eds = demo
    comp = compare_editions(eds[2020], eds[2021])
    ids20, ids21 = set(eds[2020].overall["institution_id"]), set(eds[2021].overall["institution_id"])
    assert (comp.field_from, comp.field_to) == (len(ids20), len(ids21))
    counts = comp.counts()
    assert counts["new"] == len(ids21 - ids20) and counts["left"] == len(ids20 - ids21)
    assert counts["progressed"] + counts["maintained"] + counts["declined"] == len(ids20 & ids21)
    # each movement agrees with the rule computed from the raw intervals
    b = {r["institution_id"]: (r["rank_low"], r["rank_high"]) for r in eds[2020].overall.iter_rows(named=True)}
    a = {r["institution_id"]: (r["rank_low"], r["rank_high"]) for r in eds[2021].overall.iter_rows(named=True)}
    for r in comp.table.filter(pl.col("status") == "both").iter_rows(named=True):
        i = r["institution_id"]
        assert r["movement"] == expected_movement(b[i], len(ids20), a[i], len(ids21))


def test_demo_group_comparison(demo):
    data, eds = demo
    ids = data.groups["institution_id"].to_list()
    comp = compare_editions(eds[2020], eds[2021], institution_ids=ids)
    in20 = set(eds[2020].overall["institution_id"]) & set(ids)
    in21 = set(eds[2021].overall["institution_id"]) & set(ids)
    got = dict(zip(comp.table["institution_id"], comp.table["status"], strict=True))
    assert got == {
        **{i: "both" for i in in20 & in21},
        **{i: "new" for i in in21 - in20},
        **{i: "left" for i in in20 - in21},
    }


# ---------------------------------------------------------------------------------------------- real data


def test_real_taiwan_2020_to_2021(shared_dir):
    from impactrank.io.published import read_published

    path = shared_dir / "data/published/the_impact_taiwan_2019-2026__chiaowen_data.json"
    eds = {e.year: e for e in read_published(path).editions}
    records = json.loads(path.read_text(encoding="utf-8"))["records"]
    names = {y: {r["英文名"].strip() for r in records if int(r["年度"]) == y} for y in (2020, 2021)}
    comp = compare_editions(eds[2020], eds[2021], field_from=768, field_to=1115)
    assert (comp.field_from, comp.field_to) == (768, 1115)
    ids = {
        y: dict(zip(eds[y].institutions["name"], eds[y].institutions["institution_id"], strict=True))
        for y in (2020, 2021)
    }
    both = {ids[2021][n] for n in names[2020] & names[2021]}
    status = dict(zip(comp.table["institution_id"], comp.table["status"], strict=True))
    assert {i for i, s in status.items() if s == "both"} == both
    assert sum(1 for s in status.values() if s == "new") == len(names[2021] - names[2020])
    # without field sizes the partial tables fall back to rank intervals, and say so
    plain = compare_editions(eds[2020], eds[2021])
    assert plain.field_from is None and set(plain.table["basis"]) == {"rank"}
    assert plain.table["pct_low_from"].null_count() == plain.table.height


def test_a_row_without_a_readable_rank_is_present_but_unclassified():
    b = edition("2020", 10, [("x", 3, 3)])
    a = edition("2021", 10, [("x", 3, 3)])
    a.overall = a.overall.with_columns(
        [
            pl.when(pl.col("institution_id") == "x").then(None).otherwise(pl.col(c)).alias(c)
            for c in ("rank_low", "rank_high", "rank_position")
        ]
    )
    r = row(compare_editions(b, a), "x")
    assert r["status"] == "both" and r["movement"] is None and r["rank_change"] is None


def sdg_rows(rows: list[tuple[str, int, int]]) -> pl.DataFrame:
    """SDG-table rows (id, sdg, exact rank)."""
    return pl.DataFrame(
        {
            "institution_id": [r[0] for r in rows],
            "sdg": [r[1] for r in rows],
            "rank": [str(r[2]) for r in rows],
            "rank_position": [r[2] for r in rows],
            "rank_low": [r[2] for r in rows],
            "rank_high": [r[2] for r in rows],
        }
    )


def test_sdg_tables_are_compared_each_against_its_own_size():
    from impactrank.engine.views.compare import compare_sdg_tables

    # SDG 3: 4 rows → 5 rows; SDG 5: only in 2021; SDG 13: "x" 1st of 2, then not in its 2 rows
    b = replace(
        edition("2020", 6, [("x", 1, 1)]),
        sdg_scores=sdg_rows(
            [("x", 3, 2), ("p", 3, 1), ("q", 3, 3), ("r", 3, 4), ("x", 13, 1), ("p", 13, 2), ("p", 4, 1)]
        ),
        rank_uncertainty=pl.DataFrame(
            [("x", "overall", 1.0, 6.0), ("x", "sdg3", 2.0, 2.0)],
            schema=["institution_id", "table", "rank_p05", "rank_p95"],
            orient="row",
        ),
    )
    a = replace(
        edition("2021", 6, [("x", 1, 1)]),
        sdg_scores=sdg_rows(
            [
                *[("p", 3, 1), ("q", 3, 2), ("r", 3, 3), ("x", 3, 4), ("s", 3, 5)],
                *[("x", 5, 2), ("p", 5, 1), ("p", 13, 1), ("w", 13, 2), ("p", 4, 1), ("x", 4, 2)],
            ]
        ),
        rank_uncertainty=pl.DataFrame(
            [("x", "overall", 1.0, 6.0), ("x", "sdg3", 4.0, 5.0)],
            schema=["institution_id", "table", "rank_p05", "rank_p95"],
            orient="row",
        ),
    )
    got = compare_sdg_tables(b, a, ["x", "q"])
    assert got.columns[:3] == ["sdg", "table_from", "table_to"]
    rows = got.select("institution_id", "sdg", "table_from", "table_to", "status", "rank_from", "rank_to", "movement")
    # SDG 3: 2nd of 4 (50 %) → 4th of 5 (80 %): declined; SDG 5, a table the earlier edition lacks: not compared
    assert rows.rows() == [
        ("q", 3, 4, 5, "both", "3", "2", "progressed"),  # 75 % → 40 %
        ("x", 3, 4, 5, "both", "2", "4", "declined"),
        ("x", 4, 1, 2, "new", None, "2", "new"),
        ("x", 13, 2, 2, "left", "1", None, "left"),
    ]
    # one SDG table on its own is compared against that table's sizes, not the overall table's
    alone = compare_editions(b, a, sdg=3)
    assert (alone.field_from, alone.field_to, alone.sdg) == (4, 5, 3)
    x3 = got.filter((pl.col("institution_id") == "x") & (pl.col("sdg") == 3))
    assert x3.select("pct_low_from", "pct_high_to").row(0) == (pytest.approx(50.0), pytest.approx(80.0))
    assert x3["significant"][0] is True  # its SDG 3 intervals (50 % and 80–100 %) are apart; overall ones are not
    none = compare_sdg_tables(b, a, ["nobody"])
    assert none.height == 0 and none.schema == got.schema


def plain(edition_id: str, rows: list[tuple[str, str, str | None, str | None]], country: str | None = "FR"):
    """A whole overall table of the given (id, name, aliases, rank) rows, exact ranks in order."""
    e = edition(edition_id, len(rows), [(r[0], k, k) for k, r in enumerate(rows, 1)])
    e.institutions = e.institutions.with_columns(
        name=pl.Series([r[1] for r in rows]),
        aliases=pl.Series([r[2] for r in rows], dtype=pl.String),
        country=pl.lit(country, pl.String),
    )
    return e


def renamed(comp) -> dict[str, str | None]:
    return dict(comp.table.select("institution_id", "renamed_from").iter_rows())


def test_renamings_fold_names_and_aliases_and_name_each_old_institution_once():
    # one institution left: renamed through its name written with "and" and a full stop
    b = plain("2020", [("old", "Arts & Crafts School", None), ("stay", "Stay School", None)])
    a = plain("2021", [("new", "New Arts", "Arts and Crafts School."), ("stay", "Stay School", None)])
    comp = compare_editions(b, a)
    assert renamed(comp) == {"new": "old", "stay": None}
    assert (row(comp, "new")["name_from"], row(comp, "stay")["name_from"]) == ("Arts & Crafts School", None)
    # through an alias of the old institution, from an alias list; an alias naming nobody, or an institution
    # still in the table, or listed by an institution in both editions, renames nothing
    b = plain(
        "2020",
        [
            ("z-old", "Lycée Z", "Z Institute;ZI"),
            ("o3", "Old Three", None),
            ("stay", "Stay School", None),
            ("gone", "Gone School", None),
        ],
    )
    a = plain(
        "2021",
        [
            ("z-new", "Zed", "Other;ZI"),
            ("n2", "Two", "Old Three"),
            ("n1", "One", "Old Three"),
            ("stay", "Stay School", "Gone School"),
            ("lost", "Lost", "Nowhere"),
            ("copy", "Copy", "Stay School"),
        ],
    )
    comp = compare_editions(b, a)
    assert renamed(comp) == {
        "z-new": "z-old",
        "n1": "o3",  # the first new id takes a name two new institutions list
        "n2": None,
        "stay": None,
        "lost": None,
        "copy": None,
        "gone": None,
    }
    assert dict(comp.table.select("institution_id", "status").iter_rows())["n2"] == "new"
    # asked for by its old id, a renamed institution is found under its new one
    assert renamed(compare_editions(b, a, institution_ids=["z-old", "o3"])) == {"z-new": "z-old", "n1": "o3"}


def test_an_empty_alias_or_an_unknown_country_renames_by_names_only():
    b = plain("2020", [("a", "A", None), ("gone", "Gone", None)])
    a = plain("2021", [("a", "A", None), ("fresh", "Fresh", "Fresh Alias;")])
    assert renamed(compare_editions(b, a))["fresh"] is None
    b = plain("2020", [("a", "A", None), ("gone", "Gone", None)], country=None)
    a = plain("2021", [("a", "A", None), ("back", "Back", "Gone")], country=None)
    assert renamed(compare_editions(b, a))["back"] == "gone"


def test_an_open_band_runs_to_the_field_size():
    b = edition("2020", 1000, [("x", 801, 801), ("y", 801, 801)])
    a = edition("2021", 1000, [("x", 801, 801), ("y", 100, 100)])
    for e in (b, a):  # "801+": no last place written
        e.overall = e.overall.with_columns(
            rank_high=pl.when(pl.col("rank_low") == 801).then(None).otherwise(pl.col("rank_high"))
        )
    comp = compare_editions(b, a)
    x, y = row(comp, "x"), row(comp, "y")
    assert (x["rank_high_from"], x["pct_high_from"], x["movement"], x["rank_change"]) == (
        1000,
        pytest.approx(100.0),
        "maintained",
        "same",
    )
    assert (y["movement"], y["rank_change"]) == ("progressed", "better")


def test_a_ranked_row_without_an_institution_record_is_kept():
    b = edition("2020", 3, [("ghost", 1, 1)])
    a = edition("2021", 3, [("ghost", 2, 2)])
    b.institutions = b.institutions.filter(pl.col("institution_id") != "ghost")
    r = row(compare_editions(b, a), "ghost")
    assert (r["status"], r["rank_from"], r["rank_to"], r["movement"]) == ("both", "1", "2", "declined")


def test_percentiles_need_a_known_positive_field_size():
    one = compare_editions(edition("2020", 1, [("x", 1, 1)]), edition("2021", 1, [("x", 1, 1)]))
    assert row(one, "x")["pct_low_from"] == pytest.approx(100.0) and one.table["basis"][0] == "percentile"
    # ranks beyond the rows held: a partial table whose size is unknown, compared on ranks
    part = compare_editions(edition("2020", 1, [("x", 50, 50)]), edition("2021", 1, [("x", 40, 40)]))
    r = row(part, "x")
    assert part.field_from is None and (r["pct_low_from"], r["basis"], r["movement"]) == (None, "rank", "progressed")
    for lo, hi, movement in (
        (50, 50, "maintained"),
        (40, 50, "maintained"),
        (50, 60, "maintained"),
        (51, 51, "declined"),
    ):
        same = compare_editions(edition("2020", 1, [("x", 50, 50)]), edition("2021", 1, [("x", lo, hi)]))
        assert row(same, "x")["movement"] == movement, (lo, hi)
    # an open band ("801+") in a table of unknown size has no last place: no movement claimed
    opened = edition("2020", 1, [("x", 801, 801)])
    opened.overall = opened.overall.with_columns(rank_high=pl.lit(None, pl.Int64))
    r = row(compare_editions(opened, edition("2021", 1, [("x", 900, 900)])), "x")
    assert (r["movement"], r["rank_change"]) == (None, None)
    b, a = edition("2020", 3, [("x", 2, 2)]), edition("2021", 3, [("x", 1, 1)])
    zero = row(compare_editions(b, a, field_from=0, field_to=4), "x")
    assert (zero["pct_low_from"], zero["pct_low_to"], zero["basis"]) == (None, pytest.approx(25.0), "rank")
    zero = row(compare_editions(b, a, field_to=0), "x")
    assert (zero["pct_low_from"], zero["pct_low_to"], zero["basis"]) == (pytest.approx(200 / 3), None, "rank")


def test_an_edition_without_an_overall_table_names_the_sdg_tables_both_have():
    b = replace(edition("2019", 3, []), sdg_scores=sdg_rows([("x", 3, 1), ("x", 13, 1)]))
    b.overall = b.overall.clear()
    a = replace(edition("2020", 3, [("x", 1, 1)]), sdg_scores=sdg_rows([("x", 3, 1), ("x", 5, 1)]))
    with pytest.raises(InputError) as refused:
        compare_editions(b, a)
    assert str(refused.value) == (
        "field 'edition': edition 2019 has no overall table, only SDG tables: compare one SDG table both editions "
        "have instead (--sdg N; SDG 3)"
    )
    assert row(compare_editions(b, a, sdg=3), "x")["status"] == "both"


def test_an_institution_listed_twice_is_compared_once_with_its_first_record():
    unc = [
        {"institution_id": "x", "table": "overall", "rank_p05": 1.0, "rank_p95": 2.0},
        {"institution_id": "x", "table": "overall", "rank_p05": 1.0, "rank_p95": 10.0},
        {"institution_id": "x", "table": "sdg3", "rank_p05": 1.0, "rank_p95": 1.0},
        {"institution_id": "x", "table": "sdg3", "rank_p05": 1.0, "rank_p95": 4.0},
    ]
    late = [
        {"institution_id": "x", "table": "overall", "rank_p05": 9.0, "rank_p95": 10.0},
        {"institution_id": "x", "table": "sdg3", "rank_p05": 3.0, "rank_p95": 4.0},
    ]
    b = edition("2020", 10, [("x", 1, 1)], names={"x": "First Name"}, uncertainty=unc)
    b.institutions = pl.concat([b.institutions, b.institutions.head(1).with_columns(name=pl.lit("Second Name"))])
    b.sdg_scores = sdg_rows([("x", 3, 1), ("y", 3, 2), ("z", 3, 3), ("w", 3, 4), ("x", 3, 4)])
    a = edition("2021", 10, [("x", 10, 10)], names={"x": "First Name"}, uncertainty=late)
    a.sdg_scores = sdg_rows([("w", 3, 1), ("y", 3, 2), ("z", 3, 3), ("x", 3, 4)])
    b, a = replace(b), replace(a)  # conformed to the edition's schemas
    comp = compare_editions(b, a)
    assert comp.table.filter(pl.col("institution_id") == "x").height == 1
    # the first uncertainty row (1–2, 10–20 %) is apart from 90–100 %; the second (1–10) would overlap
    assert (row(comp, "x")["name"], row(comp, "x")["significant"]) == ("First Name", True)
    sdg = compare_editions(b, a, sdg=3)
    assert sdg.table.filter(pl.col("institution_id") == "x").height == 1
    assert (row(sdg, "x")["rank_from"], row(sdg, "x")["significant"]) == ("1", True)
