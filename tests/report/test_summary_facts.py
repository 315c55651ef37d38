"""Summaries checked as a journalist would check them: ranks, bands, counts, the country's best, a member's SDG
positions (banded ones too), absent members and what a comparison can and cannot say — each figure computed
here from the small field the test writes."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from test_summary import NB, NNB, _with_sdg_tables, edition

from impactrank.engine.forecast.next_edition import Forecast
from impactrank.engine.forecast.rule import NextRule
from impactrank.engine.views.compare import compare_editions
from impactrank.errors import InputError
from impactrank.methodology.schema import Banding
from impactrank.report.summary import summarise


def _sdg_table(rows: list[tuple[str, int, int, int]]) -> pl.DataFrame:
    """SDG-table rows (id, sdg, first place, last place); a band when the two differ."""
    return pl.DataFrame(
        {
            "institution_id": [r[0] for r in rows],
            "sdg": [r[1] for r in rows],
            "rank": [str(r[2]) if r[2] == r[3] else f"{r[2]}–{r[3]}" for r in rows],
            "rank_position": [r[2] if r[2] == r[3] else None for r in rows],
            "rank_low": [r[2] for r in rows],
            "rank_high": [r[3] for r in rows],
            "band": [None if r[2] == r[3] else f"{r[2]}–{r[3]}" for r in rows],
        },
        schema_overrides={"rank_position": pl.Int64},
    )


def _table_with(member: tuple[str, int, int, int], size: int, prefix: str) -> list[tuple[str, int, int, int]]:
    """A whole SDG table of ``size`` rows holding ``member`` (id, sdg, first, last place): the others at exact
    places outside the member's, and in its band with it when it has one."""
    _, sdg, low, high = member
    mates = [(f"{prefix}b{k}", sdg, low, high) for k in range(high - low)] if high > low else []
    others = [(f"{prefix}{k}", sdg, k, k) for k in range(1, size + 1) if not low <= k <= high]
    return [member, *mates, *others]


def test_a_members_banded_sdg_position_told_as_a_band_with_last_years_place():
    """SDG 3 of 2021: 300 rows, School m in the 101–200 band; 2020: 100 rows, School m 40th. Shares: 101/300 to
    200/300 against 40/100 — the intervals overlap, so the position is maintained. SDG 5: 4 rows, m 2nd (2/4 =
    50 %), a better worst case than the band's 200/300, so SDG 5 comes first."""
    net = {"m": "Net"}
    before = edition("2020", 10, [("m", "FR", 5, 5)], groups=net)
    before = replace(before, kind="built", sdg_scores=_sdg_table(_table_with(("m", 3, 40, 40), 100, "p")))
    rows21 = _table_with(("m", 3, 101, 200), 300, "q")
    rows21 += [("m", 5, 2, 2), ("r1", 5, 1, 1), ("r3", 5, 3, 3), ("r4", 5, 4, 4)]
    after = replace(edition("2021", 10, [("m", "FR", 4, 4)], groups=net), kind="built", sdg_scores=_sdg_table(rows21))
    en = summarise(after, previous=before, group="Net", lang="en")
    first, banded = en.data["member_sdgs"][0]["positions"]
    assert (banded["sdg"], banded["rank"], banded["banded"], banded["rank_position"], banded["table_size"]) == (
        3,
        "101–200",
        True,
        None,
        300,
    )
    assert (banded["percentile"], banded["percentile_high"]) == (round(100 * 101 / 300, 2), round(100 * 200 / 300, 2))
    assert (banded["rank_from"], banded["table_from"], banded["movement"]) == ("40", 100, "maintained")
    assert (first["sdg"], first["rank"], first["banded"], first["percentile_high"]) == (5, "2", False, 50.0)
    assert (
        "SDG positions of School m: SDG 5, 2nd of 4 (no 2020 table of this SDG to compare with); "
        "SDG 3, the 101–200 band of 300 (40 of 100 in 2020, maintained)." in en.facts
    )
    assert "Best SDG positions: School m, 2nd of 4 in SDG 5 (Gender equality)." in en.paragraph
    fr = " ".join(summarise(after, previous=before, group="Net", lang="fr").facts).replace(NB, " ").replace(NNB, " ")
    assert "ODD 3, tranche 101–200 sur 300 (40 sur 100 en 2020, se maintient)" in fr
    assert "ODD 5, 2e sur 4 (pas de classement de cet ODD en 2020 auquel comparer)" in fr
    es = " ".join(summarise(after, previous=before, group="Net", lang="es").facts)
    assert "ODS 3, tramo 101–200 de 300 (40 de 100 en 2020, se mantiene)" in es
    assert "(sin clasificación de este ODS en 2020 con la que comparar)" in es


