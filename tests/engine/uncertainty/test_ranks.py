"""Monte Carlo ranks tie as THE's tables do: on the score shown at the display precision, rounded half up (12.25
shows as 12.3, above 12.2), the same as the engine's own ranking — within 0–100 and outside it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from impactrank.engine.ranking import competition_ranks, display_keys
from impactrank.engine.uncertainty.ranks import rank_entries
from impactrank.engine.uncertainty.tables import Tables
from impactrank.methodology.schema import Banding, Ranking


def shown(v: float) -> Decimal:
    """The score as a table shows it at one decimal, rounded half up."""
    return Decimal(v).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def competition(values: list[float]) -> list[int]:
    """1 + the entries shown higher."""
    return [1 + sum(shown(w) > shown(v) for w in values) for v in values]


@pytest.mark.parametrize("offset", [0.0, 150.0], ids=["within 0-100", "beyond 100"])
def test_half_way_scores_round_up_before_ties(offset):
    halves = [12.25, 12.2, 12.3, 40.25, 40.2, 40.3, 0.25, 0.2]  # x.25 is exact in binary: half way at one decimal
    other = [55.25, 55.2, 55.3, 55.25, 99.75, 99.7]
    tables = Tables.of(
        ["overall", "sdg1"], [np.arange(len(halves)), np.arange(len(other))], [Banding(individual_to=200)] * 2
    )
    base = np.array(halves + other) + offset
    runs = np.stack([base, base[::-1], np.roll(base, 3)], axis=1)
    ranks = rank_entries(runs, tables, Ranking(display_precision=1))
    n = len(halves)
    for r in range(runs.shape[1]):
        assert ranks[:n, r].tolist() == competition(runs[:n, r].tolist())
        assert ranks[n:, r].tolist() == competition(runs[n:, r].tolist())
        for part in (slice(0, n), slice(n, None)):  # as the build ranks the same scores
            assert ranks[part, r].tolist() == competition_ranks(display_keys(runs[part, r], 1))[0].tolist()
    # 12.25 shows as 12.3, level with 12.3 and above 12.2; likewise 40.25, 0.25 and 55.25
    assert ranks[:n, 0].tolist() == [4, 6, 4, 1, 3, 1, 7, 8]
    assert ranks[n:, 0].tolist() == [3, 6, 3, 3, 1, 2]
