"""Summaries: every number from the data, ties worded as ties, movements in the compare module's words,
missing facts left out, French typography."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.compare import compare_editions
from impactrank.errors import InputError
from impactrank.report.summary import summarise

NB, NNB = "\u00a0", "\u202f"


def edition(edition_id: str, n: int, rows: list[tuple[str, str, int, int]], *, groups=None) -> Edition:
    """Field of size n: given rows (id, country, rank_low, rank_high) then German filler rows at the end;
    a band ends at the field size at the latest, as published."""
    filler = [(f"de-{edition_id}-{k}", "DE", n, n) for k in range(n - len(rows))]
    rows = [(i, c, lo, min(hi, n)) for i, c, lo, hi in rows] + filler
    groups = groups or {}
    inst = pl.DataFrame(
        {
            "institution_id": [r[0] for r in rows],
            "name": [f"School {r[0]}" for r in rows],
            "country": [r[1] for r in rows],
            "groups": [groups.get(r[0]) for r in rows],
        }
    )
    overall = pl.DataFrame(
        {
            "institution_id": [r[0] for r in rows],
            "rank": [str(r[2]) if r[2] == r[3] else f"{r[2]}–{r[3]}" for r in rows],
            "rank_position": [r[2] for r in rows],
            "rank_low": [r[2] for r in rows],
            "rank_high": [r[3] for r in rows],
            "band": [None if r[2] == r[3] else f"{r[2]}–{r[3]}" for r in rows],
        }
    )
    return Edition(
        id=edition_id,
        year=int(edition_id),
        kind="imported",
        source="test",
        institutions=inst,
        overall=overall,
        sdg_scores=pl.DataFrame(),
    )


def test_a_shared_first_place_is_never_a_lead():
    ed = edition("2021", 1115, [("a", "FR", 101, 200), ("b", "FR", 101, 200), ("c", "FR", 201, 300), ("x", "DE", 1, 1)])
    en = summarise(ed, country="FR", lang="en")
    assert (
        "School a is joint first among the French institutions with School b (both in the 101–200 band)" in en.paragraph
    )
    assert "heads" not in en.paragraph and "leads" not in en.paragraph
    fr = summarise(ed, country="FR", lang="fr")
    assert "à égalité avec School b" in fr.paragraph and "en tête" not in fr.paragraph
    assert en.data["country"]["leaders"]["tied"] is True and en.data["country"]["leaders"]["count"] == 2
    # a lone leader does lead
    solo = summarise(edition("2021", 1115, [("a", "FR", 101, 200), ("c", "FR", 201, 300)]), country="FR")
    assert "School a heads the French institutions (in the 101–200 band)" in solo.paragraph
    assert "joint" not in solo.paragraph


def test_tied_exact_rank_is_joint():
    ed = edition("2021", 500, [("a", "FR", 7, 7), ("b", "FR", 7, 7)])
    ed.overall = ed.overall.with_columns(
        rank=pl.when(pl.col("rank_low") == 7).then(pl.lit("=7")).otherwise(pl.col("rank"))
    )
    s = summarise(ed, country="FR", lang="en")
    assert "(both joint 7th in the world)" in s.paragraph
    assert "7e ex æquo" in summarise(ed, country="FR", lang="fr").paragraph


def test_the_group_member_among_tied_leaders_is_named_first():
    ed = edition("2021", 300, [("a", "FR", 101, 200), ("m", "FR", 101, 200)], groups={"m": "Net"})
    s = summarise(ed, country="FR", group="Net")
    assert s.paragraph.count("School m is joint first") == 1
    assert s.data["group"]["leads_country"] is True


MAINTAINED_NOT_PROGRESSED = [((101, 200), (201, 300)), ((401, 600), (601, 800)), ((101, 200), (150, 150))]


@pytest.mark.parametrize(("before", "after"), MAINTAINED_NOT_PROGRESSED)
def test_a_maintained_move_is_never_called_progress(before, after):
    b = edition("2020", 766, [("m", "FR", *before)], groups={"m": "Net"})
    a = edition("2021", 1115, [("m", "FR", *after)], groups={"m": "Net"})
    assert compare_editions(b, a).table.filter(pl.col("institution_id") == "m")["movement"][0] == "maintained"
    en = summarise(a, previous=b, group="Net", lang="en")
    fr = summarise(a, previous=b, group="Net", lang="fr")
    assert "progress" not in (en.paragraph + " ".join(en.facts)).lower()
    assert "progress" not in (fr.paragraph + " ".join(fr.facts)).lower()
    assert "School m maintained its position relative to the field" in en.paragraph
    assert "School m maintient sa position" in fr.paragraph


def test_same_band_in_a_grown_field_is_progress_relative_to_the_field():
    b = edition("2020", 766, [("m", "FR", 301, 400)], groups={"m": "Net"})
    a = edition("2021", 1115, [("m", "FR", 301, 400)], groups={"m": "Net"})
    en = summarise(a, previous=b, group="Net", lang="en")
    assert "School m keeps its 301–400 place in a larger field, a better relative position." in en.paragraph
    assert "School m: 301–400 of 766 (top 39.3–52.2%) → 301–400 of 1,115 (top 27.0–35.9%): progressed." in en.facts


band = st.sampled_from([(1, 1), (5, 5), (60, 60), (101, 200), (201, 300), (301, 400), (401, 600), (601, 800)])


@settings(max_examples=25, deadline=None)
@given(band, band, st.sampled_from([766, 1115]), st.sampled_from([766, 1115, 1406]))
def test_progress_is_said_only_for_progressed_moves(before, after, n1, n2):
    b = edition("2020", n1, [("m", "FR", *before)], groups={"m": "Net"})
    a = edition("2021", n2, [("m", "FR", *after)], groups={"m": "Net"})
    movement = compare_editions(b, a).table.filter(pl.col("institution_id") == "m")["movement"][0]
    for lang in ("en", "fr"):
        s = summarise(a, previous=b, group="Net", lang=lang)
        said = (
            "progress" in s.paragraph.lower()
            or "meilleure position relative" in s.paragraph
            or "better relative position" in s.paragraph
        )
        assert said == (movement == "progressed"), (lang, movement, s.paragraph)


def test_missing_facts_are_left_out():
    ed = edition("2021", 10, [("a", "FR", 1, 1)], groups={"a": "Net"})
    s = summarise(ed, country="FR", group="Net")
    assert "up from" not in s.paragraph and "enters" not in s.paragraph and "SDG" not in s.paragraph
    assert s.data["previous"] is None and s.data["comparison"] is None and s.data["best_sdgs"] == []
    # a partial table (field size unknown) states no field size
    part = edition("2021", 3, [("a", "FR", 601, 800)])
    p = summarise(part, country="FR")
    assert p.data["field_size"] is None and "overall table ranks" not in p.paragraph


def test_numbers_come_from_the_data_in_both_typographies():
    b = edition("2020", 766, [("a", "FR", 301, 400), ("b", "FR", 401, 600)])
    a = edition("2021", 1115, [("a", "FR", 101, 200), ("c", "FR", 601, 800)])
    en = summarise(a, previous=b, country="FR", lang="en")
    fr = summarise(a, previous=b, country="FR", lang="fr")
    growth = round(100 * (1115 - 766) / 766)
    assert f"The 2021 overall table ranks 1,115 institutions, up from 766 in 2020 (+{growth}%)." in en.paragraph
    assert f"compte 1{NNB}115 établissements, contre 766 en 2020 (+{growth}{NB}%)." in fr.paragraph
    assert "2 French institutions are ranked, as in 2020." in en.paragraph
    assert "School c enters the table this year (601–800)." in en.paragraph
    assert en.data["field_size"] == 1115 and en.data["previous"]["field_size"] == 766
    assert en.data["comparison"]["counts"] == {
        "progressed": 1,
        "maintained": 0,
        "declined": 0,
        "new": 1,
        "left": 1,
    }
    assert f"Établissements au classement général 2021{NB}: 1{NNB}115" in fr.facts[0]
    assert "1,115" not in fr.paragraph and "1.115" not in fr.paragraph


def test_outputs():
    s = summarise(edition("2021", 4, [("a", "FR", 1, 1)]), country="FR")
    md = s.to_markdown()
    assert md.startswith("## ") and s.paragraph in md and all(f"- {f}" in md for f in s.facts)
    assert "##" not in s.to_text()
    d = json.loads(s.to_json())
    assert d["paragraph"] == s.paragraph and d["facts"] == s.facts and d["data"]["field_size"] == 4
    with pytest.raises(ValueError):
        summarise(edition("2021", 4, []), lang="de")


# ---------------------------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo(demo_build):
    return demo_build.data, demo_build.editions


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_demo_group_summary(demo, lang):
    data, eds = demo
    group = data.groups["group"][0]
    s = summarise(eds[2021], previous=eds[2020], group=group, members=data.groups, lang=lang)
    ids = set(data.groups["institution_id"])
    raw = data.editions[2021].institutions
    french = set(raw.filter(pl.col("country") == "FR")["institution_id"])
    ranked = set(eds[2021].overall["institution_id"])
    n_fr = len(french & ranked)
    k = len(ids & ranked & french)
    if lang == "en":
        assert (
            f"{group} places {k} of its {len(ids)} members among the {n_fr} French institutions ranked." in s.paragraph
        )
    else:
        assert (
            f"{group} place {k} de ses {len(ids)} membres parmi les {n_fr} établissements français classés."
            in s.paragraph
        )
    new = ids & ranked - set(eds[2020].overall["institution_id"])
    assert {r["institution_id"] for r in s.data["comparison"]["new"]} == new
    assert s.data["group"]["ranked_count"] == len(ids & ranked)
    # the best SDG position stated is the best share of any member's SDG-table rank
    sdg = eds[2021].sdg_scores
    sizes = dict(sdg.group_by("sdg").len().iter_rows())
    best = min(
        (r["rank_position"] / sizes[r["sdg"]], r["rank_position"], r["sdg"])
        for r in sdg.filter(pl.col("institution_id").is_in(sorted(ids))).iter_rows(named=True)
    )
    assert (s.data["best_sdgs"][0]["rank_position"], s.data["best_sdgs"][0]["sdg"]) == best[1:]


# ---------------------------------------------------------------------------------------------- real data


def test_real_2023_france_is_a_three_way_tie(shared_dir):
    from impactrank.io.published import read_published

    path = shared_dir / "data/published/the_impact_2023_overall__tuwaiq-ds-ml-bootcamp_data_the.csv"
    ed = read_published(path, edition="2023").editions[0]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        french = [r for r in csv.DictReader(fh) if r["Location"].strip() == "France"]
    top = sorted(r["University Name"].strip() for r in french if r["Rank"].strip() == "101–200")
    en = summarise(ed, country="France", lang="en")
    fr = summarise(ed, country="FR", lang="fr")
    assert f"{len(french)} French institutions are ranked." in en.paragraph
    assert "joint first among the French institutions" in en.paragraph and "heads" not in en.paragraph
    assert all(name in en.paragraph for name in top)
    assert "à égalité avec" in fr.paragraph and "en tête" not in fr.paragraph
    assert "SDG" not in en.paragraph  # an imported table has no SDG ranks: no SDG position claimed


@pytest.mark.parametrize(
    ("rows", "en", "fr"),
    [
        ([], "No Italian institution is ranked.", "Aucun établissement italien n'est classé."),
        (
            [("a", "IT", 7, 7)],
            "One Italian institution is ranked (School a, 7th in the world).",
            "Un seul établissement italien est classé (School a, 7e au niveau mondial).",
        ),
    ],
)
def test_zero_and_one_institution_wording(rows, en, fr):
    ed = edition("2021", 20, rows)
    assert en in summarise(ed, country="IT", lang="en").paragraph
    assert fr in summarise(ed, country="Italy", lang="fr").paragraph


@pytest.fixture(scope="module")
def real_2021(the_tables):
    """THE's 2020 and 2021 tables (overall and SDG tables) and the IMT group file from examples/."""
    repo = Path(__file__).resolve().parents[2]
    shared = repo.parent / "shared"
    from impactrank.io.groups import read_groups

    tables = shared / "data" / "published" / "the-impact-tables"
    eds = {e.year: e for e in the_tables.editions}
    members = read_groups(repo / "examples" / "groups" / "imt.csv", editions=[eds[2021], eds[2020]])
    raw = {
        name: pl.read_excel(tables / name, engine="calamine", infer_schema_length=0)
        for name in ("Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx", "THE_Impact_climate_action_2019_2025.xlsx")
    }
    return eds, members, raw


