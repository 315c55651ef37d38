"""Exports: formula neutralising (tied ranks kept readable), round trips, deterministic bytes."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import polars as pl
import pytest

from impactrank.errors import InputError
from impactrank.io.exports import export_table, neutralise_formulas, table_bytes


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rank": ["=12", "1", "101–200", "=cmd()"],
            "national_rank": ["=1", "=1", "3", "-2"],
            "name": ['=HYPERLINK("x")', "+Plus", "@at", "Normal"],
            "note": ["-5", "\tTab", None, "ok"],
            "score": [1.5, None, 3.0, 4.0],
        }
    )


def test_neutralise_formulas_keeps_tied_ranks_readable():
    got = neutralise_formulas(frame())
    assert got["rank"].to_list() == ["=12", "1", "101–200", "'=cmd()"]
    assert got["national_rank"].to_list() == ["=1", "=1", "3", "'-2"]
    assert got["name"].to_list() == ['\'=HYPERLINK("x")', "'+Plus", "'@at", "Normal"]
    assert got["note"].to_list() == ["'-5", "'\tTab", None, "ok"]
    assert got["score"].to_list() == [1.5, None, 3.0, 4.0]


def test_a_formula_after_a_tied_rank_is_neutralised():
    """Only a whole "=12" is a tied rank; "=1+HYPERLINK(…)" in a rank column is a formula."""
    hostile = pl.DataFrame(
        {
            "rank": ['=1+HYPERLINK("http://evil.example","x")', "=7", "=7 ", "=12=1"],
            "sdg13_rank": ["=3", "=3-1", "\r=2", "\n=2"],
            "name": ["\rcarriage", "\r", "a\r=1", "=7"],
        }
    )
    got = neutralise_formulas(hostile)
    assert got["rank"].to_list() == ['\'=1+HYPERLINK("http://evil.example","x")', "=7", "'=7 ", "'=12=1"]
    assert got["sdg13_rank"].to_list() == ["=3", "'=3-1", "'\r=2", "\n=2"]
    assert got["name"].to_list() == ["'\rcarriage", "'\r", "a\r=1", "'=7"]  # a tied rank only in rank columns
    back = pl.read_csv(io.BytesIO(export_table(hostile, "csv")), infer_schema=False)
    assert back["rank"][0].startswith("'=1+HYPERLINK") and back["name"][0] == "'\rcarriage"


def test_csv_round_trip_and_neutralised():
    data = export_table(frame(), "csv")
    back = pl.read_csv(io.BytesIO(data), infer_schema=False)
    assert back["rank"].to_list() == ["=12", "1", "101–200", "'=cmd()"]
    assert back["name"][0].startswith("'=")


def test_json_keeps_values_unchanged():
    rows = json.loads(export_table(frame(), "json"))
    assert rows[0]["name"] == '=HYPERLINK("x")' and rows[1]["score"] is None and len(rows) == 4


def test_xlsx_cells_are_text_not_formulas():
    data = export_table(frame(), "xlsx")
    back = pl.read_excel(io.BytesIO(data))
    assert back["rank"].to_list() == ["=12", "1", "101–200", "'=cmd()"]
    assert back["name"].to_list()[1] == "'+Plus"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet  # no formula cell anywhere
        assert b"2000-01-01T00:00:00Z" in zf.read("docProps/core.xml")  # fixed date: same bytes any day
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
def test_deterministic_bytes(fmt, tmp_path):
    first = export_table(frame(), fmt)
    path = export_table(frame(), tmp_path / f"t.{fmt}")
    assert path.read_bytes() == first == export_table(frame(), fmt)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_parquet_round_trip():
    back = pl.read_parquet(io.BytesIO(export_table(frame(), "parquet")))
    assert back.equals(frame())


def test_unknown_format(tmp_path):
    with pytest.raises(InputError):
        export_table(frame(), tmp_path / "t.docx")


def dated() -> pl.DataFrame:
    return pl.DataFrame({"name": ["École", "=x"], "day": [dt.date(2021, 6, 1), None], "score": [1.5, None]})


def test_json_bytes_are_utf8_indented_by_one_with_dates_as_text():
    expected = (
        '[\n {\n  "name": "École",\n  "day": "2021-06-01",\n  "score": 1.5\n },\n'
        ' {\n  "name": "=x",\n  "day": null,\n  "score": null\n }\n]\n'
    )
    assert export_table(dated(), "json") == expected.encode("utf-8")


def test_jsonl_is_one_unchanged_record_a_line():
    expected = (
        '{"name": "École", "day": "2021-06-01", "score": 1.5}\n'  # utf-8, not \\u escapes
        '{"name": "=x", "day": null, "score": null}\n'  # values unchanged: no formula neutralising
    )
    assert export_table(dated(), "jsonl") == expected.encode("utf-8")
    assert export_table(pl.DataFrame({"a": []}), "jsonl") == b""


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_refuses_nan_rather_than_write_invalid_json(fmt):
    with pytest.raises(ValueError, match="JSON"):
        export_table(pl.DataFrame({"score": [float("nan")]}), fmt)


def test_xlsx_sheet_layout_and_cell_types():
    from openpyxl import load_workbook

    table = pl.DataFrame(
        {
            "name": ["a", None, "c"],
            "flag": [True, False, None],
            "score": [1.5, float("nan"), float("inf")],
            "count": [3, None, -float("inf")],
        },
        strict=False,
    )
    book = load_workbook(io.BytesIO(export_table(table, "xlsx")))
    assert book.sheetnames == ["table"]
    sheet = book["table"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    # a header row in bold, then one row per table row; missing values and NaN/±inf leave the cell empty
    assert rows == [
        ["name", "flag", "score", "count"],
        ["a", True, 1.5, 3],
        [None, False, None, None],
        ["c", None, None, None],
    ]
    assert [c.font.b for c in sheet[1]] == [True] * 4
    assert not any(c.font.b for c in sheet[2])


def test_parquet_carries_no_column_statistics():
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(io.BytesIO(export_table(dated(), "parquet"))).metadata
    assert [meta.row_group(0).column(i).is_stats_set for i in range(meta.num_columns)] == [False] * 3


def test_non_text_columns_are_left_alone_wherever_they_stand():
    got = neutralise_formulas(pl.DataFrame({"score": [1.0, -2.0], "name": ["=x", "-y"], "n": [1, 2]}))
    assert got.to_dict(as_series=False) == {"score": [1.0, -2.0], "name": ["'=x", "'-y"], "n": [1, 2]}
    assert neutralise_formulas(pl.DataFrame({"n": [-1]})).to_dict(as_series=False) == {"n": [-1]}


def test_unknown_format_errors_name_the_format_or_the_file(tmp_path):
    with pytest.raises(InputError) as unknown:
        table_bytes(frame(), "docx")
    assert unknown.value.field == "format"
    assert unknown.value.message == "unknown export format 'docx' (use csv, json, jsonl, xlsx, parquet)"
    with pytest.raises(InputError) as suffix:
        export_table(frame(), tmp_path / "t.docx")
    assert suffix.value.file == "t.docx"
    assert suffix.value.message == (
        "cannot tell the export format from 't.docx': use .csv, .json, .jsonl, .xlsx or .parquet"
    )
