"""Advice for one institution: which SDGs to submit, the gap to the next band, and where an improvement in
the data gains the most overall points.

Which SDGs: an institution's scaled score in an SDG depends on the field of that SDG and on its own data in
it, not on which other SDGs it submits (metric normalisation is per SDG and metric; scaling is per SDG over
the eligible institutions, or every submitter, of that SDG, and the institution stays eligible). Its overall
score is therefore the required SDG plus the best k of its scaled scores, whatever else it submits, and the
smallest submission reaching that score is the required SDG plus those k SDGs (ties to the lower SDG number,
as the overall table chooses); averaging with previous editions, if any, does not change that. Tests check
this against a brute force over every subset with the whole field re-scored.

Gains: for each metric of the submitted SDGs, one stated unit of improvement is applied and the whole field
re-scored (that metric's normalisation and every SDG's scaling depend on the field); the gain is the change
in the institution's overall score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.scoring.evidence import RUBRIC_FIELDS
from impactrank.engine.scoring.metrics import ScoringChoices, metric_catalogue, metric_grid, score_metrics, sdg_scores
from impactrank.engine.tables.averaging import previous_table, previous_terms, published_scores
from impactrank.engine.tables.overall import N_SDGS, compute_overall, score_matrix
from impactrank.engine.tables.ranking import band_segments, display_keys
from impactrank.errors import N_, InputError
from impactrank.methodology.schema import Methodology

RELATIVE_STEP = 0.10
"""Continuous and bibliometric metrics: the unit of improvement is 10 % of the institution's own value."""
RATE_STEP = 0.01
"""Rates (numerator / denominator): the unit is one percentage point of the rate."""


@dataclass(frozen=True)
class BandGap:
    position: int
    current: str | None  # band label; None for an individually ranked row (its rank is ``position``)
    target: str | None  # the next better band; None when it is a rank (``target_position``) or at the top
    target_position: int | None  # None at the top
    points: float | None  # overall points needed to reach it (0 if a rounding away), None at the top


@dataclass(frozen=True)
class Advice:
    institution_id: str
    submitted: list[int]
    eligible: bool
    missing_required: int | None  # not in the overall table: the required SDG when it was not submitted
    missing_others: int  # … and how many more other SDGs it needs
    recommended: list[int]  # required SDG first, then the best k, best first
    score: float | None  # overall score with every submitted SDG
    best_score: float | None  # with the recommended SDGs only (equal to score; see the module docstring)
    scaled: dict[int, float]  # scaled score per submitted SDG
    gap: BandGap | None
    gains: pl.DataFrame  # sdg, metric, kind, counted, step, item, value_from, value_to, gain (overall points)


