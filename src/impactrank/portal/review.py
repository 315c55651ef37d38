"""Evidence review: reviewers assigned to (institution, SDG) pairs, conflicts of interest, assessments with the
methodology's rubric, revision rounds that reopen one metric, and what the export takes as assessed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select

from impactrank.i18n import N_, label
from impactrank.portal import notify
from impactrank.portal.audit import log_change
from impactrank.portal.deadlines import locked
from impactrank.portal.errors import conflict, invalid, not_found
from impactrank.portal.forms import EVIDENCE, FIELDS, MetricForm
from impactrank.portal.models import (
    REVIEWER,
    RUBRIC,
    Assessment,
    Assignment,
    Conflict,
    Cycle,
    Institution,
    Record,
    SdgSubmission,
    User,
)
from impactrank.portal.records import COMPLETE, assessment_view, latest_assessments, metric_form
from impactrank.portal.tenancy import EDIT, Scope

ACCEPTED, REVISION, REJECTED = "accepted", "revision", "rejected"
VERDICTS = (ACCEPTED, REVISION, REJECTED)
ANSWERS = (0.0, 0.5, 1.0)


# why a reviewer may not review an institution: the refusal, worded in the reader's language from the facts …
_REFUSALS = {
    "member": N_("conflict of interest: %(email)s belongs to %(institution)s (an operator may override with a reason)"),
    "institution": N_(
        "conflict of interest: %(email)s declared a conflict with institution %(institution)s "
        "(an operator may override with a reason)"
    ),
    "country": N_(
        "conflict of interest: %(email)s declared a conflict with country %(country)s "
        "(an operator may override with a reason)"
    ),
}
# … and the audit log's value, data in one language whoever reads it
_REASONS = {
    "member": "{email} belongs to {institution}",
    "institution": "{email} declared a conflict with institution {institution}",
    "country": "{email} declared a conflict with country {country}",
}


def conflict_of(
    reviewer: User, institution: Institution, declared: Iterable[tuple[str | None, str | None]]
) -> tuple[str, dict] | None:
    """Why this reviewer may not review this institution, as (kind, facts), or None; ``declared`` is the
    reviewer's declared conflicts as (institution, country) pairs."""
    if reviewer.institution_id == institution.id:
        return "member", {"email": reviewer.email, "institution": institution.id}
    for inst, country in declared:
        if inst is not None and inst == institution.id:
            return "institution", {"email": reviewer.email, "institution": inst}
        if country is not None and country == institution.country:
            return "country", {"email": reviewer.email, "country": country}
    return None


def conflict_reason(
    reviewer: User, institution: Institution, declared: Iterable[tuple[str | None, str | None]]
) -> str | None:
    """The conflict (:func:`conflict_of`) as the audit log keeps it, or None."""
    return _logged(conflict_of(reviewer, institution, declared))


def _logged(found: tuple[str, dict] | None) -> str | None:
    return None if found is None else _REASONS[found[0]].format(**found[1])


def _declared(scope: Scope, reviewer_id: int | None = None) -> dict[int, list[tuple[str | None, str | None]]]:
    """Declared conflicts by reviewer (one reviewer's, or everyone's), in the order they were declared."""
    query = select(Conflict.reviewer_id, Conflict.institution_id, Conflict.country).order_by(Conflict.id)
    if reviewer_id is not None:
        query = query.where(Conflict.reviewer_id == reviewer_id)
    by_reviewer: dict[int, list[tuple[str | None, str | None]]] = {}
    for who, inst, country in scope.session.execute(query):
        by_reviewer.setdefault(who, []).append((inst, country))
    return by_reviewer


def assignment_view(a: Assignment, reviewer_email: str) -> dict:
    return {
        "id": a.id,
        "cycle": a.cycle_id,
        "institution": a.institution_id,
        "sdg": a.sdg,
        "reviewer": reviewer_email,
        "override_reason": a.override_reason,
    }


