"""Does a published table hold together, and which rule made its overall scores? Consistency of ranks, ties,
bands and countries (:mod:`.consistency`), and the published overall scores against candidate models of
THE's formula, by interval arithmetic (:mod:`.models`, :mod:`.formula`): with the edition's SDG tables (and,
for THE's two-year average, the previous edition) the rule is reproduced to the rounding of the display."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from impactrank.engine.published.audit.consistency import bands, countries, duplicates, ranks_follow_scores, ties
from impactrank.engine.published.audit.formula import evaluate
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_

__all__ = ["AuditReport", "audit_edition"]


@dataclass
class AuditReport:
    edition: str
    year: int
    kind: str
    source: str
    rows: int
    quality: dict[str, int]
    consistency: dict
    formula: dict
    notes: list[str] = field(default_factory=list)
    previous: str | None = None  # the edition whose single-year scores the two-year model averaged in

    def to_dict(self) -> dict:
        return _rounded(dict(self.__dict__))


def _rounded(value):
    """Floats to 4 decimals so the JSON is byte-identical across platforms."""
    if isinstance(value, float):
        return None if np.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, np.generic):
        return _rounded(value.item())
    return value


def audit_edition(edition: Edition, previous: Edition | None = None) -> AuditReport:
    """``previous``: last year's edition, for THE's two-year average (its single-year scores)."""
    overall = edition.overall.join(
        edition.institutions.select("institution_id", "name", "country"), on="institution_id", how="left"
    ).with_row_index("row", offset=1)
    quality = (
        overall.select(pl.col("quality").fill_null("ok").str.split(";"))
        .explode("quality")["quality"]
        .value_counts()
        .sort(["count", "quality"], descending=[True, False])
    )
    starts = overall["rank_low"].drop_nulls()
    complete = starts.len() == 0 or int(starts.max()) <= overall.height
    notes = [  # catalog entries: the report words them in the reader's language
        N_(
            "A displayed score x stands for [x − 0.05, x + 0.05] and a published range for its ends ±0.05; a model "
            "explains a row when its interval of overall scores meets the published one."
        ),
        N_(
            "Models named sdg_tables… rescale each SDG over its SDG table (every submitter); the others see only "
            "the SDG scores the overall table shows (each institution's top three and SDG 17)."
        ),
        N_(
            "Rows whose SDG columns were scattered by a scraper (misaligned_columns) are left out of the "
            "formula check and of the SDG populations."
        ),
    ]
    if not edition.sdg_table_sizes():
        notes.append(N_("The edition has no SDG tables: THE's rule cannot be reproduced, only approximated."))
    if not complete:
        notes.append(
            N_(
                "The table is a subset of the edition (its bands start beyond its row count): band sizes "
                "and competition ranks cannot be checked, and scaling models see only the subset's scores."
            )
        )
    return AuditReport(
        edition=edition.id,
        year=edition.year,
        kind=edition.kind,
        source=edition.source,
        rows=overall.height,
        quality=dict(quality.iter_rows()),
        consistency={
            "complete_table": complete,
            "ranks_follow_scores": ranks_follow_scores(overall, complete),
            "ties": ties(overall, complete),
            "bands": bands(overall, complete),
            "countries": countries(overall),
            "duplicates": duplicates(overall),
        },
        formula=evaluate(edition, overall, previous),
        notes=notes,
        previous=previous.id if previous is not None else None,
    )
