import numpy as np
import pytest

from impactrank.engine.scoring.evidence import EVIDENCE_SCORERS

POINTS = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0]])


def test_rubric_points_by_hand():
    answers = np.array([[1, 1, 0, 1], [0.5, 1, np.nan, np.nan]], dtype=float)
    # 3 of 4 points; 1.5 of 3 points (recency not scored for a measurement question)
    assert EVIDENCE_SCORERS["rubric"](answers, POINTS) == pytest.approx([75.0, 50.0])


def test_leniency_brackets_the_rubric():
    answers = np.array([[0.5, 0.5, 1, 0], [0.5, 1, 1, 0]], dtype=float)
    strict = EVIDENCE_SCORERS["strict"](answers, POINTS)
    rubric = EVIDENCE_SCORERS["rubric"](answers, POINTS)
    lenient = EVIDENCE_SCORERS["lenient"](answers, POINTS)
    assert strict == pytest.approx([25.0, 200 / 3])
    assert rubric == pytest.approx([50.0, 250 / 3])
    assert lenient == pytest.approx([75.0, 100.0])
