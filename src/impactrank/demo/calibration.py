"""How an edition turns an institution's latent percentile into maturity, matched to real band score ranges.

A quantile function per edition (knots in ``data/calibration.yaml``, fitted to THE's 2020 and 2021 overall
tables) maps the percentile to a *maturity* in [0, 1], roughly the share of evidence-rubric points earned;
every metric value is then drawn around it. The fit is what makes the demo's bands look like the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impactrank.demo.tables import read_yaml


@dataclass(frozen=True)
class Calibration:
    """How an edition turns latent percentiles into maturity (a piecewise-linear quantile function), and
    how much each SDG's maturity departs from the institution's."""

    percentiles: tuple[float, ...]
    maturity: tuple[float, ...]
    sdg_spread: float = 0.12
    question_noise: float = 0.15

    def maturity_of(self, u: np.ndarray) -> np.ndarray:
        return np.interp(u, self.percentiles, self.maturity)


def _fitted(edition: int) -> Calibration:
    knots = read_yaml("calibration.yaml")[edition]
    return Calibration(
        percentiles=tuple(float(x) for x in knots["percentiles"]),
        maturity=tuple(float(x) for x in knots["maturity"]),
    )


CALIBRATION_2020 = _fitted(2020)
CALIBRATION_2021 = _fitted(2021)