def test_absent_from_an_sdg_table_the_previous_edition_holds_or_from_one_it_does_not_hold():
    """'Not in the SDG's 2020 table' only when the 2020 edition holds that table whole: an overall table imported
    with its cards' SDG scores (no SDG rank, no table size) holds no SDG table to compare with."""
    net = {"m": "Net"}
    after = _with_sdg_tables(edition("2021", 10, [("m", "FR", 4, 4)], groups=net), [("m", 3, 1), ("x", 3, 2)])
    held = _with_sdg_tables(edition("2020", 10, [("m", "FR", 5, 5)], groups=net), [("x", 3, 1), ("y", 3, 2)])
    en = summarise(after, previous=held, group="Net", lang="en")
    assert "SDG positions of School m: SDG 3, 1st of 2 (not in the SDG's 2020 table)." in en.facts
    cards = edition("2020", 10, [("m", "FR", 5, 5)], groups=net)
    scores = pl.DataFrame({"institution_id": ["m", "x"], "sdg": [3, 3], "score": [71.5, 60.2]})
    cards = replace(cards, sdg_scores=scores.with_columns(rank=pl.lit(None, pl.String)))
    assert 3 in cards.sdgs() and cards.sdg_table_sizes() == {}  # SDG scores, yet no table
    en = summarise(after, previous=cards, group="Net", lang="en")
    assert "SDG positions of School m: SDG 3, 1st of 2 (no 2020 table of this SDG to compare with)." in en.facts
    fr = summarise(after, previous=cards, group="Net", lang="fr").facts
    assert "absent du classement" not in " ".join(fr) and "auquel comparer" in " ".join(fr)


def test_a_countrys_comparison_counts_its_moves_and_names_its_new_and_left_institutions():
    """2020: 7 ranked (France: a 3rd, b 5th, gone 7th); 2021: 10 ranked (a 2nd, b 9th, c 6th). a: 3/7 → 2/10
    progressed; b: 5/7 → 9/10 declined; c new; gone left. The field grew by 3 (+42.9 %, one decimal)."""
    before = edition("2020", 7, [("a", "FR", 3, 3), ("b", "FR", 5, 5), ("gone", "FR", 7, 7)])
    after = edition("2021", 10, [("a", "FR", 2, 2), ("b", "FR", 9, 9), ("c", "FR", 6, 6)])
    s = summarise(after, previous=before, country="FR", lang="fr")
    d = s.data
    assert (d["edition"], d["year"], d["kind"], d["lang"], s.lang) == ("2021", 2021, "imported", "fr", "fr")
    assert d["previous"] == {
        "edition": "2020",
        "year": 2020,
        "field_size": 7,
        "growth": 3,
        "growth_pct": round(100 * 3 / 7, 1),
    }
    cmp = d["comparison"]
    assert (cmp["edition_from"], cmp["field_from"], cmp["field_to"], cmp["basis"]) == ("2020", 7, 10, "percentile")
    assert cmp["counts"] == {"progressed": 1, "maintained": 0, "declined": 1, "new": 1, "left": 1}
    assert (cmp["in_both"], cmp["classified"], cmp["rows"]) == (2, 2, [])  # a country's rows are not listed
    assert [(r["institution_id"], r["name"], r["rank_to"]) for r in cmp["new"]] == [("c", "School c", "6")]
    assert [(r["institution_id"], r["name"], r["rank_from"]) for r in cmp["left"]] == [("gone", "School gone", "7")]
    # the country's three ranked institutions sit in the top band of individual ranks, 1–10, which holds all ten
    assert d["country"]["bands"] == [{"band": "1–10", "count": 3, "field_count": 10}]
    assert (d["country"]["count"], d["country"]["previous_count"]) == (3, 3)
    assert (d["world_leaders"], d["member_sdgs"], d["group"]) == (None, None, None)
    whole = summarise(after, previous=before).data
    ids20, ids21 = set(before.overall["institution_id"]), set(after.overall["institution_id"])
    assert whole["comparison"]["counts"]["new"] == len(ids21 - ids20) and whole["country"] is None
    assert (whole["comparison"]["rows"], whole["comparison"]["new"], whole["comparison"]["left"]) == ([], [], [])
    assert (whole["world_leaders"]["ids"], whole["world_leaders"]["rank"]) == (["a"], "2")  # nobody is 1st
    # a country with no institution in either edition: nothing to compare, no basis
    empty = summarise(after, previous=before, country="IT").data["comparison"]
    assert (empty["basis"], empty["in_both"], empty["counts"]["new"], empty["left"]) == (None, 0, 0, [])


