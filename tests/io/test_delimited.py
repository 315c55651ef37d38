"""Text tables as people save them: encodings, delimiters, decimal marks and the row numbers a spreadsheet shows."""

from __future__ import annotations

import codecs

import polars as pl
import pytest

from impactrank.errors import InputError
from impactrank.io.delimited import decimal_mark, parse_numbers, read_text_table, to_point

ROWS = [["institution_id", "name", "value"], ["A", "École d'Alpha, Paris", "12.5"], ["B", "Beta", "3"]]


def write(tmp_path, data: bytes, name: str = "t.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def table_text(delimiter: str, decimal: str = ".", newline: str = "\r\n") -> str:
    """ROWS as a spreadsheet writes them: cells holding the delimiter quoted, numbers with ``decimal``."""
    lines = []
    for i, row in enumerate(ROWS):
        cells = [c.replace(".", decimal) if i and j == 2 else c for j, c in enumerate(row)]
        lines.append(delimiter.join(f'"{c}"' if delimiter in c else c for c in cells))
    return newline.join(lines) + newline


@pytest.mark.parametrize(
    ("label", "encode", "delimiter", "decimal"),
    [
        ("UTF-8, comma", lambda t: t.encode("utf-8"), ",", "."),
        ("CSV UTF-8 (Excel, BOM)", lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), ",", "."),
        ("French CSV UTF-8 (BOM, semicolon, decimal comma)", lambda t: codecs.BOM_UTF8 + t.encode(), ";", ","),
        ("Unicode text (UTF-16 LE, BOM, tab)", lambda t: t.encode("utf-16"), "\t", "."),
        ("French Unicode text", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "\t", ","),
        ("UTF-16 BE with BOM", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "\t", "."),
    ],
)
def test_every_export_reads_as_the_same_table(tmp_path, label, encode, delimiter, decimal):
    table = read_text_table(write(tmp_path, encode(table_text(delimiter, decimal))))
    assert table.delimiter == delimiter, label
    frame, rows = table.frame()
    assert frame.columns == ROWS[0]
    assert frame.rows() == [tuple(c.replace(".", decimal) if j == 2 else c for j, c in enumerate(r)) for r in ROWS[1:]]
    assert rows.to_list() == [2, 3]
    assert table.decimal_mark(frame.select("value"), rows) == decimal
    assert parse_numbers(frame["value"], decimal).to_list() == [12.5, 3.0]


def test_a_windows_1252_file_is_refused_with_how_to_save_it(tmp_path):
    text = 'institution_id,name\nA,"two\nlines"\nB,Café\n'  # the quoted line break stays in row 2
    with pytest.raises(InputError) as info:
        read_text_table(write(tmp_path, text.encode("cp1252")))
    err = info.value
    assert (err.file, err.row) == ("t.csv", 3)
    assert "not UTF-8 text (byte 0xe9, 'é' in Windows-1252)" in err.message
    assert "CSV UTF-8" in err.message and "Unicode (UTF-8)" in err.message
    assert "\n" not in str(err)


def test_utf16_without_its_byte_order_mark_and_nul_bytes(tmp_path):
    with pytest.raises(InputError, match="looks like UTF-16 without a byte-order mark"):
        read_text_table(write(tmp_path, table_text(",").encode("utf-16-le")))
    with pytest.raises(InputError, match="NUL character") as info:
        read_text_table(write(tmp_path, b"a,b\n1,2\n3,\x004\n"))
    assert info.value.row == 3
    with pytest.raises(InputError, match="not valid UTF-16"):
        read_text_table(write(tmp_path, codecs.BOM_UTF16_LE + "a\tb\n".encode("utf-16-le") + b"\x00\xdc"))


