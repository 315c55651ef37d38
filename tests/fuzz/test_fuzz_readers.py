"""Every reader of a user's file, fed arbitrary bytes and near-valid files: it returns, or raises the one
user-facing error (InputError) naming the file; never another exception."""

from __future__ import annotations

import pytest
import seeds
from fuzzing import (
    PROFILES,
    counted,
    csv_inputs,
    examples,
    parquet_inputs,
    read_rows,
    text_inputs,
    workbook_inputs,
)
from hypothesis import given

from impactrank.engine.checks import check_methodology
from impactrank.errors import InputError
from impactrank.io.groups import read_groups
from impactrank.io.identity import read_aliases
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.io.published import read_published
from impactrank.io.published.corrections import read_corrections
from impactrank.io.uncertainty_config import load_uncertainty_config
from impactrank.methodology import load_methodology
from impactrank.sdgmap.evaluate import load_benchmark, load_text2sdg_predictions, predict, published_stats, score
from impactrank.sdgmap.loaders import load_aurora_xml, load_query_table
from impactrank.sdgmap.publications import TextColumns, read_publications, text_frame
from impactrank.sdgmap.research import NUMERIC_COLUMNS, load_lmic, research_metrics

MINI = load_methodology(seeds.FIXTURES / "mini.yaml")
KNOWN = read_institutions(seeds.FIXTURES / "mini_institutions.csv")


def submissions(path):
    return read_submissions([path], MINI, KNOWN)


def publications(path):
    pubs = read_publications(path, numeric=NUMERIC_COLUMNS)
    text_frame(pubs.frame, TextColumns(), str(path), pubs.rows)
    return research_metrics(pubs.frame, file=str(path), rows=pubs.rows)


def methodology(path):
    check_methodology(load_methodology(path), path.name)


QUERIES = load_query_table(seeds.EXAMPLES / "sdg" / "queries.csv")


def benchmark(path):
    table = load_benchmark(path)
    return score(table, predict(table, QUERIES))


def uncertainty_config(path):
    return load_uncertainty_config(path).to_spec()


# reader → (file suffix, inputs, read, examples in the quick profile)
READERS = {
    "institutions (CSV)": (".csv", csv_inputs(seeds.INSTITUTIONS), read_institutions, 100),
    "institutions (XLSX)": (".xlsx", workbook_inputs(read_rows(seeds.INSTITUTIONS)), read_institutions, 30),
    "institutions (Parquet)": (".parquet", parquet_inputs(read_rows(seeds.INSTITUTIONS)), read_institutions, 30),
    "submissions (CSV)": (".csv", csv_inputs(seeds.SUBMISSIONS), submissions, 100),
    "submissions (XLSX)": (".xlsx", workbook_inputs(read_rows(seeds.SUBMISSIONS)), submissions, 30),
    "groups": (".csv", csv_inputs(seeds.GROUPS), read_groups, 80),
    "aliases": (".csv", csv_inputs(seeds.ALIASES), read_aliases, 80),
    "corrections": (".csv", csv_inputs(seeds.CORRECTIONS), read_corrections, 60),
    "published table (CSV)": (".csv", csv_inputs(seeds.PUBLISHED), read_published, 80),
    "published scrape (CSV)": (".csv", csv_inputs(seeds.SCRAPE), lambda p: read_published(p, edition="2023"), 60),
    "published table (JSON)": (".json", text_inputs(seeds.PUBLISHED_JSON), read_published, 60),
    "published table (XLSX)": (".xlsx", workbook_inputs(read_rows(seeds.PUBLISHED)), read_published, 30),
    "THE workbook (XLSX)": (".xlsx", workbook_inputs(seeds.THE_WORKBOOK), read_published, 30),
    "query table (CSV)": (".csv", csv_inputs(seeds.QUERIES), load_query_table, 80),
    "Aurora queries (XML)": (".xml", text_inputs(seeds.AURORA), load_aurora_xml, 60),
    "publications (CSV)": (".csv", csv_inputs(seeds.PUBLICATIONS), publications, 80),
    "LMIC list": (".csv", csv_inputs(seeds.LMIC), load_lmic, 60),
    "SDG benchmark": (".csv", csv_inputs(seeds.BENCHMARK), benchmark, 60),
    "published figures": (".csv", csv_inputs(seeds.FIGURES), published_stats, 60),
    "text2sdg predictions": (".csv", csv_inputs(seeds.PREDICTIONS), load_text2sdg_predictions, 60),
    "uncertainty config (YAML)": (".yaml", text_inputs(seeds.UNCERTAINTY), uncertainty_config, 60),
    "methodology (YAML)": (".yaml", text_inputs(seeds.METHODOLOGY), methodology, 60),
}


@pytest.mark.parametrize("scale", PROFILES)
@pytest.mark.parametrize("reader", list(READERS))
def test_a_reader_returns_or_names_the_file(reader, scale, request, tmp_path):
    suffix, inputs, read, quick = READERS[reader]
    path = tmp_path / f"input{suffix}"

    @examples(request, quick)
    @given(inputs)
    def case(data: bytes) -> None:
        path.write_bytes(data)
        with counted(f"reader: {reader}"):
            try:
                read(path)
            except InputError as exc:
                assert exc.file is not None and path.name in exc.file, f"{exc!s} does not name the file"
                assert "\n" not in str(exc), f"not one line: {exc!s}"

    case()
