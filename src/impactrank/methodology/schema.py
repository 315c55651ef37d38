"""The ranking rules as a typed, validated document.

A methodology file says everything that varies between editions or between rankers (weights, metric kinds,
normalisation, scaling, ties, bands), so that the engine holds no edition-specific constants.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Pillar = Literal["research", "stewardship", "outreach", "teaching"]
MetricKind = Literal["continuous", "evidence", "bibliometric"]
Direction = Literal["higher", "lower"]

WEIGHT_TOLERANCE = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rubric(_Strict):
    """Points for an evidence question; a question scores points earned / points available × 100."""

    exists: float = Field(1.0, ge=0)
    evidence: float = Field(1.0, ge=0)
    public: float = Field(1.0, ge=0)
    recent: float = Field(1.0, ge=0)

    @property
    def max_points(self) -> float:
        return self.exists + self.evidence + self.public + self.recent

    @model_validator(mode="after")
    def _some_points(self) -> Rubric:
        if self.max_points <= 0:
            raise ValueError("an evidence rubric must award at least one point")
        return self


class Metric(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    pillar: Pillar
    kind: MetricKind
    weight: float = Field(gt=0, le=100)
    direction: Direction = "higher"
    denominator: str | None = None
    """What a rate is divided by (e.g. ``fte_students``); submissions then give numerator and denominator."""
    normalisation: str | None = None
    """Normalisation for continuous and bibliometric metrics; None means the methodology default."""
    rubric: Rubric | None = None
    confirmed: bool
    source: str

    @model_validator(mode="after")
    def _kind_rules(self) -> Metric:
        if self.kind == "evidence":
            if self.denominator or self.normalisation:
                raise ValueError(f"evidence metric {self.id!r} takes a rubric, not a denominator or normalisation")
            if self.direction != "higher":
                raise ValueError(f"evidence metric {self.id!r} cannot be lower-is-better")
        elif self.rubric is not None:
            raise ValueError(f"{self.kind} metric {self.id!r} cannot have an evidence rubric")
        return self


class SDG(_Strict):
    sdg: int = Field(ge=1, le=17)
    label: str
    metrics: list[Metric] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights_sum_to_100(self) -> SDG:
        total = math.fsum(m.weight for m in self.metrics)
        if abs(total - 100.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"SDG {self.sdg}: metric weights sum to {total:g}, not 100")
        ids = [m.id for m in self.metrics]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"SDG {self.sdg}: duplicate metric ids {', '.join(dupes)}")
        return self


class Band(_Strict):
    """A range of rank positions shown as one label; ``end`` None means open-ended ("1001+")."""

    start: int = Field(ge=1)
    end: int | None = None

    @property
    def label(self) -> str:
        return f"{self.start}+" if self.end is None else f"{self.start}–{self.end}"

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"band {self.start}–{self.end} ends before it starts")
        return self


class Banding(_Strict):
    """Individual ranks up to ``individual_to``, then the listed bands, which must tile the positions after it."""

    individual_to: int = Field(ge=0)
    bands: list[Band] = Field(default_factory=list)
    table_end: Literal["as_listed", "open_last_band"] = "as_listed"
    """How a table ends: ``as_listed`` labels every band as listed (a 504-row table ends in "401–600");
    ``open_last_band`` shows the band holding the table's last row open-ended, so a 504-row table ends in
    "401+", as THE's overall and SDG tables do."""

    @model_validator(mode="after")
    def _contiguous(self) -> Banding:
        expected = self.individual_to + 1
        for i, band in enumerate(self.bands):
            if band.start != expected:
                raise ValueError(f"band {band.label} should start at {expected}")
            if band.end is None and i != len(self.bands) - 1:
                raise ValueError(f"open band {band.label} must be the last")
            expected = (band.end or 0) + 1
        if self.bands and self.bands[-1].end is not None:
            raise ValueError(
                f"the last band ({self.bands[-1].label}) must be open-ended, e.g. "
                f"{{start: {self.bands[-1].start}}}, so every position has a label"
            )
        return self


