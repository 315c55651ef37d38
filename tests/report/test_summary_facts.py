"""Summaries checked as a journalist would check them: ranks, bands, counts, the country's best, a member's SDG
positions (banded ones too), absent members and what a comparison can and cannot say — each figure computed
here from the small field the test writes."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
from test_summary import NB, NNB, _with_sdg_tables, edition

from impactrank.report.summary import summarise


def _sdg_table(rows: list[tuple[str, int, int, int]]) -> pl.DataFrame:
    """SDG-table rows (id, sdg, first place, last place); a band when the two differ."""
    return pl.DataFrame(
        {
            "institution_id": [r[0] for r in rows],
            "sdg": [r[1] for r in rows],
            "rank": [str(r[2]) if r[2] == r[3] else f"{r[2]}–{r[3]}" for r in rows],
            "rank_position": [r[2] if r[2] == r[3] else None for r in rows],
            "rank_low": [r[2] for r in rows],
            "rank_high": [r[3] for r in rows],
            "band": [None if r[2] == r[3] else f"{r[2]}–{r[3]}" for r in rows],
        },
        schema_overrides={"rank_position": pl.Int64},
    )


def _table_with(member: tuple[str, int, int, int], size: int, prefix: str) -> list[tuple[str, int, int, int]]:
    """A whole SDG table of ``size`` rows holding ``member`` (id, sdg, first, last place): the others at exact
    places outside the member's, and in its band with it when it has one."""
    _, sdg, low, high = member
    mates = [(f"{prefix}b{k}", sdg, low, high) for k in range(high - low)] if high > low else []
    others = [(f"{prefix}{k}", sdg, k, k) for k in range(1, size + 1) if not low <= k <= high]
    return [member, *mates, *others]


def test_a_members_banded_sdg_position_told_as_a_band_with_last_years_place():
    """SDG 3 of 2021: 300 rows, School m in the 101–200 band; 2020: 100 rows, School m 40th. Shares: 101/300 to
    200/300 against 40/100 — the intervals overlap, so the position is maintained. SDG 5: 4 rows, m 2nd (2/4 =
    50 %), a better worst case than the band's 200/300, so SDG 5 comes first."""
    net = {"m": "Net"}
    before = edition("2020", 10, [("m", "FR", 5, 5)], groups=net)
    before = replace(before, kind="built", sdg_scores=_sdg_table(_table_with(("m", 3, 40, 40), 100, "p")))
    rows21 = _table_with(("m", 3, 101, 200), 300, "q")
    rows21 += [("m", 5, 2, 2), ("r1", 5, 1, 1), ("r3", 5, 3, 3), ("r4", 5, 4, 4)]
    after = replace(edition("2021", 10, [("m", "FR", 4, 4)], groups=net), kind="built", sdg_scores=_sdg_table(rows21))
    en = summarise(after, previous=before, group="Net", lang="en")
    first, banded = en.data["member_sdgs"][0]["positions"]
    assert (banded["sdg"], banded["rank"], banded["banded"], banded["rank_position"], banded["table_size"]) == (
        3,
        "101–200",
        True,
        None,
        300,
    )
    assert (banded["percentile"], banded["percentile_high"]) == (round(100 * 101 / 300, 2), round(100 * 200 / 300, 2))
    assert (banded["rank_from"], banded["table_from"], banded["movement"]) == ("40", 100, "maintained")
    assert (first["sdg"], first["rank"], first["banded"], first["percentile_high"]) == (5, "2", False, 50.0)
    assert (
        "SDG positions of School m: SDG 5, 2nd of 4 (no 2020 table of this SDG to compare with); "
        "SDG 3, the 101–200 band of 300 (40 of 100 in 2020, maintained)." in en.facts
    )
    assert "Best SDG positions: School m, 2nd of 4 in SDG 5 (Gender equality)." in en.paragraph
    fr = " ".join(summarise(after, previous=before, group="Net", lang="fr").facts).replace(NB, " ").replace(NNB, " ")
    assert "ODD 3, tranche 101–200 sur 300 (40 sur 100 en 2020, se maintient)" in fr
    assert "ODD 5, 2e sur 4 (pas de classement de cet ODD en 2020 auquel comparer)" in fr
    es = " ".join(summarise(after, previous=before, group="Net", lang="es").facts)
    assert "ODS 3, tramo 101–200 de 300 (40 de 100 en 2020, se mantiene)" in es
    assert "(sin clasificación de este ODS en 2020 con la que comparar)" in es


def test_absent_from_an_sdg_table_the_previous_edition_holds_or_from_one_it_does_not_hold():
    """'Not in the SDG's 2020 table' only when the 2020 edition holds that table whole: an overall table imported
    with its cards' SDG scores (no SDG rank, no table size) holds no SDG table to compare with."""
    net = {"m": "Net"}
    after = _with_sdg_tables(edition("2021", 10, [("m", "FR", 4, 4)], groups=net), [("m", 3, 1), ("x", 3, 2)])
    held = _with_sdg_tables(edition("2020", 10, [("m", "FR", 5, 5)], groups=net), [("x", 3, 1), ("y", 3, 2)])
    en = summarise(after, previous=held, group="Net", lang="en")
    assert "SDG positions of School m: SDG 3, 1st of 2 (not in the SDG's 2020 table)." in en.facts
    cards = edition("2020", 10, [("m", "FR", 5, 5)], groups=net)
    scores = pl.DataFrame({"institution_id": ["m", "x"], "sdg": [3, 3], "score": [71.5, 60.2]})
    cards = replace(cards, sdg_scores=scores.with_columns(rank=pl.lit(None, pl.String)))
    assert 3 in cards.sdgs() and cards.sdg_table_sizes() == {}  # SDG scores, yet no table
    en = summarise(after, previous=cards, group="Net", lang="en")
    assert "SDG positions of School m: SDG 3, 1st of 2 (no 2020 table of this SDG to compare with)." in en.facts
    fr = summarise(after, previous=cards, group="Net", lang="fr").facts
    assert "absent du classement" not in " ".join(fr) and "auquel comparer" in " ".join(fr)
