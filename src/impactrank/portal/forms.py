"""Forms generated from a cycle's methodology: each SDG's metrics with their definitions, units and kinds."""

from __future__ import annotations

from dataclasses import dataclass

from impactrank.i18n import N_
from impactrank.methodology.load import parse_methodology
from impactrank.methodology.schema import Methodology

NUMBER, RATE, EVIDENCE = "number", "rate", "evidence"
FIELDS = {NUMBER: ("value",), RATE: ("numerator", "denominator"), EVIDENCE: ("exists", "evidence", "public", "recent")}
RUBRIC_CHOICES = ((1.0, N_("yes")), (0.5, N_("partly")), (0.0, N_("no")))
RUBRIC_QUESTIONS = {
    "exists": N_("Does the policy or practice exist?"),
    "evidence": N_("Is evidence provided?"),
    "public": N_("Is it public?"),
    "recent": N_("Is it recent?"),
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
    blocks = []  # (message, its values): English in the API, the reader's language on the page
    if rules.required_sdg not in submitted:
        blocks.append((N_("SDG %(sdg)s is not submitted"), {"sdg": rules.required_sdg}))
    if len(others) < rules.min_other_sdgs:
        short = rules.min_other_sdgs - len(others)
        more = (
            N_("%(n)s more SDGs besides SDG %(sdg)s needed")
            if short > 1
            else N_("1 more SDG besides SDG %(sdg)s needed")
        )
        blocks.append((more, {"n": short, "sdg": rules.required_sdg}))
    return {
        "required_sdg": rules.required_sdg,
        "min_other_sdgs": rules.min_other_sdgs,
        "submitted": sorted(submitted),
        "other_sdgs": others,
        "eligible": not blocks,
        "blocks": [message % values for message, values in blocks],
        "_blocks": blocks,
    }