def _plain(text: str) -> str:
    return text.replace(NB, " ").replace(NNB, " ")


def test_real_2021_imt_story_in_both_languages(real_2021):
    """The 2021 press release told from THE's tables: every figure here is read from the raw workbooks."""
    eds, members, raw = real_2021
    overall = raw["Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx"]
    y20, y21 = (overall.filter(pl.col("Year") == y) for y in ("2020", "2021"))
    n20, n21 = y20.height, y21.height
    french = y21.filter(pl.col("Country") == "France")
    first_band = min(french["Rank"], key=lambda r: int(r.split("–")[0]))
    first = sorted(french.filter(pl.col("Rank") == first_band)["University"])
    imt = [
        "IMT Atlantique",
        "IMT Mines Alès",
        "École des Mines de Saint-Étienne",
        "Institut Mines-Télécom Business School",
    ]
    ranked = [n for n in imt if n in set(french["University"])]
    new = [n for n in ranked if n not in set(y20["University"])]
    band = {y: dict(zip(t["University"], t["Rank"], strict=True)) for y, t in ((2020, y20), (2021, y21))}

    def movement(name: str) -> str:
        lo1, hi1 = map(int, band[2020][name].split("–"))
        lo2, hi2 = map(int, band[2021][name].split("–"))
        if hi2 * n20 < lo1 * n21:
            return "progressed"
        return "declined" if lo2 * n20 > hi1 * n21 else "maintained"

    moves = {n: movement(n) for n in ranked if n not in new}
    climate = raw["THE_Impact_climate_action_2019_2025.xlsx"].filter(pl.col("Year") == "2021")
    sdg13 = climate.filter(pl.col("University") == "IMT Atlantique")["Rank"][0]
    assert (n20, n21, french.height, len(ranked), new) == (768, 1117, 18, 4, ["Institut Mines-Télécom Business School"])
    assert (first_band, sdg13, climate.height) == ("101–200", "55", 566)
    assert sorted(moves.values()) == ["maintained", "progressed", "progressed"]

    en = summarise(eds[2021], previous=eds[2020], group="IMT", members=members, lang="en")
    others = [n for n in first if n != "IMT Atlantique"]
    assert (
        f"IMT places {len(ranked)} of its 8 members among the {french.height} French institutions ranked."
        in en.paragraph
    )
    assert (
        f"IMT Atlantique is joint first among the French institutions with {others[0]} and {others[1]}" in en.paragraph
    )
    assert f"(all in the {first_band} band)" in en.paragraph and "heads" not in en.paragraph
    assert f"{new[0]} enters the table this year ({band[2021][new[0]]}), the 4th member of IMT in it." in en.paragraph
    assert (
        f"Of the 3 members ranked in both editions, 2 progressed and 1 maintained their position relative to the size "
        f"of the field, which grew from {n20} to {n21:,}; none declined." in en.paragraph
    )
    assert f"IMT Atlantique, {sdg13}th of {climate.height} in SDG 13 (Climate action)" in en.paragraph
    for name, move in moves.items():
        assert f"{name}: {band[2020][name]} of {n20}" in "\n".join(en.facts) and move in "\n".join(
            f for f in en.facts if f.startswith(f"{name}: {band[2020][name]}")
        )
    fr = summarise(eds[2021], previous=eds[2020], group="IMT", members=members, lang="fr")
    p = _plain(fr.paragraph)
    assert f"IMT place {len(ranked)} de ses 8 membres parmi les {french.height} établissements français classés." in p
    assert (
        "IMT Atlantique partage la première place des établissements français, "
        f"à égalité avec {others[0]} et {others[1]}" in p
    )
    assert "est en tête" not in p
    assert f"{new[0]} fait son entrée dans le classement cette année ({band[2021][new[0]]})" in p
    assert f"passée de {n20} à 1 117 ; aucun ne recule." in p
    assert (
        f"IMT Atlantique, {sdg13}e sur {climate.height} pour l'ODD 13 (Lutte contre les changements climatiques)" in p
    )
    facts = _plain("\n".join(fr.facts))
    assert f"Classements par ODD, IMT Atlantique : ODD 13, {sdg13}e sur {climate.height}" in facts


