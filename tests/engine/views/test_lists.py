"""Views: national ranks (ties shared, consistent with world ranks), country counts and bands, group
members, SDG positions — on hand-made editions, the synthetic demo and the real 2023 table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.lists import (
    country_view,
    group_members,
    group_view,
    groups_from_institutions,
    overall_view,
    sdg_positions,
    sdg_view,
    with_national_ranks,
    with_rank_intervals,
)
from impactrank.errors import InputError


def make_edition(rows: list[tuple[str, str, str]], *, edition_id: str = "2021", sdg_rows=None) -> Edition:
    """rows: (institution_id, country, displayed rank "5", "=7", "101–200", "1001+")."""
    n = len(rows)
    inst, overall = [], []
    for iid, country, rank in rows:
        if "–" in rank:
            low, high = (int(x) for x in rank.split("–"))
            band = rank
        elif rank.endswith("+"):
            low, high, band = int(rank[:-1]), n, rank
        else:
            low = high = int(rank.lstrip("="))
            band = None
        inst.append({"institution_id": iid, "name": f"Name {iid}", "country": country})
        overall.append(
            {
                "institution_id": iid,
                "rank": rank,
                "rank_position": low,
                "rank_low": low,
                "rank_high": high,
                "band": band,
            }
        )
    return Edition(
        id=edition_id,
        year=int(edition_id[:4]),
        kind="imported",
        source="test",
        institutions=pl.DataFrame(inst),
        overall=pl.DataFrame(overall),
        sdg_scores=pl.DataFrame(
            sdg_rows or [],
            schema={
                "institution_id": pl.String,
                "sdg": pl.Int64,
                "rank": pl.String,
                "rank_position": pl.Int64,
                "score": pl.Float64,
            },
        ),
    )


def brute_national(rows: list[tuple[str, str, int, int]]) -> dict[str, tuple[int, bool]]:
    """Independent definition: 1 + compatriots with a strictly better (low, high) interval; tied when another
    compatriot shows the same interval."""
    out = {}
    for iid, country, low, high in rows:
        mates = [(lo, hi) for j, c, lo, hi in rows if c == country and j != iid]
        better = sum(1 for lo, hi in mates if (lo, hi) < (low, high))
        tied = any((lo, hi) == (low, high) for lo, hi in mates)
        out[iid] = (1 + better, tied)
    return out


def test_national_ranks_share_ties_and_show_equals():
    ed = make_edition(
        [
            ("a", "FR", "5"),
            ("b", "DE", "6"),
            ("c", "FR", "=7"),
            ("d", "FR", "=7"),
            ("e", "FR", "101–200"),
            ("f", "DE", "101–200"),
            ("g", "FR", "101–200"),
            ("h", "FR", "201–300"),
            ("i", "FR", "1001+"),
        ]
    )
    cv = country_view(ed, "fr")
    got = dict(zip(cv.table["institution_id"], cv.table["national_rank"], strict=True))
    assert got == {"a": "1", "c": "=2", "d": "=2", "e": "=4", "g": "=4", "h": "6", "i": "7"}
    assert cv.count == 7 and cv.country == "FR" and cv.leaders == ["Name a"]
    assert cv.field_size is None  # ranks run to 1001+ in 9 rows: a partial table


def test_shared_first_place_lists_every_leader():
    ed = make_edition([("x", "DE", "1"), ("a", "FR", "101–200"), ("b", "FR", "101–200"), ("c", "FR", "201–300")])
    cv = country_view(ed, "FR")
    assert sorted(cv.leaders) == ["Name a", "Name b"]
    assert cv.table.filter(pl.col("national_position") == 1)["national_rank"].to_list() == ["=1", "=1"]


def test_band_distribution_counts_country_and_field():
    rows = [
        ("a", "FR", "3"),
        ("b", "FR", "101–200"),
        ("c", "IT", "101–200"),
        ("d", "FR", "101–200"),
        ("e", "IT", "1"),
        ("f", "FR", "201–300"),
    ]
    edition = make_edition(rows)
    assert edition.field_size is None  # six rows ranked up to 300: part of a table
    cv = country_view(edition, "FR")
    bands = {r["band"]: (r["count"], r["field_count"]) for r in cv.bands.iter_rows(named=True)}
    # the whole table's count per band is unknown in a partial table, so it is not made up from its rows
    assert bands == {"1–100": (1, None), "101–200": (2, None), "201–300": (1, None)}
    assert cv.bands["band"].to_list() == ["1–100", "101–200", "201–300"]  # best band first


def world_intervals(scores: list[int]) -> list[tuple[int, int, int]]:
    """A valid world table: competition ranks on the scores, exact to 5, then bands of 5 (the last one
    ending at the field size), as the engine publishes them; with each row's exact position."""
    n = len(scores)
    out = []
    for s in scores:
        r = 1 + sum(1 for t in scores if t > s)
        if r <= 5:
            out.append((r, r, r))
        else:
            low = 6 + ((r - 6) // 5) * 5
            out.append((low, min(low + 4, n), r))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["FR", "DE", "IT"]), st.integers(0, 12)), min_size=1, max_size=30))
