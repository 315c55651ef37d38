"""Collection cycles: opened with a methodology and a close date, closed by an operator."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import select

from impactrank.errors import InputError
from impactrank.methodology.load import EDITIONS, bundled_ids, parse_methodology
from impactrank.portal.audit import record_change
from impactrank.portal.errors import PortalError, conflict, invalid
from impactrank.portal.models import Cycle
from impactrank.portal.tenancy import Scope

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
OPEN, REVIEW, PUBLISHED = "open", "review", "published"


def cycle_view(c: Cycle) -> dict:
    return {
        "id": c.id,
        "methodology": c.methodology_id,
        "opened_at": c.opened_at.isoformat(),
        "closes_at": c.closes_at.isoformat(),
        "state": c.state,
    }


def parse_close(text: str) -> datetime:
    """A date means the end of that day (UTC); a date and time is taken as given (UTC)."""
    text = (text or "").strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59))
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise invalid(f"{text!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)", "closes") from None


def methodology_text(ref: str) -> tuple[str, str]:
    """(methodology id, YAML text) of a bundled edition or a file; the text is kept with the cycle."""
    if ref in bundled_ids():
        text = (EDITIONS / f"{ref}.yaml").read_text(encoding="utf-8")
    else:
        path = Path(ref)
        if not path.is_file():
            raise InputError(
                f"no methodology file or bundled edition named {ref!r} (bundled: {', '.join(bundled_ids())})",
                field="methodology",
            )
        text = path.read_text(encoding="utf-8")
    return parse_methodology(text, Path(ref).name).id, text


def open_cycle(scope: Scope, cycle_id: str, methodology: str, closes: str) -> Cycle:
    scope.require_operator()
    if not _ID.match(cycle_id or ""):
        raise invalid("a cycle id is 1–64 letters, digits, '.', '_' or '-'", "id")
    closes_at = parse_close(closes)
    if closes_at <= scope.now:
        raise invalid(f"the close date {closes_at:%Y-%m-%d %H:%M} is already past", "closes")
    if scope.session.get(Cycle, cycle_id) is not None:
        raise conflict(f"cycle {cycle_id!r} already exists", "id")
    method_id, text = methodology_text(methodology)
    cycle = Cycle(
        id=cycle_id,
        methodology_id=method_id,
        methodology_yaml=text,
        opened_at=scope.now,
        closes_at=closes_at,
        state=OPEN,
    )
    scope.session.add(cycle)
    record_change(
        scope.session,
        scope.actor,
        scope.now,
        "cycle.open",
        "cycle",
        cycle_id,
        after=cycle_view(cycle),
        cycle_id=cycle_id,
    )
    return cycle


def close_cycle(scope: Scope, cycle_id: str) -> Cycle:
    """Submissions end; the review (if any) begins."""
    scope.require_operator()
    cycle = scope.cycle(cycle_id)
    if cycle.state != OPEN:
        raise PortalError(f"cycle {cycle_id} is already closed ({cycle.state})", field="id", status=409)
    before = cycle_view(cycle)
    cycle.state = REVIEW
    record_change(
        scope.session,
        scope.actor,
        scope.now,
        "cycle.close",
        "cycle",
        cycle_id,
        before=before,
        after=cycle_view(cycle),
        cycle_id=cycle_id,
    )
    return cycle


def cycles(scope: Scope) -> list[Cycle]:
    return list(scope.session.scalars(select(Cycle).order_by(Cycle.opened_at.desc(), Cycle.id)))