def test_a_members_move_beyond_its_rank_uncertainty_and_a_renamed_member():
    """m: 3rd of 7 (42.857… %) → 2nd of 9 (22.222… %), its 90 % rank intervals 3–4 of 7 then 1–2 of 9 apart
    (2 × 7 < 3 × 9); 'new' was 'old' (5th of 7 → 4th of 9), found through its alias."""
    net = {"m": "Net", "new": "Net"}
    before = edition("2020", 7, [("m", "FR", 3, 3), ("old", "FR", 5, 5)], groups={"m": "Net"})
    after = edition("2021", 9, [("m", "FR", 2, 2), ("new", "FR", 4, 4)], groups=net)
    after.institutions = after.institutions.with_columns(
        aliases=pl.when(pl.col("institution_id") == "new").then(pl.lit("School old"))
    )

    def interval(p05: float, p95: float) -> pl.DataFrame:
        return pl.DataFrame({"institution_id": ["m"], "table": ["overall"], "rank_p05": [p05], "rank_p95": [p95]})

    before = replace(before, rank_uncertainty=interval(3.0, 4.0))
    after = replace(after, rank_uncertainty=interval(1.0, 2.0))
    members = pl.DataFrame({"group": ["Net", "Net"], "institution_id": ["m", "new"]})
    s = summarise(after, previous=before, group="Net", members=members)
    rows = {r["institution_id"]: r for r in s.data["comparison"]["rows"]}
    assert set(rows) == {"m", "new"}
    m = rows["m"]
    assert (m["movement"], m["significant"], m["renamed_from"], m["rank_from"], m["rank_to"]) == (
        "progressed",
        True,
        None,
        "3",
        "2",
    )
    assert (m["pct_from"], m["pct_to"]) == ([round(300 / 7, 1)] * 2, [round(200 / 9, 1)] * 2)
    assert (rows["new"]["renamed_from"], rows["new"]["name_from"], rows["new"]["significant"]) == (
        "old",
        "School old",
        None,
    )
    assert [r["renamed_from"] for r in s.data["comparison"]["renamed"]] == ["old"]
    assert "School m: 3 of 7 (top 42.9%) → 2 of 9 (top 22.2%): progressed (beyond rank uncertainty)." in s.facts


def test_a_member_whose_rank_did_not_read_is_in_both_editions_but_not_classified():
    """An imported row whose rank could not be read is in the table (present) but has no place to compare."""
    net = {"m": "Net", "r": "Net"}
    before = edition("2020", 10, [("m", "FR", 3, 3), ("r", "FR", 5, 5)], groups=net)
    after = edition("2021", 10, [("m", "FR", 2, 2), ("r", "FR", 6, 6)], groups=net)
    unread = pl.col("institution_id") == "r"
    after.overall = after.overall.with_columns(
        rank=pl.when(unread).then(pl.lit("Reporter")).otherwise("rank"),
        rank_position=pl.when(unread).then(None).otherwise("rank_position"),
        rank_low=pl.when(unread).then(None).otherwise("rank_low"),
        rank_high=pl.when(unread).then(None).otherwise("rank_high"),
    )
    cmp = summarise(after, previous=before, group="Net").data["comparison"]
    assert (cmp["in_both"], cmp["classified"]) == (2, 1)
    assert {r["institution_id"]: r["movement"] for r in cmp["rows"]} == {"m": "progressed", "r": None}


