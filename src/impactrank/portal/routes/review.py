"""The reviewer's side: the review queue, assessments, conflicts they declare; the institution's answer to a
revision request; and each record's history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import FastAPI, Request
from pydantic import Field
from sqlalchemy import select

from impactrank.i18n import N_, gettext, label, sdg_label
from impactrank.portal import records, review
from impactrank.portal.bodies import Body
from impactrank.portal.cycles import cycle_view
from impactrank.portal.errors import forbidden
from impactrank.portal.history import record_history
from impactrank.portal.http import Portal, actions, language
from impactrank.portal.institutions import institution_view
from impactrank.portal.models import Assessment, Assignment, Conflict, Institution, Record, SdgSubmission, User
from impactrank.portal.params import RECORD, IdPath, MetricPath, SdgPath

Answer = Annotated[float | None, Field(None, ge=0, le=1, allow_inf_nan=False)]


class AssessIn(Body):
    """accepted / revision (reopens the metric for the institution) / rejected; evidence questions take the four
    rubric answers the methodology scores (1 yes, 0.5 partly, 0 no)."""

    verdict: Literal["accepted", "revision", "rejected"]
    exists: Answer = None
    evidence: Answer = None
    public: Answer = None
    recent: Answer = None
    note: str | None = Field(None, max_length=5000)


class ConflictIn(Body):
    institution: str | None = Field(None, max_length=64)
    country: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=1000)


def register(app: FastAPI, portal: Portal) -> None:
    pages, act = portal.pages, actions(app)

    @pages.page("/cycles/{cycle}/review", "review_queue.html", summary="The review queue (a reviewer's own, or all)")
    def queue(request: Request, cycle: IdPath) -> dict:
        with portal.page_scope(request) as scope:
            c = scope.cycle(cycle)
            if scope.actor.role not in ("reviewer", "operator"):
                raise forbidden(N_("the review queue is for reviewers and operators"))
            query = (
                select(Assignment, User.email)
                .join(User, User.id == Assignment.reviewer_id)
                .where(
                    Assignment.cycle_id == c.id,
                    scope.visible_pair(Assignment.cycle_id, Assignment.institution_id, Assignment.sdg),
                )
                .order_by(Assignment.institution_id, Assignment.sdg, User.email)
            )
            if scope.actor.role == "reviewer":
                query = query.where(Assignment.reviewer_id == scope.actor.user_id)
            assigned = scope.session.execute(query).all()
            pairs = {(a.institution_id, a.sdg) for a, _ in assigned}
            recs_of: dict[tuple[str, int], dict[str, Record]] = {pair: {} for pair in pairs}
            latest: dict[int, Assessment] = {}
            if pairs:  # the assigned pairs' records and their latest assessments in two queries, not two a row
                among = (
                    Record.cycle_id == c.id,
                    Record.institution_id.in_({i for i, _ in pairs}),
                    Record.sdg.in_({k for _, k in pairs}),
                )
                for r in scope.session.scalars(select(Record).where(*among)):
                    if (r.institution_id, r.sdg) in recs_of:
                        recs_of[(r.institution_id, r.sdg)][r.metric] = r
                assessed = select(Assessment).join(Record, Record.id == Assessment.record_id).where(*among)
                latest = {x.record_id: x for x in scope.session.scalars(assessed.order_by(Assessment.id))}
            submitted_pairs = {
                (i, k)
                for i, k in scope.session.execute(
                    select(SdgSubmission.institution_id, SdgSubmission.sdg).where(SdgSubmission.cycle_id == c.id)
                )
            }
            ids = {a.institution_id for a, _ in assigned}
            names = dict(
                scope.session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids))).all()
            )
            items = []
            for a, email in assigned:
                form = records.sdg_form(c, a.sdg)
                recs = recs_of[(a.institution_id, a.sdg)]
                submitted = (a.institution_id, a.sdg) in submitted_pairs
                statuses = [
                    review.review_status(
                        recs.get(m.metric), latest.get(recs[m.metric].id) if m.metric in recs else None
                    )
                    for m in form.metrics
                ]
                items.append(
                    review.assignment_view(a, email)
                    | {
                        "institution_name": names.get(a.institution_id),
                        "submitted": submitted,
                        "metrics": [
                            {"metric": m.metric, "label": m.label, "status": st}
                            for m, st in zip(form.metrics, statuses, strict=True)
                        ],
                        "to_assess": sum(st in ("unassessed", "resubmitted") for st in statuses) if submitted else 0,
                    }
                )
            return {
                "title": gettext("Review queue — %(cycle)s", language(request)) % {"cycle": c.id},
                "cycle": cycle_view(c),
                "assignments": items,
            }

    @act(RECORD + "/assessment", AssessIn, summary="Assess a record (an assigned reviewer, while the review is open)")
    def assess(
        request: Request, body: AssessIn, files, cycle: IdPath, institution: IdPath, sdg: SdgPath, metric: MetricPath
    ) -> dict:
        with portal.scope(request, write=True) as scope:
            answers = body.model_dump(include={"exists", "evidence", "public", "recent"})
            return review.assess(scope, scope.cycle(cycle), institution, sdg, metric, body.verdict, answers, body.note)

    @act(
        RECORD + "/resubmit", summary="Answer a revision request: the revised metric relocks (the institution's admin)"
    )
    def resubmit(
        request: Request, body, files, cycle: IdPath, institution: IdPath, sdg: SdgPath, metric: MetricPath
    ) -> dict:
        with portal.scope(request, write=True) as scope:
            return review.resubmit(scope, scope.cycle(cycle), institution, sdg, metric)

    @pages.page(
        RECORD + "/history", "history.html", summary="A record's history: every change, who, when, before → after, why"
    )
    def history(request: Request, cycle: IdPath, institution: IdPath, sdg: SdgPath, metric: MetricPath) -> dict:
        with portal.page_scope(request) as scope:
            c = scope.cycle(cycle)
            inst = scope.institution(institution, c.id)
            form = records.metric_in_view(scope, c, institution, sdg, metric)
            key = f"{c.id}/{institution}/{sdg}/{metric}"
            return {
                "title": gettext("History — %(sdg)s %(label)s", language(request))
                % {"sdg": sdg_label(sdg, language(request)), "label": label(form.label, language(request))},
                "cycle": cycle_view(c),
                "institution": institution_view(inst),
                "sdg": sdg,
                "metric": metric,
                "entries": record_history(scope.session, key, None if scope.is_operator else institution),
            }

    @pages.page("/conflicts", "conflicts.html", summary="The conflicts of interest you declared (reviewers)")
    def conflicts(request: Request) -> dict:
        with portal.page_scope(request) as scope:
            scope.require_reviewer()
            rows = scope.session.scalars(
                select(Conflict).where(Conflict.reviewer_id == scope.actor.user_id).order_by(Conflict.id)
            )
            return {
                "title": gettext("Your conflicts of interest", language(request)),
                "conflicts": [
                    {"id": c.id, "institution": c.institution_id, "country": c.country, "note": c.note} for c in rows
                ],
            }

    @act("/conflicts", ConflictIn, summary="Declare a conflict with an institution or a country")
    def declare(request: Request, body: ConflictIn, files) -> dict:
        with portal.scope(request, write=True) as scope:
            return review.declare_conflict(scope, body.institution, body.country, body.note)
