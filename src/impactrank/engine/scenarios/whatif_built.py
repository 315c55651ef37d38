"""What if one institution's data were different? The whole field is re-scored (normalisation and scaling
depend on everyone), and the institution's metric, SDG and overall results are shown before and after.

Both sides are built by :func:`impactrank.engine.build.build_edition`, so unchanged values give the nominal
result exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import polars as pl

from impactrank.engine.build import build_edition
from impactrank.engine.scoring.evidence import RUBRIC_FIELDS
from impactrank.engine.scoring.metrics import SUBMISSION_COLUMNS
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError
from impactrank.methodology.schema import Methodology, Metric

MISSING_WORDS = {"missing", "none", "na", "n/a", ""}


@dataclass(frozen=True)
class Change:
    """New data for one metric of one institution; all value fields None means "not provided"."""

    sdg: int
    metric: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    answers: tuple[float | None, ...] | None = None  # exists, evidence, public, recent

    @property
    def missing(self) -> bool:
        return self.value is None and self.numerator is None and self.answers is None


def find_metric(methodology: Methodology, sdg: int, metric: str, field: str = "set") -> Metric:
    try:
        goal = methodology.sdg(sdg)
    except KeyError:
        raise InputError(
            N_("SDG %(sdg)s is not in methodology %(methodology)s"),
            field=field,
            params={"sdg": sdg, "methodology": methodology.id},
        ) from None
    for m in goal.metrics:
        if m.id == metric:
            return m
    known = ", ".join(m.id for m in goal.metrics)
    raise InputError(
        N_("unknown metric %(metric)s for SDG %(sdg)s (known: %(known)s)"),
        field=field,
        params={"metric": repr(metric), "sdg": sdg, "known": known},
    )


def parse_setting(methodology: Methodology, text: str, current: dict | None = None) -> Change:
    """``SDG.METRIC=VALUE``: a number; for a rate ``NUM/DEN`` or the rate itself (the current denominator
    is kept); for an evidence question four rubric answers ``1,1,0.5,0`` (exists, evidence, public,
    recent) or one answer for all four; ``missing`` to withdraw the value."""
    match = re.fullmatch(r"\s*(?:sdg)?\s*(\d+)\.([a-z][a-z0-9_]*)\s*=\s*(.*?)\s*", text, flags=re.IGNORECASE)
    if not match:
        raise InputError(
            N_("%(text)s is not SDG.METRIC=VALUE (e.g. 3.sdg_publications=120)"),
            field="set",
            params={"text": repr(text)},
        )
    sdg, metric_id, raw = int(match[1]), match[2].lower(), match[3]
    metric = find_metric(methodology, sdg, metric_id)
    if raw.lower() in MISSING_WORDS:
        return Change(sdg, metric_id)

    def number(part: str) -> float:
        try:
            value = float(part)
        except ValueError:
            raise InputError(
                N_("%(part)s is not a number in %(text)s"), field="set", params={"part": repr(part), "text": repr(text)}
            ) from None
        if not math.isfinite(value):
            raise InputError(
                N_("%(part)s is not a finite number in %(text)s"),
                field="set",
                params={"part": repr(part), "text": repr(text)},
            )
        return value

    if metric.kind == "evidence":
        parts = [number(p) for p in raw.split(",")]
        if len(parts) == 1:
            parts *= len(RUBRIC_FIELDS)
        if len(parts) != len(RUBRIC_FIELDS) or any(not 0 <= p <= 1 for p in parts):
            raise InputError(
                N_(
                    "%(text)s: an evidence question takes four answers between 0 and 1 (exists, evidence, public, "
                    "recent), or one for all four"
                ),
                field="set",
                params={"text": repr(text)},
            )
        return Change(sdg, metric_id, answers=tuple(parts))
    if metric.denominator is not None:
        if "/" in raw:
            num, den = (number(p) for p in raw.split("/", 1))
        else:
            den = (current or {}).get("denominator") or 1.0
            num = number(raw) * den
        if den <= 0 or num < 0:
            raise InputError(
                N_("%(text)s: a rate needs a non-negative numerator and a positive denominator"),
                field="set",
                params={"text": repr(text)},
            )
        return Change(sdg, metric_id, numerator=num, denominator=den)
    value = number(raw)
    if value < 0:
        raise InputError(N_("%(text)s: a metric value cannot be negative"), field="set", params={"text": repr(text)})
    return Change(sdg, metric_id, value=value)


def plain_submissions(submissions: pl.DataFrame) -> pl.DataFrame:
    """The submission columns only (the build re-encodes them)."""
    return submissions.select([pl.col(c).cast(t) for c, t in SUBMISSION_COLUMNS.items()])


def apply_changes(submissions: pl.DataFrame, institution_id: str, changes: list[Change]) -> pl.DataFrame:
    """Submissions with the institution's rows for the changed metrics replaced (or withdrawn)."""
    frame = plain_submissions(submissions)
    for change in changes:
        key = (
            (pl.col("institution_id") == institution_id)
            & (pl.col("sdg") == change.sdg)
            & (pl.col("metric") == change.metric)
        )
        frame = frame.filter(~key)
        row = {c: None for c in SUBMISSION_COLUMNS}
        row.update(institution_id=institution_id, sdg=change.sdg, metric=change.metric)
        if change.missing:
            # keep the SDG submitted: a row with no values is a missing metric, scored by the missing rule
            pass
        elif change.answers is not None:
            row.update(dict(zip(RUBRIC_FIELDS, change.answers, strict=True)))
        elif change.numerator is not None:
            row.update(numerator=change.numerator, denominator=change.denominator)
        else:
            row.update(value=change.value)
        frame = pl.concat([frame, pl.DataFrame([row], schema=SUBMISSION_COLUMNS)])
    return frame