def test_national_ranks_are_the_competition_ranking_of_world_intervals(drawn):
    rows = list(zip([c for c, _ in drawn], world_intervals([s for _, s in drawn]), strict=True))
    table = pl.DataFrame(
        {
            "institution_id": [f"i{k}" for k in range(len(rows))],
            "country": [c for c, _ in rows],
            "rank_low": [iv[0] for _, iv in rows],
            "rank_high": [iv[1] for _, iv in rows],
            "rank_position": [iv[2] for _, iv in rows],
        },
        schema={
            "institution_id": pl.String,
            "country": pl.String,
            "rank_low": pl.Int64,
            "rank_high": pl.Int64,
            "rank_position": pl.Int64,
        },
    )
    got = with_national_ranks(table)
    expected = brute_national([(f"i{k}", c, iv[0], iv[1]) for k, (c, iv) in enumerate(rows)])
    for r in got.iter_rows(named=True):
        position, tied = expected[r["institution_id"]]
        assert r["national_position"] == position
        assert r["national_tied"] == tied
        assert r["national_rank"] == (f"={position}" if tied else str(position))
        assert r["national_position"] <= r["rank_position"]  # never below the world position


def test_field_size_unknown_for_a_one_country_compilation():
    ed = make_edition([("a", "TW", "101–200"), ("b", "TW", "601+")])
    # "601+" starts beyond the two rows: the file is part of a larger table
    ed.overall = ed.overall.with_columns(
        rank_high=pl.when(pl.col("rank") == "601+").then(None).otherwise(pl.col("rank_high"))
    )
    assert ed.field_size is None
    ed.manifest["field_size"] = 766
    assert ed.field_size == 766


def test_group_view_ranked_and_absent_members():
    ed = make_edition(
        [("a", "FR", "5"), ("b", "FR", "101–200"), ("c", "DE", "1")],
        sdg_rows=[
            {"institution_id": "s", "sdg": 4, "rank": "3", "rank_position": 3, "score": 50.0},
            {"institution_id": "a", "sdg": 4, "rank": "1", "rank_position": 1, "score": 90.0},
        ],
    )
    ed.institutions = pl.concat(
        [ed.institutions, pl.DataFrame({"institution_id": ["s"], "name": ["Name s"], "country": ["FR"]})],
        how="diagonal_relaxed",
    )
    members = pl.DataFrame(
        {
            "group": ["Net", "Net", "Net", "Net", "Other"],
            "institution_id": ["b", "a", "s", "zz", "c"],
            "name": [None, None, None, "Gone School", None],
            "country": [None, None, None, "FR", None],
        }
    )
    gv = group_view(ed, members, "net")
    assert gv.group == "Net" and gv.members == 4
    assert gv.ranked["institution_id"].to_list() == ["a", "b"]
    assert gv.ranked["rank"].to_list() == ["5", "101–200"]
    assert dict(zip(gv.absent["institution_id"], gv.absent["reason"], strict=True)) == {
        "s": "in SDG tables only",
        "zz": "not in the edition",
    }
    assert gv.absent.filter(pl.col("institution_id") == "zz")["name"][0] == "Gone School"
    assert set(gv.sdg_positions["institution_id"]) == {"a", "s"}
    with pytest.raises(InputError, match="no group"):
        group_view(ed, members, "nobody")


