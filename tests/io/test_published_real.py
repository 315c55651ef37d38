"""The real published tables beside the repository, imported and checked against values this test derives
from the raw files with the csv/json standard modules (never through the importer)."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from impactrank.io.published import read_published
from impactrank.io.published.parse import parse_rank, parse_score

PUBLISHED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published"
SCRAPE = PUBLISHED / "the_impact_2023_overall__tuwaiq-ds-ml-bootcamp_data_the.csv"
CLEAN = PUBLISHED / "the_impact_2023_overall__CLEANED_long_sdg_columns.csv"
TAIWAN_JSON = PUBLISHED / "the_impact_taiwan_2019-2026__chiaowen_data.json"
TAIWAN_XLSX = PUBLISHED / "the_impact_taiwan_2019-2026__chiaowen_the_data.xlsm"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not PUBLISHED.is_dir(), reason=f"real published tables not found at {PUBLISHED} (../shared is absent)"
    ),
]
EXACT = re.compile(r"=?\d+")
NUMBER_COLS = ["sdg-score-multi__number"] + [f"sdg-score-multi__number {k}" for k in (2, 3, 5, 6, 7, 8)]
VALUE_COLS = ["sdg-score-multi__value"] + [f"sdg-score-multi__value {k}" for k in (2, 3, 5, 6, 7, 8)]


@pytest.fixture(scope="module")
def raw2023() -> list[dict[str, str]]:
    with SCRAPE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def scrape():
    return read_published(SCRAPE, edition="2023")


@pytest.fixture(scope="module")
def raw_taiwan() -> list[dict]:
    return json.loads(TAIWAN_JSON.read_text(encoding="utf-8"))["records"]


@pytest.fixture(scope="module")
def taiwan():
    return read_published(TAIWAN_JSON)


def test_2023_rows_bands_and_exact_ranks(scrape, raw2023):
    assert scrape.report.format == "the-scrape"
    (ed,) = scrape.editions
    assert (ed.id, ed.year, ed.kind) == ("2023", 2023, "imported")
    assert ed.overall.height == len(raw2023) == 1591
    bands = Counter(r["Rank"] for r in raw2023 if not EXACT.fullmatch(r["Rank"]))
    assert dict(ed.overall.group_by("band").len().drop_nulls("band").iter_rows()) == dict(bands)
    assert bands["1001+"] == 591 and bands["101–200"] == 99
    exact_raw = [int(r["Rank"].lstrip("=")) for r in raw2023 if EXACT.fullmatch(r["Rank"])]
    exact = ed.overall.filter(ed.overall["band"].is_null())
    assert exact["rank_position"].to_list() == exact_raw
    assert exact["rank"].to_list() == [r["Rank"] for r in raw2023 if EXACT.fullmatch(r["Rank"])]
    assert exact["overall_score"].to_list() == [float(r["scores"]) for r in raw2023 if EXACT.fullmatch(r["Rank"])]
    open_band = ed.overall.filter(ed.overall["band"] == "1001+")
    assert set(open_band["rank_high"]) == {1591}


def test_2023_flags_by_kind(scrape, raw2023):
    def cells(r):
        return [(r[n].strip(), r[v].strip()) for n, v in zip(NUMBER_COLS, VALUE_COLS, strict=True)]

    no_country = sum(not r["Location"] for r in raw2023)
    misaligned = sum(any(bool(n) != bool(v) for n, v in cells(r)) for r in raw2023)
    few_numbers = sum(sum(bool(n) for n, _ in cells(r)) < 3 for r in raw2023)
    no_sdg17 = sum(not r["sdg-score-multi__value 4"] for r in raw2023)
    flags = scrape.report.flags
    assert (no_country, misaligned, no_sdg17) == (91, 22, 8)
    assert flags["no_country"] == no_country
    assert flags["misaligned_columns"] == misaligned
    assert flags["sdg_pairs_incomplete"] == few_numbers
    assert flags["sdg17_missing"] == no_sdg17
    (ed,) = scrape.editions
    assert ed.overall.filter(ed.overall["quality"] == "ok").height == scrape.report.editions[0].ok
    quality = dict(zip(ed.institutions["name_original"], ed.overall["quality"], strict=True))
    for r in raw2023:
        if not r["Location"]:
            assert "no_country" in quality[r["University Name"]]


def test_2023_countries(scrape, raw2023):
    (ed,) = scrape.editions
    locations = Counter(r["Location"] for r in raw2023)
    got = Counter(ed.institutions["country"].to_list())
    expected = {
        "United Kingdom": "GB",
        "Taiwan": "TW",
        "Turkey": "TR",
        "Hong Kong": "HK",
        "Macao": "MO",
        "Czech Republic": "CZ",
        "Iran": "IR",
        "Palestine": "PS",
        "France": "FR",
        "Kosovo": "XK",
        "South Korea": "KR",
        "Curaçao": "CW",
    }
    for text, code in expected.items():
        assert got[code] == locations[text], text
    assert locations["France"] == 22
    assert got[None] == locations[""] == 91  # every non-empty location resolves
    assert scrape.report.editions[0].unresolved_countries == []


def test_2023_sdg_scores(scrape, raw2023):
    (ed,) = scrape.editions
    s = ed.sdg_scores
    assert s.filter(s["sdg"] == 17).height == sum(bool(r["sdg-score-multi__value 4"]) for r in raw2023)
    assert s["counted"].all() and s["rank"].is_null().all()
    first = raw2023[0]  # Western Sydney: 5 80.3, 12 93.4, 15 96.7, SDG 17 98.8
    wsu = s.filter(s["institution_id"] == ed.institutions["institution_id"][0])
    expected = [(int(first[n]), float(first[v])) for n, v in zip(NUMBER_COLS, VALUE_COLS, strict=True) if first[n]]
    expected.append((17, float(first["sdg-score-multi__value 4"])))
    assert list(zip(wsu["sdg"], wsu["score"], strict=True)) == expected
    assert ed.overall["top_sdgs"][0] == ";".join(str(n) for n, _ in expected[:3])


def test_2023_strings_round_trip(raw2023):
    for r in raw2023:
        assert parse_rank(r["Rank"]).display == r["Rank"]
        for col in (*VALUE_COLS, "sdg-score-multi__value 4", "scores"):
            if r[col]:
                assert parse_score(r[col]).display == r[col]


def test_clean_csv_matches_scrape(scrape):
    with CLEAN.open(encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh))
    result = read_published(CLEAN, edition="2023")
    assert result.report.format == "clean-csv"
    (ed,) = result.editions
    assert ed.overall.height == len(raw)
    status = Counter(r["row_status"] for r in raw)
    assert result.report.flags["misaligned_columns"] == status["misaligned_scrape"]
    assert result.report.flags["sdg_pairs_incomplete"] == len(raw) - status["ok"]
    assert ed.overall["rank"].to_list() == scrape.editions[0].overall["rank"].to_list()
    assert ed.overall["overall_display"].to_list() == [r["overall_score"] for r in raw]


def test_taiwan_json_editions(taiwan, raw_taiwan):
    per_year = Counter(r["年度"] for r in raw_taiwan)
    assert [(e.id, e.year, e.overall.height) for e in taiwan.editions] == [
        (str(y), y, per_year[y]) for y in sorted(per_year)
    ]
    assert sum(per_year.values()) == 311
    for ed in taiwan.editions:
        rows = [r for r in raw_taiwan if r["年度"] == ed.year]
        bands = Counter(str(r["排名"]).replace("-", "–") for r in rows if not isinstance(r["排名"], int))
        assert dict(ed.overall.group_by("band").len().drop_nulls("band").iter_rows()) == dict(bands)
        assert ed.overall.filter(ed.overall["band"].is_null())["rank_position"].to_list() == [
            r["排名"] for r in rows if isinstance(r["排名"], int)
        ]
        assert set(ed.institutions["country"]) == {"TW"}
        assert ed.institutions["name_original"].to_list() == [r["英文名"] for r in rows]
        assert ed.institutions["aliases"].to_list() == [r["學校"] for r in rows]


def test_taiwan_json_flags(taiwan, raw_taiwan):
    score = re.compile(r"(\d+(?:\.\d+)?)(?:[-–](\d+(?:\.\d+)?))?")

    def bad(v) -> bool:
        if v == "" or isinstance(v, int | float):
            return False
        m = score.fullmatch(v)
        return not m or (m.group(2) is not None and float(m.group(1)) > float(m.group(2)))

    unparsed = [r["英文名"] for r in raw_taiwan if any(bad(r[f"SDG{k}"]) for k in range(1, 17))]
    few = sum(sum(r[f"SDG{k}"] != "" for k in range(1, 17)) < 3 for r in raw_taiwan)
    open_bands = sum(str(r["排名"]).endswith("+") for r in raw_taiwan)
    flags = taiwan.report.flags
    assert len(unparsed) == 2 and flags["sdg_score_unparsed"] == 2
    assert flags["sdg_pairs_incomplete"] == few == 1
    assert flags["field_size_unknown"] == open_bands == 12
    for ed in taiwan.editions:  # a one-country compilation cannot know where an open band ends
        ob = ed.overall.filter(ed.overall["rank"].str.ends_with("+"))
        assert ob["rank_high"].is_null().all()


def test_taiwan_strings_round_trip(raw_taiwan):
    unparsed = []
    for r in raw_taiwan:
        rank = str(r["排名"])
        assert parse_rank(rank).display == rank.replace("-", "–")
        for key in ("Overall", *(f"SDG{k}" for k in range(1, 18))):
            v = r[key]
            if isinstance(v, str) and v:
                parsed = parse_score(v)
                if parsed is None:
                    unparsed.append(v)
                else:
                    assert parsed.display == v.replace("-", "–")
    assert sorted(unparsed) == ["48.4-57-7", "93.0-87.2"]  # a typo and a reversed range


def test_taiwan_xlsx_matches_json(taiwan):
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(TAIWAN_XLSX, read_only=True).worksheets[0]
    grid = list(sheet.iter_rows(values_only=True))
    header = list(grid[0])
    ties = [(r[header.index("年度")], r[header.index("英文名")]) for r in grid[1:] if r[header.index("=")] == "="]
    result = read_published(TAIWAN_XLSX, edition_suffix="taiwan")
    assert result.report.format == "xlsx"
    assert [(e.id, e.overall.height) for e in result.editions] == [
        (f"{e.year}-taiwan", e.overall.height) for e in taiwan.editions
    ]
    marked = [
        (e.year, name)
        for e in result.editions
        for name, rank in zip(e.institutions["name_original"], e.overall["rank"], strict=True)
        if rank.startswith("=")
    ]
    assert len(ties) == 3 and sorted(marked) == sorted(ties)


def test_multi_year_file_takes_one_year_by_edition():
    result = read_published(TAIWAN_JSON, edition="2021-taiwan")
    assert [(e.id, e.year, e.overall.height) for e in result.editions] == [("2021-taiwan", 2021, 35)]
