"""The demo's two editions: deterministic, the counts of THE's 2020 and 2021 fields, and a couple of renamed
institutions that keep their old name."""

import polars as pl

from impactrank.demo import generate_demo


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