def test_sdg_view_and_positions_on_the_mini_build(tmp_path, mini_paths):
    from impactrank.io.build import build

    ed = build(mini_paths["institutions"], mini_paths["submissions"], methodology=mini_paths["methodology"]).edition
    raw = ed.sdg_scores.filter(pl.col("sdg") == 1)
    view = sdg_view(ed, 1)
    # an exact position only where the table shows one: a banded row shows its band's first place, not its own
    shown = sorted((r["rank_low"], None if r["band"] else r["rank_position"]) for r in raw.iter_rows(named=True))
    assert raw["band"].drop_nulls().len() > 0
    assert list(zip(view["rank_low"], view["rank_position"], strict=True)) == shown
    pos = sdg_positions(ed, ["A", "C"])
    for r in pos.iter_rows(named=True):
        size = ed.sdg_scores.filter(pl.col("sdg") == r["sdg"]).height
        assert r["table_size"] == size
        assert r["percentile"] == pytest.approx(100 * r["rank_low"] / size)
        assert r["percentile_high"] == pytest.approx(100 * r["rank_high"] / size)
    # a band lists its members by name, as a published table does: the order inside it is not shown
    names = dict(ed.institutions.select("institution_id", "name").iter_rows())
    order = sorted(
        ed.overall.iter_rows(named=True), key=lambda r: (r["rank_low"], r["rank_high"], names[r["institution_id"]])
    )
    assert overall_view(ed)["institution_id"].to_list() == [r["institution_id"] for r in order]
    with pytest.raises(InputError):
        sdg_view(ed, 18)


# ---------------------------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo(demo_build):
    return demo_build.data, demo_build.editions


def test_demo_country_count_and_ranks_follow_the_raw_tables(demo):
    data, editions = demo
    for year, ed in editions.items():
        raw_inst = data.editions[year].institutions
        french = set(raw_inst.filter(pl.col("country") == "FR")["institution_id"])
        ranked = ed.overall.filter(pl.col("institution_id").is_in(sorted(french)))
        cv = country_view(ed, "FR")
        assert cv.count == ranked.height
        expected = brute_national(
            [(r["institution_id"], "FR", r["rank_low"], r["rank_high"]) for r in ranked.iter_rows(named=True)]
        )
        for r in cv.table.iter_rows(named=True):
            assert (r["national_position"], r["national_tied"]) == expected[r["institution_id"]]
        assert int(cv.bands["count"].sum()) == cv.count
        assert int(cv.bands["field_count"].sum()) <= ed.field_size


def test_demo_group_members_and_their_bands(demo):
    data, editions = demo
    ed = editions[2021]
    members = data.groups
    gv = group_view(ed, members, members["group"][0])
    ids = set(members["institution_id"])
    in_overall = ed.overall.filter(pl.col("institution_id").is_in(sorted(ids)))
    assert set(gv.ranked["institution_id"]) == set(in_overall["institution_id"])
    assert dict(zip(gv.ranked["institution_id"], gv.ranked["rank"], strict=True)) == dict(
        zip(in_overall["institution_id"], in_overall["rank"], strict=True)
    )
    assert set(gv.absent["institution_id"]) == ids - set(in_overall["institution_id"])
    assert gv.members == len(ids)


# ---------------------------------------------------------------------------------------------- real data


SHARED = Path(__file__).resolve().parents[4] / "shared"  # ../shared beside the repository


