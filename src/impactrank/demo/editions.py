"""The demo's two editions, sized as THE's 2020 and 2021 Impact Rankings, and the story they tell.

One universe of fictional institutions: most take part in both editions, some join in 2021, a few leave after
2020, a couple change their name and keep the old one as an alias, and a group of schools plays its scripted
part. ``generate_demo`` is what ``impactrank demo`` builds; one seed always gives the same files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.special import ndtr

from impactrank.demo.calibration import CALIBRATION_2020, CALIBRATION_2021
from impactrank.demo.field import DEMO_SEED, SyntheticField, institutions
from impactrank.demo.group import GROUP_NAME, Group, choose_group
from impactrank.demo.names import COUNTS, renamed, sample_countries
from impactrank.demo.population import Population, pick, population, rngs
from impactrank.demo.submissions import choose_sdgs, submissions
from impactrank.methodology import load_methodology

# Participants and overall-table sizes of THE's 2020 and 2021 editions.
DEMO_PARTICIPANTS = {2020: 860, 2021: 1240}
DEMO_ELIGIBLE = {2020: 766, 2021: 1115}
DEMO_RETURNING = 820  # in both editions: 40 leave after 2020, 420 join in 2021
DEMO_RENAMED = 2
DEMO_METHODOLOGIES = {2020: "the-2020", 2021: "the-2021"}
DEMO_CALIBRATIONS = {2020: CALIBRATION_2020, 2021: CALIBRATION_2021}
YEAR_PERSISTENCE = 0.95  # correlation of an institution's latent quality between editions


@dataclass(frozen=True)
class DemoData:
    """Both demo editions (keyed by year), the group file, and the methodology id each edition is built with."""

    editions: dict[int, SyntheticField]
    groups: pl.DataFrame
    methodologies: dict[int, str]


def _participation(pop: Population, group: Group, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Who takes part in 2020 and who in both editions: every 2021 row takes part in 2021; 2020 has the
    returning ones (the better known a little likelier) and the leavers."""
    n, n21 = len(pop.ids), DEMO_PARTICIPANTS[2021]
    candidates = np.setdiff1d(np.arange(n21), group.members)
    returning = np.zeros(n, dtype=bool)
    returning[group.taking_part(2020)] = True
    need = DEMO_RETURNING - int(returning.sum())
    returning[candidates[pick(len(candidates), need, rng, np.exp(0.3 * pop.z[candidates]))]] = True
    in20 = returning.copy()
    in20[n21:] = True
    return in20, returning


def _eligibility(in20: np.ndarray, group: Group, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Who qualifies for each overall table, in exact counts: the group as scripted, the other institutions of
    its country all ranked in 2021; in 2020, those ranked in 2021 are likelier to be."""
    n, n21 = len(in20), DEMO_PARTICIPANTS[2021]
    eligible = {year: np.zeros(n, dtype=bool) for year in (2020, 2021)}
    eligible[2021][group.ranked(2021)] = True
    eligible[2021][group.others()] = True
    open21 = np.setdiff1d(np.arange(n21), group.compatriots)
    eligible[2021][open21[pick(len(open21), DEMO_ELIGIBLE[2021] - int(eligible[2021].sum()), rng)]] = True
    eligible[2020][group.ranked(2020)] = True
    open20 = np.setdiff1d(np.flatnonzero(in20), group.members)
    weight = np.where(eligible[2021][open20], 4.0, 1.0)
    eligible[2020][open20[pick(len(open20), DEMO_ELIGIBLE[2020] - int(eligible[2020].sum()), rng, weight)]] = True
    return eligible


def _percentiles(pop: Population, group: Group, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Latent percentile per edition: persistent with some drift; the group's schools as scripted."""
    percentile = {}
    for year in (2020, 2021):
        drift = rng.standard_normal(len(pop.z))
        percentile[year] = ndtr(YEAR_PERSISTENCE * pop.z + np.sqrt(1 - YEAR_PERSISTENCE**2) * drift)
        group.script(percentile[year], year)
    return percentile


def _renamings(
    pop: Population, returning: np.ndarray, group: Group, names20: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A couple of returning institutions (none of the group's) change their name in 2021 and keep the old one
    as an alias: which ones, and every institution's 2021 name."""
    candidates = np.flatnonzero(returning & ~np.isin(np.arange(len(returning)), group.members))
    moved = candidates[:: DEMO_RETURNING // DEMO_RENAMED][:DEMO_RENAMED]
    names21 = names20.copy()
    names21[moved] = renamed(pop.style[moved], pop.template[moved], pop.places[moved], set(names20.tolist()))
    return moved, names21


def generate_demo(seed: int = DEMO_SEED) -> DemoData:
    """The demo's two editions: a shared universe of fictional institutions, most in both editions, some
    new in 2021, a few leaving, a couple renamed, and the group of schools whose story the demo tells."""
    r_pop, r_names, r_part, r_elig, r_drift, *r_edition = rngs(seed, 7)
    n21, n20 = DEMO_PARTICIPANTS[2021], DEMO_PARTICIPANTS[2020]
    which = np.concatenate(
        [
            r_pop.permutation(np.repeat(np.arange(len(COUNTS)), COUNTS))[:n21],
            sample_countries(n20 - DEMO_RETURNING, r_pop),
        ]
    )
    pop = population(which, r_pop, r_names)
    group = choose_group(pop.country, n21)
    names20 = group.names(pop.names)
    in20, returning = _participation(pop, group, r_part)
    in21 = np.arange(len(which)) < n21
    eligible = _eligibility(in20, group, r_elig)
    percentile = _percentiles(pop, group, r_drift)

    moved, names21 = _renamings(pop, returning, group, names20)
    members = group.members

    editions = {}
    methodologies = {}
    for year, rng in zip((2020, 2021), r_edition, strict=True):
        methodology = load_methodology(DEMO_METHODOLOGIES[year])
        rows = np.flatnonzero(in20 if year == 2020 else in21)
        groups = np.where(np.isin(rows, members), GROUP_NAME, None)
        aliases = np.where(np.isin(rows, moved), names20[rows], None) if year == 2021 else None
        names = (names21 if year == 2021 else names20)[rows]
        mask = choose_sdgs(methodology, pop, rows, eligible[year][rows], rng)
        calibration = DEMO_CALIBRATIONS[year]
        subs = submissions(
            methodology, pop, rows, mask, calibration.maturity_of(percentile[year][rows]), calibration, rng
        )
        editions[year] = SyntheticField(institutions(pop, rows, names, groups, aliases), subs)
        methodologies[year] = DEMO_METHODOLOGIES[year]
    group_table = pl.DataFrame({"group": [GROUP_NAME] * len(members), "institution_id": pop.ids[members]})
    return DemoData(editions, group_table, methodologies)
