"""Scoring query systems on the SDG Classification Benchmark exactly as its own harness does.

Each benchmark row is one yes/no judgement for one SDG: the prediction is "row.sdg is among the SDGs
the system gives the text". Per SDG: accuracy, precision and recall in %, F1 on 0–1 (zero when
undefined); the summary is the unweighted mean over SDGs with rows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import combinations
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError
from impactrank.io.delimited import parse_numbers, read_text_table
from impactrank.sdgmap.loaders import QuerySet, default_data_dir
from impactrank.sdgmap.matcher import Matcher

SDGS = tuple(range(1, 18))
STATS_FILE = "sdg_classification_benchmark/evaluation_stats_all_models.csv"
PREDICTIONS_FILE = "sdg_classification_benchmark/text2sdg_predictions.csv"
STATS_SCHEMA = {
    "system": pl.String,
    "sdg": pl.String,
    "n": pl.Int64,
    "accuracy": pl.Float64,
    "precision": pl.Float64,
    "recall": pl.Float64,
    "f1": pl.Float64,
    "tp": pl.Float64,
    "fp": pl.Float64,
    "tn": pl.Float64,
    "fn": pl.Float64,
}


def load_benchmark(path: Path | str | None = None) -> pl.DataFrame:
    """id, text, sdg, label; from ``path``, ``$SDGCLASSIFICATION_BENCHMARK_CSV`` or the installed package."""
    if path is None:
        env = os.environ.get("SDGCLASSIFICATION_BENCHMARK_CSV")
        if env:
            path = env
        else:
            try:
                res = resources.files("sdgclassification.benchmark.resources") / "benchmark.csv"
            except ModuleNotFoundError:
                raise InputError(
                    N_("the sdgclassification-benchmark package is not installed; give --benchmark")
                ) from None
            path = str(res)
    df, rows = _read(path, ["id", "text", "sdg", "label"])
    if df.height == 0:
        raise InputError(N_("the benchmark has no rows"), file=str(path))
    for col in ("id", "text", "sdg", "label"):
        _first_bad(df[col].is_null(), N_("empty value"), rows, str(path), col)
    sdg = _whole_numbers(df, rows, "sdg", str(path))
    _first_bad(~sdg.is_in(SDGS), N_("not an SDG number (1–17)"), rows, str(path), "sdg")
    answer = df["label"].str.strip_chars().str.to_lowercase()
    _first_bad(~answer.is_in(["true", "false", "1", "0"]), N_("a label is True or False"), rows, str(path), "label")
    label = answer.is_in(["true", "1"])
    return df.with_columns(sdg=sdg, label=label).select("id", "text", "sdg", "label")


def _first_bad(bad: pl.Series, message: str, rows: pl.Series, file: str, field: str) -> None:
    """Raise for the first bad row, saying how many others share its problem."""
    hits = bad.fill_null(False).arg_true()
    if hits.len():
        raise InputError(message, file=file, row=int(rows[int(hits[0])]), field=field, more=hits.len() - 1)


def _read(path: Path | str, needed: list[str]) -> tuple[pl.DataFrame, pl.Series]:
    """A CSV's text columns and row numbers; the ``needed`` columns must be there."""
    df, rows = read_text_table(path, name=str(path)).frame()
    missing = set(needed) - set(df.columns)
    if missing:
        raise InputError(
            N_("missing column(s) %(columns)s"), file=str(path), params={"columns": ", ".join(sorted(missing))}
        )
    return df, rows


def _whole_numbers(df: pl.DataFrame, rows: pl.Series, col: str, file: str) -> pl.Series:
    text = df[col].str.strip_chars()
    number = parse_numbers(text, ".")
    bad = text.is_not_null() & (number.is_null() | (number != number.floor()) | (number.abs() > 1e9))
    if bad.any():
        i = int(bad.arg_true()[0])
        raise InputError(
            N_("%(value)r is not a whole number"),
            file=file,
            row=int(rows[i]),
            field=col,
            params={"value": text[i]},
            more=int(bad.sum()) - 1,
        )
    return number.cast(pl.Int64)


