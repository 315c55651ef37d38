"""How one institution's scores arise, from an edition's stored tables: every number traceable."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from impactrank.engine.edition import Edition
from impactrank.errors import InputError


@dataclass(frozen=True)
class SDGExplanation:
    sdg: int
    score: float | None
    score_low: float | None  # a published range when the score itself is not known
    score_high: float | None
    scaled: float | None
    scale_min: float | None
    scale_max: float | None
    counted: bool
    rank: str | None
    metrics: pl.DataFrame  # metric, raw, score, weight, contribution, missing


@dataclass(frozen=True)
class Explanation:
    institution_id: str
    name: str
    country: str | None
    rules: dict  # the overall rules the edition was built with (weights, best k, scaling)
    overall: dict | None  # rank, rank_position, overall_score, overall_display, top_sdgs; None if not eligible
    sdgs: list[SDGExplanation]

    @property
    def formula(self) -> str | None:
        """The overall score written out with this institution's scaled scores."""
        if self.overall is None or not self.rules or self.overall.get("overall_score") is None:
            return None
        req = self.rules["required_sdg"]
        by_sdg = {s.sdg: s for s in self.sdgs}
        best = [int(x) for x in (self.overall["top_sdgs"] or "").split(";") if x]
        if any(by_sdg.get(k) is None or by_sdg[k].scaled is None for k in (req, *best)):
            return None  # an imported table carries no scaled scores
        req_part = f"{self.rules['required_weight'] / 100:g} × {by_sdg[req].scaled:.2f} (SDG {req})"
        best_part = " + ".join(f"{by_sdg[k].scaled:.2f} (SDG {k})" for k in best)
        return f"{req_part} + {self.rules['best_weight'] / 100:g} × ({best_part}) = {self.overall['overall_score']:.4f}"


def explain_institution(edition: Edition, institution_id: str) -> Explanation:
    inst = edition.institutions.filter(pl.col("institution_id") == institution_id)
    if inst.height == 0:
        raise InputError(f"no institution {institution_id!r} in edition {edition.id}", field="institution")
    row = inst.row(0, named=True)
    overall = edition.overall.filter(pl.col("institution_id") == institution_id)
    scaling = {r["sdg"]: r for r in edition.sdg_scaling.iter_rows(named=True)}
    metrics = edition.metric_scores.filter(pl.col("institution_id") == institution_id)
    parts = []
    for s in edition.sdg_scores.filter(pl.col("institution_id") == institution_id).sort("sdg").iter_rows(named=True):
        sc = scaling.get(s["sdg"], {})
        parts.append(
            SDGExplanation(
                sdg=s["sdg"],
                score=s["score"],
                score_low=s["score_low"],
                score_high=s["score_high"],
                scaled=s["scaled_score"],
                scale_min=sc.get("min"),
                scale_max=sc.get("max"),
                counted=bool(s["counted"]),
                rank=s["rank"],
                metrics=metrics.filter(pl.col("sdg") == s["sdg"]).select(
                    "metric", "raw", "score", "weight", "contribution", "missing"
                ),
            )
        )
    return Explanation(
        institution_id=institution_id,
        name=row["name"],
        country=row["country"],
        rules=edition.manifest.get("overall_rules", {}),
        overall=overall.row(0, named=True) if overall.height else None,
        sdgs=parts,
    )
