"""Stable institution ids, alias files and fuzzy match proposals."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impactrank.errors import InputError
from impactrank.io.identity import (
    institution_id,
    name_key,
    normalise_name,
    propose_matches,
    read_alias_files,
    read_aliases,
)


def test_ids_ignore_case_accents_quotes_and_spacing():
    assert (
        institution_id("Queen’s  University", "CA")
        == institution_id("queen's university", "CA")
        == "ca-queens-university"
    )
    assert institution_id("Université Paris-Saclay", "FR") == "fr-universite-paris-saclay"
    assert institution_id("Texas A&M University", "US") == "us-texas-a-and-m-university"
    assert institution_id("Asia University", None) == "xx-asia-university"
    assert institution_id("Asia University", "TW") != institution_id("Asia University", "JP")


def test_normalise_keeps_the_name_readable():
    assert normalise_name("  Ｕniversity\u00a0of  Žilina ") == "University of Žilina"


@given(st.text())
def test_name_key_is_idempotent_and_safe(text):
    key = name_key(text)
    assert name_key(key) == key
    assert " " not in key and not key.startswith("-")


def test_alias_file_by_id(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text(
        "alias,institution_id\nNational Cheng Kung University (NCKU),tw-national-cheng-kung-university\n",
        encoding="utf-8",
    )
    aliases = read_aliases(path)
    assert aliases.resolve("National Cheng Kung University (NCKU)", "TW") == "tw-national-cheng-kung-university"
    assert aliases.resolve("Other University", "TW") == "tw-other-university"


def test_alias_file_by_name_pairs(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text('name,alias\nAsia University,"Asia University, Taiwan"\n', encoding="utf-8")
    assert read_aliases(path).resolve("Asia University, Taiwan", "TW") == "tw-asia-university"


def test_bad_alias_file(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,institution_id\nonly-one-value\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_aliases(path)
    assert exc.value.row == 2


def test_propose_matches_within_country():
    a = pl.DataFrame(
        {
            "institution_id": ["tw-asia-university-taiwan", "jp-asia-university", "tw-ntu"],
            "name": ["Asia University, Taiwan", "Asia University", "National Taiwan University (NTU)"],
            "country": ["TW", "JP", "TW"],
        }
    )
    b = pl.DataFrame(
        {
            "institution_id": ["tw-asia-university", "tw-ntu", "tw-new"],
            "name": ["Asia University", "National Taiwan University (NTU)", "Brand New Institute"],
            "country": ["TW", "TW", "TW"],
        }
    )
    got = propose_matches(a, b, min_score=70)
    assert got.select("alias", "institution_id").rows() == [("Asia University", "tw-asia-university-taiwan")]
    assert 70 <= got["score"][0] < 100


@pytest.mark.parametrize(
    "data",
    [
        "alias;institution_id\r\nAsia University, Taiwan;tw-asia-university\r\n".encode("utf-8-sig"),
        "alias\tinstitution_id\r\nAsia University, Taiwan\ttw-asia-university\r\n".encode("utf-16"),
        b'\n"x",alias,institution_id\n,"Asia University, Taiwan",tw-asia-university\n',
    ],
    ids=["french-csv", "unicode-text", "id-in-third-column"],
)
def test_alias_files_as_spreadsheets_save_them(tmp_path, data):
    path = tmp_path / "aliases.csv"
    path.write_bytes(data)
    assert read_aliases(path).resolve("Asia University, Taiwan", "TW") == "tw-asia-university"


def test_an_alias_row_longer_than_its_header_is_refused(tmp_path):
    # an unquoted comma in a name: cut off at the header's columns, the alias would name another institution
    path = tmp_path / "aliases.csv"
    path.write_text("name,alias\nAsia University,Asia University, Taiwan\n", encoding="utf-8")
    with pytest.raises(InputError, match="3 cells where the header has 2") as exc:
        read_aliases(path)
    assert exc.value.row == 2


def test_a_short_alias_row_names_its_row(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("note,alias,institution_id\n\nx,Asia University\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_aliases(path)
    assert (exc.value.row, exc.value.field) == (3, "institution_id")


def test_renames_need_evidence_and_blank_names_are_never_paired():
    a = pl.DataFrame(
        {
            "institution_id": ["fr-cergy", "ir-fasa", "xx-row-7", "tw-nctu", "fr-kept"],
            "name": ["University of Cergy-Pontoise", "Fasa University", "", "National Chiao Tung University", "Kept"],
            "country": ["FR", "IR", "FR", "TW", "FR"],
            "aliases": [None, None, None, "國立交通大學", None],
        }
    )
    b = pl.DataFrame(
        {
            "institution_id": ["fr-cy", "ir-arak", "xx-row-9", "tw-nycu", "fr-kept"],
            "name": ["CY Cergy Paris University", "Arak University", " ", "國立交通大學", "Kept"],
            "country": ["FR", "IR", "FR", "TW", "FR"],
        }
    )
    got = propose_matches(a, b)
    # Cergy: a word no other name uses; NCTU: known by that name; Fasa/Arak share only "university"
    assert got.select("alias", "institution_id", "evidence").rows() == [
        ("國立交通大學", "tw-nctu", "alias"),
        ("CY Cergy Paris University", "fr-cergy", "word: cergy"),
    ]
    assert propose_matches(a, b, min_score=90)["alias"].to_list() == ["國立交通大學"]  # an alias needs no score


def test_several_alias_files_read_as_one_and_a_contradiction_is_refused(tmp_path):
    """``--aliases`` twice: both files' aliases hold (a second file replaced the first); an alias the two files send
    to different institutions is refused with the alias and both files."""
    ids, names, other = tmp_path / "ids.csv", tmp_path / "names.csv", tmp_path / "other.csv"
    ids.write_text("alias,institution_id\nNCKU,tw-national-cheng-kung-university\n", encoding="utf-8")
    names.write_text('name,alias\nAsia University,"Asia University, Taiwan"\n', encoding="utf-8")
    both = read_alias_files([ids, names])
    assert both.resolve("NCKU", "TW") == "tw-national-cheng-kung-university"
    assert both.resolve("Asia University, Taiwan", "TW") == "tw-asia-university"
    other.write_text("alias,institution_id\nNCKU,tw-another\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_alias_files([ids, other])
    assert (exc.value.file, str(exc.value)) == (
        "other.csv",
        "other.csv: alias 'ncku' joins 'tw-another' here but 'tw-national-cheng-kung-university' in ids.csv",
    )
