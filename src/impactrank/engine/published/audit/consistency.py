"""Does a published table hold together? Ranks that follow scores, "=n" exactly where positions are shared,
band sizes and score ranges, countries, repeated names. Each finding names the rows and its kind of problem
(``issue``, a code) with its figures: the report words it in the reader's language."""

from __future__ import annotations

import numpy as np
import polars as pl

from impactrank.engine.published.audit.models import ROUNDING


def _row_ref(rec: dict) -> dict:
    return {
        "row": rec["row"],
        "institution_id": rec["institution_id"],
        "name": rec["name"],
        "rank": rec["rank"],
        "overall": rec["overall_display"],
    }


def _exact(overall: pl.DataFrame) -> pl.DataFrame:
    return overall.filter(pl.col("band").is_null() & pl.col("rank_position").is_not_null())


def ranks_follow_scores(overall: pl.DataFrame, complete: bool) -> dict:
    """Individually ranked rows in rank order must not gain score, and in a complete table each position is
    one more than the number of rows scoring higher (competition ranking)."""
    exact = _exact(overall).filter(pl.col("overall_score").is_not_null()).sort("rank_position", maintain_order=True)
    scores = exact["overall_score"].to_numpy()
    bad = np.flatnonzero(scores[1:] > scores[:-1] + 1e-9) + 1
    recs = exact.to_dicts()
    competition = []
    for rec, s in zip(recs, scores, strict=True):
        expected = 1 + int((scores > s + 1e-9).sum())
        if complete and expected != rec["rank_position"]:
            competition.append({**_row_ref(rec), "expected_position": expected})
    return {
        "rows_checked": len(recs),
        "inversions": [{**_row_ref(recs[i]), "above": _row_ref(recs[i - 1])} for i in bad],
        "competition_rank_mismatches": competition,
    }


def ties(overall: pl.DataFrame, complete: bool) -> dict:
    """ "=n" must be shown exactly when several rows share position n, and tied rows must share a score."""
    exact = _exact(overall)
    groups = (
        exact.group_by("rank_position", maintain_order=True)
        .agg(
            pl.len().alias("rows"),
            pl.col("rank").str.starts_with("=").all().alias("all_marked"),
            pl.col("rank").str.starts_with("=").any().alias("any_marked"),
            pl.col("overall_score").n_unique().alias("scores"),
            pl.col("overall_score").first().alias("score"),
        )
        .sort("rank_position")
    )
    problems = []
    for g in groups.iter_rows(named=True):
        issue = None
        if g["rows"] > 1 and not g["all_marked"]:
            issue = "unmarked_tie"  # a shared position shown without "="
        elif complete and g["rows"] == 1 and g["any_marked"]:
            issue = "marked_alone"  # "=" shown on a position no other row shares
        elif g["scores"] > 1:
            issue = "tie_scores_differ"
        if issue:
            problems.append({"position": g["rank_position"], "rows": g["rows"], "issue": issue})
    return {
        "tie_groups": int((groups["rows"] > 1).sum()),
        "tied_rows": int(groups.filter(pl.col("rows") > 1)["rows"].sum()),
        "problems": problems,
    }


def bands(overall: pl.DataFrame, complete: bool) -> dict:
    """Each band's size against the positions it spans after the rows ranked above it (a mismatch is a
    finding, not an error: ties at a band boundary can push rows across), its published score ranges, and
    whether bands overlap one another in positions or scores."""
    ranked = overall.filter(pl.col("rank_position").is_not_null())
    bands = (
        ranked.filter(pl.col("band").is_not_null())
        .group_by("band")
        .agg(
            pl.col("rank_low").first(),
            pl.col("rank_high").first(),
            pl.len().alias("rows"),
            pl.col("overall_low").min().alias("score_low"),
            pl.col("overall_high").max().alias("score_high"),
            pl.col("overall_display").drop_nulls().unique().sort().alias("ranges"),
        )
        .sort(["rank_low", "rank_high"], nulls_last=True)
    )
    starts = np.sort(ranked["rank_low"].to_numpy())
    out, problems, sizes = [], [], []
    exact_min = _exact(overall)["overall_low"].min()
    prev = None
    for b in bands.iter_rows(named=True):
        above = int(np.searchsorted(starts, b["rank_low"], side="left"))
        positions = None if b["rank_high"] is None else b["rank_high"] - above
        out.append(
            {
                "band": b["band"],
                "rows": b["rows"],
                "rows_ranked_above": above,
                "positions_left": positions,
                "score_low": b["score_low"],
                "score_high": b["score_high"],
                "ranges": b["ranges"],
            }
        )
        if len(b["ranges"]) > 1:
            problems.append({"band": b["band"], "issue": "score_ranges", "ranges": len(b["ranges"])})
        if complete and positions is not None and b["rows"] != positions:
            sizes.append(
                {
                    "band": b["band"],
                    "rows": b["rows"],
                    "positions_left": positions,
                    "rows_through_band_end": above + b["rows"],
                    "band_end": b["rank_high"],
                }
            )
        if prev is not None:
            if prev["rank_high"] is None or b["rank_low"] <= prev["rank_high"]:
                problems.append({"band": b["band"], "issue": "positions_overlap", "other": prev["band"]})
            elif (
                b["score_high"] is not None
                and prev["score_low"] is not None
                and b["score_high"] > prev["score_low"] + ROUNDING
            ):
                problems.append({"band": b["band"], "issue": "scores_overlap", "other": prev["band"]})
        elif exact_min is not None and b["score_high"] is not None and b["score_high"] > exact_min + ROUNDING:
            problems.append({"band": b["band"], "issue": "above_ranked"})  # above the lowest individually ranked score
        prev = b
    return {"bands": out, "problems": problems, "size_mismatches": sizes}


def countries(overall: pl.DataFrame) -> dict:
    counts = overall.group_by("country").len().sort(["len", "country"], descending=[True, False], nulls_last=True)
    return {
        "distinct": int(overall["country"].drop_nulls().n_unique()),
        "unknown": int(overall["country"].is_null().sum()),
        "rows": {c: n for c, n in counts.iter_rows() if c is not None},
    }


def duplicates(overall: pl.DataFrame) -> list[dict]:
    """Rows sharing a name (case and spacing aside), whatever their country."""
    keyed = overall.with_columns(
        pl.col("name").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars().alias("key")
    ).filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
    dup = keyed.filter(pl.col("key").is_duplicated()).sort(["key", "row"])
    return [
        {"name": rows[0]["name"], "rows": [_row_ref(r) | {"country": r["country"]} for r in rows]}
        for rows in (g.to_dicts() for _, g in dup.group_by("key", maintain_order=True))
    ]