class _Model:
    """The field's metric grid and SDG score matrix, re-scored one metric group at a time; overall scores are
    the published ones (averaged with previous editions' single-year scores when the methodology says so)."""

    def __init__(
        self,
        methodology: Methodology,
        institutions: pl.DataFrame,
        submissions: pl.DataFrame,
        previous: pl.DataFrame | None = None,
    ) -> None:
        self.methodology = methodology
        self.catalogue = metric_catalogue(methodology)
        inst = institutions.sort("institution_id")
        self.ids = inst["institution_id"]
        self.grid = metric_grid(submissions, self.catalogue, self.ids)
        self.scored = score_metrics(self.grid, self.catalogue, methodology, ScoringChoices())
        self.matrix = score_matrix(sdg_scores(self.scored), len(self.ids))
        self.result = compute_overall(self.matrix, methodology.overall)
        self.terms = previous_terms(methodology, self.ids, previous_table(methodology, previous))
        self.score = self.published(self.result.score)

    def published(self, single: np.ndarray, rows: slice | list[int] = slice(None)) -> np.ndarray:
        """Published overall scores of ``rows`` from their single-year ones (the same without averaging)."""
        return published_scores(self.methodology, single, self.terms[rows])

    def row_of(self, institution_id: str) -> int:
        index = self.ids.index_of(institution_id)
        if index is None:
            raise InputError(
                N_("no institution %(institution)s among the inputs"),
                field="institution",
                params={"institution": repr(institution_id)},
            )
        return int(index)

    def overall_with(self, code: int, inst: int, changes: dict) -> float:
        """The institution's overall score after changing its row of metric ``code`` (whole field re-scored)."""
        mask = (self.grid["code"] == code).to_numpy()
        group = self.grid.filter(pl.Series(mask))
        is_row = (group["inst"] == inst).to_numpy()
        updates = []
        for column, value in changes.items():
            updates.append(
                pl.when(pl.Series(is_row)).then(pl.lit(value, pl.Float64)).otherwise(pl.col(column)).alias(column)
            )
        group = group.with_columns(updates)
        new = score_metrics(group, self.catalogue, self.methodology, ScoringChoices())
        old = self.scored.filter(pl.Series(mask))
        delta = new["contribution"].to_numpy() - old["contribution"].to_numpy()
        matrix = self.matrix.copy()
        sdg = int(self.catalogue["sdg"][code]) - 1
        matrix[group["inst"].to_numpy(), sdg] += delta
        return float(self.published(compute_overall(matrix, self.methodology.overall).score)[inst])


def band_gap(methodology: Methodology, scores: np.ndarray, inst: int) -> BandGap:
    """Overall points between the institution's score and the lowest score that reaches the next band."""
    eligible = np.flatnonzero(~np.isnan(scores))
    precision = methodology.ranking.display_precision
    keys = display_keys(scores[eligible], precision)
    own = int(display_keys(np.array([scores[inst]]), precision)[0])
    position = int((keys > own).sum()) + 1
    banding = methodology.overall.banding
    segments = band_segments(banding, len(eligible))

    def segment(pos: int) -> str | None:
        return next((label for label, lo, hi in segments if lo <= pos <= hi), None)

    if position <= banding.individual_to or segment(position) is None:  # individually ranked, or past every band
        label, target_position = None, position - 1
        target = segment(target_position) if position > banding.individual_to else None
    else:
        label = segment(position)
        start = next(lo for seg, lo, _ in segments if seg == label)
        target_position = start - 1
        target = segment(target_position) if target_position >= 1 else None
    if target_position < 1:
        return BandGap(position, label, None, None, None)
    others = np.sort(keys[eligible != inst])[::-1]  # the other eligible institutions, best first
    needed_key = int(others[target_position - 1])  # tie with the target_position-th best of the others
    points = max(0.0, (needed_key - 0.5) / 10**precision - float(scores[inst]))
    return BandGap(position, label, target, target_position, points)


def advise(
    methodology: Methodology,
    institutions: pl.DataFrame,
    submissions: pl.DataFrame,
    institution_id: str,
    top: int | None = 10,
    previous: pl.DataFrame | None = None,
) -> Advice:
    """``previous``: the previous single-year scores an averaging methodology needs; scores, gaps and gains
    are then in published (averaged) points."""
    model = _Model(methodology, institutions, submissions, previous)
    inst = model.row_of(institution_id)
    rules = methodology.overall
    req = rules.required_sdg
    submitted = [s + 1 for s in range(N_SDGS) if not math.isnan(model.matrix[inst, s])]
    eligible = bool(model.result.eligible[inst])
    scaled = {s: float(model.result.scaled[inst, s - 1]) for s in submitted if eligible}
    if not eligible:
        others = len([s for s in submitted if s != req])
        return Advice(
            institution_id,
            submitted,
            False,
            None if req in submitted else req,
            max(0, rules.min_other_sdgs - others),
            [],
            None,
            None,
            {},
            None,
            _gains(model, inst, top),
        )
    best = [int(s) for s in model.result.best[inst] if s > 0]
    chosen = [req, *best]
    best_single = (rules.required_weight * scaled[req] + rules.best_weight * sum(scaled[s] for s in best)) / 100.0
    best_score = model.published(np.array([best_single]), [inst])[0]
    return Advice(
        institution_id=institution_id,
        submitted=submitted,
        eligible=True,
        missing_required=None,
        missing_others=0,
        recommended=chosen,
        score=float(model.score[inst]),
        best_score=float(best_score),
        scaled=scaled,
        gap=band_gap(methodology, model.score, inst),
        gains=_gains(model, inst, top),
    )