def predict(benchmark: pl.DataFrame, query_set: QuerySet) -> list[frozenset[int]]:
    """The SDGs one system gives each benchmark text (row order)."""
    matcher = Matcher(query_set)
    cache: dict[str, frozenset[int]] = {}
    out = []
    for text in benchmark["text"].to_list():
        if text not in cache:
            cache[text] = frozenset(matcher.sdgs(matcher.match(text)))
        out.append(cache[text])
    return out


def vote(predictions: Sequence[Sequence[frozenset[int]]], k: int) -> list[frozenset[int]]:
    """Ensemble: an SDG is given when at least ``k`` of the systems give it."""
    out = []
    for per_system in zip(*predictions, strict=True):
        counts: dict[int, int] = {}
        for sdgs in per_system:
            for s in sdgs:
                counts[s] = counts.get(s, 0) + 1
        out.append(frozenset(s for s, c in counts.items() if c >= k))
    return out


@dataclass(frozen=True)
class Metrics:
    n: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    tp: float
    fp: float
    tn: float
    fn: float

    @classmethod
    def from_counts(cls, tp: int, fp: int, tn: int, fn: int) -> Metrics:
        n = tp + fp + tn + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(n, (tp + tn) / n * 100 if n else 0.0, precision * 100, recall * 100, f1, tp, fp, tn, fn)

    @classmethod
    def mean(cls, items: Sequence[Metrics]) -> Metrics:
        items = [m for m in items if m.n > 0]
        k = len(items)
        return cls(*(sum(getattr(m, f) for m in items) / k for f in cls.__dataclass_fields__))  # type: ignore[arg-type]


def score(benchmark: pl.DataFrame, predicted: Sequence[frozenset[int]]) -> dict[str, Metrics]:
    """Per SDG ("1" … "17") and "Average", as the benchmark harness computes them."""
    counts = {s: [0, 0, 0, 0] for s in SDGS}  # tp fp tn fn
    for sdg, label, pred in zip(benchmark["sdg"].to_list(), benchmark["label"].to_list(), predicted, strict=True):
        p = sdg in pred
        c = counts[sdg]
        c[0 if p and label else 1 if p else 3 if label else 2] += 1
    per = {str(s): Metrics.from_counts(*counts[s]) for s in SDGS}
    return {"Average": Metrics.mean(list(per.values())), **per}


def stats_frame(results: Mapping[str, Mapping[str, Metrics]]) -> pl.DataFrame:
    """Long table: system, sdg (Average, 1 … 17) and the harness's columns."""
    rows = [{"system": name, "sdg": sdg, **m.__dict__} for name, per in results.items() for sdg, m in per.items()]
    # Four decimals, as the harness reports them, in every export format.
    return pl.DataFrame(rows, schema=STATS_SCHEMA).with_columns(pl.selectors.float().round(4))


@dataclass(frozen=True)
class Ensemble:
    systems: tuple[str, ...]
    k: int

    @property
    def name(self) -> str:
        return f"ensemble {self.k}-of-{len(self.systems)} ({'+'.join(self.systems)})"


def best_ensemble(
    benchmark: pl.DataFrame, predictions: Mapping[str, Sequence[frozenset[int]]], metric: str = "accuracy"
) -> tuple[Ensemble, dict[str, Metrics]]:
    """Every subset of two or more systems and every vote threshold; the best mean ``metric`` wins
    (ties: fewer systems, then lower k, then names), so the choice is deterministic."""
    names = sorted(predictions)
    best: tuple[tuple, Ensemble, dict[str, Metrics]] | None = None
    for size in range(2, len(names) + 1):
        for subset in combinations(names, size):
            for k in range(1, size + 1):
                result = score(benchmark, vote([predictions[s] for s in subset], k))
                key = (-getattr(result["Average"], metric), size, k, subset)
                if best is None or key < best[0]:
                    best = (key, Ensemble(subset, k), result)
    if best is None:
        raise InputError(N_("an ensemble needs at least two query sets"))
    return best[1], best[2]


