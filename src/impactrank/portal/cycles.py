"""Collection cycles: opened with a methodology and a close date, closed by an operator."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import select

from impactrank.errors import InputError
from impactrank.i18n import N_
from impactrank.methodology.load import EDITIONS, bundled_ids, parse_methodology
from impactrank.portal.audit import log_change
from impactrank.portal.errors import PortalError, conflict, invalid
from impactrank.portal.models import Cycle, api_dict
from impactrank.portal.tenancy import Scope

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
OPEN, REVIEW, PUBLISHED = "open", "review", "published"
STEPS = {  # the logged action → (the state it leaves, the state it enters, why it is refused from any other)
    "cycle.close": (OPEN, REVIEW, "cycle {cycle} is already closed ({state})"),
    "cycle.publish": (REVIEW, PUBLISHED, "cycle {cycle} is {state}, not under review"),
}


def cycle_view(c: Cycle) -> dict:
    return api_dict(c, "id methodology:methodology_id opened_at closes_at state review_rounds revision_days")


def parse_close(text: str, field: str = "closes") -> datetime:
    """A date means the end of that day (UTC); a date and time is taken as given (UTC)."""
    text = (text or "").strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59))
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise invalid(N_("%(text)r is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"), field, text=text) from None


def methodology_text(ref: str) -> tuple[str, str]:
    """(methodology id, YAML text) of a bundled edition or a file; the text is kept with the cycle."""
    if ref in bundled_ids():
        text = (EDITIONS / f"{ref}.yaml").read_text(encoding="utf-8")
    else:
        path = Path(ref)
        if not path.is_file():
            raise InputError(
                N_("no methodology file or bundled edition named %(name)r (bundled: %(known)s)"),
                field="methodology",
                params={"name": ref, "known": ", ".join(bundled_ids())},
            )
        text = path.read_text(encoding="utf-8")
    return parse_methodology(text, Path(ref).name).id, text


SETTING_LIMITS = {"grace_hours": 24 * 31, "review_rounds": 10, "revision_days": 365}


def open_cycle(
    scope: Scope,
    cycle_id: str,
    methodology: str,
    closes: str,
    *,
    grace_hours: int = 0,
    review_rounds: int = 2,
    revision_days: int = 14,
) -> Cycle:
    scope.require_operator()
    settings = {"grace_hours": grace_hours, "review_rounds": review_rounds, "revision_days": revision_days}
    for name, value in settings.items():
        if not 0 <= value <= SETTING_LIMITS[name]:
            raise invalid(
                N_("%(setting)s must be between 0 and %(limit)s"), name, setting=name, limit=SETTING_LIMITS[name]
            )
    if not _ID.match(cycle_id or ""):
        raise invalid(N_("a cycle id is 1–64 letters, digits, '.', '_' or '-'"), "id")
    closes_at = parse_close(closes)
    if closes_at <= scope.now:
        raise invalid(N_("the close date %(when)s is already past"), "closes", when=f"{closes_at:%Y-%m-%d %H:%M}")
    if scope.session.get(Cycle, cycle_id) is not None:
        raise conflict(N_("cycle %(cycle)r already exists"), "id", cycle=cycle_id)
    method_id, text = methodology_text(methodology)
    cycle = Cycle(
        id=cycle_id,
        methodology_id=method_id,
        methodology_yaml=text,
        methodology_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        opened_at=scope.now,
        closes_at=closes_at,
        state=OPEN,
        **settings,
    )
    scope.session.add(cycle)
    log_change(scope, "cycle.open", "cycle", cycle_id, after=cycle_view(cycle), cycle_id=cycle_id)
    return cycle


def cycles(scope: Scope) -> list[Cycle]:
    return list(scope.session.scalars(select(Cycle).order_by(Cycle.opened_at.desc(), Cycle.id)))


def close_cycle(scope: Scope, cycle_id: str) -> Cycle:
    """Submissions end; the review (if any) begins. Closed before its date, the cycle's close date becomes now:
    every page, message and export then gives the date it really closed."""
    return _step(scope, cycle_id, "cycle.close")


def close_review(scope: Scope, cycle_id: str) -> Cycle:
    """The review ends and the cycle is frozen: it is published, and changes are corrections from now on."""
    return _step(scope, cycle_id, "cycle.publish")


def _step(scope: Scope, cycle_id: str, action: str) -> Cycle:
    """An operator moves a cycle one state on (open → review → published), never back; each move is logged."""
    scope.require_operator()
    cycle = scope.cycle(cycle_id)
    start, end, refusal = STEPS[action]
    if cycle.state != start:
        raise conflict(refusal.format(cycle=cycle_id, state=cycle.state), "id")
    before = cycle_view(cycle)
    cycle.state = end
    if action == "cycle.close":
        cycle.closes_at = min(cycle.closes_at, scope.now)
    log_change(scope, action, "cycle", cycle_id, before=before, after=cycle_view(cycle), cycle_id=cycle_id)
    return cycle


def extend(scope: Scope, cycle_id: str, institution_id: str, until: str, reason: str) -> dict:
    """One institution's later deadline; logged with its reason, and the institution's admins are told."""
    from impactrank.portal import notify
    from impactrank.portal.models import Extension

    scope.require_operator()
    cycle = scope.cycle(cycle_id)
    scope.institution(institution_id, cycle.id)
    if cycle.state == PUBLISHED:
        raise PortalError(N_("cycle %(cycle)s is published"), field="id", status=409, params={"cycle": cycle_id})
    reason = (reason or "").strip()
    if not reason:
        raise invalid(N_("an extension needs a reason"), "reason")
    when = parse_close(until, "until")
    if when <= scope.now:
        raise invalid(N_("%(when)s is already past"), "until", when=f"{when:%Y-%m-%d %H:%M}")
    ext = scope.session.scalar(
        select(Extension).where(Extension.cycle_id == cycle_id, Extension.institution_id == institution_id)
    )
    before = {"until": ext.until.isoformat()} if ext else {"until": cycle.closes_at.isoformat()}
    if ext is None:
        ext = Extension(cycle_id=cycle_id, institution_id=institution_id, until=when)
        scope.session.add(ext)
    else:
        ext.until = when
    for to in notify.admins_of(scope.session, institution_id):
        notify.queue(
            scope.session,
            to,
            N_("Deadline extended: %(cycle)s"),
            N_("%(institution)s may enter data for cycle %(cycle)s until %(when)s UTC.\n"),
            scope.now,
            cycle=cycle_id,
            institution=institution_id,
            when=when,
        )
    after = {"until": when.isoformat()}
    log_change(
        scope,
        "deadline.extend",
        "deadline",
        f"{cycle_id}/{institution_id}",
        before=before,
        after=after,
        reason=reason,
        cycle_id=cycle_id,
        institution_id=institution_id,
    )
    return {"cycle": cycle_id, "institution": institution_id} | after
