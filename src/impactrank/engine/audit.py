"""Does a published table hold together? Consistency of ranks, ties, bands and countries, and how well the
overall formula explains the published overall scores under candidate SDG-scaling models.

Published ranges are constraints, not numbers: a banded row is checked with interval arithmetic (every
model here is increasing in each score, so an interval of scores maps to an interval of overall scores).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.special import ndtr

from impactrank.engine.edition import Edition
from impactrank.engine.registry import Registry

W_SDG17, W_TOP = 0.22, 0.26
TOP = 3
ROUNDING = 0.05  # half a unit of the one-decimal display: two displayed values this close may be equal
UNEXPLAINED = 1.0  # a row no model brings within this many points is listed as unexplained
RIDGE = 1.0  # pull of the per-SDG affine fit towards the identity (a = 0, b = 1)
MIN_EXACT = 10  # fewer exact rows than this cannot single out a best model


@dataclass
class FormulaData:
    """Rows usable for the formula check: the three top SDGs then SDG 17, as score intervals."""

    ids: list[str]
    sdg: np.ndarray  # n × 4 SDG numbers
    lo: np.ndarray  # n × 4
    hi: np.ndarray
    p_lo: np.ndarray  # published overall interval
    p_hi: np.ndarray
    exact: np.ndarray  # every input and the overall are exact numbers
    population: dict[int, tuple[np.ndarray, np.ndarray]]  # per SDG: lows, highs of every usable pair

    weights = np.array([W_TOP] * TOP + [W_SDG17])


@dataclass
class Prediction:
    lo: np.ndarray
    hi: np.ndarray
    loo: np.ndarray | None = None  # leave-one-out prediction on exact rows, for fitted models
    parameters: int = 0


Model = Callable[[FormulaData], Prediction | None]  # None: too few exact rows to fit
MODELS: Registry[Model] = Registry("published-score model")


def _per_sdg(data: FormulaData, scale: Callable[[int, np.ndarray, str], np.ndarray]) -> Prediction:
    lo, hi = np.empty_like(data.lo), np.empty_like(data.hi)
    for s in np.unique(data.sdg):
        m = data.sdg == s
        lo[m], hi[m] = scale(int(s), data.lo[m], "low"), scale(int(s), data.hi[m], "high")
    return Prediction(lo @ data.weights, hi @ data.weights)


@MODELS.register("displayed")
def displayed(data: FormulaData) -> Prediction:
    """0.22 × SDG 17 + 0.26 × (sum of the top three) on the displayed scores."""
    return _per_sdg(data, lambda s, x, bound: x)


@MODELS.register("max100")
def max100(data: FormulaData) -> Prediction:
    """Each SDG scaled so the highest score seen in the table is 100."""
    return _per_sdg(data, lambda s, x, bound: 100.0 * x / data.population[s][1].max())


@MODELS.register("minmax")
def minmax(data: FormulaData) -> Prediction:
    """Each SDG scaled so the lowest score seen in the table is 0 and the highest 100."""

    def scale(s: int, x: np.ndarray, bound: str) -> np.ndarray:
        low, high = data.population[s][0].min(), data.population[s][1].max()
        return 100.0 * (x - low) / (high - low) if high > low else np.full_like(x, 100.0)

    return _per_sdg(data, scale)


@MODELS.register("percentile")
def percentile(data: FormulaData) -> Prediction:
    """Each SDG score replaced by its percentile among the table's scores in that SDG. For a range, the
    low end counts only scores certainly below it and the high end every score possibly below it."""

    def scale(s: int, x: np.ndarray, bound: str) -> np.ndarray:
        lows, highs = data.population[s]
        ref = np.sort(highs if bound == "low" else lows)
        return 100.0 * np.searchsorted(ref, x, side="right") / ref.size

    return _per_sdg(data, scale)


@MODELS.register("normal_cdf")
def normal_cdf(data: FormulaData) -> Prediction:
    """Each SDG z-scored over the table's scores in that SDG (ranges at their midpoints), then 100 × Φ(z)."""

    def scale(s: int, x: np.ndarray, bound: str) -> np.ndarray:
        mid = (data.population[s][0] + data.population[s][1]) / 2
        sd = mid.std()
        return 100.0 * ndtr((x - mid.mean()) / sd) if sd > 0 else np.full_like(x, 50.0)

    return _per_sdg(data, scale)


