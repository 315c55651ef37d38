"""The calibration: band score ranges close to the real THE 2020 and 2021 tables the demo is calibrated to."""

import polars as pl
import pytest

# Real overall-table band score ranges (THE Impact Rankings 2020 and 2021), as (band, high, low).
REAL_BANDS = {
    2021: [
        ("101–200", 85.2, 77.5),
        ("201–300", 77.4, 71.0),
        ("301–400", 70.9, 66.3),
        ("401–600", 66.2, 56.6),
        ("601–800", 56.5, 47.6),
        ("801–1000", 47.5, 36.5),
        ("1001+", 36.4, 9.2),
    ],
    2020: [
        ("101–200", 83.3, 75.4),
        ("201–300", 75.3, 68.2),
        ("301–400", 68.0, 61.5),
        ("401–600", 61.4, 46.7),
        ("601+", 46.6, 9.5),
    ],
}
TOLERANCE = 1.0  # points, at each edge of each band, the lowest score included


@pytest.mark.parametrize("year", [2020, 2021])
def test_band_score_ranges_resemble_the_real_ones(built, year):
    overall = built[year].overall
    for band, high, low in REAL_BANDS[year]:
        scores = overall.filter(pl.col("band") == band)["overall_score"].round(1)
        assert scores.len() > 0, band
        assert abs(scores.max() - high) <= TOLERANCE, (band, scores.max(), high)
        assert abs(scores.min() - low) <= TOLERANCE, (band, scores.min(), low)


@pytest.mark.shared
def test_the_real_band_ranges_are_those_of_the_published_tables(shared_dir):
    """REAL_BANDS as THE's published overall tables show them: each band's lowest and highest displayed score."""
    path = (
        shared_dir / "data" / "published" / "the-impact-tables" / "Combined_Cleaned_THE_Impact_overall_2019_2025.xlsx"
    )
    table = pl.read_excel(path, engine="calamine", infer_schema_length=0)
    for year, bands in REAL_BANDS.items():
        rows = table.filter(pl.col("Year") == str(year))
        ranges: dict[str, list[tuple[float, float]]] = {}
        for rank, overall in rows.select("Rank", "Overall").iter_rows():
            rank = rank.replace("-", "–").replace(" ", "")
            if "–" in rank or rank.endswith("+"):
                low, high = (float(x) for x in overall.replace("-", "–").split("–"))
                ranges.setdefault(rank, []).append((low, high))
        published = [(band, max(h for _, h in r), min(lo for lo, _ in r)) for band, r in ranges.items()]
        assert published == bands, year