def test_spanish_movement_agrees_with_instituciones_and_miembros():
    """'instituciones' is feminine and 'miembros' masculine: the sentence on the moves agrees with its noun."""
    rows = [("a", "FR", 10, 10), ("b", "FR", 30, 30), ("c", "FR", 50, 50)]
    before = edition("2020", 100, rows, groups={"a": "Net", "b": "Net", "c": "Net"})
    after = edition("2021", 100, [("a", "FR", 5, 5), ("b", "FR", 30, 30), ("c", "FR", 60, 60)])
    country = summarise(after, previous=before, country="FR", lang="es").paragraph
    assert "De las 3 instituciones clasificadas ambos años, 1 progresa, 1 mantiene su posición y 1 retrocede" in country
    members = pl.DataFrame({"group": ["Net"] * 3, "institution_id": ["a", "b", "c"]})
    group = summarise(after, previous=before, country="FR", group="Net", members=members, lang="es").paragraph
    assert "De los 3 miembros clasificados ambos años" in group


def _with_sdg_tables(ed: Edition, rows: list[tuple[str, int, int]]) -> Edition:
    """The edition as built, with SDG-table rows (id, sdg, exact rank)."""
    sdg = pl.DataFrame(
        {
            "institution_id": [r[0] for r in rows],
            "sdg": [r[1] for r in rows],
            "rank": [str(r[2]) for r in rows],
            "rank_position": [r[2] for r in rows],
            "rank_low": [r[2] for r in rows],
            "rank_high": [r[2] for r in rows],
        }
    )
    return replace(ed, kind="built", sdg_scores=sdg)


