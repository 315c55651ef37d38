"""Reading users' tables: the odd but valid is accepted, the ambiguous is refused with its place."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.errors import InputError
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.io.tables import read_user_table


def test_trailing_blank_lines_are_not_rows(tmp_path):
    path = tmp_path / "i.csv"
    path.write_bytes(b"institution_id,name,country\r\nA,Alpha,FR\r\n\r\n\r\n")
    assert read_institutions(path)["institution_id"].to_list() == ["A"]


def test_a_repeated_header_is_refused(tmp_path):
    for header in ("institution_id,name,country,Name", "institution_id,name,country,name"):
        path = tmp_path / "i.csv"
        path.write_text(f"{header}\nA,Alpha,FR,x\n")
        with pytest.raises(InputError, match="names column 'name' more than once") as info:
            read_user_table(path)
        assert info.value.field == "name"


def test_numbers_stored_as_ids_in_parquet_are_text(tmp_path, mini_methodology):
    inst = pl.DataFrame({"institution_id": [1, 2], "name": ["One", "Two"], "country": ["FR", "DE"]})
    inst.write_parquet(tmp_path / "i.parquet")
    subs = pl.DataFrame({"institution_id": [1, 2], "sdg": [3, 3], "metric": ["pubs", "pubs"], "value": [5, 7]})
    subs.write_parquet(tmp_path / "s.parquet")
    institutions = read_institutions(tmp_path / "i.parquet")
    assert institutions["institution_id"].to_list() == ["1", "2"]
    read = read_submissions([tmp_path / "s.parquet"], mini_methodology, institutions)
    assert read["value"].to_list() == [5.0, 7.0]


def test_a_fractional_sdg_number_is_refused_not_truncated(tmp_path, mini_methodology):
    pl.DataFrame({"institution_id": ["A"], "name": ["Alpha"], "country": ["FR"]}).write_csv(tmp_path / "i.csv")
    subs = pl.DataFrame({"institution_id": ["A", "A"], "sdg": [3.0, 4.7], "metric": ["pubs", "pubs"], "value": [1, 2]})
    subs.write_parquet(tmp_path / "s.parquet")
    with pytest.raises(InputError, match=r"4\.7' is not an SDG number") as info:
        read_submissions([tmp_path / "s.parquet"], mini_methodology, read_institutions(tmp_path / "i.csv"))
    assert (info.value.row, info.value.field) == (2, "sdg")