def _raw_2023(shared: Path) -> list[dict[str, str]]:
    path = shared / "data/published/the_impact_2023_overall__tuwaiq-ds-ml-bootcamp_data_the.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def real_2023():
    path = SHARED / "data/published/the_impact_2023_overall__tuwaiq-ds-ml-bootcamp_data_the.csv"
    if not path.is_file():
        pytest.skip(f"real published data absent ({path.name} under {SHARED.name}/)")
    from impactrank.io.published import read_published

    return read_published(path, edition="2023").editions[0], _raw_2023(SHARED)


def test_real_2023_france(real_2023):
    ed, raw = real_2023
    french = [r for r in raw if r["Location"].strip() == "France"]
    cv = country_view(ed, "FR")
    assert cv.count == len(french) == 22
    assert cv.field_size == len(raw)

    def start(rank: str) -> int:
        return int(rank.lstrip("=").replace("+", "").split("–")[0])

    best = min(start(r["Rank"]) for r in french)
    leaders = sorted(r["University Name"].strip() for r in french if start(r["Rank"]) == best)
    assert sorted(cv.leaders) == leaders and len(leaders) == 3  # a shared first place, not a lead
    by_band: dict[str, int] = {}
    for r in french:
        by_band[r["Rank"].strip()] = by_band.get(r["Rank"].strip(), 0) + 1
    assert {r["band"]: r["count"] for r in cv.bands.iter_rows(named=True)} == by_band


def test_real_taiwan_subset_has_no_field_size(shared_dir):
    from impactrank.io.published import read_published

    path = shared_dir / "data/published/the_impact_taiwan_2019-2026__chiaowen_data.json"
    eds = {e.year: e for e in read_published(path).editions}
    records = json.loads(path.read_text(encoding="utf-8"))["records"]
    n2021 = sum(1 for r in records if int(r["年度"]) == 2021)
    assert eds[2021].overall.height == n2021
    assert eds[2021].field_size is None  # its "1001+" row lies beyond its 35 rows
    assert country_view(eds[2021], "TW").count == n2021


def test_real_2023_imt_group_from_names(real_2023, tmp_path):
    from impactrank.io.groups import read_groups

    ed, raw = real_2023
    schools = [
        "IMT Atlantique",
        "École des Mines de Saint-Étienne",
        "IMT Mines Alès",
        "Institut Mines-Télécom Business School",
        "IMT Nord Europe",
        "IMT Mines Albi",
    ]
    typed = [
        "imt atlantique",
        "Ecole des Mines de Saint-Etienne",
        "IMT Mines Ales",
        "Institut Mines-Telecom Business School",
        "IMT  Nord Europe",
        "IMT Mines Albi",
        "IMT Absent School",
    ]
    path = tmp_path / "groups.csv"
    path.write_text("group,name,country\n" + "".join(f"IMT,{n},France\n" for n in typed), encoding="utf-8")
    members = read_groups(path, editions=[ed])
    gv = group_view(ed, members, "IMT")
    expected = {r["University Name"].strip(): r["Rank"].strip() for r in raw if r["University Name"].strip() in schools}
    assert len(expected) == 6
    assert dict(zip(gv.ranked["name"], gv.ranked["rank"], strict=True)) == expected
    assert gv.absent["name"].to_list() == ["IMT Absent School"]
    assert gv.absent["reason"].to_list() == ["not in the edition"]
    # IMT Atlantique shares the first French place with two others (101–200)
    atl = gv.ranked.filter(pl.col("name") == "IMT Atlantique").row(0, named=True)
    assert atl["national_rank"] == "=1"


