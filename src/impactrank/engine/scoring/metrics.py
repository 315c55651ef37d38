"""Metric scores: every metric of every SDG an institution submitted, normalised or rubric-scored.

The grid is (institution × submitted SDG × that SDG's metrics), so a metric an institution left out is a
row with a missing value, scored by the missing-data rule and counted, rather than silently absent.
Institutions and metrics are joined as integer codes (``inst`` = position in the sorted institution list,
``code`` = row of the metric catalogue), which keeps a 100,000-institution build fast and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from impactrank.engine.scoring.evidence import EVIDENCE_SCORERS, RUBRIC_FIELDS
from impactrank.engine.scoring.missing import MISSING_RULES
from impactrank.engine.scoring.normalise import NORMALISERS
from impactrank.methodology.schema import Methodology

VALUE_COLUMNS = ("value", "numerator", "denominator", *RUBRIC_FIELDS)
SUBMISSION_COLUMNS: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "sdg": pl.Int64,
    "metric": pl.String,
    **{c: pl.Float64 for c in VALUE_COLUMNS},
}


@dataclass(frozen=True)
class ScoringChoices:
    """The choices a methodology fixes but an analyst may vary (what-if, uncertainty)."""

    normalisation: str | None = None  # None: each metric's own (or the methodology default)
    evidence: str = "rubric"
    missing: str | None = None  # None: the methodology's rule


def metric_catalogue(methodology: Methodology) -> pl.DataFrame:
    """One row per (SDG, metric) with everything scoring needs; the row index is the metric's code."""
    rows = []
    for sdg in methodology.sdgs:
        for m in sdg.metrics:
            rubric = m.rubric
            rows.append(
                {
                    "sdg": sdg.sdg,
                    "metric": m.id,
                    "kind": m.kind,
                    "weight": m.weight,
                    "lower": m.direction == "lower",
                    "rate": m.denominator is not None,
                    "normalisation": None if m.kind == "evidence" else methodology.metric_normalisation(m),
                    **{
                        f"pts_{f}": (getattr(rubric, f) if rubric else (1.0 if m.kind == "evidence" else 0.0))
                        for f in RUBRIC_FIELDS
                    },
                }
            )
    return pl.DataFrame(rows).with_row_index("code").with_columns(pl.col("code").cast(pl.Int64))


def encode(submissions: pl.DataFrame, institution_ids: pl.Series, catalogue: pl.DataFrame) -> pl.DataFrame:
    """Add ``inst`` (index into the sorted ``institution_ids``) and ``code`` (catalogue row); null = unknown."""
    inst = submissions["institution_id"].cast(pl.Enum(institution_ids.to_list()), strict=False).to_physical()
    names = sorted(set(catalogue["metric"].to_list()))
    metric = submissions["metric"].cast(pl.Enum(names), strict=False).to_physical()
    lookup = np.full((MAX_SDG + 1, len(names)), -1, dtype=np.int64)
    name_index = {n: i for i, n in enumerate(names)}
    for row in catalogue.iter_rows(named=True):
        lookup[row["sdg"], name_index[row["metric"]]] = row["code"]
    sdg = submissions["sdg"].to_numpy()
    ok = metric.is_not_null().to_numpy() & (sdg >= 0) & (sdg <= MAX_SDG)
    code = np.full(len(sdg), -1, dtype=np.int64)
    code[ok] = lookup[sdg[ok], metric.to_numpy()[ok].astype(np.int64)]
    return submissions.with_columns(
        inst=inst.cast(pl.Int64),
        code=pl.Series(code).replace(-1, None),
    )


MAX_SDG = 17
EVIDENCE_BLOCK = 1 << 18  # evidence rows scored at once: 8 MB per column of answers or points


def _metric_names(catalogue: pl.DataFrame, codes: np.ndarray) -> pl.Series:
    """Metric ids for many rows as an Enum column: one small dictionary instead of millions of strings."""
    names = sorted(set(catalogue["metric"].to_list()))
    return catalogue["metric"].cast(pl.Enum(names)).gather(codes)


def encoded_submissions(submissions: pl.DataFrame, institution_ids: pl.Series, catalogue: pl.DataFrame) -> pl.DataFrame:
    """Submissions with ``inst`` and ``code``: as given when io.inputs encoded them while validating, else
    encoded here."""
    if {"inst", "code"} <= set(submissions.columns):
        return submissions
    return encode(submissions, institution_ids, catalogue)


