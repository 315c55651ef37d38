"""What a Monte Carlo run returns, and how its rank intervals read.

The result holds tables (the rank_uncertainty table, the Sobol indices) and the description of the run that
goes into the edition's manifest; storing it is the job of :mod:`impactrank.io.uncertainty_results` and the
workspace. The helpers below read intervals for people: by band, between editions, as text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.ranking import band_segments
from impactrank.engine.uncertainty.spec import UncertaintySpec
from impactrank.methodology.schema import Banding


@dataclass(frozen=True)
class UncertaintyResult:
    """The rank_uncertainty table, the Sobol indices, and what is needed to say how they were made."""

    table: pl.DataFrame  # RANK_UNCERTAINTY_SCHEMA
    sobol: pl.DataFrame  # SOBOL_SCHEMA: table, input, first_order, total_order, rank_variance, institutions
    runs: int
    base_rows: int
    seed: int
    inputs: list[str]
    spec: UncertaintySpec

    def manifest(self) -> dict[str, Any]:
        """How the run was made: design, inputs, seed and the definitions of its outputs."""
        return {
            "runs": self.runs,
            "base_rows": self.base_rows,
            "seed": self.seed,
            "inputs": self.spec.describe(),
            "design": "saltelli" if (self.spec.sobol and self.inputs) else "random",
            "sobol_output": "competition rank position; indices pool the institutions of a table: "
            "sum over institutions of partial variances / sum of rank variances",
            "percentiles": "numpy linear method over all runs of the design",
        }

    def summary(self) -> dict[str, Any]:
        """The manifest with the Sobol indices: what the edition's manifest and the JSON summary record."""
        return {**self.manifest(), "sobol": self.sobol.to_dicts()}


def check_nominal(result: UncertaintyResult, edition: Edition) -> int:
    """Entries whose nominal rank differs from the edition's stored rank position (0 when the inputs are the
    ones the edition was built from)."""
    stored = pl.concat(
        [
            edition.overall.select("institution_id", pl.lit("overall").alias("table"), "rank_position"),
            edition.sdg_scores.select(
                "institution_id", pl.format("sdg{}", pl.col("sdg")).alias("table"), "rank_position"
            ),
        ]
    )
    joined = result.table.join(stored, on=["institution_id", "table"], how="full", coalesce=True)
    return int((joined["nominal_rank"] != joined["rank_position"]).fill_null(True).sum())


def with_uncertainty(edition: Edition, result: UncertaintyResult) -> Edition:
    """The edition with its rank_uncertainty table and the run's description in the manifest."""
    manifest = {**edition.manifest, "uncertainty": result.summary()}
    return replace(edition, rank_uncertainty=result.table, manifest=manifest)


def interval_widths(table: pl.DataFrame, banding: Banding, which: str = "overall") -> pl.DataFrame:
    """Median width (p95 − p05) of the 90 % rank interval of one table's institutions, by nominal band."""
    part = table.filter(pl.col("table") == which)
    if part.height == 0:
        return pl.DataFrame(schema={"band": pl.String, "institutions": pl.UInt32, "median_width": pl.Float64})
    size = part.height
    segments = band_segments(banding, size)
    labels = [next((lab for lab, lo, hi in segments if lo <= r <= hi), str(r)) for r in part["nominal_rank"].to_list()]
    order = {label: i for i, (label, _, _) in enumerate(segments)}
    return (
        part.with_columns(band=pl.Series(labels), width=pl.col("rank_p95") - pl.col("rank_p05"))
        .group_by("band")
        .agg(institutions=pl.len(), median_width=pl.col("width").median())
        .with_columns(_o=pl.col("band").replace_strict(order, default=len(order)))
        .sort("_o")
        .drop("_o")
    )


def significant_move(p05_a: float, p95_a: float, p05_b: float, p95_b: float) -> bool:
    """A rank change between two editions counts as significant only when the 90 % intervals do not overlap."""
    return p95_a < p05_b or p95_b < p05_a


def format_rank_interval(nominal: int | None, p05: float | None, p95: float | None) -> str:
    """A rank with its 90 % interval, "45 (38–57)"; the interval is widened to whole ranks (floor, ceil)."""
    if nominal is None:
        return ""
    if p05 is None or p95 is None or (isinstance(p05, float) and math.isnan(p05)):
        return str(nominal)
    return f"{nominal} ({math.floor(p05)}–{math.ceil(p95)})"
