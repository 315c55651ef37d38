"""Checks that a methodology names only methods the engine knows."""

from __future__ import annotations

from impactrank.engine.scoring.missing import MISSING_RULES
from impactrank.engine.scoring.normalise import NORMALISERS
from impactrank.engine.scoring.scaling import SCALERS
from impactrank.engine.tables.ranking import TIE_RULES
from impactrank.errors import N_, InputError, Word
from impactrank.methodology.schema import Methodology


def check_methodology(methodology: Methodology, name: str = "<methodology>") -> None:
    checks = [
        ("default_normalisation", methodology.default_normalisation, NORMALISERS),
        ("missing_rule", methodology.missing_rule, MISSING_RULES),
        ("ranking.tie_rule", methodology.ranking.tie_rule, TIE_RULES),
        ("overall.scaling.method", methodology.overall.scaling.method, SCALERS),
    ]
    for sdg in methodology.sdgs:
        for metric in sdg.metrics:
            if metric.normalisation is not None:
                checks.append((f"sdgs.SDG {sdg.sdg}.{metric.id}.normalisation", metric.normalisation, NORMALISERS))
    for field, value, registry in checks:
        if value not in registry:
            raise InputError(
                N_("unknown %(kind)s method %(value)s (known: %(known)s)"),
                file=name,
                field=field,
                params={"kind": Word(registry.kind), "value": repr(value), "known": list(registry)},
            )
