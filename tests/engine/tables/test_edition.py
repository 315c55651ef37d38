"""An SDG table's rows, decided once by the edition: a card's SDG that its imported table does not list stays in
the edition, flagged, but is no row of that table, in its size or in anything that reads the table."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.engine.tables.edition import Edition, check_edition_id
from impactrank.engine.views.compare import compare_editions
from impactrank.engine.views.lists import sdg_positions, sdg_view
from impactrank.errors import InputError


def imported(year: int, table: list[tuple[str, str, float]], cards: list[tuple[str, float]]) -> Edition:
    """An edition of one SDG 17 table (id, rank, score) whose overall rows' cards also give SDG 17 scores to
    ``cards`` (id, score) that the table does not list (flagged as the importer flags them)."""
    ids = [i for i, *_ in table] + [i for i, _ in cards]
    rows = [
        {"institution_id": i, "sdg": 17, "score": s, "rank": r, "rank_position": int(r), "quality": "ok"}
        for i, r, s in table
    ] + [{"institution_id": i, "sdg": 17, "score": s, "quality": "not_in_sdg_table"} for i, s in cards]
    return Edition(
        id=str(year),
        year=year,
        kind="imported",
        source="test",
        institutions=pl.DataFrame({"institution_id": ids, "name": ids, "country": ["FR"] * len(ids)}),
        overall=pl.DataFrame({"institution_id": ids}),
        sdg_scores=pl.DataFrame(rows),
        manifest={"overall_table": True, "sdg_tables": {"17": len(table)}},
    )


def test_a_card_sdg_outside_its_table_is_kept_but_not_a_row_of_it():
    ed = imported(2021, [("a", "1", 90.0), ("b", "2", 80.0), ("c", "3", 70.0)], [("x", 75.0)])
    assert ed.sdg_scores.height == 4  # kept in the edition, with its score
    assert ed.sdg_table(17)["institution_id"].to_list() == ["a", "b", "c"]
    assert ed.sdg_table_sizes() == {17: 3}
    assert sdg_view(ed, 17)["institution_id"].to_list() == ["a", "b", "c"]
    assert sdg_positions(ed, ["b", "x"])["institution_id"].to_list() == ["b"]


def test_a_comparison_counts_the_tables_own_rows():
    before = imported(2020, [("a", "1", 90.0), ("b", "2", 80.0)], [("c", 70.0)])
    after = imported(2021, [("a", "1", 90.0), ("c", "2", 85.0), ("b", "3", 80.0)], [("x", 75.0), ("y", 60.0)])
    comp = compare_editions(before, after, sdg=17)
    assert (comp.field_from, comp.field_to) == (2, 3)
    assert sorted(comp.table["institution_id"].to_list()) == ["a", "b", "c"]  # c is new to the table, x and y not


def test_a_built_edition_has_every_sdg_row_in_its_tables():
    ed = imported(2021, [("a", "1", 90.0), ("b", "2", 80.0)], [])
    built = Edition(
        id="b",
        year=2021,
        kind="built",
        source="m",
        institutions=ed.institutions,
        overall=ed.overall,
        sdg_scores=ed.sdg_scores.with_columns(quality=None),
    )
    assert built.sdg_table_sizes() == {17: 2} and built.sdg_table(17).height == 2


@pytest.mark.parametrize("good", ["2021", "2021-taiwan", "the_2021.v2", "A"])
def test_an_edition_id_of_letters_digits_dashes_and_single_dots_is_kept(good):
    assert check_edition_id(good) == good


@pytest.mark.parametrize("bad", ["", "../x", "a/b", "a\\b", "2021..x", ".hidden", "-x", "2021 net", "é"])
def test_an_edition_id_that_could_name_another_folder_is_refused(bad):
    with pytest.raises(InputError, match="use letters, digits") as info:
        check_edition_id(bad)
    assert info.value.field == "edition"