def test_a_byte_order_mark_saved_twice_is_no_header_cell(tmp_path):
    """A mark repeated after the first (a file saved twice by tools that each add one) is not read as a column
    name: the table reads as its header says, and a file of marks alone is an empty one, refused by name."""
    for data in (codecs.BOM_UTF8 * 2 + b"id,name\n1,a\n", codecs.BOM_UTF8 + b"\n\xef\xbb\xbfid,name\n1,a\n"):
        frame, _ = read_text_table(write(tmp_path, data)).frame()
        assert frame.columns == ["id", "name"] and frame.rows() == [("1", "a")]
    for marks in (codecs.BOM_UTF16_LE * 2, codecs.BOM_UTF8 * 2, b"\n" + codecs.BOM_UTF8 * 2):
        with pytest.raises(InputError) as info:
            read_text_table(write(tmp_path, marks)).frame()
        assert info.value.file == "t.csv"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("group,name,country\nIMT,IMT Atlantique,FR\nNet;Other,Other; Inc,DE\n", ","),  # ; inside cells
        ("name;country\nUniversity of Paris, Nanterre;FR\n", ";"),  # , inside cells, unquoted
        ('"a;b",c\n1,2\n', ","),  # the semicolon is inside a quoted header cell
        ("a\tb,c\n1\t2,3\n4\t5,6\n", "\t"),  # both split the header; both give every row its width: tab wins
        ("a,b;c\n1,2;3\n4,5\n", ","),  # the comma gives more rows the header's width
        ("name\nAlpha\n", ","),  # one column: nothing to split
    ],
)
def test_the_delimiter_is_the_one_that_splits_the_header(tmp_path, text, delimiter):
    assert read_text_table(write(tmp_path, text.encode())).delimiter == delimiter


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    text = ';;\n\n"";""\nid;name;note\nA;Alpha;"one\ntwo"\n\n;;\nB;Beta;x\n  ;  ;\nC;Gamma;y\n\n'
    table = read_text_table(write(tmp_path, text.encode()))
    assert table.header_row == 4
    frame, rows = table.frame()
    assert frame["id"].to_list() == ["A", "B", "C"]
    assert rows.to_list() == [5, 8, 10]  # the two-line cell is one row; blank rows count
    header, records = table.records()
    assert header == ["id", "name", "note"]
    assert [n for n, _ in records] == [5, 8, 10]


def test_old_mac_line_ends(tmp_path):
    frame, rows = read_text_table(write(tmp_path, b"a,b\r1,2\r3,4\r")).frame()
    assert frame.rows() == [("1", "2"), ("3", "4")] and rows.to_list() == [2, 3]


def test_what_lies_past_the_first_megabyte_is_seen(tmp_path):
    """A file is judged a megabyte at a time: a line end split between two pieces, an old Mac line end or a
    byte that is not UTF-8 far down the file are each read as in a small file, their rows counted."""
    rows = 1 + (1 << 20) // 6  # "x,12\r\n" is 6 bytes: a "\r\n" straddles the first megabyte's end
    body = b"a,b\r\n" + b"x,12\r\n" * rows
    assert body[(1 << 20) - 1 : (1 << 20) + 1] == b"\r\n"
    frame, numbers = read_text_table(write(tmp_path, body)).frame()
    assert (frame.height, numbers[-1]) == (rows, rows + 1)
    frame, numbers = read_text_table(write(tmp_path, body + b"y,2\rz,3\r\n")).frame()  # old Mac end at the end
    assert frame["a"][-2:].to_list() == ["y", "z"] and numbers[-1] == rows + 3
    frame, _ = read_text_table(write(tmp_path, body + "é,4\r\n".encode())).frame()
    assert frame["a"][-1] == "é"
    with pytest.raises(InputError, match="byte 0xe9") as info:
        read_text_table(write(tmp_path, body + "é,4\r\n".encode("cp1252")))
    assert info.value.row == rows + 2


def test_records_refuse_a_row_longer_than_its_header(tmp_path):
    # read cell by cell (aliases, corrections, SDG query tables …): a filled cell past the header is an error with
    # its row, never cut off; empty cells past it, blank rows and comments are not rows of the table
    table = read_text_table(write(tmp_path, b"a,b\n# x,y,z\n1,2,,\n\n3,4\n"), comment="#")
    assert table.records() == (["a", "b"], [(3, ["1", "2", "", ""]), (5, ["3", "4"])])
    with pytest.raises(InputError, match="3 cells where the header has 2") as info:
        read_text_table(write(tmp_path, b"a,b\n1,2\n\n3,4,5\n")).records()
    assert (info.value.file, info.value.row) == ("t.csv", 4)