def test_a_members_sdg_table_new_this_year_is_told_without_a_movement():
    before = _with_sdg_tables(
        edition("2020", 10, [("m", "FR", 5, 5)], groups={"m": "Net"}),
        [("p", 3, 1), ("m", 3, 2), ("q", 3, 3), ("r", 3, 4)],
    )
    after = _with_sdg_tables(
        edition("2021", 10, [("m", "FR", 4, 4)], groups={"m": "Net"}),
        [("m", 3, 1), ("p", 3, 2), ("q", 3, 3), ("r", 3, 4), ("s", 3, 5), ("p", 5, 1), ("m", 5, 2)],
    )
    s = summarise(after, previous=before, group="Net", lang="en")
    # SDG 3: 1st of 5 (top 20 %) after 2nd of 4 (top 50 %): progressed; SDG 5 had no 2020 table to compare with
    got = [
        (p["sdg"], p["rank"], p["table_size"], p["rank_from"], p["table_from"], p["movement"])
        for p in s.data["member_sdgs"][0]["positions"]
    ]
    assert got == [(3, "1", 5, "2", 4, "progressed"), (5, "2", 2, None, None, None)]
    assert (
        "SDG positions of School m: SDG 3, 1st of 5 (2 of 4 in 2020, progressed); "
        "SDG 5, 2nd of 2 (no 2020 table of this SDG to compare with)." in s.facts
    )