def test_a_national_group_speaks_of_its_country_and_an_international_one_does_not():
    """Net's ranked members are all French: its summary tells France's figures; Mix has a German member too.
    A country the reader asks for is kept either way."""
    groups = {"m": "Net", "n": "Net", "x": "Mix", "y": "Mix"}
    rows = [("d", "DE", 1, 1), ("m", "FR", 3, 3), ("x", "FR", 4, 4), ("f", "FR", 2, 2), ("n", "FR", 6, 6)]
    ed = edition("2021", 10, [*rows, ("y", "DE", 5, 5)], groups=groups)
    net = summarise(ed, group="Net").data
    assert net["country"]["code"] == "FR" and net["group"]["countries"] == ["FR"]
    # m is France's 2nd (f is 1st), n its 4th: 2 members ranked in France, the best one m, not first
    assert (net["group"]["ranked_in_country"], net["group"]["best"]["institution_id"]) == (2, "m")
    best = net["group"]["best"]
    assert (best["rank"], best["national_position"], best["national_tied"], net["group"]["leads_country"]) == (
        "3",
        2,
        False,
        False,
    )
    mix = summarise(ed, group="Mix").data
    assert mix["country"] is None and mix["group"]["countries"] == ["DE", "FR"]
    assert summarise(ed, group="Net", country="DE").data["country"]["code"] == "DE"
    asked = summarise(ed, group="Mix", country="FR").data
    assert asked["country"]["code"] == "FR" and asked["group"]["best"]["institution_id"] == "x"
    # Net has no member in Germany: none ranked there, no best member named
    de = summarise(ed, group="Net", country="DE")
    assert (de.data["group"]["ranked_in_country"], de.data["group"]["best"]) == (0, None)


def test_a_group_and_country_summary_gives_the_members_sdg_positions_not_the_countrys():
    """f, French but not a member, holds the best SDG place of France (1st of 4 in SDG 3); the group's best SDG
    position stated is its member's (2nd of 4)."""
    ed = edition("2021", 10, [("f", "FR", 1, 1), ("m", "FR", 2, 2)], groups={"m": "Net"})
    ed = _with_sdg_tables(ed, [("f", 3, 1), ("m", 3, 2), ("x", 3, 3), ("y", 3, 4)])
    s = summarise(ed, group="Net", country="FR")
    best = s.data["best_sdgs"]
    assert [(b["institution_id"], b["name"], b["sdg"], b["rank"], b["table_size"]) for b in best] == [
        ("m", "School m", 3, "2", 4)
    ]
    country = summarise(ed, country="FR").data["best_sdgs"]
    assert [(b["institution_id"], b["rank"]) for b in country] == [("f", "1"), ("m", "2")]


def test_an_institution_without_a_name_is_named_by_its_id_and_tied_national_places_are_ties():
    ed = edition("2021", 10, [("a", "FR", 4, 4), ("b", "FR", 4, 4), ("c", "FR", 6, 6)], groups={"a": "Net"})
    nameless = pl.col("institution_id") == "a"
    ed.institutions = ed.institutions.with_columns(name=pl.when(nameless).then(None).otherwise("name"))
    ed.overall = ed.overall.with_columns(rank=pl.when(pl.col("rank_low") == 4).then(pl.lit("=4")).otherwise("rank"))
    s = summarise(ed, group="Net", country="FR")
    best = s.data["group"]["best"]
    assert (best["name"], best["rank"], best["national_position"], best["national_tied"]) == ("a", "=4", 1, True)
    assert s.data["country"]["leaders"]["names"] == ["a", "School b"]  # the member named first


def test_absent_members_keep_their_current_name_else_last_years_else_their_id():
    """u left the overall table but is still listed, renamed and re-located; s is in an SDG table only, its name
    lost this year but known last year; t is in an SDG table only with no name anywhere; ghost is in neither
    edition; gone was listed twice last year."""
    ids = ["m", "u", "s", "t", "ghost", "gone"]
    before = edition("2020", 10, [("m", "FR", 2, 2), ("u", "BE", 3, 3), ("s", "FR", 4, 4), ("gone", "FR", 5, 5)])
    twice = before.institutions.filter(pl.col("institution_id") == "gone").with_columns(name=pl.lit("School gone bis"))
    before.institutions = pl.concat([before.institutions, twice])
    after = edition("2021", 10, [("m", "FR", 1, 1)])
    listed = pl.DataFrame(
        {
            "institution_id": ["u", "s", "t"],
            "name": ["School u renamed", None, None],
            "country": ["FR", "FR", "FR"],
            "groups": [None, None, None],
        }
    )
    after.institutions = pl.concat([after.institutions, listed], how="diagonal_relaxed")
    after = _with_sdg_tables(after, [("s", 3, 1), ("t", 3, 2), ("x", 3, 3)])
    members = pl.DataFrame({"group": ["Net"] * len(ids), "institution_id": ids})
    s = summarise(after, previous=before, group="Net", members=members)
    absent = {r["institution_id"]: (r["name"], r["country"]) for r in s.data["group"]["absent"]}
    assert absent == {
        "u": ("School u renamed", "FR"),
        "s": ("School s", "FR"),
        "t": (None, "FR"),
        "ghost": (None, None),
        "gone": ("School gone", "FR"),
    }
    assert len(s.data["group"]["absent"]) == 5
    sdgs = {m["institution_id"]: (m["name"], [p["rank"] for p in m["positions"]]) for m in s.data["member_sdgs"]}
    assert sdgs == {"s": ("School s", ["1"]), "t": ("t", ["2"])}
    # without a previous edition the absent are named as this edition and the group file know them
    alone = summarise(after, group="Net", members=members).data["group"]["absent"]
    assert {r["institution_id"]: r["name"] for r in alone} == {
        "u": "School u renamed",
        "s": None,
        "t": None,
        "ghost": None,
        "gone": None,
    }


