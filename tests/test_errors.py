"""An error's parameters worded in the reader's language: an empty list is the catalog's "none", never the
English word inside a French or Spanish line."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.engine.views.lists import group_members
from impactrank.errors import InputError


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "no group 'IMT' (groups: none)"),
        ("fr", "pas de groupe 'IMT' (groupes\u00a0: néant)"),
        ("es", "no hay grupo 'IMT' (grupos: ninguno)"),
    ],
)
def test_an_empty_list_is_none_in_the_readers_language(lang, said):
    members = pl.DataFrame(
        {"group": [], "institution_id": []}, schema={"group": pl.String, "institution_id": pl.String}
    )
    with pytest.raises(InputError) as caught:
        group_members(members, "IMT")
    assert caught.value.text(lang, located=False) == said


def test_a_list_is_joined_as_the_reader_reads_it():
    members = pl.DataFrame({"group": ["UGA", "IMT-BS"], "institution_id": ["a", "b"]})
    with pytest.raises(InputError) as caught:
        group_members(members, "IMT")
    assert str(caught.value) == "field 'group': no group 'IMT' (groups: IMT-BS, UGA)"
