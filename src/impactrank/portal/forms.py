"""Forms generated from a cycle's methodology: each SDG's metrics with their definitions, units and kinds."""

from __future__ import annotations

from dataclasses import dataclass

from impactrank.methodology.load import parse_methodology
from impactrank.methodology.schema import Methodology

NUMBER, RATE, EVIDENCE = "number", "rate", "evidence"
FIELDS = {NUMBER: ("value",), RATE: ("numerator", "denominator"), EVIDENCE: ("exists", "evidence", "public", "recent")}
RUBRIC_CHOICES = ((1.0, "yes"), (0.5, "partly"), (0.0, "no"))
RUBRIC_QUESTIONS = {
    "exists": "Does the policy or practice exist?",
    "evidence": "Is evidence provided?",
    "public": "Is it public?",
    "recent": "Is it recent?",
}


AS_DECLARED = ("label", "pillar", "weight", "direction", "denominator", "confirmed", "source")
"""The fields a metric's form shows as the methodology declares them."""


@dataclass(frozen=True)
class MetricForm:
    sdg: int
    metric: str
    label: str
    kind: str  # number | rate | evidence: what the institution enters
    methodology_kind: str  # continuous | bibliometric | evidence
    pillar: str
    weight: float
    direction: str
    denominator: str | None
    rubric: dict[str, float] | None
    confirmed: bool
    source: str

    @property
    def fields(self) -> tuple[str, ...]:
        return FIELDS[self.kind]


@dataclass(frozen=True)
class SdgForm:
    sdg: int
    label: str
    metrics: tuple[MetricForm, ...]

    def metric(self, metric_id: str) -> MetricForm | None:
        return next((m for m in self.metrics if m.metric == metric_id), None)


_PARSED: dict[str, tuple[Methodology, dict]] = {}


def cycle_rules(sha256: str, load_text) -> tuple[Methodology, dict[int, SdgForm]]:
    """A cycle's methodology and forms, parsed once per process; ``load_text`` fetches the YAML on a miss."""
    if sha256 not in _PARSED:
        methodology = parse_methodology(load_text(), "cycle methodology")
        _PARSED[sha256] = (methodology, sdg_forms(methodology))
    return _PARSED[sha256]


def sdg_forms(methodology: Methodology) -> dict[int, SdgForm]:
    forms = {}
    for sdg in methodology.sdgs:
        metrics = []
        for m in sdg.metrics:
            kind = EVIDENCE if m.kind == "evidence" else RATE if m.denominator else NUMBER
            rubric = None
            if m.kind == "evidence":
                points = m.rubric.model_dump() if m.rubric else dict.fromkeys(FIELDS[EVIDENCE], 1.0)
                rubric = {f: float(points[f]) for f in FIELDS[EVIDENCE]}
            as_declared = {f: getattr(m, f) for f in AS_DECLARED}
            metrics.append(
                MetricForm(sdg=sdg.sdg, metric=m.id, kind=kind, methodology_kind=m.kind, rubric=rubric, **as_declared)
            )
        forms[sdg.sdg] = SdgForm(sdg.sdg, sdg.label, tuple(metrics))
    return forms


def eligibility(methodology: Methodology, submitted: set[int]) -> dict:
    """What the methodology asks for the overall table, and what is still missing."""
    rules = methodology.overall
    others = sorted(s for s in submitted if s != rules.required_sdg)
    blocks = []
    if rules.required_sdg not in submitted:
        blocks.append(f"SDG {rules.required_sdg} is not submitted")
    if len(others) < rules.min_other_sdgs:
        short = rules.min_other_sdgs - len(others)
        blocks.append(f"{short} more SDG{'s' if short > 1 else ''} besides SDG {rules.required_sdg} needed")
    return {
        "required_sdg": rules.required_sdg,
        "min_other_sdgs": rules.min_other_sdgs,
        "submitted": sorted(submitted),
        "other_sdgs": others,
        "eligible": not blocks,
        "blocks": blocks,
    }
