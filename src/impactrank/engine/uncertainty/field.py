"""The field a Monte Carlo run works on, computed once from the validated inputs.

The expensive, discrete part of a build is done here, not per run: the metric scores under every combination
of normalisation × evidence scoring × missing-data rule the declaration allows (institutions × metrics
matrices per SDG), and the SDG scores the build's own code path gives for each combination. Rows are ordered
with the overall-eligible institutions first, so that the overall table is a leading block of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from impactrank.engine.scoring.metrics import ScoringChoices, metric_catalogue, metric_grid, score_metrics, sdg_scores
from impactrank.engine.tables.averaging import previous_table, previous_terms
from impactrank.engine.tables.overall import N_SDGS, eligibility, score_matrix
from impactrank.engine.uncertainty.spec import NOMINAL, UncertaintySpec, check_spec
from impactrank.methodology.schema import Methodology

Combo = tuple[str, str, str]  # (normalisation or "nominal", evidence scorer, missing rule)


@dataclass
class Field:
    """Everything a replication needs, computed once from the validated inputs."""

    methodology: Methodology
    ids: np.ndarray  # institution ids: the overall-eligible first, each part sorted by id
    names: np.ndarray
    metric_sdg: np.ndarray  # SDG column (0–16) of each metric code
    nominal_weights: np.ndarray  # per metric code
    codes_by_sdg: list[np.ndarray]  # metric codes of each SDG column
    submitted: np.ndarray  # institutions × 17
    eligible: np.ndarray
    combos: list[Combo]
    nominal_combo: int
    metric_matrices: list[list[np.ndarray]]  # [combo][sdg] → institutions × the SDG's metrics: scores
    exact: list[np.ndarray]  # [combo] → institutions × 17 SDG scores via the build's own code path
    scalers: tuple[str, ...]
    nominal_scaler: int
    previous: np.ndarray  # institutions × previous years: single-year scores an averaging methodology needs

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def n_eligible(self) -> int:
        return int(self.eligible.sum())

    @cached_property
    def submitter_matrices(self) -> list[list[np.ndarray]]:
        """[combo][sdg] → the SDG's submitters × its metrics: the rows its table ranks, so that a run computes
        no score nobody reads."""
        rows = [np.flatnonzero(self.submitted[:, s]) for s in range(N_SDGS)]
        return [[np.ascontiguousarray(m[s][rows[s]]) for s in range(N_SDGS)] for m in self.metric_matrices]

    @property
    def eligible_submitters(self) -> list[np.ndarray]:
        """Per SDG, the eligible rows that submitted it."""
        el = self.eligible[:, None] & self.submitted
        return [np.flatnonzero(el[:, s]) for s in range(N_SDGS)]

    @property
    def population(self) -> list[np.ndarray]:
        """Per SDG, the rows whose scores set the scaling extremes."""
        mask = self.submitted & (
            self.eligible[:, None] if self.methodology.overall.scaling.population == "eligible" else True
        )
        return [np.flatnonzero(mask[:, s]) for s in range(N_SDGS)]


def prepare_field(
    methodology: Methodology,
    institutions: pl.DataFrame,
    submissions: pl.DataFrame,
    spec: UncertaintySpec,
    previous: pl.DataFrame | None = None,
) -> Field:
    """Score the metrics once under every combination of discrete choices the declaration allows.

    ``previous``: the previous single-year scores an averaging methodology needs; they are not perturbed."""
    check_spec(spec)
    previous = previous_table(methodology, previous)
    catalogue = metric_catalogue(methodology)
    institutions = institutions.sort("institution_id")
    ids, names = institutions["institution_id"], institutions["name"]
    grid = metric_grid(submissions, catalogue, ids)
    n, k = len(ids), catalogue.height
    row = grid["inst"].to_numpy().astype(np.int64)
    code = grid["code"].to_numpy()

    metric_sdg = catalogue["sdg"].to_numpy() - 1
    codes_by_sdg = [np.flatnonzero(metric_sdg == s) for s in range(N_SDGS)]

    nominal = (NOMINAL, "rubric", methodology.missing_rule)
    norms = spec.normalisation.options if spec.normalisation else (NOMINAL,)
    evids = spec.evidence.options if spec.evidence else ("rubric",)
    misss = spec.missing.options if spec.missing else (methodology.missing_rule,)
    combos: list[Combo] = [(a, b, c) for a in norms for b in evids for c in misss]
    if nominal not in combos:
        combos.append(nominal)

    denses, exact = [], []
    for norm, evid, miss in combos:
        choices = ScoringChoices(normalisation=None if norm == NOMINAL else norm, evidence=evid, missing=miss)
        scored = score_metrics(grid, catalogue, methodology, choices)
        dense = np.zeros((n, k))
        dense[row, code] = scored["score"].to_numpy()
        denses.append(dense)
        exact.append(score_matrix(sdg_scores(scored), n))
    eligible = eligibility(exact[0], methodology.overall)
    order = np.concatenate([np.flatnonzero(eligible), np.flatnonzero(~eligible)])  # eligible rows first
    matrices = [[np.ascontiguousarray(d[order][:, codes_by_sdg[s]]) for s in range(N_SDGS)] for d in denses]
    scalers = spec.scaling.options if spec.scaling else (methodology.overall.scaling.method,)
    nominal_scaling = methodology.overall.scaling.method
    if nominal_scaling not in scalers:
        scalers = (*scalers, nominal_scaling)
    return Field(
        methodology=methodology,
        ids=ids.to_numpy()[order],
        names=names.to_numpy()[order],
        metric_sdg=metric_sdg,
        nominal_weights=catalogue["weight"].to_numpy().astype(np.float64),
        codes_by_sdg=codes_by_sdg,
        submitted=~np.isnan(exact[0][order]),
        eligible=eligible[order],
        combos=combos,
        nominal_combo=combos.index(nominal),
        metric_matrices=matrices,
        exact=[e[order] for e in exact],
        scalers=tuple(scalers),
        nominal_scaler=tuple(scalers).index(nominal_scaling),
        previous=previous_terms(methodology, ids, previous)[order],
    )
