"""Research metrics: hand-computed values in the submissions long format."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.errors import InputError
from impactrank.sdgmap.research import load_lmic, methodology_metrics, research_metrics

PUBS = pl.DataFrame(
    {
        "work_id": ["w1", "w2", "w3", "w4", "w5"],
        "year": ["2018", "2019", "2019", "2014", "2016"],
        "institution_ids": ["A;B", "A", "B", "A", "B"],
        "sdgs": ["1;3", "1", "3", "1", ""],
        "citations": ["10", "0", "4", "5", "9"],
        "expected_citations": ["5", "2", "", "1", "3"],
        "journal_percentile": ["95", "50", "", "99", "90"],
        "countries": ["GB;KE", "GB", "us|in", "FR", "BD"],
    }
)


def value(df: pl.DataFrame, inst: str, sdg: int, metric: str):
    got = df.filter((pl.col("institution_id") == inst) & (pl.col("sdg") == sdg) & (pl.col("metric") == metric))
    return got["value"].to_list()


def test_hand_computed_metrics():
    df = research_metrics(PUBS, years=(2015, 2019))
    assert df.columns == ["institution_id", "sdg", "metric", "value"]
    # A, SDG 1: w1 (10/5 = 2, top 10 %, KE) and w2 (0/2 = 0, 50th percentile, GB); w4 is outside the years.
    assert value(df, "A", 1, "sdg_publications") == [2.0]
    assert value(df, "A", 1, "sdg_fwci") == [1.0]
    assert value(df, "A", 1, "sdg_top10_journals") == [0.5]
    assert value(df, "A", 1, "lmic_coauthorship") == [0.5]
    # B, SDG 3: w1 and w3 (no expected citations: only w1 has an FWCI; IN is lower-middle income)
    assert value(df, "B", 3, "sdg_publications") == [2.0]
    assert value(df, "B", 3, "sdg_fwci") == [2.0]
    assert value(df, "B", 3, "sdg_top10_journals") == [0.5]
    assert value(df, "B", 3, "lmic_coauthorship") == [1.0]
    # No papers: a zero count, and no ratios.
    assert value(df, "A", 2, "sdg_publications") == [0.0]
    assert value(df, "A", 2, "sdg_fwci") == []
    # SDG 17: papers on any SDG (w5 has none) and their LMIC share.
    assert value(df, "B", 17, "all_sdg_publications") == [2.0]
    assert value(df, "B", 17, "lmic_coauthorship") == [1.0]
    assert value(df, "A", 17, "all_sdg_publications") == [2.0]
    assert value(df, "A", 17, "lmic_coauthorship") == [0.5]
    assert set(df.filter(pl.col("sdg") == 17)["metric"]) == {"all_sdg_publications", "lmic_coauthorship"}
    # sorted, deterministic
    assert df.equals(research_metrics(PUBS.reverse(), years=(2015, 2019)))


def test_labels_table_replaces_the_sdgs_column():
    labels = pl.DataFrame(
        {"work_id": ["w1", "w2", "w5"], "sdgs": [[2], [], [2, 16]]},
        schema={"work_id": pl.String, "sdgs": pl.List(pl.Int8)},
    )
    df = research_metrics(PUBS.drop("sdgs"), labels)
    assert value(df, "A", 2, "sdg_publications") == [1.0]
    assert value(df, "B", 2, "sdg_publications") == [2.0]
    assert value(df, "B", 16, "sdg_publications") == [1.0]
    assert value(df, "A", 1, "sdg_publications") == [0.0]


def test_field_and_year_baseline_when_no_expected_citations():
    pubs = pl.DataFrame(
        {
            "work_id": ["a", "b", "c"],
            "year": ["2019"] * 3,
            "field": ["med", "med", "eng"],
            "institution_ids": ["X", "Y", "X"],
            "sdgs": ["3", "3", "3"],
            "citations": [6, 2, 5],
        }
    )
    df = research_metrics(pubs)
    # med mean = 4: a = 1.5, b = 0.5; eng mean = 5: c = 1.0 → X: (1.5 + 1.0) / 2
    assert value(df, "X", 3, "sdg_fwci") == [1.25]
    assert value(df, "Y", 3, "sdg_fwci") == [0.5]


def test_methodology_filter_keeps_only_what_build_accepts():
    keep = methodology_metrics("the-2021")
    assert keep[3] == {"sdg_publications"}
    assert keep[17] == {"lmic_coauthorship", "all_sdg_publications"}
    df = research_metrics(PUBS, keep=keep)
    assert value(df, "B", 3, "sdg_fwci") == []
    assert value(df, "B", 3, "sdg_publications") == [2.0]


def test_lmic_list():
    lmic = load_lmic()
    assert len(lmic) == 77
    assert {"KE", "IN", "BD", "ET", "NG", "VN"} <= lmic
    assert not {"GB", "US", "CN", "BR", "ZA"} & lmic


def test_an_lmic_row_longer_than_its_header_is_refused(tmp_path):
    path = tmp_path / "lmic.csv"
    path.write_text("# my list\niso2\nKE\nIN,BD\n", encoding="utf-8")
    with pytest.raises(InputError, match="2 cells where the header has 1") as info:
        load_lmic(path)
    assert info.value.row == 4


def test_bad_publications_raise_input_errors():
    with pytest.raises(InputError, match="'institution_ids' column"):
        research_metrics(PUBS.drop("institution_ids"))
    with pytest.raises(InputError, match="not a number") as info:
        research_metrics(PUBS.with_columns(citations=pl.lit("many")))
    assert (info.value.row, info.value.field) == (2, "citations")
    with pytest.raises(InputError, match="-4 cannot be negative") as info:
        research_metrics(PUBS.with_columns(citations=pl.Series(["10", "0", "-4", "5", "9"])))
    assert (info.value.row, info.value.field) == (4, "citations")
    with pytest.raises(InputError, match="work id 'w2' is on more than one row") as info:
        research_metrics(PUBS.with_columns(work_id=pl.Series(["w1", "w2", "w3", "w2", "w5"])))
    assert (info.value.row, info.value.field) == (5, "work_id")


def test_publications_saved_by_a_french_spreadsheet(tmp_path):
    """The same publications as a semicolon CSV with decimal commas: the same metrics; a bad number names its
    row as the file shows it."""
    from impactrank.sdgmap.publications import read_publications
    from impactrank.sdgmap.research import NUMERIC_COLUMNS

    pubs = PUBS.with_columns(expected_citations=pl.Series(["5.5", "2", "", "1.25", "3"]))
    pubs.write_csv(tmp_path / "p.csv")
    french = pubs.with_columns(pl.col("expected_citations").str.replace(".", ",", literal=True))
    french.write_csv(tmp_path / "p_fr.csv", separator=";")
    assert "1,25" in (tmp_path / "p_fr.csv").read_text()
    comma = read_publications(tmp_path / "p.csv", numeric=NUMERIC_COLUMNS)
    semi = read_publications(tmp_path / "p_fr.csv", numeric=NUMERIC_COLUMNS)
    assert research_metrics(comma.frame, rows=comma.rows).equals(research_metrics(semi.frame, rows=semi.rows))
    assert semi.frame["expected_citations"].to_list() == [5.5, 2.0, None, 1.25, 3.0]
    lines = (tmp_path / "p.csv").read_text().splitlines()
    lines[3] = lines[3].replace(",4,", ",four,")  # w3, on row 4; a blank row above it makes it row 5
    (tmp_path / "bad.csv").write_text("\n".join([*lines[:3], "", *lines[3:]]) + "\n")
    with pytest.raises(InputError, match="not a number: 'four'") as info:
        read_publications(tmp_path / "bad.csv", numeric=NUMERIC_COLUMNS)
    assert (info.value.row, info.value.field) == (5, "citations")
