"""The operator's side: a cycle's progress, assignments, deadlines and cycle states, the audit log, exports,
corrections and the outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import select

from impactrank.i18n import N_, gettext, ngettext
from impactrank.i18n.formats import number
from impactrank.portal import corrections, cycles, notify, records, review
from impactrank.portal.bodies import Body
from impactrank.portal.cycles import cycle_view
from impactrank.portal.errors import PortalError, not_found
from impactrank.portal.export import export_files
from impactrank.portal.history import audit_csv, log_entries
from impactrank.portal.http import Portal, actions, add_download, attachment, language
from impactrank.portal.institutions import institution_view
from impactrank.portal.models import Assignment, OutboxMessage, Record, SdgSubmission
from impactrank.portal.params import INSTITUTION, IdPath
from impactrank.portal.records import RecordValues

EXPORT_FILES = {
    "institutions.csv": "text/csv; charset=utf-8",
    "submissions.csv": "text/csv; charset=utf-8",
    "methodology.yaml": "application/yaml",
    "manifest.json": "application/json",
}


class AssignIn(Body):
    institution: str = Field(max_length=64)
    sdg: int = Field(ge=1, le=17)
    reviewer: str = Field(max_length=320, description="The reviewer's e-mail")
    override_reason: str | None = Field(None, max_length=1000, description="Required to assign despite a conflict")


class AutoAssignIn(Body):
    per_item: int = Field(1, ge=1, le=10)


class ExtendIn(Body):
    until: str = Field(max_length=20, description="YYYY-MM-DD (end of day, UTC) or YYYY-MM-DDTHH:MM")
    reason: str = Field(max_length=1000)


class CorrectionIn(RecordValues):
    sdg: int = Field(ge=1, le=17)
    metric: str = Field(max_length=64)
    reason: str = Field(max_length=2000)


class DecisionIn(Body):
    approve: bool
    reason: str = Field(max_length=2000)


def register(app: FastAPI, portal: Portal) -> None:
    pages, act = portal.pages, actions(app)

    @pages.page("/cycles/{cycle}/progress", "progress.html", summary="A cycle's progress: institutions × SDGs")
    def progress(request: Request, cycle: IdPath) -> dict:
        with portal.page_scope(request, operator=True) as scope:
            c = scope.cycle(cycle)
            forms = records.forms_of(c)
            recs = list(scope.session.scalars(select(Record).where(Record.cycle_id == c.id)))
            latest = records.latest_assessments(scope.session, [r.id for r in recs])
            submitted = set(
                scope.session.execute(
                    select(SdgSubmission.institution_id, SdgSubmission.sdg).where(SdgSubmission.cycle_id == c.id)
                ).all()
            )
            assigned = set(
                scope.session.execute(
                    select(Assignment.institution_id, Assignment.sdg).where(Assignment.cycle_id == c.id)
                ).all()
            )
            by_pair: dict[tuple[str, int], list[str]] = {}
            for r in recs:
                by_pair.setdefault((r.institution_id, r.sdg), []).append(review.review_status(r, latest.get(r.id)))
            rows = []
            for inst in scope.institutions(c.id):
                cells = {}
                for sdg, form in forms.items():
                    statuses = by_pair.get((inst.id, sdg), [])
                    if (inst.id, sdg) not in submitted:
                        cells[sdg] = "draft" if statuses else ""
                    elif "revision requested" in statuses:
                        cells[sdg] = "revision"
                    elif (inst.id, sdg) not in assigned:
                        cells[sdg] = "submitted"
                    elif len(statuses) == len(form.metrics) and all(
                        s in ("accepted", "rejected", "no data") for s in statuses
                    ):
                        cells[sdg] = "accepted"
                    else:
                        cells[sdg] = "in review"
                rows.append(institution_view(inst) | {"sdgs": cells})
            return {
                "title": gettext("Progress — %(cycle)s", language(request)) % {"cycle": c.id},
                "cycle": cycle_view(c),
                "sdgs": list(forms),
                "institutions": rows,
            }

    @act("/cycles/{cycle}/assignments", AssignIn, summary="Assign a reviewer by hand (operators)")
    def assign(request: Request, body: AssignIn, files, cycle: IdPath) -> dict:
        with portal.scope(request, write=True) as scope:
            return review.assign(
                scope, scope.cycle(cycle), body.institution, body.sdg, body.reviewer, body.override_reason
            )

    @act(
        "/cycles/{cycle}/assignments/auto", AutoAssignIn, summary="Assign reviewers automatically, balancing their load"
    )
    def auto(request: Request, body: AutoAssignIn, files, cycle: IdPath) -> dict:
        with portal.scope(request, write=True) as scope:
            return review.auto_assign(scope, scope.cycle(cycle), body.per_item)

    @act(INSTITUTION + "/extension", ExtendIn, summary="Extend one institution's deadline (operators)")
    def extend(request: Request, body: ExtendIn, files, cycle: IdPath, institution: IdPath) -> dict:
        with portal.scope(request, write=True) as scope:
            return cycles.extend(scope, cycle, institution, body.until, body.reason)

    @act("/cycles/{cycle}/close", summary="Close submissions; the review opens (operators)")
    def close(request: Request, body, files, cycle: IdPath) -> dict:
        with portal.scope(request, write=True) as scope:
            return cycle_view(cycles.close_cycle(scope, cycle))

    @act("/cycles/{cycle}/publish", summary="Close the review: the cycle is frozen and published")
    def publish(request: Request, body, files, cycle: IdPath) -> dict:
        with portal.scope(request, write=True) as scope:
            return cycle_view(cycles.close_review(scope, cycle))

    @pages.page("/audit", "audit.html", summary="The audit log, filtered (operators)")
    def audit(
        request: Request,
        cycle: Annotated[str | None, Query(max_length=64)] = None,
        actor: Annotated[str | None, Query(max_length=320)] = None,
        action_: Annotated[str | None, Query(alias="action", max_length=64)] = None,
        institution: Annotated[str | None, Query(max_length=64)] = None,
    ) -> dict:
        with portal.page_scope(request, operator=True) as scope:
            filters = {"cycle": cycle, "actor": actor, "action": action_, "institution": institution}
            entries = log_entries(scope.session, **filters, limit=1000)
            return {"title": gettext("Audit log", language(request)), "filters": filters, "entries": entries}

    def audit_download(request: Request, cycle: Annotated[str | None, Query(max_length=64)] = None) -> Response:
        with portal.scope(request) as scope:
            scope.require_operator()
            data = audit_csv(log_entries(scope.session, cycle=cycle))
        return attachment(data, "text/csv; charset=utf-8", f"audit-{cycle}.csv" if cycle else "audit.csv")

    add_download(app, "/audit.csv", audit_download, "The audit log as CSV (operators)")

    @pages.page(
        "/cycles/{cycle}/exports", "exports.html", summary="What an export of the cycle holds now, and corrections"
    )
    def exports(request: Request, cycle: IdPath) -> dict:
        with portal.page_scope(request, operator=True) as scope:
            c = scope.cycle(cycle)
            try:
                _, manifest = export_files(scope.session, c.id)
                blocked = None
            except PortalError as exc:
                _, manifest = export_files(scope.session, c.id, allow_unassessed=True)
                # the page's own words: its links download the claims as entered (the command's option is
                # for the command line)
                n = exc.params["n"]
                blocked = ngettext(
                    "%(num)s item is not assessed yet: the files below hold its answers as the institution entered "
                    "them; finish the review to export assessed answers",
                    "%(num)s items are not assessed yet: the files below hold their answers as the institutions "
                    "entered them; finish the review to export assessed answers",
                    n,
                    language(request),
                ) % {"num": number(n, language(request))}
            return {
                "title": gettext("Exports — %(cycle)s", language(request)) % {"cycle": c.id},
                "cycle": cycle_view(c),
                "manifest": manifest,
                "blocked": blocked,
                "files": list(EXPORT_FILES),
                "corrections": corrections.corrections(scope, c.id),
            }

    def export_download(request: Request, cycle: IdPath, name: str, allow_unassessed: bool = False) -> Response:
        if name not in EXPORT_FILES:
            raise not_found(N_("no export file here"), "name")
        with portal.scope(request) as scope:
            scope.require_operator()
            files, _ = export_files(scope.session, scope.cycle(cycle).id, allow_unassessed)
        return attachment(files[name], EXPORT_FILES[name], f"{cycle}-{name}")

    add_download(app, "/cycles/{cycle}/exports/{name}", export_download, "Download one export file (operators)")

    @act(INSTITUTION + "/corrections", CorrectionIn, summary="Ask for a correction of published data")
    def request_correction(request: Request, body: CorrectionIn, files, cycle: IdPath, institution: IdPath) -> dict:
        with portal.scope(request, write=True) as scope:
            return corrections.request_correction(
                scope, scope.cycle(cycle), institution, body.sdg, body.metric, body.values(), body.reason
            )

    @act("/corrections/{correction_id}/decision", DecisionIn, summary="Approve or reject a correction (operators)")
    def decide(request: Request, body: DecisionIn, files, correction_id: int) -> dict:
        with portal.scope(request, write=True) as scope:
            return corrections.decide_correction(scope, correction_id, body.approve, body.reason)

    @pages.page("/outbox", "outbox.html", summary="E-mails sent and waiting (operators)")
    def outbox(request: Request) -> dict:
        with portal.page_scope(request, operator=True) as scope:
            rows = scope.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(500))
            return {
                "title": gettext("Outbox", language(request)),
                "smtp": notify.smtp_settings(scope.session) is not None,
                "messages": [notify.message_view(m) for m in rows],
            }
