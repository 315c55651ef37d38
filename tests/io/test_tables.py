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


def test_a_number_stored_as_nan_or_infinity_is_refused_with_its_row(tmp_path):
    """Numbers a file stores as numbers are checked all at once; the first column holding a bad one is named."""
    nan, inf = float("nan"), float("inf")
    frame = pl.DataFrame({"id": ["A", "B", "C"], "value": [1.0, nan, nan], "numerator": [inf, 2.0, None]})
    frame.write_parquet(tmp_path / "s.parquet")
    with pytest.raises(InputError, match="not a finite number") as info:
        read_user_table(tmp_path / "s.parquet", ["value", "numerator"])
    assert (info.value.row, info.value.field, info.value.more) == (2, "value", 1)
    frame.with_columns(value=pl.lit(1.0)).write_parquet(tmp_path / "s.parquet")
    with pytest.raises(InputError, match="not a finite number") as info:
        read_user_table(tmp_path / "s.parquet", ["value", "numerator"])
    assert (info.value.row, info.value.field, info.value.more) == (1, "numerator", 0)


def test_keys_written_loosely_read_as_the_same_rows(tmp_path, mini_methodology):
    """A clean file's keys are read straight as codes; one with "SDG 3" or "3.0" is read as text and checked:
    the same rows either way, ids as text."""
    pl.DataFrame({"institution_id": ["A", "B"], "name": ["Alpha", "Beta"], "country": ["FR", "DE"]}).write_csv(
        tmp_path / "i.csv"
    )
    institutions = read_institutions(tmp_path / "i.csv")
    for first, second in (("3", "3"), ("SDG 3", "3.0")):
        (tmp_path / "s.csv").write_text(f"institution_id,sdg,metric,value\nB,{first},pubs,7.5\nA,{second},pubs,5\n")
        read = read_submissions([tmp_path / "s.csv"], mini_methodology, institutions)
        assert read.select("institution_id", "sdg", "metric", "value").rows() == [
            ("B", 3, "pubs", 7.5),
            ("A", 3, "pubs", 5.0),
        ]
        assert (read.schema["institution_id"], read.schema["sdg"]) == (pl.String, pl.Int64)


def test_a_fractional_sdg_number_is_refused_not_truncated(tmp_path, mini_methodology):
    pl.DataFrame({"institution_id": ["A"], "name": ["Alpha"], "country": ["FR"]}).write_csv(tmp_path / "i.csv")
    subs = pl.DataFrame({"institution_id": ["A", "A"], "sdg": [3.0, 4.7], "metric": ["pubs", "pubs"], "value": [1, 2]})
    subs.write_parquet(tmp_path / "s.parquet")
    with pytest.raises(InputError, match=r"4\.7' is not an SDG number") as info:
        read_submissions([tmp_path / "s.parquet"], mini_methodology, read_institutions(tmp_path / "i.csv"))
    assert (info.value.row, info.value.field) == (2, "sdg")


