"""THE's overall table as a web scraper saved it, on small files written here: a row cut short, numbers whose
scores are in no column, and the refusal of headers that do not make a scrape."""

from __future__ import annotations

import pytest

from impactrank.errors import InputError
from impactrank.io.published import read_published

NUMBER, VALUE = "sdg-score-multi__number", "sdg-score-multi__value"
HEADER = f"Rank,University Name,Location,{NUMBER},{VALUE},{NUMBER} 2,{VALUE} 2,{VALUE} 4,scores"


def flagged(tmp_path, rows: str, header: str = HEADER) -> list[dict]:
    path = tmp_path / "scrape.csv"
    path.write_text(header + "\n" + rows, encoding="utf-8")
    result = read_published(path, edition="2023")
    assert result.report.format == "the-scrape"
    return result.report.editions[0].flagged


@pytest.mark.parametrize(
    ("header", "row", "rank", "name", "missing"),
    [
        (HEADER, "2,Beta", "2", "Beta", ["no_country"]),
        (HEADER, "4", "4", "", ["no_name", "no_country"]),
        (HEADER.replace("Rank,University Name", "University Name,Rank"), "Zeta", "", "Zeta", ["no_country", "no_rank"]),
    ],
)
def test_a_row_cut_short_has_empty_cells(tmp_path, header, row, rank, name, missing):
    (short,) = flagged(tmp_path, row + "\n", header)
    assert (short["row"], short["name"]) == (2, name)
    assert short["flags"] == [*missing, "no_overall", "sdg17_missing", "sdg_pairs_incomplete"]
    assert short["cells"] == {"rank": rank, "country": "", "overall": "", "score": "", "sdg17": "", "pairs": []}


def test_numbers_without_scores_keep_no_score_and_leave_no_score_unassigned(tmp_path):
    (gamma,) = flagged(tmp_path, "3,Gamma,Spain,7,,16,,50.0,80.0\n")
    assert gamma["flags"] == ["misaligned_columns", "sdg_score_missing", "sdg_pairs_incomplete"]
    assert gamma["cells"]["pairs"] == [["7", ""], ["16", ""]]


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (f"Rank,University Name,{NUMBER},{VALUE},{VALUE} 4", "missing column(s) Location, scores"),
        (
            f"Rank,University Name,Location,{NUMBER},{VALUE},{NUMBER} 6,{VALUE} 4,scores",  # no value column 6
            "scraped SDG columns do not leave exactly one value column for SDG 17",
        ),
    ],
)
def test_a_header_that_makes_no_scrape_is_refused_naming_the_file(tmp_path, header, said):
    path = tmp_path / "scrape.csv"
    path.write_text(header + "\n1,Alpha\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_published(path, edition="2023")
    assert (refused.value.file, str(refused.value)) == ("scrape.csv", f"scrape.csv: {said}")
