"""Loaders: real Aurora XML and text2sdg tables, our own CSV format, and clean errors."""

from __future__ import annotations

import pytest

from impactrank.errors import InputError
from impactrank.sdgmap.ast import And, Or, Term
from impactrank.sdgmap.loaders import load_aurora_xml, load_queries, load_query_table
from impactrank.sdgmap.parser import QuerySyntaxError, parse

from .conftest import EXAMPLES

AURORA_PER_SDG = {
    1: 19,
    2: 16,
    3: 28,
    4: 18,
    5: 26,
    6: 17,
    7: 10,
    8: 34,
    9: 24,
    10: 17,
    11: 20,
    12: 20,
    13: 9,
    14: 14,
    15: 28,
    16: 34,
    17: 44,
}
SIRIS_PER_SDG = [101, 121, 625, 116, 135, 288, 205, 148, 268, 121, 261, 150, 274, 157, 179, 296]


def test_aurora_xml_lines_targets_and_fields(aurora):
    assert len(aurora.lines) == 378
    assert aurora.counts() == AURORA_PER_SDG
    assert len({line.target for line in aurora.lines}) == 170
    first = aurora.lines[0]
    assert (first.sdg, first.target, first.line_id) == (1, "1.1", "aurora-v5:1.1:1")
    assert first.ast.field == "TITLE-ABS-KEY"
    # every line id is unique so a label can name the lines that matched
    assert len({line.line_id for line in aurora.lines}) == 378


def test_aurora_xml_matches_the_flattened_csv(sdg_data, aurora):
    import csv

    with (sdg_data / "aurora_queries_v5.0.3" / "aurora_v5.0.3_query_lines.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [parse(r["query"]) for r in rows] == [line.ast.child for line in aurora.lines]


def test_text2sdg_tables_row_counts(systems, sdg_data):
    assert systems["siris"].counts() == dict(zip(range(1, 17), SIRIS_PER_SDG, strict=True))
    assert len(systems["sdsn"].lines) == 847 and systems["sdsn"].sdgs == list(range(1, 18))
    assert len(systems["sdgo"].lines) == 4122 and systems["sdgo"].counts()[3] == 1221
    assert systems["elsevier"].sdgs == list(range(1, 17))
    assert len(load_queries("aurora-v5-text2sdg", sdg_data).lines) == 373


def test_siris_keyword_and_context_compose_like_its_query_column(systems, sdg_data):
    import csv

    with (sdg_data / "text2sdg_1.1.1" / "siris_queries.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    composed = [line.ast for line in systems["siris"].lines]
    given = [parse(r["query"].replace('\\"', '"').replace("\\u00f1", "ñ")) for r in rows]
    assert composed == given
    line = next(x for x in systems["siris"].lines if x.line_id == "siris:1:3")
    assert line.ast == And((Term("anti-poverty"), Or((Term("poverty"), Term("vulnerability")))))


def test_elsevier_lucene_phrases_and_not(systems):
    text = systems["elsevier"].lines[0].query
    assert "<extreme poverty>" in text
    assert Term("extreme poverty") in systems["elsevier"].lines[0].ast.children  # type: ignore[union-attr]


def test_own_csv_format(tmp_path):
    qs = load_queries(EXAMPLES / "queries.csv")
    assert qs.name == "queries" and len(qs.lines) == 11
    assert qs.lines[0].line_id == "queries:1:poverty-1"
    p = tmp_path / "mine.csv"
    p.write_text('sdg,query\nSDG-03,"""malaria"""\n', encoding="utf-8")
    [line] = load_query_table(p).lines
    assert (line.sdg, line.line_id, line.ast) == (3, "mine:3:1", Term("malaria"))


def test_syntax_error_in_user_file_names_file_row_and_position(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text('sdg,query\n1,"""a"" OR ""b"""\n2,"(""c"" AND"\n', encoding="utf-8")
    with pytest.raises(QuerySyntaxError) as info:
        load_query_table(p)
    err = info.value
    assert (err.row, err.field, err.position) == (3, "query", 8)
    assert str(err) == f"{p}, row 3, field 'query': expected a term or '(' but found end of query at position 8"


def test_bad_inputs_raise_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such query file or named set"):
        load_queries(tmp_path / "missing.csv")
    (tmp_path / "nosdg.csv").write_text("query\nx\n")
    with pytest.raises(InputError, match="'sdg' column"):
        load_query_table(tmp_path / "nosdg.csv")
    (tmp_path / "badsdg.csv").write_text("sdg,query\n18,x\n")
    with pytest.raises(InputError, match="not an SDG number") as info:
        load_query_table(tmp_path / "badsdg.csv")
    assert info.value.row == 2
    (tmp_path / "long.csv").write_text('sdg,query\n1,"poverty"\n2,hunger,famine\n')  # a query cut at a comma
    with pytest.raises(InputError, match="3 cells where the header has 2") as info:
        load_query_table(tmp_path / "long.csv")
    assert info.value.row == 3
    (tmp_path / "twice.csv").write_text("sdg,query_id,query\n1,a,poverty\n2,a,hunger\n1,a,income\n")
    with pytest.raises(InputError, match="query id 'a' of SDG 1 is on row 2 already") as info:
        load_query_table(tmp_path / "twice.csv")  # (the same id in another SDG is another line: row 3 passes)
    assert (info.value.row, info.value.field) == (4, "query_id")
    (tmp_path / "q.xml").write_text("<not-closed>")
    with pytest.raises(InputError, match="cannot read Aurora XML"):
        load_aurora_xml(tmp_path / "q.xml")
    with pytest.raises(InputError, match="not found"):
        load_queries("elsevier", tmp_path)


def test_named_sets_resolve_through_the_environment(monkeypatch, sdg_data, tmp_path):
    monkeypatch.setenv("IMPACTRANK_SDG_DATA", str(tmp_path))
    with pytest.raises(InputError, match="'aurora-v5' not found"):
        load_queries("aurora-v5")
    monkeypatch.setenv("IMPACTRANK_SDG_DATA", str(sdg_data))
    assert len(load_queries("aurora-v5").lines) == 378


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8-sig"), ("\t", "utf-16")], ids=["french-csv", "unicode-text"]
)
def test_query_tables_as_spreadsheets_save_them(tmp_path, delimiter, encoding):
    import csv
    import io

    with (EXAMPLES / "queries.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "queries.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    assert load_query_table(path) == load_query_table(EXAMPLES / "queries.csv")


def test_query_rows_are_numbered_as_the_file_shows_them(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('\nsdg;query\n1;"""a"""\n\n2;"(""c"" AND"\n', encoding="utf-8")
    with pytest.raises(QuerySyntaxError) as info:
        load_query_table(p)
    assert (info.value.row, info.value.field) == (5, "query")
    p.write_text('sdg\tquery\n\n1\t"a"\n', encoding="utf-8")
    [line] = load_query_table(p).lines
    assert line.line_id == "q:1:1"  # the first query, though on row 3
