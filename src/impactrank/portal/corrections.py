"""Corrections after publication: a request keeps the published value beside the new one; an operator decides,
with a reason; an approved correction is what the next export carries, and its manifest names it."""

from __future__ import annotations

from sqlalchemy import select

from impactrank.i18n import N_
from impactrank.portal import notify
from impactrank.portal.audit import log_change
from impactrank.portal.errors import conflict, forbidden, invalid, not_found
from impactrank.portal.export import approved_corrections, correction_view, exported_values
from impactrank.portal.models import ADMIN, VALUE_FIELDS, Correction, Cycle, User
from impactrank.portal.records import check_save, latest_assessments, metric_form
from impactrank.portal.review import has_review
from impactrank.portal.tenancy import Scope


def request_correction(
    scope: Scope, cycle: Cycle, institution_id: str, sdg: int, metric: str, values: dict, reason: str
) -> dict:
    form = metric_form(cycle, sdg, metric)
    scope.institution(institution_id, cycle.id)
    if not (scope.is_operator or (scope.actor.role == ADMIN and scope.actor.institution_id == institution_id)):
        raise forbidden(N_("only the institution's admin or an operator may ask for a correction"))
    if cycle.state != "published":
        raise conflict(N_("corrections are for published cycles: until then, edit the record"), "cycle")
    reason = (reason or "").strip()
    if not reason:
        raise invalid(N_("a correction needs a reason"), "reason")
    if sdg not in scope.submissions(cycle.id, institution_id):
        raise conflict(N_("SDG %(sdg)s was not submitted"), "sdg", sdg=sdg)
    check_save(cycle, institution_id, sdg, metric, values)
    after = {f: values.get(f) for f in VALUE_FIELDS}
    record = scope.record(cycle.id, institution_id, sdg, metric)
    assessment = latest_assessments(scope.session, [record.id]).get(record.id) if record else None
    previous = approved_corrections(scope.session, cycle.id).get((institution_id, sdg, metric))
    before = exported_values(form, record, has_review(scope.session, cycle.id), assessment, previous)
    c = Correction(
        cycle_id=cycle.id,
        institution_id=institution_id,
        sdg=sdg,
        metric=metric,
        before=before,
        after=after,
        reason=reason,
        requested_by=scope.actor.user_id,
        requested_at=scope.now,
        state="pending",
    )
    scope.session.add(c)
    scope.session.flush()
    for to in notify.operators(scope.session):
        notify.queue(
            scope.session,
            to,
            N_("Correction requested: %(institution)s SDG %(sdg)s %(metric)s"),
            N_("%(who)s asks to correct SDG %(sdg)s %(metric)s of %(institution)s in cycle %(cycle)s:\n%(reason)s\n"),
            scope.now,
            who=scope.actor.email,
            institution=institution_id,
            sdg=sdg,
            metric=metric,
            cycle=cycle.id,
            reason=reason,
        )
    view = correction_view(c)
    log_change(
        scope,
        "correction.request",
        "correction",
        f"{cycle.id}/{institution_id}/{sdg}/{metric}#correction-{c.id}",
        before=before,
        after=view,
        reason=reason,
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return view


def decide_correction(scope: Scope, correction_id: int, approve: bool, reason: str) -> dict:
    scope.require_operator()
    c = scope.session.get(Correction, correction_id)
    if c is None:
        raise not_found(N_("no correction here"), "correction")
    if c.state != "pending":
        raise conflict(N_("this correction is already %(state)s"), "correction", state=c.state)
    reason = (reason or "").strip()
    if not reason:
        raise invalid(N_("say why the correction is approved or rejected"), "reason")
    before = correction_view(c)
    c.state = "approved" if approve else "rejected"
    c.decided_by, c.decided_at, c.decision_reason = scope.actor.user_id, scope.now, reason
    requester = scope.session.get(User, c.requested_by) if c.requested_by else None
    if requester is not None:
        notify.queue(
            scope.session,
            requester.email,
            N_("Correction approved: %(institution)s SDG %(sdg)s %(metric)s")
            if approve
            else N_("Correction rejected: %(institution)s SDG %(sdg)s %(metric)s"),
            N_("Your correction of SDG %(sdg)s %(metric)s (%(cycle)s) was approved: %(reason)s\n")
            if approve
            else N_("Your correction of SDG %(sdg)s %(metric)s (%(cycle)s) was rejected: %(reason)s\n"),
            scope.now,
            institution=c.institution_id,
            sdg=c.sdg,
            metric=c.metric,
            cycle=c.cycle_id,
            reason=reason,
        )
    log_change(
        scope,
        f"correction.{'approve' if approve else 'reject'}",
        "correction",
        f"{c.cycle_id}/{c.institution_id}/{c.sdg}/{c.metric}#correction-{c.id}",
        before=before,
        after=correction_view(c),
        reason=reason,
        cycle_id=c.cycle_id,
        institution_id=c.institution_id,
    )
    return correction_view(c)


def corrections(scope: Scope, cycle_id: str) -> list[dict]:
    rows = scope.session.scalars(
        select(Correction)
        .where(Correction.cycle_id == cycle_id, scope.visible(Correction.institution_id, Correction.cycle_id))
        .order_by(Correction.id)
    )
    return [correction_view(c) for c in rows]