def test_rank_intervals_appear_when_the_edition_has_uncertainty_results():
    from impactrank.engine.tables.edition import Edition
    from impactrank.engine.views.lists import overall_view, sdg_view

    base = dict(
        id="x",
        year=2021,
        kind="built",
        source="t",
        institutions=pl.DataFrame({"institution_id": ["a", "b"], "name": ["A", "B"], "country": ["FR", "FR"]}),
        overall=pl.DataFrame({"institution_id": ["a", "b"], "rank": ["1", "2"], "rank_position": [1, 2]}),
        sdg_scores=pl.DataFrame({"institution_id": ["a"], "sdg": [3], "score": [50.0], "rank": ["1"]}),
    )
    assert "rank_interval" not in overall_view(Edition(**base)).columns
    unc = pl.DataFrame(
        {
            "institution_id": ["a", "b", "a"],
            "table": ["overall", "overall", "sdg3"],
            "nominal_rank": [1, 2, 1],
            "rank_p05": [1.0, 1.7, 1.0],
            "rank_p95": [2.5, 2.2, 1.0],
        }
    )
    edition = Edition(**base, rank_uncertainty=unc)
    # widened outward to whole places: 1.7 → 1 (not 2), 2.2 → 3 (not 2)
    assert overall_view(edition)["rank_interval"].to_list() == ["1 (1–3)", "2 (1–3)"]
    assert sdg_view(edition, 3)["rank_interval"].to_list() == ["1 (1–1)"]


def test_group_names_match_whatever_their_case():
    from impactrank.engine.views.lists import group_members

    members = pl.DataFrame({"group": ["Straße Netz", "Other"], "institution_id": ["a", "b"]})
    for asked in ("Straße Netz", "STRASSE NETZ", " straße netz "):
        assert group_members(members, asked)["institution_id"].to_list() == ["a"]


# ---------------------------------------------------------------------------------------------- by hand, in full


def hand_edition(
    overall: list[dict], institutions: list[dict], sdg_rows=None, kind="imported", **tables: pl.DataFrame
) -> Edition:
    """An edition from literal rows; every column the rows leave out is null. ``tables``: further tables of the
    edition (``rank_uncertainty`` …)."""
    return Edition(
        id="2021",
        year=2021,
        kind=kind,
        source="test",
        institutions=pl.DataFrame(institutions),
        overall=pl.DataFrame(overall),
        sdg_scores=pl.DataFrame(sdg_rows or [], infer_schema_length=None),
        **tables,
    )


def ranked_row(iid: str, rank: str | None, low: int | None, high: int | None, band: str | None = None) -> dict:
    return {"institution_id": iid, "rank": rank, "rank_position": low, "rank_low": low, "rank_high": high, "band": band}


def test_a_row_without_a_rank_is_counted_in_no_band():
    """An imported row whose rank did not read (no rank, no band) stays in the country's table, last and without
    a national rank, but is counted in no band: not in the country's, not in the whole table's "1–2"."""
    overall = [
        ranked_row("a", "1", 1, 1),
        ranked_row("b", None, None, None),
        ranked_row("c", "2", 2, 2),
        ranked_row("d", "3–5", 3, 5, "3–5"),
        ranked_row("e", "3–5", 3, 5, "3–5"),
    ]
    countries = {"a": "FR", "b": "FR", "c": "DE", "d": "FR", "e": "DE"}
    ed = hand_edition(overall, [{"institution_id": i, "name": f"Name {i}", "country": c} for i, c in countries.items()])
    assert ed.field_size == 5
    cv = country_view(ed, "FR")
    assert cv.table["institution_id"].to_list() == ["a", "d", "b"]
    assert cv.table["national_rank"].to_list() == ["1", "2", None]
    assert cv.bands.rows() == [("1–2", 1, 1, 2), ("3–5", 3, 1, 2)]  # band, band_low, count, field_count
    assert overall_view(ed)["institution_id"].to_list() == ["a", "c", "d", "e", "b"]  # the unranked row last


RANKED_ROW = ["rank", "rank_position", "rank_low", "rank_high", "band", "institution_id", "name", "country"]
SCORED = ["overall_display", "overall_score", "top_sdgs"]


def names(*rows: tuple[str, str | None, str | None]) -> list[dict]:
    return [{"institution_id": i, "name": n, "country": c} for i, n, c in rows]


