"""Checks on a record: hard errors come from the build's own validation (one implementation); warnings are the
portal's own and may be acknowledged."""

from __future__ import annotations

import math

import polars as pl

from impactrank.errors import InputError
from impactrank.io.inputs import validate_submissions
from impactrank.io.tables import UserTable
from impactrank.methodology.schema import Methodology
from impactrank.portal.errors import invalid
from impactrank.portal.forms import EVIDENCE, RATE, MetricForm
from impactrank.portal.models import VALUE_FIELDS

TENFOLD = 10.0


def check_values(methodology: Methodology, institution_id: str, sdg: int, metric: str, values: dict) -> None:
    """Raise 422 naming the field for anything ``impactrank build`` would refuse."""
    for field, v in values.items():
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v)):
            raise invalid(f"{v!r} is not a finite number", field)
    frame = pl.DataFrame(
        {"institution_id": [institution_id], "sdg": [str(sdg)], "metric": [metric]}
        | {f: pl.Series([values.get(f)], dtype=pl.Float64) for f in VALUE_FIELDS}
    )
    table = UserTable(f"SDG {sdg} {metric}", frame, pl.Series([1]))
    try:
        validate_submissions(table, methodology, pl.DataFrame({"institution_id": [institution_id]}))
    except InputError as exc:
        raise invalid(exc.message, exc.field) from None


def check_complete(form: MetricForm, values: dict, unavailable: bool) -> None:
    """A complete record has every field its kind needs, or is declared as having no data (and then none)."""
    filled = [f for f in VALUE_FIELDS if values.get(f) is not None]
    if unavailable:
        if filled:
            raise invalid("a metric declared as having no data takes no values", filled[0])
        return
    for field in form.fields:
        if values.get(field) is None:
            raise invalid(f"{field} is required to mark this metric complete (or declare it as having no data)", field)


def raw_value(form: MetricForm, values: dict) -> float | None:
    if form.kind == RATE:
        num, den = values.get("numerator"), values.get("denominator")
        return None if num is None or not den else num / den
    if form.kind == EVIDENCE:
        return None
    return values.get("value")


def warnings(form: MetricForm, values: dict, previous: float | None, evidence_items: list) -> list[dict]:
    """Plausibility warnings: a person confirms them; they never block a save."""
    found = []
    now = raw_value(form, values)
    if previous is not None and now is not None and previous > 0:
        ratio = now / previous
        if ratio >= TENFOLD or ratio <= 1 / TENFOLD:
            found.append(
                {
                    "code": "tenfold",
                    "field": form.fields[0],
                    "message": f"{now:g} is {ratio:.3g} × last cycle's {previous:g}",
                }
            )
    if form.kind == EVIDENCE:
        if (values.get("evidence") or 0) > 0 and not evidence_items:
            found.append(
                {"code": "no_evidence", "field": "evidence", "message": "evidence is claimed but no item is attached"}
            )
        if (values.get("public") or 0) > 0 and evidence_items and not any(e.public for e in evidence_items):
            found.append(
                {"code": "not_public", "field": "public", "message": "public is claimed but no item is marked public"}
            )
    return found