def metric_grid(submissions: pl.DataFrame, catalogue: pl.DataFrame, institution_ids: pl.Series) -> pl.DataFrame:
    """Every metric of every submitted (institution, SDG), ordered by institution, SDG and metric code (the
    submissions encoded first unless they are already).

    Built with sorted integer keys (inst × codes + code) rather than joins: codes are contiguous per SDG, so
    the grid comes out in key order and each submitted row's place in it is counted, not searched for.
    """
    encoded = encoded_submissions(submissions, institution_ids, catalogue)
    grid_inst, grid_code, found, source = _grid_keys(encoded, catalogue)
    cat_sdg = catalogue["sdg"].to_numpy()
    evidence = (catalogue["kind"] == "evidence").to_numpy()[grid_code]
    rate = catalogue["rate"].to_numpy()[grid_code] & ~evidence
    # each column is read only for the metrics that use it (validation has rejected values elsewhere)
    rows_of = {
        "plain": np.flatnonzero(found & ~evidence & ~rate),
        "rate": np.flatnonzero(found & rate),
        "evidence": np.flatnonzero(found & evidence),
    }

    def taken(name: str, kind: str) -> np.ndarray:
        """The column's cells for the grid rows of ``kind``, in grid order (NaN for an empty cell)."""
        column = encoded[name]
        if column.null_count() == len(column):  # a column the file did not fill stays all-missing
            return np.full(len(rows_of[kind]), np.nan)
        return column.gather(source[rows_of[kind]]).to_numpy()

    # only the cells each row's kind reads are gathered: no full-length copy of columns it leaves empty
    raw = np.full(len(grid_code), np.nan)
    raw[rows_of["plain"]] = taken("value", "plain")
    with np.errstate(invalid="ignore", divide="ignore"):
        raw[rows_of["rate"]] = taken("numerator", "rate") / taken("denominator", "rate")
    rubric = {}
    for name in RUBRIC_FIELDS:
        rubric[name] = np.full(len(grid_code), np.nan)
        rubric[name][rows_of["evidence"]] = taken(name, "evidence")
    return pl.DataFrame(
        {
            "inst": grid_inst,
            "sdg": cat_sdg[grid_code].astype(np.int64),
            "code": grid_code,
            "metric": _metric_names(catalogue, grid_code),
            "weight": catalogue["weight"].to_numpy()[grid_code],
            "raw": raw,
            **rubric,
        }
    ).with_columns(pl.col("raw").fill_nan(None))


def _grid_keys(encoded: pl.DataFrame, catalogue: pl.DataFrame) -> tuple[np.ndarray, ...]:
    """Each grid row's institution and metric code, whether a submitted row fills it, and which one. A function
    of its own so that the sort's arrays, as long as the submissions, are freed before the grid's columns are
    made (a 100,000-institution build's memory peak)."""
    n_codes = catalogue.height
    inst = encoded["inst"].to_numpy().astype(np.int64, copy=False)  # encoded as Int64: no copy
    code = encoded["code"].to_numpy().astype(np.int64, copy=False)
    cat_sdg = catalogue["sdg"].to_numpy()
    sub_key = inst * n_codes + code
    if np.all(sub_key[1:] > sub_key[:-1]):  # already in (institution, SDG, metric) order: no sort needed
        order, sorted_key = np.arange(len(sub_key)), sub_key
    else:
        order = np.argsort(sub_key, kind="stable")
        sorted_key = sub_key[order]

    # sorted keys run through (institution, SDG) pairs in order, so unique pairs need no second sort
    sorted_code = sorted_key % n_codes
    sorted_pair = sorted_key // n_codes  # (in place from here: each array is as long as the submissions)
    del sub_key, sorted_key
    sorted_pair *= MAX_SDG + 1
    sorted_pair += cat_sdg[sorted_code]
    starts_pair = np.r_[True, sorted_pair[1:] != sorted_pair[:-1]] if len(sorted_pair) else np.zeros(0, dtype=bool)
    pairs = sorted_pair[starts_pair]
    del sorted_pair
    pair_inst, pair_sdg = pairs // (MAX_SDG + 1), pairs % (MAX_SDG + 1)
    n_metrics = np.bincount(cat_sdg, minlength=MAX_SDG + 1)
    first_code = np.cumsum(n_metrics) - n_metrics  # catalogue rows are grouped by SDG in ascending order
    counts = n_metrics[pair_sdg]
    grid_inst = np.repeat(pair_inst, counts)
    grid_code = np.arange(counts.sum())  # (in place: each array is as long as the grid)
    grid_code -= np.repeat(np.cumsum(counts) - counts, counts)  # the metric's place within its SDG
    grid_code += first_code[np.repeat(pair_sdg, counts)]

    # each submitted row's place in the grid: its pair's first grid row plus the metric's place within the SDG
    at = (np.cumsum(counts) - counts)[np.cumsum(starts_pair) - 1]
    at += sorted_code
    at -= first_code[cat_sdg[sorted_code]]
    found = np.zeros(len(grid_code), dtype=bool)
    found[at] = True
    source = np.zeros(len(grid_code), dtype=np.int64)
    source[at] = order  # the submitted row each found grid row takes its values from
    return grid_inst, grid_code, found, source