def test_every_view_has_its_columns():
    ed = make_edition([("a", "FR", "1"), ("b", "DE", "2")], sdg_rows=[{"institution_id": "a", "sdg": 4}])
    assert overall_view(ed).columns == [
        *RANKED_ROW,
        "overall_display",
        "overall_score",
        "overall_low",
        "overall_high",
        "sdg17_score",
        "sdg17_low",
        "sdg17_high",
        "top_sdgs",
        "quality",
    ]
    assert sdg_view(ed, 4).columns == [
        *RANKED_ROW,
        "score",
        "score_low",
        "score_high",
        "scaled_score",
        "counted",
        "quality",
    ]
    assert sdg_positions(ed, ["a"]).columns == [
        "institution_id",
        "name",
        "country",
        "sdg",
        "rank",
        "rank_position",
        "rank_low",
        "rank_high",
        "band",
        "table_size",
        "percentile",
        "percentile_high",
        "score",
        "score_low",
        "score_high",
        "counted",
    ]
    national = ["national_rank", "national_position", "national_tied"]
    cv = country_view(ed, "FR")
    assert cv.table.columns == [*national, *RANKED_ROW, *SCORED]
    assert cv.bands.columns == ["band", "band_low", "count", "field_count"]
    members = pl.DataFrame({"group": ["Net", "Net"], "institution_id": ["a", "zz"]})
    gv = group_view(ed, members, "Net")
    assert gv.ranked.columns == ["institution_id", "name", "country", *RANKED_ROW[:5], *national, *SCORED]
    assert gv.absent.columns == ["institution_id", "name", "country", "reason"]


def test_a_country_view_carries_its_edition_field_and_sdg_entries():
    ed = make_edition(
        [("a", "FR", "1"), ("b", "DE", "2"), ("c", "FR", "3")],
        sdg_rows=[
            {"institution_id": "a", "sdg": 4, "rank": "1", "rank_position": 1},
            {"institution_id": "b", "sdg": 4, "rank": "2", "rank_position": 2},
        ],
    )
    cv = country_view(ed, " fr ")
    assert (cv.country, cv.edition, cv.field_size, cv.count) == ("FR", "2021", 3, 2)
    assert cv.sdg_positions["institution_id"].to_list() == ["a"]  # the French institutions' entries only
    assert cv.bands.rows() == [("1–3", 1, 2, 3)]  # no band: every ranked row is in "1–3"


def test_bands_start_where_their_ranks_start_and_partial_counts_stay_typed():
    ed = make_edition([("a", "FR", "3"), ("b", "FR", "201–300"), ("c", "FR", "101–200"), ("d", "IT", "1")])
    bands = country_view(ed, "FR").bands
    assert bands.rows() == [("1–100", 1, 1, None), ("101–200", 101, 1, None), ("201–300", 201, 1, None)]
    assert bands.schema["field_count"] == bands.schema["count"] == pl.UInt32  # a partial table: unknown, typed


def test_a_row_without_a_country_has_no_national_rank():
    table = pl.DataFrame(
        {"country": ["FR", None, None], "rank_low": [1, 1, 2], "rank_high": [1, 1, 2]},
        schema={"country": pl.String, "rank_low": pl.Int64, "rank_high": pl.Int64},
    )
    got = with_national_ranks(table)
    assert got["national_position"].to_list() == [1, None, None]
    assert got["national_rank"].to_list() == ["1", None, None]


def test_national_order_of_intervals_by_start_then_end_with_an_open_end_last():
    """201–300 before 201+ (open), both after 101–200 and after the exact 150; equal intervals share a place."""
    table = pl.DataFrame(
        {
            "country": ["FR"] * 5,
            "rank_low": [201, 201, 150, 101, 201],
            "rank_high": [None, 300, 150, 200, 300],
        },
        schema={"country": pl.String, "rank_low": pl.Int64, "rank_high": pl.Int64},
    )
    got = with_national_ranks(table)
    assert got["national_position"].to_list() == [5, 3, 2, 1, 3]
    assert got["national_rank"].to_list() == ["5", "=3", "2", "1", "=3"]


