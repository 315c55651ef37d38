"""The one shape every reader produces: a published row's cells as text, before any interpretation."""

from __future__ import annotations

from dataclasses import dataclass, field

from impactrank.io.published.parse import Rank


@dataclass(slots=True)
class RawRow:
    row: int  # the row as the file shows it: a CSV's or a sheet's row number (header = 1), a JSON record's position
    rank: str
    name: str
    country: str
    overall: str
    sdg17: str
    pairs: list[tuple[str, str]]  # (SDG number, score) of the top SDGs, in published order
    year: str = ""
    ror: str = ""
    aliases: str = ""  # e.g. the institution's name in another language
    flags: list[str] = field(default_factory=list)  # defects only the reader can see (scattered columns)
    raw_pairs: list[tuple[str, str]] = field(default_factory=list)  # SDG cells as scattered, when they were
    score: str = ""  # the row's score in an SDG table (the SDG is the table's)
    rank_fixed: Rank | None = None  # the rank a repair settled on (a lost tie rebuilt); ``rank`` stays as read
    name_cell: str = ""  # the name cell as read, when a repair moved words between the name and the country