def _ridge(x: np.ndarray, y: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients pulled towards ``prior``, and leave-one-out predictions from the hat matrix."""
    gram = x.T @ x + RIDGE * np.eye(x.shape[1])
    theta = prior + np.linalg.solve(gram, x.T @ (y - x @ prior))
    hat = np.einsum("ij,ji->i", x, np.linalg.solve(gram, x.T))
    fitted = x @ theta
    return theta, y - (y - fitted) / (1.0 - hat)


@MODELS.register("affine")
def affine(data: FormulaData) -> Prediction:
    """Each SDG mapped by its own a + b × score, fitted by least squares (ridge towards a = 0, b = 1) to the
    exact rows; judged on leave-one-out residuals since it has two parameters per SDG."""
    sdgs = sorted(data.population)
    col = {s: k for k, s in enumerate(sdgs)}
    k = len(sdgs)

    def design(sdg: np.ndarray, values: np.ndarray) -> np.ndarray:
        x = np.zeros((values.shape[0], 2 * k))
        for j, w in enumerate(data.weights):
            idx = np.array([col[s] for s in sdg[:, j]], dtype=int)
            np.add.at(x, (np.arange(values.shape[0]), idx), w)
            np.add.at(x, (np.arange(values.shape[0]), k + idx), w * values[:, j])
        return x

    prior = np.r_[np.zeros(k), np.ones(k)]
    exact = data.exact
    used = {int(s) for s in np.unique(data.sdg[exact])}
    if exact.sum() <= 2 * len(used) + 1:
        return None
    theta, loo = _ridge(design(data.sdg[exact], data.lo[exact]), data.p_lo[exact], prior)
    a, b = theta[:k], theta[k:]
    lo, hi = np.empty_like(data.lo), np.empty_like(data.hi)
    for s, c in col.items():
        m = data.sdg == s
        ends = np.stack([a[c] + b[c] * data.lo[m], a[c] + b[c] * data.hi[m]])
        lo[m], hi[m] = ends.min(axis=0), ends.max(axis=0)
    return Prediction(lo @ data.weights, hi @ data.weights, loo=loo, parameters=2 * len(used))


@MODELS.register("global_affine")
def global_affine(data: FormulaData) -> Prediction:
    """One straight line α + β × (the displayed formula), fitted to the exact rows: a yardstick for how much
    a per-SDG model gains over rescaling the plain formula as a whole."""
    raw = displayed(data)
    exact = data.exact
    if exact.sum() <= 3:
        return None
    x = np.c_[np.ones(exact.sum()), raw.lo[exact]]
    theta, loo = _ridge(x, data.p_lo[exact], np.array([0.0, 1.0]))
    ends = np.stack([theta[0] + theta[1] * raw.lo, theta[0] + theta[1] * raw.hi])
    return Prediction(ends.min(axis=0), ends.max(axis=0), loo=loo, parameters=2)


@dataclass
class AuditReport:
    edition: str
    year: int
    kind: str
    source: str
    rows: int
    quality: dict[str, int]
    consistency: dict
    formula: dict
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _rounded(dict(self.__dict__))


def _rounded(value):
    """Floats to 4 decimals so the JSON is byte-identical across platforms."""
    if isinstance(value, float):
        return None if np.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, np.generic):
        return _rounded(value.item())
    return value


def audit_edition(edition: Edition) -> AuditReport:
    overall = edition.overall.join(
        edition.institutions.select("institution_id", "name", "country"), on="institution_id", how="left"
    ).with_row_index("row", offset=1)
    quality = (
        overall.select(pl.col("quality").fill_null("ok").str.split(";"))
        .explode("quality")["quality"]
        .value_counts()
        .sort(["count", "quality"], descending=[True, False])
    )
    starts = overall["rank_low"].drop_nulls()
    complete = starts.len() == 0 or int(starts.max()) <= overall.height
    notes = [
        "SDG extremes, percentiles and z-scores are taken over the scores this table shows, i.e. only "
        "over institutions whose top three include that SDG; THE scales over every participant.",
        "Rows whose SDG columns were scattered by a scraper (misaligned_columns) are left out of the "
        "formula check and of the SDG populations.",
    ]
    if not complete:
        notes.append(
            "The table is a subset of the edition (its bands start beyond its row count): band sizes "
            "and competition ranks cannot be checked, and scaling models see only the subset's scores."
        )
    return AuditReport(
        edition=edition.id,
        year=edition.year,
        kind=edition.kind,
        source=edition.source,
        rows=overall.height,
        quality=dict(quality.iter_rows()),
        consistency={
            "complete_table": complete,
            "ranks_follow_scores": _ranks_follow_scores(overall, complete),
            "ties": _ties(overall, complete),
            "bands": _bands(overall, complete),
            "countries": _countries(overall),
            "duplicates": _duplicates(overall),
        },
        formula=_formula(overall, edition.sdg_scores),
        notes=notes,
    )


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


def _ranks_follow_scores(overall: pl.DataFrame, complete: bool) -> dict:
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


def _ties(overall: pl.DataFrame, complete: bool) -> dict:
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
            issue = "shared position shown without '='"
        elif complete and g["rows"] == 1 and g["any_marked"]:
            issue = "'=' shown on an unshared position"
        elif g["scores"] > 1:
            issue = "tied rows with different scores"
        if issue:
            problems.append({"position": g["rank_position"], "rows": g["rows"], "issue": issue})
    return {
        "tie_groups": int((groups["rows"] > 1).sum()),
        "tied_rows": int(groups.filter(pl.col("rows") > 1)["rows"].sum()),
        "problems": problems,
    }


def _bands(overall: pl.DataFrame, complete: bool) -> dict:
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
            problems.append({"band": b["band"], "issue": f"{len(b['ranges'])} different score ranges"})
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
                problems.append({"band": b["band"], "issue": f"positions overlap band {prev['band']}"})
            elif (
                b["score_high"] is not None
                and prev["score_low"] is not None
                and b["score_high"] > prev["score_low"] + ROUNDING
            ):
                problems.append({"band": b["band"], "issue": f"scores overlap or exceed band {prev['band']}"})
        elif exact_min is not None and b["score_high"] is not None and b["score_high"] > exact_min + ROUNDING:
            problems.append({"band": b["band"], "issue": "scores reach above the lowest individually ranked score"})
        prev = b
    return {"bands": out, "problems": problems, "size_mismatches": sizes}


def _countries(overall: pl.DataFrame) -> dict:
    counts = overall.group_by("country").len().sort(["len", "country"], descending=[True, False], nulls_last=True)
    return {
        "distinct": int(overall["country"].drop_nulls().n_unique()),
        "unknown": int(overall["country"].is_null().sum()),
        "rows": {c: n for c, n in counts.iter_rows() if c is not None},
    }


def _duplicates(overall: pl.DataFrame) -> list[dict]:
    """Rows sharing a name (case and spacing aside), whatever their country."""
    keyed = overall.with_columns(
        pl.col("name").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars().alias("key")
    ).filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
    dup = keyed.filter(pl.col("key").is_duplicated()).sort(["key", "row"])
    return [
        {"name": rows[0]["name"], "rows": [_row_ref(r) | {"country": r["country"]} for r in rows]}
        for rows in (g.to_dicts() for _, g in dup.group_by("key", maintain_order=True))
    ]


def formula_data(overall: pl.DataFrame, sdg_scores: pl.DataFrame) -> tuple[FormulaData | None, dict]:
    """Rows with a known overall score, SDG 17 and exactly three scored top SDGs, and why others were not
    used."""
    misaligned = overall["quality"].str.contains("misaligned_columns").fill_null(False)
    keep_ids = overall.filter(~misaligned)["institution_id"]
    scores = sdg_scores.filter(pl.col("institution_id").is_in(keep_ids.implode()))
    counted = (pl.col("sdg") != 17) & pl.col("score_low").is_not_null() & pl.col("counted").fill_null(True)
    tops = (
        scores.filter(counted)
        .group_by("institution_id", maintain_order=True)
        .agg(
            pl.col("sdg"),
            pl.col("score_low"),
            pl.col("score_high"),
            pl.col("score").is_not_null().all().alias("ex"),
        )
    )
    rows = overall.join(tops, on="institution_id", how="left")
    reasons = {
        "misaligned_columns": misaligned,
        "no_overall_score": rows["overall_low"].is_null(),
        "no_sdg17_score": rows["sdg17_low"].is_null(),
        "not_three_scored_top_sdgs": rows["sdg"].list.len().fill_null(0) != TOP,
    }
    excluded = {}
    left = pl.Series([False] * rows.height, dtype=pl.Boolean)
    for name, mask in reasons.items():  # each row counted under its first reason
        excluded[name] = int((mask & ~left).sum())
        left = left | mask
    use = rows.filter(~left)
    if use.height == 0:
        return None, excluded
    sdg = np.c_[np.array(use["sdg"].to_list()), np.full(use.height, 17)]
    lo = np.c_[np.array(use["score_low"].to_list()), use["sdg17_low"].to_numpy()]
    hi = np.c_[np.array(use["score_high"].to_list()), use["sdg17_high"].to_numpy()]
    population = {
        int(s): (g["score_low"].to_numpy(), g["score_high"].to_numpy())
        for (s,), g in scores.filter(pl.col("score_low").is_not_null()).group_by("sdg")
    }
    exact = (use["ex"] & use["overall_score"].is_not_null() & use["sdg17_score"].is_not_null()).to_numpy()
    data = FormulaData(
        ids=use["institution_id"].to_list(),
        sdg=sdg,
        lo=lo,
        hi=hi,
        p_lo=use["overall_low"].to_numpy(),
        p_hi=use["overall_high"].to_numpy(),
        exact=exact,
        population=population,
    )
    return data, excluded


def _distance(p_lo: np.ndarray, p_hi: np.ndarray, m_lo: np.ndarray, m_hi: np.ndarray) -> np.ndarray:
    """Signed gap from the model interval to the published one (0 when they meet within display rounding)."""
    above = p_lo - m_hi - ROUNDING
    below = p_hi - m_lo + ROUNDING
    return np.where(above > 0, above, np.where(below < 0, below, 0.0))


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


def _formula(overall: pl.DataFrame, sdg_scores: pl.DataFrame) -> dict:
    data, excluded = formula_data(overall, sdg_scores)
    if data is None or not data.exact.any():
        return {
            "rows_excluded": excluded,
            "exact_rows": 0,
            "interval_rows": 0 if data is None else len(data.ids),
            "models": [],
            "models_skipped": [],
            "best_model": None,
            "best_model_banded": None,
            "unexplained": [],
        }
    ex, iv = data.exact, ~data.exact
    models, residual, skipped = [], {}, []
    for name in MODELS:
        pred = MODELS[name](data)
        if pred is None:
            skipped.append(name)
            continue
        r = _distance(data.p_lo, data.p_hi, pred.lo, pred.hi)
        r[ex] = data.p_lo[ex] - pred.lo[ex]  # exact rows: the plain residual, display rounding included
        residual[name] = r
        judged = data.p_lo[ex] - pred.loo if pred.loo is not None else r[ex]
        d = np.abs(r[iv])
        models.append(
            {
                "model": name,
                "description": " ".join((MODELS[name].__doc__ or name).split()),
                "parameters": pred.parameters,
                "exact": _stats(r[ex]),
                "exact_leave_one_out": _stats(judged) if pred.loo is not None else None,
                "interval": {
                    "n": int(iv.sum()),
                    "consistent": int((d == 0).sum()),
                    "mean_gap": float(d.mean()) if d.size else 0.0,
                    "max_gap": float(d.max()) if d.size else 0.0,
                },
                "rows_explained": int((np.abs(r) <= UNEXPLAINED).sum()),
                "discordant_pairs": _discordant(data.p_lo[ex], pred.lo[ex]),
            }
        )
    best = min(
        models,
        key=lambda m: (
            (m["exact_leave_one_out"] or m["exact"])["rmse"],
            -m["interval"]["consistent"],
            m["model"],
        ),
    )
    best_banded = min(models, key=lambda m: (-m["interval"]["consistent"], m["interval"]["mean_gap"], m["model"]))
    if ex.sum() < MIN_EXACT:
        best = None
    names = overall.select("institution_id", "name", "rank", "overall_display", "quality")
    index = {iid: k for k, iid in enumerate(data.ids)}
    worst = np.min(np.abs(np.stack(list(residual.values()))), axis=0)
    unexplained = []
    for rec in names.filter(pl.col("institution_id").is_in(data.ids)).iter_rows(named=True):
        k = index[rec["institution_id"]]
        if worst[k] > UNEXPLAINED:
            unexplained.append({**rec, "exact": bool(ex[k]), "residuals": {m: float(residual[m][k]) for m in residual}})
    unexplained.sort(key=lambda u: (-min(abs(v) for v in u["residuals"].values()), u["institution_id"]))
    return {
        "rows_excluded": excluded,
        "exact_rows": int(ex.sum()),
        "interval_rows": int(iv.sum()),
        "tolerance": UNEXPLAINED,
        "models": models,
        "models_skipped": skipped,  # fitted models with too few exact rows
        "best_model": best and best["model"],  # lowest RMSE on exact rows (leave-one-out for fitted models)
        "best_model_banded": best_banded["model"],  # most banded rows whose intervals meet
        "unexplained": unexplained,
    }
