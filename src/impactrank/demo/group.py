"""The fictional group of schools whose story the demo tells, as ``data/group.yaml`` scripts it.

A network of six schools in one country, under one name: the lead climbs two bands and heads its country's
institutions in 2021, steady members stay ranked, a newcomer enters, two schools submit too few SDGs to be
ranked. The story is what the group views, comparisons and narratives are shown on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impactrank.demo.tables import read_yaml

_DATA = read_yaml("group.yaml")
GROUP_NAME: str = _DATA["name"]
GROUP_COUNTRY: str = _DATA["country"]
SCHOOLS: tuple[tuple[str, str], ...] = tuple((school["name"], school["role"]) for school in _DATA["schools"])
_ROLES: dict[str, dict] = _DATA["roles"]
COMPATRIOT_CAP_2021 = float(_DATA["compatriot_cap_2021"])
if any(2021 not in spec["editions"] for spec in _ROLES.values()):  # the schools are 2021 participants
    raise ValueError("data/group.yaml: every role takes part in 2021")


@dataclass(frozen=True)
class Group:
    """Where the group's schools stand in the demo's universe of institutions (positions)."""

    compatriots: np.ndarray  # the 2021 participants of the group's country, the schools among them
    members: np.ndarray  # the schools, in the order of SCHOOLS
    roles: dict[int, str]  # school position → role

    def _where(self, key: str, year: int) -> np.ndarray:
        return np.array([i for i, role in self.roles.items() if year in _ROLES[role][key]], dtype=np.int64)

    def taking_part(self, year: int) -> np.ndarray:
        """The schools that take part in ``year``."""
        return self._where("editions", year)

    def ranked(self, year: int) -> np.ndarray:
        """The schools that qualify for ``year``'s overall table."""
        return self._where("ranked", year)

    def others(self) -> np.ndarray:
        """The other 2021 participants of the group's country."""
        return np.setdiff1d(self.compatriots, self.members)

    def names(self, names: np.ndarray) -> np.ndarray:
        """``names`` (of every institution, as objects) with the schools' names in place."""
        named = names.astype(object)
        named[self.members] = [name for name, _ in SCHOOLS]
        return named

    def script(self, percentile: np.ndarray, year: int) -> None:
        """Set the schools' latent percentiles for ``year`` in place; in 2021 keep the other institutions of the
        country below the cap, so that the lead heads them."""
        if year == 2021:
            others = self.others()
            percentile[others] = np.minimum(percentile[others], COMPATRIOT_CAP_2021)
        for i, role in self.roles.items():
            value = _ROLES[role]["percentile"].get(year)
            if value is not None:
                percentile[i] = float(value)


def choose_group(country: np.ndarray, n_2021: int) -> Group:
    """The group: the first participants of 2021 (positions below ``n_2021``) from the group's country."""
    compatriots = np.flatnonzero(country[:n_2021] == GROUP_COUNTRY)
    members = compatriots[: len(SCHOOLS)]
    roles = dict(zip(members.tolist(), [role for _, role in SCHOOLS], strict=True))
    return Group(compatriots, members, roles)