def test_the_whole_table_names_its_first_place_and_counts_the_movements():
    before = edition("2020", 8, [("b", "DE", 1, 1), ("a", "FR", 3, 3)])
    after = edition("2021", 10, [("a", "FR", 1, 1), ("b", "DE", 2, 2)])
    s = summarise(after, previous=before)
    assert "School a tops the table." in s.paragraph
    ids20, ids21 = set(before.overall["institution_id"]), set(after.overall["institution_id"])
    # a: 3rd of 8 (37.5 %) → 1st of 10 (10 %) progressed; b: 1st of 8 (12.5 %) → 2nd of 10 (20 %) declined
    assert (
        f"Movements 2020 → 2021: 1 progressed, 0 maintained, 1 declined, {len(ids21 - ids20)} new, "
        f"{len(ids20 - ids21)} left." in s.facts
    )
    tie = edition("2021", 10, [("a", "FR", 1, 1), ("b", "DE", 1, 1)])
    tie.overall = tie.overall.with_columns(rank=pl.when(pl.col("rank_low") == 1).then(pl.lit("=1")).otherwise("rank"))
    assert "School a and School b share first place (=1)." in summarise(tie).paragraph
    assert "First place, shared: School a and School b (=1)." in summarise(tie).facts
    assert "School a et School b partagent la première place (=1)." in summarise(tie, lang="fr").paragraph
    assert "School a y School b comparten el primer puesto (=1)." in summarise(tie, lang="es").paragraph


