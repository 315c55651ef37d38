"""Groups files: id rows, name+country rows resolved against editions, absent members kept, bad rows named."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.lists import groups_from_institutions
from impactrank.errors import InputError
from impactrank.io.groups import members_for, read_groups
from impactrank.io.identity import institution_id


def edition() -> Edition:
    inst = pl.DataFrame(
        {
            "institution_id": ["A", "B", "C"],
            "name": ["IMT Atlantique", "École des Mines de Saint-Étienne", "Université de Nantes"],
            "country": ["FR", "FR", "FR"],
            "groups": ["IMT; Brittany", "IMT", None],
            "aliases": [None, "Mines Saint-Étienne", None],
        }
    )
    return Edition(
        id="2021",
        year=2021,
        kind="built",
        source="t",
        institutions=inst,
        overall=pl.DataFrame({"institution_id": ["A", "B", "C"]}),
        sdg_scores=pl.DataFrame(),
    )


def test_id_rows(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("group,institution_id\nIMT,A\nIMT,B\nIMT,A\n", encoding="utf-8")
    got = read_groups(path)
    assert got.select("group", "institution_id").rows() == [("IMT", "A"), ("IMT", "B")]


def test_name_rows_resolve_by_normalised_name_alias_and_country(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text(
        "group,name,country\n"
        "IMT,imt atlantique,France\n"  # case differs
        "IMT,Mines Saint-Etienne,FR\n"  # an alias, without accents
        "IMT,IMT Business School,France\n"  # not in the edition: kept, with the id an import would give
        "IMT,IMT Atlantique,Belgium\n",  # same name, other country: not the French school
        encoding="utf-8",
    )
    got = read_groups(path, editions=[edition()])
    assert got["institution_id"].to_list() == [
        "A",
        "B",
        institution_id("IMT Business School", "FR"),
        institution_id("IMT Atlantique", "BE"),
    ]
    assert got["country"].to_list() == ["FR", "FR", "FR", "BE"]


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        ("group,name,country\nIMT,IMT Atlantique,Atlantis\n", 2, "country"),
        ("group,name,country\nIMT,IMT Atlantique,FR\n,Other,FR\n", 3, "group"),
        ("group,name,country\nIMT,IMT Atlantique,\n", 2, "country"),
        ("group,institution_id\nIMT,\n", 2, "institution_id"),
    ],
)
def test_bad_rows_name_file_row_and_field(tmp_path, text, row, field):
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_groups(path)
    assert (err.value.file, err.value.row, err.value.field) == ("g.csv", row, field)


def test_missing_columns(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("group,name\nIMT,IMT Atlantique\n", encoding="utf-8")
    with pytest.raises(InputError, match="group,institution_id or group,name,country"):
        read_groups(path)


def test_groups_from_institutions_and_members_for(tmp_path):
    got = groups_from_institutions(edition())
    assert got.select("group", "institution_id").rows() == [("Brittany", "A"), ("IMT", "A"), ("IMT", "B")]
    assert members_for([edition()]).height == 3
    path = tmp_path / "g.csv"
    path.write_text("group,institution_id\nOther,C\n", encoding="utf-8")
    assert members_for([edition()], path).select("group", "institution_id").rows() == [("Other", "C")]