def _reviewer(scope: Scope, email: str) -> User:
    user = scope.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or user.role != REVIEWER or not user.active:
        raise invalid(N_("%(email)r is not an active reviewer"), "reviewer", email=email)
    return user


def assign(scope: Scope, cycle: Cycle, institution_id: str, sdg: int, email: str, override_reason: str | None) -> dict:
    """The operator assigns by hand; a conflict needs an explicit override, logged with its reason."""
    scope.require_operator()
    inst = scope.institution(institution_id, cycle.id)
    if sdg not in {s.sdg for s in _forms(cycle)}:
        raise not_found(N_("no SDG %(sdg)s in this cycle's methodology"), "sdg", sdg=sdg)
    reviewer = _reviewer(scope, email)
    found = conflict_of(reviewer, inst, _declared(scope, reviewer.id).get(reviewer.id, []))
    reason = _logged(found)
    override = (override_reason or "").strip() or None
    if found and not override:
        raise conflict(_REFUSALS[found[0]], "reviewer", **found[1])
    existing = scope.session.scalar(
        select(Assignment).where(
            Assignment.cycle_id == cycle.id,
            Assignment.institution_id == institution_id,
            Assignment.sdg == sdg,
            Assignment.reviewer_id == reviewer.id,
        )
    )
    if existing is not None:
        raise conflict(
            N_("%(email)s is already assigned to %(institution)s SDG %(sdg)s"),
            "reviewer",
            email=reviewer.email,
            institution=institution_id,
            sdg=sdg,
        )
    a = Assignment(
        cycle_id=cycle.id,
        institution_id=institution_id,
        sdg=sdg,
        reviewer_id=reviewer.id,
        override_reason=override if reason else None,
        created_at=scope.now,
    )
    scope.session.add(a)
    scope.session.flush()
    view = assignment_view(a, reviewer.email)
    log_change(
        scope,
        "assignment.override" if reason else "assignment.add",
        "assignment",
        f"{cycle.id}/{institution_id}/{sdg}#{reviewer.email}",
        after=view | ({"conflict": reason} if reason else {}),
        reason=override if reason else None,
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return view


def _forms(cycle: Cycle):
    from impactrank.portal.records import forms_of

    return forms_of(cycle).values()


def auto_assign(scope: Scope, cycle: Cycle, per_item: int) -> dict:
    """Give each submitted (institution, SDG) pair ``per_item`` reviewers without a conflict, least-loaded first."""
    scope.require_operator()
    if per_item < 1:
        raise invalid(N_("--per-item is at least 1"), "per_item")
    pairs = sorted(
        scope.session.execute(
            select(SdgSubmission.institution_id, SdgSubmission.sdg).where(SdgSubmission.cycle_id == cycle.id)
        ).all()
    )
    # a reviewer invited but not yet signed up (no password) could not review what is given them
    signed_up = (User.role == REVIEWER, User.active.is_(True), User.password_hash.is_not(None))
    reviewers = list(scope.session.scalars(select(User).where(*signed_up).order_by(User.email)))
    if not reviewers:
        raise invalid(N_("there is no active reviewer to assign"), "reviewer")
    current = scope.session.execute(
        select(Assignment.institution_id, Assignment.sdg, Assignment.reviewer_id).where(Assignment.cycle_id == cycle.id)
    ).all()
    taken = {(i, s, r) for i, s, r in current}
    load = {r.id: 0 for r in reviewers}
    for _, _, r in current:
        load[r] = load.get(r, 0) + 1
    institutions = {i.id: i for i in scope.session.scalars(select(Institution))}
    declared = _declared(scope)  # read once, not per pair
    made, short = [], []
    for inst, sdg in pairs:
        have = sum((inst, sdg, r.id) in taken for r in reviewers)
        free = [
            r
            for r in reviewers
            if (inst, sdg, r.id) not in taken and conflict_reason(r, institutions[inst], declared.get(r.id, [])) is None
        ]
        free.sort(key=lambda r: (load[r.id], r.email))
        for r in free[: max(0, per_item - have)]:
            scope.session.add(
                Assignment(cycle_id=cycle.id, institution_id=inst, sdg=sdg, reviewer_id=r.id, created_at=scope.now)
            )
            taken.add((inst, sdg, r.id))
            load[r.id] += 1
            made.append({"institution": inst, "sdg": sdg, "reviewer": r.email})
        if have + len(free) < per_item:
            short.append(f"{inst} SDG {sdg}")
    result = {"assigned": len(made), "pairs": len(pairs), "short": short, "assignments": made}
    log_change(scope, "assignment.auto", "cycle", cycle.id, after=result, cycle_id=cycle.id)
    return result


def declare_conflict(scope: Scope, institution_id: str | None, country: str | None, note: str | None) -> dict:
    scope.require_reviewer()
    if bool(institution_id) == bool(country):
        raise invalid(N_("declare a conflict with one institution or one country"), "institution")
    if institution_id and scope.session.get(Institution, institution_id) is None:
        raise not_found(N_("no institution here"), "institution")
    if country:
        from impactrank.countries import to_alpha2

        code = to_alpha2(country)
        if code is None:
            raise invalid(N_("unknown country %(country)r"), "country", country=country)
        country = code
    c = Conflict(
        reviewer_id=scope.actor.user_id,
        institution_id=institution_id or None,
        country=country or None,
        note=note,
        created_at=scope.now,
    )
    scope.session.add(c)
    scope.session.flush()
    view = {"id": c.id, "institution": c.institution_id, "country": c.country, "note": c.note}
    log_change(scope, "conflict.declare", "conflict", str(c.id), after=view, institution_id=c.institution_id)
    return view


def _answers(form: MetricForm, verdict: str, answers: dict) -> dict:
    given = {f: answers.get(f) for f in RUBRIC}
    if form.kind != EVIDENCE:
        extra = [f for f, v in given.items() if v is not None]
        if extra:
            raise invalid(N_("rubric answers apply only to evidence questions"), extra[0])
        return given
    if verdict == REVISION:
        return given
    for f in FIELDS[EVIDENCE]:
        if given[f] is None:
            raise invalid(N_("assess %(name)s: yes (1), partly (0.5) or no (0)"), f, name=f)
        if given[f] not in ANSWERS:
            raise invalid(N_("%(name)s is yes (1), partly (0.5) or no (0)"), f, name=f)
    return given


def assess(
    scope: Scope,
    cycle: Cycle,
    institution_id: str,
    sdg: int,
    metric: str,
    verdict: str,
    answers: dict,
    note: str | None,
) -> dict:
    form = metric_form(cycle, sdg, metric)
    scope.require_reviewer()
    record = scope.record(cycle.id, institution_id, sdg, metric)
    if record is None:
        raise not_found(N_("no record here"), "metric")
    if cycle.state != "review":
        closed = N_("the review of cycle %(id)s is closed")
        raise locked(
            N_("the review of cycle %(id)s is not open yet") if cycle.state == "open" else closed, "cycle", id=cycle.id
        )
    if sdg not in scope.submissions(cycle.id, institution_id):
        raise conflict(N_("SDG %(sdg)s is not submitted"), "sdg", sdg=sdg)
    if record.reopened:
        raise conflict(N_("the institution has not answered the revision request yet"), "metric")
    if verdict not in VERDICTS:
        raise invalid(N_("verdict is one of %(verdicts)s"), "verdict", verdicts=", ".join(VERDICTS))
    given = _answers(form, verdict, answers)
    note = (note or "").strip() or None
    if verdict in (REVISION, REJECTED) and not note:
        raise invalid(N_("say why in a note"), "note")
    before = latest_assessments(scope.session, [record.id]).get(record.id)
    if verdict == REVISION:
        if record.revision_round >= cycle.review_rounds:
            raise conflict(
                N_("all %(n)s revision rounds have been used for this metric"), "verdict", n=cycle.review_rounds
            )
        record.revision_round += 1
        record.reopened = True
        record.revision_due = scope.now + timedelta(days=cycle.revision_days)
        for to in notify.admins_of(scope.session, institution_id):
            notify.queue(
                scope.session,
                to,
                N_("Revision requested: SDG %(sdg)s · %(label)s (%(cycle)s)"),  # the metric as the form names it
                N_(
                    "A reviewer asks for a revision of SDG %(sdg)s '%(label)s' for %(institution)s by %(day)s (round "
                    "%(round)s of %(rounds)s):\n\n%(note)s\n"
                ),
                scope.now,
                sdg=sdg,
                metric=metric,
                cycle=cycle.id,
                label=label(form.label, notify.language_of(scope.session, to)),
                institution=institution_id,
                day=record.revision_due.date(),
                round=record.revision_round,
                rounds=cycle.review_rounds,
                note=note,
            )
    a = Assessment(
        record_id=record.id,
        institution_id=institution_id,
        reviewer_id=scope.actor.user_id,
        round=record.revision_round,
        verdict=verdict,
        note=note,
        record_version=record.version,
        created_at=scope.now,
        **given,
    )
    scope.session.add(a)
    scope.session.flush()
    view = assessment_view(a)
    log_change(
        scope,
        f"assessment.{verdict}",
        "assessment",
        f"{record.key}#assessment-{a.id}",
        before=assessment_view(before) if before else None,
        after=view,
        reason=note,
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return view


def resubmit(scope: Scope, cycle: Cycle, institution_id: str, sdg: int, metric: str) -> dict:
    """The institution answers a revision request (an admin or a contributor): the metric relocks for the reviewer."""
    metric_form(cycle, sdg, metric)
    scope.institution(institution_id, cycle.id)
    scope.require(EDIT, institution_id)
    record = scope.record(cycle.id, institution_id, sdg, metric)
    if record is None or not record.reopened:
        raise conflict(N_("this metric has no open revision request"), "metric")
    from impactrank.portal.deadlines import require_writable

    require_writable(scope, cycle, institution_id, record)
    if record.state != COMPLETE:
        raise invalid(N_("save the metric as complete before submitting it again"), "metric")
    record.reopened = False
    for email in scope.session.scalars(
        select(User.email)
        .join(Assignment, Assignment.reviewer_id == User.id)
        .where(Assignment.cycle_id == cycle.id, Assignment.institution_id == institution_id, Assignment.sdg == sdg)
    ):
        notify.queue(
            scope.session,
            email,
            N_("Revision answered: %(institution)s SDG %(sdg)s %(metric)s"),
            N_("%(institution)s answered the revision request on SDG %(sdg)s %(metric)s (%(cycle)s).\n"),
            scope.now,
            institution=institution_id,
            sdg=sdg,
            metric=metric,
            cycle=cycle.id,
        )
    log_change(
        scope,
        "record.resubmit",
        "record",
        record.key,
        before={"reopened": True, "round": record.revision_round},
        after={"reopened": False, "round": record.revision_round, "version": record.version},
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return {"resubmitted": record.key, "round": record.revision_round}


def has_review(session, cycle_id: str) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Assignment).where(Assignment.cycle_id == cycle_id)))


def assessed_values(form: MetricForm, record: Record, assessment: Assessment | None) -> dict | None:
    """What the export carries for a record under review, or None while it is unassessed."""
    values = record.values()
    if record.unavailable:
        return dict.fromkeys(values)  # declared as having no data: nothing to assess
    if assessment is None or assessment.verdict == REVISION or record.reopened:
        return None
    if form.kind == EVIDENCE:
        return dict.fromkeys(values) | {f: getattr(assessment, f) for f in RUBRIC}
    return values if assessment.verdict == ACCEPTED else dict.fromkeys(values)


def review_status(record: Record | None, assessment: Assessment | None) -> str:
    if record is None:
        return "missing"
    if record.reopened:
        return "revision requested"
    if record.unavailable:
        return "no data"
    if assessment is None:
        return "unassessed"
    if assessment.verdict == REVISION:
        return "resubmitted"
    return assessment.verdict
