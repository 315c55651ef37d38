"""The rules a forecast takes as data: how each edition of the series made its published score from single-year
scores, and the rule and bands of the edition after the last one (its methodology, or the latest one when none is
known: an assumption the forecast states)."""

from __future__ import annotations

from dataclasses import dataclass

from impactrank.methodology.schema import Banding, Methodology


@dataclass(frozen=True)
class NextRule:
    """The averaging weights (this year's single-year score first) and bands of an edition."""

    year: int
    methodology: str
    weights: tuple[float, ...]
    banding: Banding
    assumed: bool  # no methodology of that year: the latest one's rule is assumed

    def describe(self) -> str:
        how = "assumed from" if self.assumed else "from"
        if len(self.weights) == 1:
            formula = "the published score is the single-year score"
        else:
            years = ["this year's"] + [f"{k} year(s) back" for k in range(1, len(self.weights))]
            parts = " + ".join(f"{w:g} × {y}" for w, y in zip(self.weights, years, strict=True))
            formula = f"the published score is {parts} (single-year scores; a newcomer keeps its own)"
        return f"{self.year}: {formula}, {how} methodology {self.methodology}"


def rule_of(year: int, methodologies: list[Methodology]) -> NextRule:
    """The rule of edition ``year``: the methodology made for it, else the latest one before it."""
    known = sorted(methodologies, key=lambda m: m.edition)
    exact = [m for m in known if m.edition == year]
    before = [m for m in known if m.edition < year]
    chosen = exact[0] if exact else (before[-1] if before else known[0])
    averaging = chosen.overall.averaging
    weights = (1.0,) if averaging is None else tuple(float(w) for w in averaging.weights)
    return NextRule(year, chosen.id, weights, chosen.overall.banding, assumed=not exact)
