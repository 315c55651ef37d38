"""The rules and the series a forecast takes as data: how each edition of the series made its published score
from single-year scores, and the rule and bands of the edition after the last one (its methodology, or the
latest one when none is known: an assumption the forecast states)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from impactrank.methodology import bundled_ids, load_methodology
from impactrank.methodology.schema import Banding, Methodology


@dataclass(frozen=True)
class NextRule:
    """The averaging weights (this year's single-year score first) and bands of an edition."""

    year: int
    methodology: str
    weights: tuple[float, ...]
    banding: Banding
    assumed: bool  # no methodology of that year: the latest one's rule is assumed


def rule_of(year: int, methodologies: list[Methodology]) -> NextRule:
    """The rule of edition ``year``: the methodology made for it, else the latest one before it."""
    known = sorted(methodologies, key=lambda m: m.edition)
    exact = [m for m in known if m.edition == year]
    before = [m for m in known if m.edition < year]
    chosen = exact[0] if exact else (before[-1] if before else known[0])
    averaging = chosen.overall.averaging
    weights = (1.0,) if averaging is None else tuple(float(w) for w in averaging.weights)
    return NextRule(year, chosen.id, weights, chosen.overall.banding, assumed=not exact)


@cache
def _bundled() -> tuple[Methodology, ...]:
    return tuple(load_methodology(i) for i in bundled_ids())


def rules_for(years: list[int]) -> dict[int, NextRule]:
    """The bundled methodologies' rules of these years (THE's editions are the bundled ones)."""
    return {y: rule_of(y, list(_bundled())) for y in years}


def series_of(editions: list[dict], edition_id: str) -> tuple[list[str], dict[int, int]]:
    """From the workspace's editions (edition, year, kind, participants, overall_table): the ids of the edition's
    series up to it with an overall table, by year, and the participants of each year of the series. A series is
    a kind and an id suffix ("2021" follows "2020", "2021-taiwan" follows "2020-taiwan")."""

    def key(e: dict) -> tuple[str, str]:
        year = str(e["year"])
        return e["kind"], e["edition"].removeprefix(year) if e["edition"].startswith(year) else e["edition"]

    this = next(e for e in editions if e["edition"] == edition_id)
    same = [e for e in editions if key(e) == key(this) and e["year"] <= this["year"]]
    same.sort(key=lambda e: e["year"])
    ids = [e["edition"] for e in same if e["overall_table"]]
    return ids, {int(e["year"]): int(e["participants"] or 0) for e in same}
