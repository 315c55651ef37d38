"""The published overall scores against the formula, model by model: residuals on exact rows at the displayed
values, how many exact rows each model explains by interval arithmetic (every input and extreme widened by
display rounding; explained when the model's interval meets the published one), consistency on banded rows,
and the rows no model explains, with their gaps."""

from __future__ import annotations

import numpy as np
import polars as pl

from impactrank.engine.published import reproduce as rp
from impactrank.engine.published.audit.models import MIN_EXACT, MODELS, NEEDS, ROUNDING, FormulaData
from impactrank.engine.published.rule import aligned, previous_terms
from impactrank.engine.tables.edition import Edition


def formula_data(edition: Edition, previous: Edition | None = None) -> tuple[FormulaData | None, dict]:
    """Rows with a known overall score, SDG 17 and exactly three scored top SDGs, and why others were not
    used; with the edition's SDG tables and the previous edition when there are."""
    overall = edition.overall
    misaligned = overall["quality"].str.contains("misaligned_columns").fill_null(False)
    c = rp.cards(edition)
    tops = edition.sdg_scores.filter(
        (pl.col("sdg") != rp.REQUIRED) & pl.col("score_low").is_not_null() & pl.col("counted").fill_null(True)
    )
    n_tops = tops.group_by("institution_id").len()
    rows = overall.join(n_tops, on="institution_id", how="left")
    reasons = {
        "misaligned_columns": misaligned,
        "no_overall_score": rows["overall_low"].is_null(),
        "no_sdg17_score": rows["sdg17_low"].is_null(),
        "not_three_scored_top_sdgs": rows["len"].fill_null(0) != rp.BEST_K,
    }
    excluded, left = {}, pl.Series([False] * rows.height, dtype=pl.Boolean)
    for name, mask in reasons.items():  # each row counted under its first reason
        excluded[name] = int((mask & ~left).sum())
        left = left | mask
    if not c.ids:
        return None, excluded
    usable = overall.filter(pl.col("institution_id").is_in(c.ids) & ~misaligned)["institution_id"]
    shown = edition.sdg_scores.filter(
        pl.col("institution_id").is_in(usable.implode()) & pl.col("counted").fill_null(True)
    ).filter(pl.col("score_low").is_not_null())
    population = {int(s): (g["score_low"].to_numpy(), g["score_high"].to_numpy()) for (s,), g in shown.group_by("sdg")}
    has_tables = bool(edition.sdg_table_sizes())
    data = FormulaData(
        ids=c.ids,
        sdg=c.sdg,
        lo=c.low,
        hi=c.high,
        p_lo=c.p_lo + ROUNDING,
        p_hi=c.p_hi - ROUNDING,
        exact=c.exact,
        population=population,
        tables=rp.table_extremes(edition) if has_tables else None,
        eligible=rp.table_extremes(edition, eligible_only=True) if has_tables else None,
        previous=aligned(previous_terms(previous), c.ids) if previous is not None and previous.overall.height else None,
    )
    return data, excluded


def _distance(p_lo: np.ndarray, p_hi: np.ndarray, m_lo: np.ndarray, m_hi: np.ndarray) -> np.ndarray:
    """Signed gap from the model interval to the published one (0 when they meet within display rounding, ends
    that touch meeting as in :func:`reproduce.meets`: 50.1 against 0.22 × 50 + 0.26 × 150 is off by a float)."""
    above = p_lo - m_hi - ROUNDING
    below = p_hi - m_lo + ROUNDING
    return np.where(above > 1e-9, above, np.where(below < -1e-9, below, 0.0))


def _stats(r: np.ndarray) -> dict:
    if r.size == 0:
        return {"n": 0}
    a = np.abs(r)
    return {
        "n": int(r.size),
        "mean": float(r.mean()),
        "sd": float(r.std(ddof=1)) if r.size > 1 else 0.0,
        "rmse": float(np.sqrt((r**2).mean())),
        "median_abs": float(np.median(a)),
        "max_abs": float(a.max()),
        "within_0.1": int((a <= 0.1 + 1e-9).sum()),
        "within_0.5": int((a <= 0.5 + 1e-9).sum()),
        "within_1.0": int((a <= 1.0 + 1e-9).sum()),
    }


def _discordant(published: np.ndarray, model: np.ndarray) -> dict:
    """Pairs of exact rows the model puts in the opposite order to the published scores (ties aside)."""
    i, j = np.triu_indices(published.size, k=1)
    order = np.sign(published[i] - published[j]) * np.sign(model[i] - model[j])
    return {"pairs": int(i.size), "discordant": int((order < 0).sum())}