def test_long_lists_of_names_are_cut_and_absent_members_keep_last_years_name():
    net = {f"n{k}": "Net" for k in range(7)} | {"m": "Net", "gone": "Net"}
    before = edition("2020", 20, [("m", "FR", 5, 5), ("gone", "FR", 6, 6)], groups=net)
    after = edition("2021", 25, [("m", "FR", 4, 4)] + [(f"n{k}", "FR", 10 + k, 10 + k) for k in range(7)], groups=net)
    first = ", ".join(f"School n{k}" for k in range(5))  # five names, then the two others counted
    en = summarise(after, previous=before, group="Net", lang="en")
    assert f"{first} and 2 others enter the table this year." in en.paragraph
    assert "School gone: not in the overall table (not in this edition)." in en.facts
    assert "School gone: in the 2020 table (6), not in 2021." in en.facts
    # members given without names: the absent one is still named as the previous edition knew it
    listed = pl.DataFrame({"group": ["Net"] * len(net), "institution_id": list(net)})
    bare = summarise(after, previous=before, group="Net", members=listed, lang="en")
    assert "School gone: not in the overall table (not in this edition)." in bare.facts
    assert bare.data["group"]["absent"] == [
        {"institution_id": "gone", "name": "School gone", "country": "FR", "reason": "not in the edition"}
    ]
    assert (
        f"{first} et 2 autres font leur entrée" in summarise(after, previous=before, group="Net", lang="fr").paragraph
    )
    assert f"{first} y 2 más entran" in summarise(after, previous=before, group="Net", lang="es").paragraph


