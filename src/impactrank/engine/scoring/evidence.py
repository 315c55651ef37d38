"""Evidence questions scored on a points rubric (not normalised), as THE scores policies and practice."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from impactrank.engine.registry import Registry
from impactrank.errors import N_

RUBRIC_FIELDS = ("exists", "evidence", "public", "recent")

EvidenceScorer = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(answers: n × 4 in [0, 1] with NaN = not answered, points: n × 4 rubric points) → score 0–100."""
EVIDENCE_SCORERS: Registry[EvidenceScorer] = Registry(N_("evidence scoring"))


@EVIDENCE_SCORERS.register("rubric")
def rubric(answers: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Points earned / points available × 100; an unanswered item earns nothing."""
    earned = np.einsum("ij,ij->i", np.nan_to_num(answers, nan=0.0), points)
    return 100.0 * earned / points.sum(axis=1)


@EVIDENCE_SCORERS.register("lenient")
def lenient(answers: np.ndarray, points: np.ndarray) -> np.ndarray:
    """As rubric, but partial answers (0 < a < 1) count in full: an upper bound on an assessor's generosity."""
    return rubric(np.where(answers > 0, 1.0, answers), points)


@EVIDENCE_SCORERS.register("strict")
def strict(answers: np.ndarray, points: np.ndarray) -> np.ndarray:
    """As rubric, but partial answers earn nothing: a lower bound on an assessor's generosity."""
    return rubric(np.where(answers < 1, 0.0, answers), points)
