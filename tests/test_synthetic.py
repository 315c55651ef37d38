"""The synthetic generator: deterministic, the demo's counts and story, valid inputs, and band score ranges
close to the real THE 2020 and 2021 tables it is calibrated to."""

from pathlib import Path

import polars as pl
import pytest

from impactrank.io.build import build
from impactrank.methodology import load_methodology
from impactrank.synthetic import GROUP_NAME, generate_demo, generate_field

FIXTURES = Path(__file__).parent / "fixtures"

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


def _write(field, directory: Path, year: int) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    inst, subs = directory / f"institutions_{year}.csv", directory / f"submissions_{year}.csv"
    field.institutions.write_csv(inst)
    field.submissions.write_csv(subs)
    return inst, subs


@pytest.fixture(scope="module")
def demo():
    return generate_demo()


@pytest.fixture(scope="module")
def built(demo, tmp_path_factory):
    """Both editions built through the real input validation."""
    root = tmp_path_factory.mktemp("demo")
    return {
        year: build(*_write(field, root, year), methodology=demo.methodologies[year]).edition
        for year, field in demo.editions.items()
    }


def test_same_seed_gives_identical_csv_files(demo):
    again = generate_demo()
    for year, field in demo.editions.items():
        assert field.institutions.write_csv() == again.editions[year].institutions.write_csv()
        assert field.submissions.write_csv() == again.editions[year].submissions.write_csv()
    assert demo.groups.write_csv() == again.groups.write_csv()
    assert generate_demo(seed=7).editions[2021].submissions.write_csv() != demo.editions[2021].submissions.write_csv()


def test_demo_counts(demo, built):
    assert {y: e.manifest["counts"]["participants"] for y, e in built.items()} == {2020: 860, 2021: 1240}
    assert {y: e.overall.height for y, e in built.items()} == {2020: 766, 2021: 1115}
    ids = {y: set(f.institutions["institution_id"]) for y, f in demo.editions.items()}
    assert len(ids[2020] & ids[2021]) == 820  # most in both; 420 new in 2021, 40 left after 2020
    countries = demo.editions[2021].institutions["country"]
    assert countries.n_unique() == 98
    sizes = countries.value_counts()["count"]
    assert sizes.max() >= 60 and (sizes <= 2).sum() >= 25  # a few large countries, a long tail
    ranked21 = built[2021].overall.join(built[2021].institutions, on="institution_id")
    assert ranked21.filter(pl.col("country") == "FR").height == 18
    for field in demo.editions.values():
        assert field.institutions["name"].is_unique().all()
        assert field.institutions["institution_id"].is_unique().all()


def test_renamed_institutions_keep_their_old_name_as_alias(demo):
    inst20 = demo.editions[2020].institutions.select("institution_id", old="name")
    renamed = demo.editions[2021].institutions.filter(pl.col("aliases").is_not_null()).join(inst20, on="institution_id")
    assert renamed.height == 2
    assert (renamed["aliases"] == renamed["old"]).all() and (renamed["name"] != renamed["old"]).all()


def test_group_of_schools(demo, built):
    members = set(demo.groups.filter(pl.col("group") == GROUP_NAME)["institution_id"])
    assert len(members) == 6
    ranked = {y: set(e.overall["institution_id"]) & members for y, e in built.items()}
    assert len(ranked[2020]) == 3 and len(ranked[2021]) == 4
    assert len(ranked[2021] - set(demo.editions[2020].institutions["institution_id"])) == 1  # first entry
    inst21 = demo.editions[2021].institutions
    assert set(inst21.filter(pl.col("groups") == GROUP_NAME)["institution_id"]) == members
    assert set(inst21.filter(pl.col("institution_id").is_in(list(members)))["country"]) == {"FR"}
    # the story the demo tells: the group's best school heads the French institutions in 2021
    french = built[2021].overall.join(inst21, on="institution_id").filter(pl.col("country") == "FR")
    assert french.sort("overall_score", descending=True)["groups"][0] == GROUP_NAME


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


def test_values_are_plausible(demo):
    subs = demo.editions[2021].submissions
    methodology = load_methodology("the-2021")
    kinds = {(s.sdg, m.id): m for s in methodology.sdgs for m in s.metrics}
    metric = pl.struct("sdg", "metric").map_elements(
        lambda r: kinds[(r["sdg"], r["metric"])].kind, return_dtype=pl.String
    )
    subs = subs.with_columns(kind=metric)
    rates = subs.filter(pl.col("denominator").is_not_null())
    assert (rates["denominator"] > 0).all()
    fwci = subs.filter(pl.col("metric") == "sdg_fwci")["value"]
    assert 0.7 < fwci.median() < 1.3
    evidence = subs.filter(pl.col("kind") == "evidence")
    assert set(evidence["exists"].unique()) == {0.0, 0.5, 1.0}
    plain = subs.filter(pl.col("kind") == "continuous")
    missing = (plain["value"].is_null() & plain["numerator"].is_null()).mean()
    assert 0.01 < missing < 0.15  # a few per cent left empty


def test_generate_field_is_generic_and_valid(tmp_path):
    """Any methodology (here the five-SDG test one), any size; the inputs pass validation and build."""
    mini = load_methodology(FIXTURES / "mini.yaml")
    field = generate_field(mini, 500, seed=3, eligible_share=0.8)
    assert field.institutions.height == 500
    assert set(field.submissions["sdg"].unique()) <= {s.sdg for s in mini.sdgs}
    edition = build(*_write(field, tmp_path, 0), methodology=mini).edition
    assert edition.overall.height == 400
    assert generate_field(mini, 500, seed=3, eligible_share=0.8).submissions.equals(field.submissions)


def test_generate_field_bundled_methodology(tmp_path):
    field = generate_field(load_methodology("the-2021"), 3000, seed=11)
    edition = build(*_write(field, tmp_path, 2021), methodology="the-2021").edition
    assert edition.overall.height == round(3000 * 1115 / 1240)
    assert field.institutions["country"].n_unique() > 60