def test_an_sdg_table_known_only_from_the_cards_is_ordered_by_score():
    """Imported card scores have no SDG rank: after any ranked rows, by score (the range's top when only a
    range is known) from best to worst, then by name and id; rows with no score at all come last."""
    rows = [
        ("e", 1, 10.0, None),
        ("a", None, 40.0, None),
        ("b", None, None, 70.0),
        ("c", None, 90.0, None),
        ("d", None, None, None),
        ("f", None, 40.0, None),
        ("x1", None, 30.0, None),
        ("x0", None, 30.0, None),
    ]
    sdg_rows = [
        {"institution_id": i, "sdg": 4, "rank_position": p, "score": s, "score_low": None, "score_high": h}
        for i, p, s, h in rows
    ]
    inst = names(*[(i, "Same" if i.startswith("x") else f"Name {i}", "FR") for i, *_ in rows])
    ed = hand_edition([ranked_row("e", "1", 1, 1)], inst, sdg_rows)
    assert sdg_view(ed, 4)["institution_id"].to_list() == ["e", "c", "b", "a", "f", "x0", "x1", "d"]


def test_sdg_numbers_run_from_1_to_17():
    ed = make_edition([("a", "FR", "1")], sdg_rows=[{"institution_id": "a", "sdg": 17, "rank": "1"}])
    assert sdg_view(ed, 17)["institution_id"].to_list() == ["a"]
    for wrong in (0, 18):
        with pytest.raises(InputError) as err:
            sdg_view(ed, wrong)
        assert err.value.field == "sdg" and err.value.message == f"SDG must be 1–17, not {wrong}"


def test_sdg_positions_give_the_share_of_the_table_at_both_ends_of_a_band():
    sdg_rows = [
        {"institution_id": "a", "sdg": 4, "rank": "1", "rank_position": 1, "rank_low": 1, "rank_high": 1},
        {"institution_id": "b", "sdg": 4, "rank": "2–4", "rank_position": 2, "rank_low": 2, "rank_high": 4},
        {"institution_id": "c", "sdg": 4, "rank": "2–4", "rank_position": 2, "rank_low": 2, "rank_high": 4},
        {"institution_id": "d", "sdg": 4, "rank": "2–4", "rank_position": 2, "rank_low": 2, "rank_high": 4},
    ]
    inst = names(("a", "A", "FR"), ("b", "B", "FR"), ("c", "C", "DE"), ("d", "D", "DE"))
    ed = hand_edition([], inst, sdg_rows, kind="built")  # a built edition holds its SDG tables whole
    pos = sdg_positions(ed, ["b", "a", "b"])
    assert pos["institution_id"].to_list() == ["a", "b"]
    assert pos["table_size"].to_list() == [4, 4]
    assert pos["percentile"].to_list() == [25.0, 50.0]  # 100 × 1 / 4, 100 × 2 / 4
    assert pos["percentile_high"].to_list() == [25.0, 100.0]  # 100 × 4 / 4: the band's worst place
    assert sdg_positions(ed, []).height == 0


def test_rank_intervals_keep_the_frame_and_show_the_rank_where_unknown():
    unc = pl.DataFrame(
        {"institution_id": ["c", "a"], "table": ["overall", "overall"], "rank_p05": [2.2, 1.0], "rank_p95": [None, 1.6]}
    )
    edition = hand_edition(
        [{"institution_id": i, "rank": str(n), "rank_position": n} for n, i in enumerate("abc", 1)],
        names(("a", "A", "FR"), ("b", "B", "FR"), ("c", "C", "FR")),
        kind="built",
        rank_uncertainty=unc,
    )
    frame = pl.DataFrame({"institution_id": ["c", "b", "a"], "rank": ["3", "2", "1"]})
    got = with_rank_intervals(frame, edition, "overall")
    assert got.columns == ["institution_id", "rank", "rank_interval"]
    # c: its 95th percentile is unknown, b: no result at all; both show the displayed rank alone
    assert got.rows() == [("c", "3", "3"), ("b", "2", "2"), ("a", "1", "1 (1–2)")]