def evaluate(edition: Edition, overall: pl.DataFrame, previous: Edition | None = None) -> dict:
    data, excluded = formula_data(edition, previous)
    empty = {
        "rows_excluded": excluded,
        "exact_rows": 0,
        "interval_rows": 0 if data is None else len(data.ids),
        "models": [],
        "models_skipped": [],
        "models_not_applicable": {},
        "best_model": None,
        "best_model_banded": None,
        "unexplained": [],
    }
    if data is None or not data.exact.any():
        return empty
    rounded = data.rounded()
    models, gaps, skipped, not_applicable = [], {}, [], {}
    for name in MODELS:
        need, reason = NEEDS.get(name, (None, ""))
        if need is not None and getattr(data, need) is None:
            not_applicable[name] = reason
            continue
        pred, wide = MODELS[name](data), MODELS[name](rounded)
        if pred is None or wide is None:
            skipped.append(name)
            continue
        ex = data.exact if pred.exact is None else pred.exact
        iv = ~data.exact
        r = _distance(data.p_lo, data.p_hi, pred.lo, pred.hi)
        r[ex] = data.p_lo[ex] - pred.at_display()[ex]  # exact rows: the plain residual at the displayed values
        gap = _distance(data.p_lo, data.p_hi, wide.lo, wide.hi)  # 0 where the rounded interval meets
        gaps[name] = gap
        judged = data.p_lo[ex] - pred.loo if pred.loo is not None else r[ex]
        d = np.abs(r[iv])
        models.append(
            {
                "model": name,
                "description": " ".join((MODELS[name].__doc__ or name).split()),
                "parameters": pred.parameters,
                "exact": {**_stats(r[ex]), "explained": int((gap[ex] == 0).sum())},
                "exact_leave_one_out": _stats(judged) if pred.loo is not None else None,
                "interval": {
                    "n": int(iv.sum()),
                    "consistent": int((d == 0).sum()),
                    "mean_gap": float(d.mean()) if d.size else 0.0,
                    "max_gap": float(d.max()) if d.size else 0.0,
                },
                "rows_explained": int((gap == 0).sum()),
                "discordant_pairs": _discordant(data.p_lo[ex], pred.at_display()[ex]),
            }
        )
    best = _best(models)
    best_banded = min(models, key=lambda m: (-m["interval"]["consistent"], m["interval"]["mean_gap"], m["model"]))
    return {
        "rows_excluded": excluded,
        "exact_rows": int(data.exact.sum()),
        "interval_rows": int((~data.exact).sum()),
        "models": models,
        "models_skipped": skipped,  # fitted models with too few exact rows
        "models_not_applicable": not_applicable,  # model → what the edition lacks for it
        "best_model": best and best["model"],
        "best_model_banded": best_banded["model"],  # most banded rows whose intervals meet
        "unexplained": _unexplained(overall, data, gaps),
    }


def _best(models: list[dict]) -> dict | None:
    """The model explaining the largest share of its exact rows by interval arithmetic, then the smallest RMSE
    (leave-one-out for fitted models); none from fewer than MIN_EXACT exact rows."""
    judged = [m for m in models if m["exact"]["n"] >= MIN_EXACT]
    if not judged:
        return None
    return min(
        judged,
        key=lambda m: (
            -m["exact"]["explained"] / m["exact"]["n"],
            (m["exact_leave_one_out"] or m["exact"])["rmse"],
            -m["interval"]["consistent"],
            m["model"],
        ),
    )


def _unexplained(overall: pl.DataFrame, data: FormulaData, gaps: dict[str, np.ndarray]) -> list[dict]:
    """Rows whose published score no model's interval meets, with each model's gap (smallest first)."""
    smallest = np.min(np.abs(np.stack(list(gaps.values()))), axis=0)
    index = {iid: k for k, iid in enumerate(data.ids)}
    names = overall.select("institution_id", "name", "rank", "overall_display", "quality")
    out = []
    for rec in names.filter(pl.col("institution_id").is_in(data.ids)).iter_rows(named=True):
        k = index[rec["institution_id"]]
        if smallest[k] > 0:
            out.append(
                {
                    **rec,
                    "exact": bool(data.exact[k]),
                    "gap": float(smallest[k]),
                    "residuals": {m: float(g[k]) for m, g in gaps.items()},
                }
            )
    out.sort(key=lambda u: (-u["gap"], u["institution_id"]))
    return out
