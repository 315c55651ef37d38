"""A small published edition whose overall scores are computed here by THE's single-year rule (min–max over
each SDG table, 0.22 × SDG 17 + 0.26 × the best three), for what-if and advice tests."""

from __future__ import annotations

import numpy as np
import polars as pl

from impactrank.engine.tables.edition import Edition

SDGS = (3, 5, 9, 13, 17)


def published_field(
    seed: int = 7, n: int = 40, year: int = 2021, last_year: np.ndarray | None = None
) -> tuple[Edition, dict]:
    """n institutions with exact scores in SDGs 3, 5, 9, 13 and 17, and their overall score by THE's
    single-year rule computed here: min–max over each SDG, 0.22 × SDG 17 + 0.26 × the best three; shown to one
    decimal, ranked by competition on the displayed score, individually (a small field has no bands), a tie
    marked "=" as THE marks it. With
    ``last_year`` (each institution's single-year score of the year before), the published score is THE's
    two-year average: half this year's single-year score, half last year's."""
    rng = np.random.default_rng(seed)
    scores = {k: np.round(rng.uniform(5, 95, n), 1) for k in SDGS}
    scaled = {k: 100 * (v - v.min()) / (v.max() - v.min()) for k, v in scores.items()}
    others = np.stack([scaled[k] for k in SDGS if k != 17], axis=1)
    single = 0.22 * scaled[17] + 0.26 * np.sort(others, axis=1)[:, ::-1][:, :3].sum(axis=1)
    overall = single if last_year is None else 0.5 * single + 0.5 * last_year
    shown = np.round(overall, 1)
    rank = np.array([1 + int((shown > s).sum()) for s in shown])
    ids = [f"u{i:02d}" for i in range(n)]
    best = np.argsort(-others, axis=1, kind="stable")[:, :3]
    tops = [[(SDGS[j], scores[SDGS[j]][i]) for j in best[i]] for i in range(n)]
    sdg_rows = [
        {
            "institution_id": ids[i],
            "sdg": k,
            "score": float(scores[k][i]),
            "score_low": float(scores[k][i]),
            "score_high": float(scores[k][i]),
            "counted": k == 17 or k in {t for t, _ in tops[i]},
            "rank": str(1 + int((scores[k] > scores[k][i]).sum())),
        }
        for i in range(n)
        for k in SDGS
    ]
    ed = Edition(
        id=str(year),
        year=year,
        kind="imported",
        source="test",
        institutions=pl.DataFrame({"institution_id": ids, "name": [i.upper() for i in ids], "country": ["FR"] * n}),
        overall=pl.DataFrame(
            {
                "institution_id": ids,
                "rank": [("=" if (shown == s).sum() > 1 else "") + str(r) for r, s in zip(rank, shown, strict=True)],
                "rank_position": rank,
                "rank_low": rank,
                "rank_high": rank,
                "overall_score": shown,
                "overall_low": shown,
                "overall_high": shown,
                "overall_display": [f"{s:.1f}" for s in shown],
                "sdg17_score": scores[17],
                "sdg17_low": scores[17],
                "sdg17_high": scores[17],
                "top_sdgs": [";".join(str(t) for t, _ in tp) for tp in tops],
                "quality": ["ok"] * n,
            }
        ),
        sdg_scores=pl.DataFrame(sdg_rows),
        manifest={"sdg_tables": {str(k): n for k in SDGS}},
    )
    return ed, {"scores": scores, "overall": overall, "single": single, "ids": ids}


def banded(edition: Edition, ranked: int, bands: list[tuple[int, int]]) -> Edition:
    """The edition with its first ``ranked`` rows (by published place) ranked individually and the rest in
    bands (first and last place each, "11–20"): a band's rows publish its label as their rank and the range of
    their displayed scores as their score, as THE's tables do."""
    table = edition.overall.sort("rank_position", maintain_order=True).with_row_index("place", offset=1)
    rows = []
    for r in table.iter_rows(named=True):
        place = r.pop("place")
        band = next(((a, b) for a, b in bands if a <= place <= b), None)
        if place > ranked and band is not None:
            members = table.filter(pl.col("place").is_between(*band))["overall_score"]
            lo, hi = float(members.min()), float(members.max())
            label = f"{band[0]}–{band[1]}"
            r |= {"rank": label, "band": label, "rank_position": band[0], "rank_low": band[0], "rank_high": band[1]}
            r |= {"overall_score": None, "overall_low": lo, "overall_high": hi, "overall_display": f"{lo:.1f}–{hi:.1f}"}
        else:
            r["band"] = None
        rows.append(r)
    overall = pl.DataFrame(rows, schema={**edition.overall.schema, "band": pl.String})
    return Edition(
        id=edition.id,
        year=edition.year,
        kind=edition.kind,
        source=edition.source,
        institutions=edition.institutions,
        overall=overall,
        sdg_scores=edition.sdg_scores,
        manifest=edition.manifest,
    )


def rule_bounds(scores: dict[int, np.ndarray], i: int) -> tuple[float, float]:
    """Institution i's single-year score as the interval its displayed inputs allow: each SDG score ±0.05
    scaled over its table's displayed top and bottom, each ±0.05 (the ends move the other way), clipped to
    0–100; 0.22 × SDG 17 + 0.26 × the best three others, at each end."""
    ends = []
    for sign in (-1, 1):
        scaled = {}
        for k, v in scores.items():
            scaled[k] = float(np.clip(100 * (v[i] - v.min() + sign * 0.1) / (v.max() - v.min()), 0, 100))
        others = sorted((s for k, s in scaled.items() if k != 17), reverse=True)
        ends.append(0.22 * scaled[17] + 0.26 * sum(others[:3]))
    return ends[0], ends[1]
