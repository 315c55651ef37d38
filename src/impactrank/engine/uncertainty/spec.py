"""The declared uncertain inputs of a build and their checks.

Plain frozen values, so that a declaration can be compared, printed in a manifest and shipped to a Dask
worker; :mod:`impactrank.io.uncertainty_config` reads them from YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from impactrank.engine.scoring.evidence import EVIDENCE_SCORERS
from impactrank.engine.scoring.missing import MISSING_RULES
from impactrank.engine.scoring.normalise import NORMALISERS
from impactrank.engine.scoring.scaling import SCALERS
from impactrank.errors import N_, InputError, Word

NOMINAL = "nominal"
"""Normalisation choice meaning "each metric's own normalisation, as the methodology says"."""

INPUT_ORDER = ("weights", "overall_weights", "normalisation", "evidence", "missing", "scaling")
"""Canonical order of the uncertain inputs: sampling and the Sobol design follow it."""


@dataclass(frozen=True)
class MetricWeights:
    """Metric weights within each SDG, renormalised to sum to 100 after perturbation.

    ``uniform``: each weight × U(1 − spread, 1 + spread). ``dirichlet``: the SDG's weights drawn from a
    Dirichlet distribution with mean at the nominal weights and total concentration ``concentration`` × the
    number of metrics (larger = tighter).
    """

    distribution: Literal["uniform", "dirichlet"] = "uniform"
    spread: float = 0.25
    concentration: float = 50.0


@dataclass(frozen=True)
class OverallWeights:
    """The required SDG's weight × U(1 − spread, 1 + spread); the best-k weights share the rest of 100."""

    spread: float = 0.1


@dataclass(frozen=True)
class Choice:
    """A method picked at random among named options (uniformly unless probabilities are given)."""

    options: tuple[str, ...]
    probabilities: tuple[float, ...] | None = None

    def cumulative(self) -> np.ndarray:
        p = (
            np.full(len(self.options), 1.0 / len(self.options))
            if self.probabilities is None
            else np.asarray(self.probabilities, dtype=np.float64)
        )
        c = np.cumsum(p / p.sum())
        c[-1] = 1.0
        return c


@dataclass(frozen=True)
class UncertaintySpec:
    """What varies between runs: each input None unless declared; ``sobol`` asks for a Saltelli design."""

    weights: MetricWeights | None = None
    """The metric weights within each SDG."""
    overall_weights: OverallWeights | None = None
    """The required SDG's weight in the overall score."""
    normalisation: Choice | None = None
    """Among the normalisers (:data:`NOMINAL`: each metric's own)."""
    evidence: Choice | None = None
    """Among the evidence scorers: how a rubric's answers score."""
    missing: Choice | None = None
    """Among the rules for a missing value."""
    scaling: Choice | None = None
    """Among the scalings of an SDG's score."""
    sobol: bool = True

    @property
    def inputs(self) -> list[str]:
        """The declared inputs, in canonical order."""
        return [name for name in INPUT_ORDER if getattr(self, name) is not None]

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sobol": self.sobol}
        for name in self.inputs:
            value = getattr(self, name)
            out[name] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in value.__dict__.items()}
        return out


def check_spec(spec: UncertaintySpec) -> None:
    """Every named method must exist; an InputError names the input (its field) and the method otherwise."""
    registries = {
        "normalisation": NORMALISERS,
        "evidence": EVIDENCE_SCORERS,
        "missing": MISSING_RULES,
        "scaling": SCALERS,
    }
    for name, registry in registries.items():
        choice = getattr(spec, name)
        if choice is None:
            continue
        for option in choice.options:
            if option not in registry and not (name == "normalisation" and option == NOMINAL):
                raise InputError(
                    N_("unknown %(kind)s method %(value)s (known: %(known)s)"),
                    field=name,
                    params={"kind": Word(registry.kind), "value": repr(option), "known": list(registry)},
                )