def test_a_country_story_with_a_smaller_field_a_renaming_and_sdg_positions():
    net = {"m": "Net"}
    before = edition("2020", 12, [("a", "FR", 1, 1), ("m", "FR", 6, 6), ("old", "FR", 3, 3)], groups=net)
    after = edition("2021", 10, [("a", "FR", 2, 2), ("m", "FR", 5, 5), ("new", "FR", 4, 4)], groups=net)
    renamed = pl.when(pl.col("institution_id") == "new").then(pl.lit("School old"))
    after.institutions = after.institutions.with_columns(aliases=renamed)
    sdg = [("m", 3, 2), ("a", 3, 1), ("x", 3, 3), ("m", 5, 1), ("a", 5, 2), ("new", 5, 3), ("z", 5, 4)]
    after = _with_sdg_tables(after, sdg)
    fr = summarise(after, previous=before, country="FR")
    assert f"down from 12 in 2020 (−{round(100 * 2 / 12)}%)." in fr.paragraph
    assert f"Institutions in the 2021 overall table: 10 (12 in 2020, −{100 * 2 / 12:.1f}%)." in fr.facts
    assert "School new was School old in 2020, counted as the same institution." in fr.facts
    # a: 1/12 → 2/10 declined; m: 6/12 → 5/10 maintained; new (was old): 3/12 → 4/10 declined
    assert (
        "Of the 3 institutions ranked in both editions, 0 progressed, 1 maintained their position and 2 declined, "
        "relative to the size of the field (12 in 2020, 10 in 2021)." in fr.paragraph
    )
    # best shares: m 1st of 4 in SDG 5 (25 %), a 1st of 3 in SDG 3 (33 %), new 3rd of 4 in SDG 5 (75 %)
    assert "The best SDG position is School m's: 1st of 4 in SDG 5 (Gender equality)." in fr.paragraph
    assert [f for f in fr.facts if f.startswith("Best SDG position")] == [
        "Best SDG position of School m: rank 1 of 4 in SDG 5 (Gender equality).",
        "Best SDG position of School a: rank 1 of 3 in SDG 3 (Good health and well-being).",
        "Best SDG position of School new: rank 3 of 4 in SDG 5 (Gender equality).",
    ]
    net_story = summarise(after, previous=before, country="FR", group="Net").paragraph
    assert (
        "The best-placed member of Net, School m, is 3rd among the French institutions (5th in the world)." in net_story
    )
    assert "Best SDG positions: School m, 1st of 4 in SDG 5 (Gender equality)." in net_story
    with pytest.raises(InputError, match="compare with a different edition"):
        summarise(after, previous=after)


def test_six_names_are_all_named_and_a_summary_without_previous_lists_sdg_positions():
    net = {f"n{k}": "Net" for k in range(6)}
    before = edition("2020", 20, [("a", "FR", 1, 1)], groups=net)
    after = edition("2021", 20, [(f"n{k}", "FR", 10 + k, 10 + k) for k in range(6)], groups=net)
    six = ", ".join(f"School n{k}" for k in range(5)) + " and School n5"
    assert f"{six} enter the table this year." in summarise(after, previous=before, group="Net").paragraph
    ranked = _with_sdg_tables(after, [("n0", 3, 1), ("x", 3, 2), ("y", 3, 3), ("n0", 5, 2), ("z", 5, 1)])
    alone = summarise(ranked, group="Net")
    assert "SDG positions of School n0: SDG 3, 1st of 3; SDG 5, 2nd of 2." in alone.facts
    member = alone.data["member_sdgs"][0]
    assert (member["institution_id"], member["name"], len(member["positions"])) == ("n0", "School n0", 2)
    first = member["positions"][0]
    assert (first["rank_position"], first["banded"], first["percentile"], first["percentile_high"]) == (
        1,
        False,
        round(100 / 3, 2),
        round(100 / 3, 2),
    )


def test_the_outputs_keep_every_fact_in_order_and_the_json_its_letters():
    b = edition("2020", 766, [("a", "FR", 301, 400)])
    a = edition("2021", 1115, [("a", "FR", 101, 200)])
    s = summarise(a, previous=b, country="FR", lang="fr")
    bullets = "".join(f"- {f}\n" for f in s.facts)
    assert s.to_markdown() == f"## {s.title}\n\n{s.paragraph}\n\n{bullets}"
    assert s.to_text() == f"{s.title}\n\n{s.paragraph}\n\n" + "".join(f"  * {f}\n" for f in s.facts)
    text = s.to_json()
    assert "Établissements" in text and "\\u00c9" not in text  # letters kept as they are
    top = [line.split('"')[1] for line in text.splitlines() if line.startswith(' "')]  # one-space indent
    assert top == ["data", "facts", "lang", "paragraph", "title"] and text.endswith("}\n")
    assert json.loads(text) == {**s.to_dict(), "data": json.loads(json.dumps(s.data))}
    assert set(s.to_dict()) == {"lang", "title", "paragraph", "facts", "data"} and s.to_dict()["title"] == s.title
