"""How one institution's scores arise, from an edition's stored tables: every number traceable."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from impactrank.engine.tables.edition import Edition


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
class AveragingTerm:
    """One year of an averaged overall score: this edition's single-year score or a previous edition's."""

    edition: str  # "" for this edition
    weight: float
    score: float | None  # None: not in that edition's overall table, so the year drops out


@dataclass(frozen=True)
class Explanation:
    institution_id: str
    name: str
    country: str | None
    rules: dict  # the overall rules the edition was built with (weights, best k, scaling, averaging)
    overall: dict | None  # rank, rank_position, overall_score, overall_display, top_sdgs; None if not eligible
    sdgs: list[SDGExplanation]
    averaging: list[AveragingTerm] | None = None  # this year first; None when the methodology does not average

    @property
    def formula(self) -> str | None:
        """The overall score written out with this institution's scaled scores, then, for an averaging
        methodology, the published score as the weighted mean of the single-year scores."""
        if self.overall is None or not self.rules or self.overall.get("overall_score") is None:
            return None
        req = self.rules["required_sdg"]
        by_sdg = {s.sdg: s for s in self.sdgs}
        best = [int(x) for x in (self.overall["top_sdgs"] or "").split(";") if x]
        if any(by_sdg.get(k) is None or by_sdg[k].scaled is None for k in (req, *best)):
            return None  # an imported table carries no scaled scores
        req_part = f"{self.rules['required_weight'] / 100:g} × {by_sdg[req].scaled:.2f} (SDG {req})"
        best_part = " + ".join(f"{by_sdg[k].scaled:.2f} (SDG {k})" for k in best)
        single = self.overall.get("single_year_score")
        single = self.overall["overall_score"] if single is None else single
        text = f"{req_part} + {self.rules['best_weight'] / 100:g} × ({best_part}) = {single:.4f}"
        if self.averaging is None:
            return text
        present = [t for t in self.averaging if t.score is not None]
        absent = ", ".join(t.edition for t in self.averaging if t.score is None)
        if len(present) == 1:
            return f"{text} (single-year; not in the overall table of edition {absent}, so it is the published score)"
        total = sum(t.weight for t in present)
        terms = " + ".join(
            f"{t.weight / total:g} × {t.score:.4f} ({'this edition' if not t.edition else 'edition ' + t.edition})"
            for t in present
        )
        note = f"; edition {absent} drops out: not in its overall table" if absent else ""
        return f"{text} (single-year); published = {terms} = {self.overall['overall_score']:.4f}{note}"


def explain_institution(edition: Edition, institution_id: str) -> Explanation:
    row = edition.institution(institution_id)
    overall = edition.overall.filter(pl.col("institution_id") == institution_id)
    scaling = {r["sdg"]: r for r in edition.sdg_scaling.iter_rows(named=True)}
    metrics = edition.metric_scores.filter(pl.col("institution_id") == institution_id).select(
        "sdg", "metric", "raw", "score", "weight", "contribution", "missing"
    )
    by_sdg = {key[0]: frame.drop("sdg") for key, frame in metrics.partition_by("sdg", as_dict=True).items()}
    no_metrics = metrics.drop("sdg").clear()
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
                metrics=by_sdg.get(s["sdg"], no_metrics),
            )
        )
    rules = edition.manifest.get("overall_rules", {})
    overall_row = overall.row(0, named=True) if overall.height else None
    return Explanation(
        institution_id=institution_id,
        name=row["name"],
        country=row["country"],
        rules=rules,
        overall=overall_row,
        sdgs=parts,
        averaging=_averaging_terms(edition, institution_id, rules, overall_row),
    )


def _averaging_terms(edition: Edition, institution_id: str, rules: dict, overall: dict | None) -> list | None:
    """This year's single-year score and each previous edition's, with the methodology's weights."""
    weights = rules.get("averaging", {}).get("weights")
    if overall is None or not weights or len(weights) < 2 or overall.get("single_year_score") is None:
        return None
    mine = edition.previous_scores.filter(pl.col("institution_id") == institution_id)
    scores = dict(zip(mine["lag"].to_list(), mine["single_year_score"].to_list(), strict=True))
    previous = {p["lag"]: p["edition"] for p in edition.manifest.get("previous_editions", [])}
    return [AveragingTerm("", weights[0], overall["single_year_score"])] + [
        AveragingTerm(previous.get(lag, f"{lag} year(s) back"), w, scores.get(lag))
        for lag, w in enumerate(weights[1:], start=1)
    ]