GAINS_SCHEMA = {
    "sdg": pl.Int64,
    "metric": pl.String,
    "kind": pl.String,
    "counted": pl.Boolean,
    "step": pl.String,
    "item": pl.String,
    "value_from": pl.Float64,
    "value_to": pl.Float64,
    "gain": pl.Float64,
}


def _gains(model: _Model, inst: int, top: int | None) -> pl.DataFrame:
    base = float(model.score[inst]) if model.result.eligible[inst] else math.nan
    mine = model.grid.filter(pl.col("inst") == inst)
    counted = set()
    if model.result.eligible[inst]:
        counted = {model.methodology.overall.required_sdg, *[int(s) for s in model.result.best[inst] if s > 0]}
    rows = []
    for row in mine.iter_rows(named=True):
        code = int(row["code"])
        field = model.grid.filter(pl.col("code") == code)
        step = _step(row, field, model.catalogue.row(code, named=True))
        if step is None:
            continue
        unit, changes = step
        after = model.overall_with(code, inst, changes)
        rows.append(
            {
                "sdg": row["sdg"],
                "metric": row["metric"],
                "kind": model.catalogue["kind"][code],
                "counted": row["sdg"] in counted,
                **unit,
                "gain": None if math.isnan(after - base) else after - base,
            }
        )
    frame = pl.DataFrame(rows, schema=GAINS_SCHEMA)
    frame = frame.sort(["gain", "sdg", "metric"], descending=[True, False, False], nulls_last=True)
    return frame.head(top) if top is not None else frame


def _step(row: dict, field: pl.DataFrame, meta: dict) -> tuple[dict, dict] | None:
    """The unit of improvement for one of the institution's metric rows, as facts (step: rubric, median,
    rate, from_zero or relative; the rubric item or "rate"/"value"; the value before and after), and the
    changed columns."""

    def unit(step: str, item: str | None = None, before: float | None = None, after: float | None = None) -> dict:
        return {"step": step, "item": item, "value_from": before, "value_to": after}

    if meta["kind"] == "evidence":
        answers = [row[f] for f in RUBRIC_FIELDS]
        points = [meta[f"pts_{f}"] for f in RUBRIC_FIELDS]
        open_items = [(points[i], -i) for i, a in enumerate(answers) if (a is None or a < 1) and points[i] > 0]
        if not open_items:
            return None
        i = -max(open_items)[1]
        return unit("rubric", RUBRIC_FIELDS[i]), {RUBRIC_FIELDS[i]: 1.0}
    lower = bool(meta["lower"])
    provided = field["raw"].drop_nulls().drop_nans()
    raw = row["raw"]
    if raw is None or math.isnan(raw):
        if provided.len() == 0:
            return None
        median = float(provided.median())
        return unit("median", "rate" if meta["rate"] else "value", None, median), {"raw": median}
    if meta["rate"]:
        new_rate = raw + (-RATE_STEP if lower else RATE_STEP)
        if new_rate < 0:
            return None
        return unit("rate", None, raw, new_rate), {"raw": new_rate}
    if raw == 0:
        median = float(provided.median()) if provided.len() else 0.0
        if lower or median <= 0:
            return None
        return unit("from_zero", None, 0.0, median), {"raw": median}
    new = raw * (1 - RELATIVE_STEP if lower else 1 + RELATIVE_STEP)
    return unit("relative", None, raw, new), {"raw": new}
