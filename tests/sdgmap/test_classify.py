"""Classifying publication tables: labels with their query lines, ensembles, columns, determinism."""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest

from impactrank.errors import InputError
from impactrank.sdgmap import classify
from impactrank.sdgmap.classify import classify_file, classify_table, write_labels
from impactrank.sdgmap.loaders import load_queries, load_query_table
from impactrank.sdgmap.matcher import Matcher
from impactrank.sdgmap.publications import TextColumns, read_table

from .conftest import EXAMPLES

EXPECTED = {
    "W001": [1],
    "W002": [3],
    "W003": [],
    "W004": [2],
    "W005": [5],
    "W006": [7],
    "W007": [13],
    "W008": [],
    "W009": [1],
    "W010": [17],
}


@pytest.fixture(scope="module")
def example_queries():
    return load_queries(EXAMPLES / "queries.csv")


def test_example_publications_get_the_expected_sdgs_and_reasons(example_queries):
    labels = classify_file(EXAMPLES / "publications.csv", [example_queries])
    assert labels.schema == {"work_id": pl.String, "sdgs": pl.List(pl.Int8), "query_lines": pl.List(pl.String)}
    assert dict(zip(labels["work_id"], labels["sdgs"].to_list(), strict=True)) == EXPECTED
    lines = dict(zip(labels["work_id"], labels["query_lines"].to_list(), strict=True))
    # W001 matches by proximity in the title and by the exact phrase in its keywords
    assert lines["W001"] == ["queries:1:poverty-1", "queries:1:poverty-2"]
    # W003 is a review: TITLE("review") excludes it with AND NOT
    assert lines["W003"] == []


def test_ensemble_needs_k_systems_to_agree(example_queries, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text('sdg,query\n1,"""cash transfer*"""\n3,"""mortality"""\n7,"""wind"""\n', encoding="utf-8")
    second = load_query_table(other)
    df = read_table(EXAMPLES / "publications.csv")
    one = classify_table(df, [example_queries, second], min_agree=1)
    two = classify_table(df, [example_queries, second], min_agree=2)
    by_id = lambda t: dict(zip(t["work_id"], t["sdgs"].to_list(), strict=True))  # noqa: E731
    assert by_id(two) == {**{k: [] for k in EXPECTED}, "W001": [1], "W002": [3]}
    assert by_id(one) == EXPECTED
    assert by_id(one)["W006"] == [7]
    assert "other:1:1" in one.filter(pl.col("work_id") == "W001")["query_lines"][0].to_list()
    with pytest.raises(InputError, match="between 1 and 2"):
        classify_table(df, [example_queries, second], min_agree=3)


def test_batch_labels_are_each_documents_lines_and_votes_on_real_systems(systems, benchmark, monkeypatch):
    # labels are built for a whole batch at once; per document they must be every system's matched lines in
    # system order and the SDGs that at least min_agree systems give, across batch boundaries too
    monkeypatch.setattr(classify, "BATCH", 300)
    texts = benchmark["text"].to_list()[:700]
    chosen = [systems["aurora-v5"], systems["elsevier"], systems["sdgo"]]
    matchers = [Matcher(q) for q in chosen]
    per_doc = [[[m.lines[i] for i in m.match(t)] for m in matchers] for t in texts]
    df = pl.DataFrame({"work_id": [f"B{i:04d}" for i in range(len(texts))], "text": texts})
    for k in (1, 2):
        labels = classify_table(df, chosen, min_agree=k)
        assert labels["work_id"].to_list() == df["work_id"].to_list()
        for got, systems_lines in zip(labels.iter_rows(), per_doc, strict=True):
            votes = Counter(sdg for lines in systems_lines for sdg in {line.sdg for line in lines})
            assert got[1] == sorted(s for s, v in votes.items() if v >= k)
            assert got[2] == [line.line_id for lines in systems_lines for line in lines]
    # not vacuous: documents matched by several systems, and SDGs that only one system gives
    assert sum(sum(map(bool, d)) >= 2 for d in per_doc) > 100
    one = classify_table(df, chosen, min_agree=1)["sdgs"].list.len().sum()
    assert one > classify_table(df, chosen, min_agree=2)["sdgs"].list.len().sum() > 0


def test_text_columns_are_configurable(example_queries):
    df = pl.DataFrame({"ref": ["x1", "x2"], "headline": ["Malaria in children", "Solar energy"], "body": ["", ""]})
    labels = classify_table(df, [example_queries], TextColumns(id="ref", text="headline"))
    assert labels["sdgs"].to_list() == [[3], [7]]
    with pytest.raises(InputError, match="no column 'summary'") as info:
        classify_table(df, [example_queries], TextColumns(id="ref", abstract="summary"))
    assert info.value.field == "summary"
    with pytest.raises(InputError, match="no work id column"):
        classify_table(df.drop("ref"), [example_queries])


def test_jsonl_with_keyword_lists(example_queries, tmp_path):
    p = tmp_path / "pubs.jsonl"
    p.write_text(
        '{"id": "j1", "title": "Rural clinics", "keywords": ["drinking water", "sanitation"]}\n'
        '{"id": "j2", "title": "Sparse matrices", "keywords": []}\n',
        encoding="utf-8",
    )
    labels = classify_file(p, [example_queries])
    assert labels["sdgs"].to_list() == [[6], []]


def test_output_is_byte_identical_and_sorted(example_queries, tmp_path):
    df = read_table(EXAMPLES / "publications.csv")
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    write_labels(classify_table(df, [example_queries]), a)
    write_labels(classify_table(df.reverse(), [example_queries]), b)
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet", "b.parquet"]  # no temp files left


def test_unreadable_inputs(tmp_path, example_queries):
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "none.csv")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(InputError, match="unsupported format"):
        read_table(tmp_path / "x.txt")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="cannot read table"):
        read_table(tmp_path / "bad.parquet")
