"""One edition's field of any size for any methodology: the generator behind tests and benchmarks.

Countries are drawn with the demo's skew, a share of participants qualifies for the overall table, and every
value is drawn through one calibration. Vectorised with numpy: 100,000 institutions take seconds, and one seed
always gives the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.special import ndtr

from impactrank.demo.calibration import CALIBRATION_2021, Calibration
from impactrank.demo.names import sample_countries
from impactrank.demo.population import Population, pick, population, rngs
from impactrank.demo.submissions import choose_sdgs, submissions
from impactrank.methodology import Methodology

DEMO_SEED = 2021


@dataclass(frozen=True)
class SyntheticField:
    """One edition's inputs, in the columns of ``institutions.csv`` and ``submissions.csv``."""

    institutions: pl.DataFrame
    submissions: pl.DataFrame


def institutions(
    pop: Population,
    rows: np.ndarray,
    names: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    aliases: np.ndarray | None = None,
) -> pl.DataFrame:
    """The institutions ``rows`` in the columns of ``institutions.csv``: their own names unless ``names`` are
    given, no groups or aliases unless given."""
    n = len(rows)
    return pl.DataFrame(
        {
            "institution_id": pop.ids[rows],
            "name": pop.names[rows] if names is None else names,
            "country": pop.country[rows],
            "groups": pl.Series(groups.tolist() if groups is not None else [None] * n, dtype=pl.String),
            "aliases": pl.Series(aliases.tolist() if aliases is not None else [None] * n, dtype=pl.String),
        }
    )


def generate_field(
    methodology: Methodology,
    n_institutions: int,
    seed: int = DEMO_SEED,
    *,
    eligible_share: float = 1115 / 1240,
    calibration: Calibration = CALIBRATION_2021,
) -> SyntheticField:
    """One edition with ``n_institutions`` participants, of which ``eligible_share`` (rounded) qualify for
    the overall table; countries drawn with the demo's skew. Vectorised: 100,000 institutions take seconds."""
    r_pop, r_names, r_elig, r_sdg, r_val = rngs(seed, 5)
    pop = population(sample_countries(n_institutions, r_pop), r_pop, r_names)
    rows = np.arange(n_institutions)
    eligible = pick(n_institutions, round(eligible_share * n_institutions), r_elig)
    mask = choose_sdgs(methodology, pop, rows, eligible, r_sdg)
    subs = submissions(methodology, pop, rows, mask, calibration.maturity_of(ndtr(pop.z)), calibration, r_val)
    return SyntheticField(institutions(pop, rows), subs)