def test_every_member_with_sdg_positions_is_told_whatever_comes_before_it():
    """a, the best-ranked member, holds no SDG-table place; b, after it, does; an unranked SDG row is no place."""
    ed = edition("2021", 10, [("a", "FR", 1, 1), ("b", "FR", 2, 2)], groups={"a": "Net", "b": "Net"})
    ed = _with_sdg_tables(ed, [("b", 3, 1), ("x", 3, 2), ("b", 4, 1), ("y", 4, 2)])
    unranked = pl.col("sdg") == 4
    ed.sdg_scores = ed.sdg_scores.with_columns(
        *(
            pl.when(unranked).then(None).otherwise(c).alias(c)
            for c in ("rank", "rank_position", "rank_low", "rank_high")
        )
    )
    s = summarise(ed, group="Net")
    assert [(m["institution_id"], [p["sdg"] for p in m["positions"]]) for m in s.data["member_sdgs"]] == [("b", [3])]
    assert "SDG positions of School b: SDG 3, 1st of 2." in s.facts


def test_a_whole_paragraph_and_title_word_for_word_in_three_languages():
    ed = edition("2021", 20, [("a", "IT", 7, 7)])
    en = summarise(ed, country="IT", lang="en")
    assert en.title == "Impact rankings 2021 (Italy)"
    assert en.paragraph == (
        "The 2021 overall table ranks 20 institutions. One Italian institution is ranked (School a, 7th in the world)."
    )
    assert (en.lang, en.data["lang"]) == ("en", "en")
    fr = summarise(ed, country="IT", lang="fr")
    assert fr.title == "Classement d'impact 2021 (Italie)" and fr.lang == "fr"
    es = summarise(ed, country="IT", lang="es")
    assert "Una sola institución de Italia está clasificada (School a" in es.paragraph
    two = edition("2021", 20, [("a", "IT", 7, 7), ("b", "IT", 9, 9)])
    assert "Están clasificadas 2 instituciones de Italia" in summarise(two, country="IT", lang="es").paragraph
    assert summarise(two, country="IT", group=None, lang="es").title == "Clasificación de impacto 2021 (Italia)"
    grouped = edition("2021", 20, [("a", "IT", 7, 7)], groups={"a": "Net"})
    assert summarise(grouped, group="Net", lang="fr").title == f"Classement d'impact 2021{NB}: Net (Italie)"
    # a name opening a sentence keeps its first letter
    x = edition("2021", 20, [("xa", "IT", 1, 1)])
    x.institutions = x.institutions.with_columns(name=pl.lit("Xavier Institute"))
    assert "Xavier Institute tops the table." in summarise(x).paragraph


def test_names_in_the_readers_language_this_year_and_last():
    before = edition("2020", 10, [("a", "FR", 2, 2), ("gone", "FR", 3, 3)])
    after = edition("2021", 10, [("a", "FR", 1, 1)])
    local = {"a": '{"fr": "École A"}', "gone": '{"fr": "École disparue"}'}
    for ed in (before, after):
        ids = ed.institutions["institution_id"]
        ed.institutions = ed.institutions.with_columns(
            display_names=pl.Series([local.get(i) for i in ids], dtype=pl.String)
        )
    fr = summarise(after, previous=before, country="FR", lang="fr")
    assert "École A" in fr.paragraph and "School a" not in fr.paragraph
    assert [r["name"] for r in fr.data["comparison"]["left"]] == ["École disparue"]
    en = summarise(after, previous=before, country="FR", lang="en")
    assert [r["name"] for r in en.data["comparison"]["left"]] == ["School gone"]


