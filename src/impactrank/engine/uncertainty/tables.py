"""The ranked tables of a run as one flat list of (table, institution) entries.

Every per-run array downstream (scores, ranks, histograms, Sobol sums) is indexed by entry, so that one
vectorised operation covers the overall table and every SDG table at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impactrank.engine.tables.overall import N_SDGS
from impactrank.engine.uncertainty.field import Field
from impactrank.methodology.schema import Banding


@dataclass
class Tables:
    """The ranked tables as one flat list of entries: table 0 is the overall table, then one per SDG."""

    names: list[str]  # "overall", "sdg1", …
    sizes: np.ndarray  # institutions per table
    banding: list[Banding]
    entry_table: np.ndarray  # table of each entry
    entry_row: np.ndarray  # institution row of each entry
    members: list[np.ndarray]  # institution rows of each table, in entry order

    @classmethod
    def of(cls, names: list[str], members: list[np.ndarray], banding: list[Banding]) -> Tables:
        """The tables holding ``members`` (institution rows) in that order, one after the other."""
        sizes = np.array([len(m) for m in members], dtype=np.int64)
        return cls(
            names=names,
            sizes=sizes,
            banding=banding,
            entry_table=np.repeat(np.arange(len(names)), sizes),
            entry_row=np.concatenate(members) if members else np.empty(0, np.int64),
            members=members,
        )

    @property
    def n_entries(self) -> int:
        return len(self.entry_table)


def field_tables(fld: Field) -> Tables:
    """The overall table (the eligible rows) and each SDG table that has submitters."""
    m = fld.methodology
    names, members, banding = ["overall"], [np.flatnonzero(fld.eligible)], [m.overall.banding]
    for s in range(N_SDGS):
        rows = np.flatnonzero(fld.submitted[:, s])
        if len(rows):
            names.append(f"sdg{s + 1}")
            members.append(rows)
            banding.append(m.sdg_tables)
    return Tables.of(names, members, banding)


def table_slices(tables: Tables) -> list[slice]:
    """The entries of each table, as slices of the flat list."""
    ends = np.cumsum(tables.sizes)
    return [slice(int(e - s), int(e)) for s, e in zip(tables.sizes, ends, strict=True)]
