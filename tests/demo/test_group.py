"""The demo's group of schools: who is ranked in each edition, and the story it tells."""

import polars as pl

from impactrank.demo import GROUP_NAME


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
