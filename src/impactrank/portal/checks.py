"""Checks on a record: hard errors come from the build's own validation (one implementation); warnings are the
portal's own and may be acknowledged."""

from __future__ import annotations

import math

import polars as pl

from impactrank.errors import InputError
from impactrank.i18n import N_
from impactrank.io.inputs import validate_submissions
from impactrank.io.tables import UserTable
from impactrank.methodology.schema import Methodology
from impactrank.portal.errors import invalid
from impactrank.portal.forms import EVIDENCE, RATE, MetricForm
from impactrank.portal.models import VALUE_FIELDS

TENFOLD = 10.0
_SHARES = ("proportion", "percentage", "share")


def check_values(methodology: Methodology, institution_id: str, sdg: int, metric: str, values: dict) -> None:
    """Raise 422 naming the field for anything ``impactrank build`` would refuse."""
    for field, v in values.items():
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v)):
            raise invalid(N_("%(value)r is not a finite number"), field, value=v)
    frame = pl.DataFrame(
        {"institution_id": [institution_id], "sdg": [str(sdg)], "metric": [metric]}
        | {f: pl.Series([values.get(f)], dtype=pl.Float64) for f in VALUE_FIELDS}
    )
    table = UserTable(f"SDG {sdg} {metric}", frame, pl.Series([1]))
    try:
        validate_submissions(table, methodology, pl.DataFrame({"institution_id": [institution_id]}))
    except InputError as exc:
        raise invalid(exc.template, exc.field, **(exc.params or {})) from None


def check_complete(form: MetricForm, values: dict, unavailable: bool) -> None:
    """A complete record has every field its kind needs, or is declared as having no data (and then none)."""
    filled = [f for f in VALUE_FIELDS if values.get(f) is not None]
    if unavailable:
        if filled:
            raise invalid(N_("a metric declared as having no data takes no values"), filled[0])
        return
    for field in form.fields:
        if values.get(field) is None:
            raise invalid(
                N_("%(name)s is required to mark this metric complete (or declare it as having no data)"),
                field,
                name=field,
            )


def raw_value(form: MetricForm, values: dict) -> float | None:
    if form.kind == RATE:
        num, den = values.get("numerator"), values.get("denominator")
        return None if num is None or not den else num / den
    if form.kind == EVIDENCE:
        return None
    return values.get("value")


def _warning(code: str, field: str, message: str, **params) -> dict:
    """A warning as the API sends it (English), with its message and values for a page in another language."""
    return {
        "code": code,
        "field": field,
        "message": message % params if params else message,
        "_text": (message, params),
    }


def is_share(form: MetricForm) -> bool:
    """A metric the methodology names as a part of a whole ("Proportion of energy used from low-carbon sources",
    "Percentage of …", "Share of …"): its rate cannot pass 1, its number not 100."""
    return form.label.casefold().startswith(_SHARES)


def warnings(form: MetricForm, values: dict, previous: float | None, evidence_items: list) -> list[dict]:
    """Plausibility warnings: a person confirms them; they never block a save."""
    found = []
    now = raw_value(form, values)
    if now is not None and is_share(form) and now > (1 if form.kind == RATE else 100):
        if form.kind == RATE:
            message = N_(
                "the numerator %(numerator)s is larger than the denominator %(denominator)s: a share above 100%%"
            )
            parts = {k: f"{values[k]:g}" for k in ("numerator", "denominator")}
            found.append(_warning("share_above_whole", "numerator", message, **parts))
        else:
            found.append(_warning("share_above_whole", "value", N_("%(now)s is above 100 for a share"), now=f"{now:g}"))
    if previous is not None and now is not None and previous > 0:
        ratio = now / previous
        if ratio >= TENFOLD or ratio <= 1 / TENFOLD:
            message = N_("%(now)s is %(ratio)s × last cycle's %(previous)s")
            numbers = {"now": f"{now:g}", "ratio": f"{ratio:.3g}", "previous": f"{previous:g}"}
            found.append(_warning("tenfold", form.fields[0], message, **numbers))
    if form.kind == EVIDENCE:
        if (values.get("evidence") or 0) > 0 and not evidence_items:
            found.append(_warning("no_evidence", "evidence", N_("evidence is claimed but no item is attached")))
        if (values.get("public") or 0) > 0 and evidence_items and not any(e.public for e in evidence_items):
            found.append(_warning("not_public", "public", N_("public is claimed but no item is marked public")))
    return found