def test_cells_beyond_the_header(tmp_path):
    # a spreadsheet's untouched columns: empty cells past the header, or an empty column without a name
    frame, _ = read_text_table(write(tmp_path, b"a,b\n1,2,\n3,4,,\n")).frame()
    assert frame.rows() == [("1", "2"), ("3", "4")]
    frame, _ = read_text_table(write(tmp_path, b"a,b,,\n1,2,,\n")).frame()
    assert frame.columns == ["a", "b"]
    with pytest.raises(InputError, match="3 cells where the header has 2") as info:
        read_text_table(write(tmp_path, b"a,b\n1,2\n\n3,4,5\n")).frame()
    assert info.value.row == 4
    with pytest.raises(InputError, match="column 3 has a value but no name") as info:
        read_text_table(write(tmp_path, b"a,b,\n1,2,\n3,4,x\n")).frame()
    assert info.value.row == 3
    with pytest.raises(InputError, match="names column 'a' more than once"):
        read_text_table(write(tmp_path, b"a,b,a\n1,2,3\n")).frame()
    with pytest.raises(InputError, match="unreadable CSV") as info:
        read_text_table(write(tmp_path, b'a,b\n1,2\n3,"4\n')).frame()
    assert info.value.row == 3


@pytest.mark.parametrize("content", [b"", b"\n\n", b";;;\r\n;;\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_files(tmp_path, content):
    with pytest.raises(InputError, match="the file is empty"):
        read_text_table(write(tmp_path, content))


def mark(values: list[str], delimiter: str | None, given: str | None = None) -> str:
    cells = pl.DataFrame({"value": values}, schema={"value": pl.String})
    return decimal_mark(cells, range(2, 2 + len(values)), file="t.csv", delimiter=delimiter, given=given)


@pytest.mark.parametrize(
    ("values", "delimiter", "expected"),
    [
        (["12.5", "3"], ",", "."),
        (["12", "", None], ";", "."),  # no number tells: the point
        (["12,5", "3"], ";", ","),  # the semicolon file of a decimal-comma spreadsheet
        (["1,234"], ";", ","),  # a semicolon file writes no thousands separator with a comma
        (["12,5"], ",", ","),  # quoted in a comma file; no thousands separator makes "12,5"
        (["0,25", "77,5–85,2"], "\t", ","),
        (["12,5"], None, ","),  # a spreadsheet's text cell
        (["Paris, France", "12.5"], ";", "."),  # text is no number
    ],
)
def test_the_decimal_mark_when_the_numbers_tell(values, delimiter, expected):
    assert mark(values, delimiter) == expected


def test_the_decimal_mark_when_they_cannot_tell():
    with pytest.raises(InputError, match="cannot tell whether the comma in '1,234'") as info:
        mark(["5", "1,234"], ",")
    assert (info.value.row, info.value.field) == (3, "value")
    with pytest.raises(InputError, match="--decimal ,"):
        mark(["1,234", "12,345"], "\t")
    with pytest.raises(InputError, match=r"decimal comma \('2,5'\) and with a decimal point \('1.5', row 2") as info:
        mark(["1.5", "2,5"], ";")
    assert info.value.row == 3
    assert mark(["5", "1,234"], ",", given=",") == ","
    assert mark(["1.5", "2,5"], ";", given=".") == "."
    with pytest.raises(InputError, match=r"--decimal takes '\.' or ','"):
        mark(["1"], ",", given=";")


def test_numbers_are_read_with_one_mark():
    text = pl.Series("v", ["12,5", " 3 ", "1.5", "-0,25", "1e3", "x", None, "1,2,3"])
    assert parse_numbers(text, ",").to_list() == [12.5, 3.0, None, -0.25, 1000.0, None, None, None]
    assert parse_numbers(text, ".").to_list() == [None, 3.0, 1.5, None, 1000.0, None, None, None]
    assert [to_point(t, ",") for t in ("77,5–85,2", "82,1", "=12", "1.5", "Paris, France")] == [
        "77.5–85.2",
        "82.1",
        "=12",
        "1.5",
        "Paris, France",
    ]
    assert to_point("82,1", ".") == "82,1"
    grouped = pl.Series("v", ["8,046", "-1,234,567.5", "8,04", "12,5"])  # with a point, commas group thousands
    assert parse_numbers(grouped, ".").to_list() == [8046.0, -1234567.5, None, None]
    assert parse_numbers(grouped, ",").to_list() == [8.046, None, 8.04, 12.5]