def french(text: str) -> bytes:
    """A comma CSV as a French spreadsheet saves it: semicolons, decimal commas, CRLF, UTF-8 with BOM."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        writer.writerow([c.replace(".", ",") if i and c.replace(".", "", 1).isdigit() else c for c in row])
    return "\ufeff".encode() + out.getvalue().encode()


def test_a_french_spreadsheet_csv_reads_as_the_comma_file(tmp_path, mini_paths, mini_methodology):
    for name in ("institutions", "submissions"):
        text = mini_paths[name].read_text().replace("A,1,pubs,100,", "A,1,pubs,100.25,")
        (tmp_path / f"{name}.csv").write_text(text)
        (tmp_path / f"{name}_fr.csv").write_bytes(french(text))
    assert b"100,25" in (tmp_path / "submissions_fr.csv").read_bytes()
    inst, inst_fr = (
        read_institutions(tmp_path / "institutions.csv"),
        read_institutions(tmp_path / "institutions_fr.csv"),
    )
    assert inst.equals(inst_fr)
    subs = read_submissions([tmp_path / "submissions.csv"], mini_methodology, inst)
    subs_fr = read_submissions([tmp_path / "submissions_fr.csv"], mini_methodology, inst)
    assert subs.equals(subs_fr) and 100.25 in subs["value"].to_list()
    with pytest.raises(
        InputError, match=r"'100,25' is not a number \(numbers in this file are read with a decimal point"
    ):
        read_submissions([tmp_path / "submissions_fr.csv"], mini_methodology, inst, decimal=".")


def test_a_decimal_comma_the_file_cannot_tell_needs_the_option(tmp_path, mini_methodology):
    (tmp_path / "i.csv").write_text("institution_id,name,country\nA,Alpha,FR\nB,Beta,DE\n")
    (tmp_path / "s.csv").write_text('institution_id,sdg,metric,value\nA,1,pubs,"1,250"\nB,1,pubs,7\n')
    institutions = read_institutions(tmp_path / "i.csv")
    with pytest.raises(InputError, match="--decimal ,") as info:
        read_submissions([tmp_path / "s.csv"], mini_methodology, institutions)
    assert (info.value.file, info.value.row, info.value.field) == ("s.csv", 2, "value")
    read = read_submissions([tmp_path / "s.csv"], mini_methodology, institutions, decimal=",")
    assert read["value"].to_list() == [1.25, 7.0]


def test_blank_rows_are_skipped_and_counted(tmp_path, mini_methodology):
    (tmp_path / "i.csv").write_text("institution_id,name,country\n\nA,Alpha,FR\n,,\nB,Beta,DE\n")
    assert read_institutions(tmp_path / "i.csv")["institution_id"].to_list() == ["A", "B"]
    (tmp_path / "s.csv").write_text("institution_id,sdg,metric,value\nA,1,pubs,1\n\n\nB,1,pubs,ten\n")
    with pytest.raises(InputError, match="'ten' is not a number") as info:
        read_submissions([tmp_path / "s.csv"], mini_methodology, read_institutions(tmp_path / "i.csv"))
    assert (info.value.row, info.value.field) == (5, "value")


def write_sheet(path, rows):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("data")
    for i, row in enumerate(rows):
        for j, cell in enumerate(row or []):
            if isinstance(cell, str):
                sheet.write_string(i, j, cell)
            elif cell is not None:
                sheet.write(i, j, cell)
    book.close()


def test_xlsx_rows_are_the_rows_the_spreadsheet_shows(tmp_path, mini_methodology):
    """A sheet starting with a blank row, with a blank row among the data: a bad cell on spreadsheet row 6 is
    reported on row 6 (it was row 4: blank rows were not counted)."""
    write_sheet(
        tmp_path / "i.xlsx", [[], ["institution_id", "name", "country"], ["A", "Alpha", "FR"], ["B", "Beta", "DE"]]
    )
    institutions = read_institutions(tmp_path / "i.xlsx")
    assert institutions["institution_id"].to_list() == ["A", "B"]
    header = ["institution_id", "sdg", "metric", "value"]
    write_sheet(tmp_path / "s.xlsx", [[], header, ["A", 1, "pubs", 5], [], ["B", 1, "pubs", 7], ["A", 2, "share", "x"]])
    with pytest.raises(InputError) as info:
        read_submissions([tmp_path / "s.xlsx"], mini_methodology, institutions)
    assert (info.value.file, info.value.row, info.value.field) == ("s.xlsx", 6, "value")
    write_sheet(tmp_path / "d.xlsx", [[], header, ["A", 1, "pubs", 5], [], ["A", 1, "pubs", 6]])
    with pytest.raises(InputError, match="appears twice") as info:
        read_submissions([tmp_path / "d.xlsx"], mini_methodology, institutions)
    assert info.value.row == 5


def test_xlsx_numbers_keep_their_precision(tmp_path, mini_methodology):
    write_sheet(tmp_path / "i.xlsx", [["institution_id", "name", "country"], ["A", "Alpha", "FR"], ["B", "Beta", "DE"]])
    header = ["institution_id", "sdg", "metric", "value", "numerator", "denominator"]
    tiny, third = 1e-12, 2 / 3 * 100
    write_sheet(
        tmp_path / "s.xlsx",
        [header, ["A", 1, "pubs", tiny], ["B", 1, "pubs", "12,5"], ["A", 2, "share", None, third, 1234567.123456789]],
    )
    read = read_submissions([tmp_path / "s.xlsx"], mini_methodology, read_institutions(tmp_path / "i.xlsx"))
    assert read["value"].to_list()[:2] == [tiny, 12.5]  # a number cell exactly; a text cell with its comma
    assert read.select("numerator", "denominator").row(2) == (third, 1234567.123456789)
    write_sheet(tmp_path / "b.xlsx", [header, ["A", 1, "pubs", True]])
    with pytest.raises(InputError, match=r"'true' is not a number"):
        read_submissions([tmp_path / "b.xlsx"], mini_methodology, read_institutions(tmp_path / "i.xlsx"))


def test_an_empty_sheet_and_a_header_only_sheet(tmp_path):
    write_sheet(tmp_path / "e.xlsx", [[], []])
    with pytest.raises(InputError, match="the first sheet is empty"):
        read_user_table(tmp_path / "e.xlsx")
    write_sheet(tmp_path / "h.xlsx", [[], ["institution_id", "name", "country"]])
    with pytest.raises(InputError, match="header but no data rows"):
        read_user_table(tmp_path / "h.xlsx")


def test_the_rows_sharing_a_problem_are_counted_in_the_readers_language(tmp_path):
    """The first bad row is named and the others counted, through the catalogs with the reader's grouping."""
    from babel.numbers import format_decimal

    lines = ["institution_id,name,country", "A,Alpha,FR"] + [f"I{n},,FR" for n in range(2346)]
    path = tmp_path / "i.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_institutions(path)
    more = sum(1 for line in lines[1:] if ",," in line) - 1
    assert info.value.row == 3 and info.value.field == "name"
    assert str(info.value).endswith(f"({format_decimal(more, locale='en')} more rows like this)")
    assert info.value.text("fr").endswith(f"({format_decimal(more, locale='fr')} autres lignes comme celle-ci)")
    assert format_decimal(more, locale="fr") == "2\u202f345"  # grouped as French groups thousands