def score_metrics(
    grid: pl.DataFrame,
    catalogue: pl.DataFrame,
    methodology: Methodology,
    choices: ScoringChoices = ScoringChoices(),
) -> pl.DataFrame:
    """Scores 0–100 per grid row, the missing flag, and the contribution to the SDG score."""
    n_groups = catalogue.height
    code = grid["code"].to_numpy()
    raw = grid["raw"].to_numpy().astype(np.float64, copy=False)  # nulls made NaN: already a copy of its own
    lower = catalogue["lower"].to_numpy()
    evidence = (catalogue["kind"] == "evidence").to_numpy()[code]
    scores = np.full(grid.height, np.nan)

    method_of_code = catalogue["normalisation"].to_list()
    if choices.normalisation is not None:
        method_of_code = [None if m is None else choices.normalisation for m in method_of_code]
    for name in sorted({m for m in method_of_code if m is not None}):
        codes = [c for c, m in enumerate(method_of_code) if m == name]
        mask = np.isin(code, codes)
        scores[mask] = NORMALISERS[name](raw[mask], code[mask], n_groups, lower)

    if evidence.any():
        # millions of evidence rows at 100,000 institutions: scored a block at a time, so that the answers and
        # points (four columns each) are never held for all of them at once; each row's score is its own
        columns = [grid[f].to_numpy() for f in RUBRIC_FIELDS]
        pts = catalogue.select([f"pts_{f}" for f in RUBRIC_FIELDS]).to_numpy().astype(np.float64)
        all_rows = np.flatnonzero(evidence)
        for start in range(0, len(all_rows), EVIDENCE_BLOCK):
            rows = all_rows[start : start + EVIDENCE_BLOCK]
            answers = np.column_stack([column[rows] for column in columns]).astype(np.float64, copy=False)
            answered = ~np.all(np.isnan(answers), axis=1)
            if not answered.all():
                rows, answers = rows[answered], answers[answered]
            scores[rows] = EVIDENCE_SCORERS[choices.evidence](answers, pts[code[rows]])

    missing = np.isnan(scores)
    scores = MISSING_RULES[choices.missing or methodology.missing_rule](scores, code, n_groups)
    weight = grid["weight"].to_numpy()
    return grid.select("inst", "sdg", "code", "metric", "raw", "weight").with_columns(
        score=pl.Series(scores),
        contribution=pl.Series(scores * weight / 100.0),
        missing=pl.Series(missing),
    )


def sdg_scores(metric_scores: pl.DataFrame) -> pl.DataFrame:
    """SDG score = sum of the SDG's metric contributions (weights sum to 100, so it is on 0–100).

    Expects rows grouped by (SDG, institution), as :func:`metric_grid` orders them; sums in a fixed order so
    that the same inputs give bit-identical scores.
    """
    sdg = metric_scores["sdg"].to_numpy()
    inst = metric_scores["inst"].to_numpy()
    starts = np.flatnonzero(np.r_[True, (sdg[1:] != sdg[:-1]) | (inst[1:] != inst[:-1])]) if len(sdg) else []
    totals = np.add.reduceat(metric_scores["contribution"].to_numpy(), starts) if len(sdg) else np.empty(0)
    return pl.DataFrame(
        {"inst": inst[starts], "sdg": sdg[starts], "score": totals},
        schema={"inst": pl.Int64, "sdg": pl.Int64, "score": pl.Float64},
    )