@dataclass(frozen=True)
class WhatIf:
    institution_id: str
    before: Edition
    after: Edition
    overall: pl.DataFrame  # side, rank, rank_position, band, overall_score, overall_display, top_sdgs
    sdgs: pl.DataFrame  # sdg, score/scaled/rank/counted before and after
    metrics: pl.DataFrame  # the changed metrics: raw and score before and after
    others_moved: int  # other institutions whose overall rank position changed


def whatif(
    methodology: Methodology,
    institutions: pl.DataFrame,
    submissions: pl.DataFrame,
    institution_id: str,
    changes: list[Change],
    previous: pl.DataFrame | None = None,
) -> WhatIf:
    """Re-score the whole field with the institution's changed data and compare it with the nominal build.

    ``previous``: the previous single-year scores an averaging methodology needs; they stay as they are."""
    if institution_id not in set(institutions["institution_id"].to_list()):
        raise InputError(
            N_("no institution %(institution)s among the inputs"),
            field="institution",
            params={"institution": repr(institution_id)},
        )
    for change in changes:
        find_metric(methodology, change.sdg, change.metric)
    before = build_edition(methodology, institutions, plain_submissions(submissions), previous=previous)
    after = build_edition(
        methodology, institutions, apply_changes(submissions, institution_id, changes), previous=previous
    )
    return WhatIf(
        institution_id=institution_id,
        before=before,
        after=after,
        overall=_overall_side_by_side(before, after, institution_id),
        sdgs=_sdgs_side_by_side(before, after, institution_id),
        metrics=_metrics_side_by_side(before, after, institution_id, changes),
        others_moved=_others_moved(before, after, institution_id),
    )


OVERALL_COLUMNS = [
    "rank",
    "rank_position",
    "band",
    "overall_score",
    "single_year_score",
    "overall_display",
    "top_sdgs",
]


def _overall_side_by_side(before: Edition, after: Edition, institution_id: str) -> pl.DataFrame:
    rows = []
    for side, edition in (("before", before), ("after", after)):
        found = edition.overall.filter(pl.col("institution_id") == institution_id)
        row = found.select(OVERALL_COLUMNS).row(0, named=True) if found.height else dict.fromkeys(OVERALL_COLUMNS)
        rows.append({"side": side, **row})
    return pl.DataFrame(rows, schema={"side": pl.String, **{c: before.overall.schema[c] for c in OVERALL_COLUMNS}})


def _sdgs_side_by_side(before: Edition, after: Edition, institution_id: str) -> pl.DataFrame:
    cols = ["score", "scaled_score", "rank", "counted"]

    def side(edition: Edition, suffix: str) -> pl.DataFrame:
        return edition.sdg_scores.filter(pl.col("institution_id") == institution_id).select(
            "sdg", *[pl.col(c).alias(f"{c}_{suffix}") for c in cols]
        )

    return side(before, "before").join(side(after, "after"), on="sdg", how="full", coalesce=True).sort("sdg")


def _metrics_side_by_side(before: Edition, after: Edition, institution_id: str, changes: list[Change]) -> pl.DataFrame:
    keys = pl.DataFrame(
        {"sdg": [c.sdg for c in changes], "metric": [c.metric for c in changes]},
        schema={"sdg": pl.Int64, "metric": pl.String},
    ).unique(maintain_order=True)

    def side(edition: Edition, suffix: str) -> pl.DataFrame:
        return edition.metric_scores.filter(pl.col("institution_id") == institution_id).select(
            "sdg", "metric", *[pl.col(c).alias(f"{c}_{suffix}") for c in ("raw", "score", "contribution")]
        )

    return (
        keys.join(side(before, "before"), on=["sdg", "metric"], how="left")
        .join(side(after, "after"), on=["sdg", "metric"], how="left")
        .sort("sdg", "metric")
    )


def _others_moved(before: Edition, after: Edition, institution_id: str) -> int:
    joined = (
        before.overall.select("institution_id", "rank_position")
        .join(
            after.overall.select("institution_id", "rank_position"),
            on="institution_id",
            how="full",
            coalesce=True,
            suffix="_after",
        )
        .filter(pl.col("institution_id") != institution_id)
    )
    return int((joined["rank_position"] != joined["rank_position_after"]).fill_null(True).sum())