def test_the_group_file_given_overrides_the_institutions_groups_and_one_edition_twice_is_refused():
    ed = edition("2021", 10, [("a", "FR", 1, 1), ("b", "FR", 2, 2)], groups={"a": "Net"})
    members = pl.DataFrame({"group": ["Net"], "institution_id": ["b"]})
    s = summarise(ed, group="Net", members=members)
    assert [r["institution_id"] for r in s.data["group"]["ranked"]] == ["b"]
    with pytest.raises(InputError) as refused:
        summarise(ed, previous=ed)
    assert (refused.value.message, refused.value.field) == ("compare with a different edition", "compare")


def test_a_forecast_adds_next_years_line_for_the_subjects_best_placed_institution():
    ed = edition("2021", 10, [("a", "FR", 1, 1), ("b", "FR", 2, 2)])
    table = pl.DataFrame(
        {
            "institution_id": ["b", "a"],
            "most_likely": ["1–10", "1–10"],
            "interval_low": ["1–10", "1–10"],
            "interval_high": ["11–20", "1–10"],
        }
    )
    rule = NextRule(2022, "test", (1.0,), Banding(individual_to=10), assumed=True)
    fc = Forecast("2021", rule, table, [], 10, (9, 11), 0.1, ["2020 → 2021"], 0, 0.0, 5)
    plain = summarise(ed, country="FR")
    s = summarise(ed, country="FR", forecast=fc)
    assert s.facts[: len(plain.facts)] == plain.facts  # the forecast's lines come after the others
    assert s.facts[len(plain.facts) :] == [
        "School a — Next year (2022): most likely 1–10, 80% in 1–10",
        "The forecast's assumptions: impactrank forecast --edition 2021 --institution a",
    ]
    assert s.data["forecast"] == table.row(1, named=True)
    fr = summarise(ed, country="FR", forecast=fc, lang="fr").facts[-2:]
    assert fr == [
        f"School a — L’an prochain (2022){NB}: le plus probable 1–10, 80{NB}% dans 1–10",  # French typography
        f"Hypothèses de la prévision{NB}: impactrank forecast --edition 2021 --institution a",
    ]


def test_a_comparison_kept_for_another_previous_edition_is_not_reused():
    """The whole comparison is kept with the edition under the previous edition's id; an id can be reused once its
    edition is freed, so the kept comparison is used only when it was made against this very edition."""
    before = edition("2020", 10, [("a", "FR", 5, 5), ("gone", "FR", 6, 6)])
    other = edition("2020", 10, [("a", "FR", 1, 1)])
    after = edition("2021", 10, [("a", "FR", 2, 2)])
    after.derived(("comparison", id(before)), lambda: (other, compare_editions(other, after)))  # a stale entry
    cmp = summarise(after, previous=before, country="FR").data["comparison"]
    # a: 5th → 2nd of 10, progressed (against the stale entry, 1st → 2nd, it would have declined); gone left
    assert cmp["counts"] == {"progressed": 1, "maintained": 0, "declined": 0, "new": 0, "left": 1}
    assert [r["institution_id"] for r in cmp["left"]] == ["gone"]


def test_no_growth_is_stated_when_either_fields_size_is_unknown():
    """A table holding only rows past its own length (601–800 in a file of 3 rows) is partial: its field size is
    unknown, and so is the growth either way."""
    partial = edition("2020", 3, [("a", "FR", 601, 800)])
    band = pl.col("rank_low") == 601  # the band as published, not cut at the file's length
    partial.overall = partial.overall.with_columns(
        rank=pl.when(band).then(pl.lit("601–800")).otherwise("rank"),
        rank_high=pl.when(band).then(800).otherwise("rank_high"),
        band=pl.when(band).then(pl.lit("601–800")).otherwise("band"),
    )
    whole = edition("2021", 10, [("a", "FR", 5, 5)])
    assert (partial.field_size, whole.field_size) == (None, 10)
    for before, after in ((partial, whole), (replace(whole, id="2020", year=2020), replace(partial, id="2021"))):
        s = summarise(after, previous=before, country="FR")
        known = s.data["previous"]
        assert (known["growth"], known["growth_pct"]) == (None, None)
        assert "up from" not in s.paragraph and "down from" not in s.paragraph


def test_a_country_code_no_standard_knows_is_matched_in_capitals():
    """A code outside ISO 3166 (here QQ, as a data file may use) is taken as typed, in capitals."""
    ed = edition("2021", 10, [("q", "QQ", 3, 3)])
    s = summarise(ed, country=" qq ")
    assert (s.data["country"]["code"], s.data["country"]["count"]) == ("QQ", 1)
    assert s.data["country"]["leaders"]["names"] == ["School q"]