class Scaling(_Strict):
    method: str = "minmax"
    """Registry name of the SDG-score scaling applied before choosing the best SDGs."""
    population: Literal["eligible", "submitters"] = "eligible"
    """Whose scores set each SDG's extremes: overall-eligible institutions, or every submitter of the SDG."""


class Averaging(_Strict):
    """The published overall score as a weighted mean of single-year overall scores: this edition's and those
    of the ``years - 1`` editions before it (THE from 2023: the mean of this year's and last year's)."""

    years: int = Field(ge=1)
    weights: list[float]
    """One weight per year, this year first; they sum to 1."""
    newcomer: Literal["single_year"] = "single_year"
    """An institution absent from a previous overall table: that year drops out and the remaining weights are
    rescaled to sum to 1, so an institution new to the overall table gets its single-year score."""
    previous: Literal["single_year"] = "single_year"
    """A previous year's term is that edition's single-year score, never its published (possibly averaged) one."""

    @model_validator(mode="after")
    def _weights(self) -> Averaging:
        if len(self.weights) != self.years:
            raise ValueError(
                f"averaging over {self.years} year(s) needs {self.years} weight(s), this year first; "
                f"{len(self.weights)} given"
            )
        if any(not w > 0 for w in self.weights):
            raise ValueError("averaging weights must be positive (leave a year out rather than weight it 0)")
        total = math.fsum(self.weights)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"averaging weights sum to {total:g}, not 1")
        return self


class OverallRules(_Strict):
    required_sdg: int = Field(17, ge=1, le=17)
    min_other_sdgs: int = Field(3, ge=0, le=16)
    best_k: int = Field(3, ge=1, le=16)
    required_weight: float = Field(22.0, ge=0)
    best_weight: float = Field(26.0, ge=0)
    scaling: Scaling = Scaling()
    averaging: Averaging | None = None
    """None: the published score is the single-year score."""
    banding: Banding
    confirmed: bool
    """Whether these rules are confirmed (formula, scaling and its population, averaging, bands), by ``source``."""
    source: str

    @property
    def previous_years(self) -> int:
        """How many previous editions' single-year scores the published score needs (0: none)."""
        return self.averaging.years - 1 if self.averaging is not None else 0

    @model_validator(mode="after")
    def _consistent(self) -> OverallRules:
        if self.best_k > self.min_other_sdgs:
            raise ValueError(
                f"best_k ({self.best_k}) cannot exceed min_other_sdgs ({self.min_other_sdgs}): "
                "an eligible institution must have enough SDGs to choose from"
            )
        total = self.required_weight + self.best_k * self.best_weight
        if abs(total - 100.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"overall weights sum to {total:g} (required + best_k × best), not 100")
        return self


class Ranking(_Strict):
    display_precision: int = Field(1, ge=0, le=6)
    tie_rule: str = "competition_on_display"


class Methodology(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    label: str
    edition: int = Field(ge=1900, le=2200)
    description: str = ""
    default_normalisation: str = "zscore_cdf"
    missing_rule: str = "zero"
    ranking: Ranking = Ranking()
    overall: OverallRules
    sdg_tables: Banding
    sdgs: list[SDG] = Field(min_length=1)

    @field_validator("sdgs")
    @classmethod
    def _unique_sdgs(cls, sdgs: list[SDG]) -> list[SDG]:
        numbers = [s.sdg for s in sdgs]
        if len(set(numbers)) != len(numbers):
            raise ValueError("each SDG may appear only once")
        return sorted(sdgs, key=lambda s: s.sdg)

    @model_validator(mode="after")
    def _required_sdg_present(self) -> Methodology:
        if self.overall.required_sdg not in {s.sdg for s in self.sdgs}:
            raise ValueError(f"the required SDG {self.overall.required_sdg} has no metrics")
        return self

    def sdg(self, number: int) -> SDG:
        for s in self.sdgs:
            if s.sdg == number:
                return s
        raise KeyError(number)

    def metric_normalisation(self, metric: Metric) -> str:
        return metric.normalisation or self.default_normalisation
