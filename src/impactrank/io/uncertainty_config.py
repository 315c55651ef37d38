"""The declaration of uncertain inputs for ``impactrank uncertainty``: a small YAML file, validated.

Typed and checked up front (COINr's string addresses are its users' main pain point): every field is
known, every method name must exist in the engine's registries, and an error names the file and the field.

    sobol: true                      # Saltelli design and Sobol indices (false: plain random runs)
    inputs:
      weights: {distribution: uniform, spread: 0.25}      # or {distribution: dirichlet, concentration: 50}
      overall_weights: {spread: 0.10}                     # SDG 17 weight ± 10 %, best-k weights share the rest
      normalisation: {options: [nominal, zscore_cdf, zscore_minmax, minmax]}
      evidence: {options: [rubric, lenient, strict], probabilities: [0.5, 0.25, 0.25]}
      missing: {options: [zero, group_mean]}
      scaling: {options: [minmax, max, none]}
      published_scores: {}                                # imported editions: scores within published ranges
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from impactrank.declarations import parse_declaration
from impactrank.engine.uncertainty.spec import (
    Choice,
    MetricWeights,
    OverallWeights,
    UncertaintySpec,
    check_spec,
)
from impactrank.errors import N_, InputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeightsConfig(_Strict):
    distribution: Literal["uniform", "dirichlet"] = "uniform"
    spread: float = Field(0.25, ge=0, lt=1)
    concentration: float = Field(50.0, gt=0)


class OverallWeightsConfig(_Strict):
    spread: float = Field(0.1, ge=0, lt=1)


class ChoiceConfig(_Strict):
    options: list[str] = Field(min_length=1)
    probabilities: list[float] | None = None

    @model_validator(mode="after")
    def _matching(self) -> ChoiceConfig:
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be distinct")
        if self.probabilities is not None:
            if len(self.probabilities) != len(self.options):
                raise ValueError(f"{len(self.probabilities)} probabilities for {len(self.options)} options")
            if any(p < 0 for p in self.probabilities) or sum(self.probabilities) <= 0:
                raise ValueError("probabilities must be non-negative and not all zero")
        return self

    def to_engine(self) -> Choice:
        return Choice(tuple(self.options), None if self.probabilities is None else tuple(self.probabilities))


class PublishedScoresConfig(_Strict):
    """Imported editions: each score drawn uniformly within its published range (no other option yet)."""


class InputsConfig(_Strict):
    weights: WeightsConfig | None = None
    overall_weights: OverallWeightsConfig | None = None
    normalisation: ChoiceConfig | None = None
    evidence: ChoiceConfig | None = None
    missing: ChoiceConfig | None = None
    scaling: ChoiceConfig | None = None
    published_scores: PublishedScoresConfig | None = None


class UncertaintyConfig(_Strict):
    sobol: bool = True
    runs: int | None = Field(None, ge=2)
    seed: int | None = Field(None, ge=0)
    inputs: InputsConfig = InputsConfig()

    def to_spec(self) -> UncertaintySpec:
        i = self.inputs
        return UncertaintySpec(
            weights=None if i.weights is None else MetricWeights(**i.weights.model_dump()),
            overall_weights=None if i.overall_weights is None else OverallWeights(i.overall_weights.spread),
            normalisation=None if i.normalisation is None else i.normalisation.to_engine(),
            evidence=None if i.evidence is None else i.evidence.to_engine(),
            missing=None if i.missing is None else i.missing.to_engine(),
            scaling=None if i.scaling is None else i.scaling.to_engine(),
            sobol=self.sobol,
        )


DEFAULT_CONFIG = """\
sobol: true
inputs:
  weights: {distribution: uniform, spread: 0.25}
  overall_weights: {spread: 0.1}
  normalisation: {options: [nominal, zscore_minmax, minmax]}
  evidence: {options: [rubric, lenient, strict]}
  missing: {options: [zero, group_mean]}
  scaling: {options: [minmax, max]}
  published_scores: {}
"""
"""Used when no --config is given: every input a built edition has, with moderate ranges."""


def parse_uncertainty_config(text: str, name: str = "<uncertainty config>") -> UncertaintyConfig:
    config = parse_declaration(
        text, name, UncertaintyConfig, N_("an uncertainty configuration must be a YAML mapping"), empty={}
    )
    try:
        check_spec(config.to_spec())
    except InputError as exc:
        raise InputError(exc.template, file=name, field=f"inputs.{exc.field}", params=exc.params) from None
    return config


def load_uncertainty_config(path: str | Path | None) -> UncertaintyConfig:
    """The user's file, or the default declaration when ``path`` is None."""
    if path is None:
        return parse_uncertainty_config(DEFAULT_CONFIG, "default uncertainty configuration")
    path = Path(path)
    if not path.is_file():
        raise InputError(N_("file not found"), file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            N_("not UTF-8 text (%(reason)s at byte %(byte)s)"), file=path.name,
            params={"reason": exc.reason, "byte": exc.start},
        ) from None  # fmt: skip
    return parse_uncertainty_config(text, path.name)