def test_group_members_are_unique_in_listed_order_and_unknown_groups_are_named():
    members = pl.DataFrame(
        {
            "group": ["Net", "Net", "Other", "Net"],
            "institution_id": ["b", "a", "c", "b"],
            "name": ["First B", "A", "C", "Second B"],
        }
    )
    got = group_members(members, "NET")
    assert got.rows() == [("Net", "b", "First B"), ("Net", "a", "A")]
    with pytest.raises(InputError) as err:
        group_members(members, "nobody")
    assert err.value.field == "group"
    assert err.value.message == "no group 'nobody' (groups: Net, Other)"
    unnamed = pl.DataFrame(
        {"group": [None], "institution_id": ["a"]}, schema={"group": pl.String, "institution_id": pl.String}
    )
    with pytest.raises(InputError, match=r"\(groups: none\)"):
        group_members(unnamed, "Net")


def test_absent_group_members_are_named_from_the_edition_first_and_sorted_by_name():
    ed = make_edition([("a", "FR", "1")], sdg_rows=[{"institution_id": "s", "sdg": 4, "rank": "1"}])
    ed.institutions = pl.concat([ed.institutions, pl.DataFrame(names(("s", "Name s", "DE")))], how="diagonal_relaxed")
    members = pl.DataFrame(
        {
            "group": ["Net"] * 5,
            "institution_id": ["zz", "yy", "s", "b2", "b1"],
            "name": ["Gone School", None, "typed s", "Beta", "Beta"],
            "country": ["IT", None, "FR", "ES", "PT"],
        }
    )
    gv = group_view(ed, members, "Net")
    assert gv.edition == "2021" and gv.members == 5
    # by name, then id; a member known by no name at all comes last
    assert gv.absent.rows() == [
        ("b1", "Beta", "PT", "not in the edition"),
        ("b2", "Beta", "ES", "not in the edition"),
        ("zz", "Gone School", "IT", "not in the edition"),
        ("s", "Name s", "DE", "in SDG tables only"),  # the edition's name and country, not the list's
        ("yy", None, None, "not in the edition"),
    ]


def test_groups_from_the_institutions_groups_column():
    inst = pl.DataFrame(
        {
            "institution_id": ["b", "a", "c", "a"],
            "name": ["B", "A", "C", "A again"],
            "country": ["FR", "DE", "IT", "DE"],
            "groups": ["Net; ;Alpha", "Net;Net", None, "Net"],
        }
    )
    ed = hand_edition([], [], None)
    ed.institutions = inst
    got = groups_from_institutions(ed)
    assert got.columns == ["group", "institution_id", "name", "country"]
    # blank pieces dropped, one row per group and institution (its first listing), by group then id
    assert got.rows() == [("Alpha", "b", "B", "FR"), ("Net", "a", "A", "DE"), ("Net", "b", "B", "FR")]


def test_a_duplicated_institution_keeps_its_first_name():
    ed = make_edition([("a", "FR", "1"), ("b", "FR", "2")])
    ed.institutions = pl.concat(
        [ed.institutions, pl.DataFrame(names(("a", "Later name", "DE")))], how="diagonal_relaxed"
    )
    view = overall_view(ed)
    assert view.select("institution_id", "name", "country").rows() == [("a", "Name a", "FR"), ("b", "Name b", "FR")]


def test_an_unranked_group_member_is_listed_after_the_ranked_ones():
    overall = [ranked_row("u", None, None, None), ranked_row("b", "2", 2, 2), ranked_row("a", "1", 1, 1)]
    ed = hand_edition(overall, names(("u", "Aaa", "FR"), ("b", "Bbb", "FR"), ("a", "Ccc", "FR")))
    members = pl.DataFrame({"group": ["Net"] * 3, "institution_id": ["u", "b", "a"]})
    ranked = group_view(ed, members, "Net").ranked
    assert ranked["institution_id"].to_list() == ["a", "b", "u"]
    assert ranked["national_rank"].to_list() == ["1", "2", None]