def _optional_file(path: Path | str | None, default: str) -> Path | None:
    """The file given, or the benchmark's own under the shared data folder; None when it is not there."""
    if path is None:
        base = default_data_dir()
        path = base / default if base is not None else None
    return Path(path) if path is not None and Path(path).is_file() else None


def published_stats(path: Path | str | None = None) -> pl.DataFrame | None:
    """The benchmark's published per-model figures, or None when the file is not there."""
    path = _optional_file(path, STATS_FILE)
    if path is None:
        return None
    needed = ["model", "sdg", "accuracy", "precision", "recall", "f1"]
    df, rows = _read(path, needed)
    for col in needed:
        _first_bad(df[col].str.strip_chars().replace("", None).is_null(), N_("empty value"), rows, str(path), col)
    for col in [c for c in STATS_SCHEMA if c in df.columns and STATS_SCHEMA[c] != pl.String]:
        number = parse_numbers(df[col], ".")
        bad = df[col].str.strip_chars().replace("", None).is_not_null() & (number.is_null() | ~number.is_finite())
        if bad.any():
            i = int(bad.arg_true()[0])
            raise InputError(
                N_("not a number: %(value)r"),
                file=str(path),
                row=int(rows[i]),
                field=col,
                params={"value": df[col][i]},
                more=int(bad.sum()) - 1,
            )
        df = df.with_columns(number.alias(col))
    return df.rename({"model": "system"})


def load_text2sdg_predictions(path: Path | str | None = None) -> dict[str, frozenset[int]] | None:
    """id → SDGs from text2sdg's published ``detect_sdg()`` run on the benchmark, or None when absent."""
    path = _optional_file(path, PREDICTIONS_FILE)
    if path is None:
        return None
    df, rows = _read(path, ["id", "predicted_sdgs"])
    out = {}
    for row, rid, cell in zip(rows, df["id"], df["predicted_sdgs"], strict=True):
        numbers = [x for x in (cell or "").replace(" ", "").split(",") if x]
        if not all(x.isascii() and x.isdigit() for x in numbers):
            raise InputError(
                N_("%(value)r is not a list of SDG numbers"),
                file=str(path),
                row=row,
                field="predicted_sdgs",
                params={"value": cell},
            )
        out[rid] = frozenset(int(x) for x in numbers)
    return out


@dataclass(frozen=True)
class Agreement:
    """How far our labels agree with text2sdg's on the benchmark rows."""

    rows: int
    decision_agreement: float  # share of rows where both say the same about row.sdg
    both_yes: int
    both_no: int
    only_ours: int
    only_text2sdg: int
    set_jaccard: float  # mean Jaccard of the full SDG sets per text (1 when both empty)
    exact_sets: float  # share of texts with identical SDG sets


def agreement(
    benchmark: pl.DataFrame, ours: Sequence[frozenset[int]], theirs: Mapping[str, frozenset[int]]
) -> Agreement:
    both_yes = both_no = only_ours = only_theirs = 0
    jac = exact = 0.0
    n = 0
    for rid, sdg, mine in zip(benchmark["id"].to_list(), benchmark["sdg"].to_list(), ours, strict=True):
        if rid not in theirs:
            continue
        other = theirs[rid]
        n += 1
        a, b = sdg in mine, sdg in other
        both_yes += a and b
        both_no += (not a) and (not b)
        only_ours += a and not b
        only_theirs += b and not a
        union = mine | other
        jac += len(mine & other) / len(union) if union else 1.0
        exact += mine == other
    if not n:
        raise InputError(N_("no benchmark id is in the text2sdg predictions file"))
    return Agreement(n, (both_yes + both_no) / n, both_yes, both_no, only_ours, only_theirs, jac / n, exact / n)
