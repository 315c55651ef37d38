"""How one institution's scores arise, from an edition's stored tables: every number traceable."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.formula import Formula, SdgTerm, Value, YearTerm
from impactrank.engine.tables.shown import PUBLISHED_DECIMALS, decimals

SCALED_DECIMALS = 2  # a scaled SDG score, as an institution's SDG table shows it
METRIC_COLUMNS = ["metric", "raw", "score", "weight", "contribution", "missing"]  # an SDG's metric table


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

    edition: str  # "" for this edition, or for a previous one the build was not given
    weight: float
    score: float | None  # None: not in that edition's overall table, so the year drops out
    lag: int = 0  # years back


@dataclass(frozen=True)
class Explanation:
    institution_id: str
    name: str
    country: str | None
    rules: dict  # the overall rules the edition was built with (weights, best k, scaling, averaging)
    overall: dict | None  # rank, rank_position, overall_score, overall_display, top_sdgs; None if not eligible
    sdgs: list[SDGExplanation]
    averaging: list[AveragingTerm] | None = None  # this year first; None when the methodology does not average

    decimals: int = PUBLISHED_DECIMALS  # the edition's display precision: its totals are shown with it

    @property
    def formula(self) -> Formula | None:
        """The overall score as terms with this institution's scaled scores (two decimals, as its SDG table shows
        them), then, for an averaging methodology, the published score as the weighted mean of the single-year
        scores; None without an overall score or scaled scores (an imported table carries none)."""
        if self.overall is None or not self.rules or self.overall.get("overall_score") is None:
            return None
        req = self.rules["required_sdg"]
        by_sdg = {s.sdg: s for s in self.sdgs}
        best = [int(x) for x in (self.overall["top_sdgs"] or "").split(";") if x]
        if any(by_sdg.get(k) is None or by_sdg[k].scaled is None for k in (req, *best)):
            return None
        single = self.overall.get("single_year_score")
        single = self.overall["overall_score"] if single is None else single
        present = [t for t in self.averaging or () if t.score is not None]
        total = sum(t.weight for t in present)
        return Formula(
            required_weight=self.rules["required_weight"] / 100,
            required=SdgTerm(req, Value.of(by_sdg[req].scaled, SCALED_DECIMALS)),
            best_weight=self.rules["best_weight"] / 100,
            best=tuple(SdgTerm(k, Value.of(by_sdg[k].scaled, SCALED_DECIMALS)) for k in best),
            single_year=Value.of(single, self.decimals),
            total=Value.of(self.overall["overall_score"], self.decimals),
            years=tuple(YearTerm(t.edition, t.weight / total, Value.of(t.score, self.decimals)) for t in present)
            if len(present) > 1
            else (),
            dropped=tuple(t.edition for t in self.averaging or () if t.score is None and t.edition),
            dropped_back=tuple(t.lag for t in self.averaging or () if t.score is None and not t.edition),
        )


@dataclass(frozen=True)
class InstitutionRows:
    """One institution's rows of an edition's tables, each in the edition's schema: what an explanation reads."""

    institution: dict  # its row of the institutions table
    overall: dict | None  # its row of the overall table, None if not in it
    sdg_scores: pl.DataFrame  # in SDG order
    metric_scores: pl.DataFrame  # in SDG order (the edition's order within an SDG)
    previous_scores: pl.DataFrame


def explain_institution(edition: Edition, institution_id: str) -> Explanation:
    def mine(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("institution_id") == institution_id)

    overall = mine(edition.overall)
    rows = InstitutionRows(
        institution=edition.institution(institution_id),
        overall=overall.row(0, named=True) if overall.height else None,
        sdg_scores=mine(edition.sdg_scores).sort("sdg"),
        metric_scores=mine(edition.metric_scores).sort("sdg", maintain_order=True),
        previous_scores=mine(edition.previous_scores),
    )
    return explain_rows(edition, institution_id, rows, scaling_by_sdg(edition))


def scaling_by_sdg(edition: Edition) -> dict[int, dict]:
    """The edition's scaling rows by SDG: the same for each of its institutions (a server keeps them)."""
    return {r["sdg"]: r for r in edition.sdg_scaling.iter_rows(named=True)}


def explain_rows(
    edition: Edition, institution_id: str, rows: InstitutionRows, scaling: dict[int, dict], metric_rows: bool = True
) -> Explanation:
    """:func:`explain_institution` from the institution's rows found already (a server's indexes find them in
    O(1), where a filter of each table costs a query plan per request) and the edition's :func:`scaling_by_sdg`.
    Without ``metric_rows``, each SDG's explanation holds no metric rows: a page that reads them as dicts itself
    spares a frame slice per SDG it would not read."""
    metrics = rows.metric_scores
    # columns taken by [:, …], not select or drop: no query plan for an institution's few rows (nor, as [list]
    # does, a series built from the list to tell names from row numbers)
    shown = metrics[:, METRIC_COLUMNS]
    by_sdg = _by_sdg(metrics["sdg"].to_list(), shown) if metric_rows else {}
    no_metrics = shown.clear()
    parts = []
    for s in rows.sdg_scores.to_dicts():  # (a third faster than iter_rows(named=True) on a few rows)
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
    return Explanation(
        institution_id=institution_id,
        name=rows.institution["name"],
        country=rows.institution["country"],
        rules=rules,
        overall=rows.overall,
        sdgs=parts,
        averaging=_averaging_terms(edition, rows.previous_scores, rules, rows.overall),
        decimals=decimals(edition),
    )


def _by_sdg(sdgs: list[int], rows: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """Each SDG's metric rows from rows sorted by SDG (stably), ``sdgs`` their SDGs: slices, where a partition
    costs a frame operation per SDG."""
    out, start = {}, 0
    for i in range(1, len(sdgs) + 1):
        if i == len(sdgs) or sdgs[i] != sdgs[start]:
            out[sdgs[start]] = rows.slice(start, i - start)
            start = i
    return out


def _averaging_terms(edition: Edition, mine: pl.DataFrame, rules: dict, overall: dict | None) -> list | None:
    """This year's single-year score and each previous edition's (``mine``: the institution's previous scores),
    with the methodology's weights."""
    weights = rules.get("averaging", {}).get("weights")
    if overall is None or not weights or len(weights) < 2 or overall.get("single_year_score") is None:
        return None
    scores = dict(zip(mine["lag"].to_list(), mine["single_year_score"].to_list(), strict=True))
    previous = {p["lag"]: p["edition"] for p in edition.manifest.get("previous_editions", [])}
    return [AveragingTerm("", weights[0], overall["single_year_score"])] + [
        AveragingTerm(previous.get(lag, ""), w, scores.get(lag), lag) for lag, w in enumerate(weights[1:], start=1)
    ]
