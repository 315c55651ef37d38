"""The synthetic universe: every institution's persistent traits, and the random streams that draw them.

An institution has a country and a name, a latent quality, a size and SDG strengths that stay the same from
one edition to the next; editions only decide who takes part, who qualifies and how mature each one is that
year. Independent random streams keep one part's draws from shifting another's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impactrank.demo import names as naming
from impactrank.demo.tables import read_yaml
from impactrank.sdgs import N_SDGS

MEDIAN_FTE_STUDENTS = 12000.0
# How much each SDG is favoured across the field (SDG 1 first), added to every institution's strengths.
SDG_POPULARITY = np.array([float(x) for x in read_yaml("metric_shapes.yaml")["sdg_popularity"]])


@dataclass(frozen=True)
class Population:
    """Persistent traits of every institution in the synthetic universe."""

    ids: np.ndarray
    names: np.ndarray
    places: np.ndarray
    template: np.ndarray  # position of the name's template in its style's list
    country: np.ndarray
    style: np.ndarray
    z: np.ndarray  # latent quality, N(0, 1)
    log_size: np.ndarray  # log FTE students
    affinity: np.ndarray  # n × 17 SDG strengths
    breadth: np.ndarray  # propensity to submit many SDGs


def rngs(seed: int, n: int) -> list[np.random.Generator]:
    """Independent streams, so that changing how one part draws leaves the others unchanged."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def pick(n_total: int, n_pick: int, rng: np.random.Generator, weight: np.ndarray | None = None) -> np.ndarray:
    """A boolean mask choosing exactly ``n_pick`` of ``n_total`` (weighted by Gumbel top-k)."""
    key = rng.gumbel(size=n_total) + (np.log(weight) if weight is not None else 0.0)
    mask = np.zeros(n_total, dtype=bool)
    mask[np.argsort(-key, kind="stable")[:n_pick]] = True
    return mask


def population(which: np.ndarray, rng: np.random.Generator, name_rng: np.random.Generator) -> Population:
    """Institutions in the countries ``which`` (positions in COUNTRIES) with their persistent traits."""
    n = len(which)
    names, places, template = naming.names(naming.STYLES[which], name_rng)
    return Population(
        ids=naming.ids(n),
        names=names,
        places=places,
        template=template,
        country=naming.CODES[which],
        style=naming.STYLES[which],
        z=rng.standard_normal(n),
        log_size=rng.normal(np.log(MEDIAN_FTE_STUDENTS), 0.8, n),
        affinity=rng.standard_normal((n, N_SDGS)) + SDG_POPULARITY,
        breadth=rng.exponential(1.0, n),
    )
