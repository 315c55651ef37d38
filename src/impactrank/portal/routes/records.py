"""Cycles, an institution's dashboard, the SDG forms and records, evidence, submission and bulk upload."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import Field

from impactrank.i18n import N_, gettext, label, sdg_label
from impactrank.portal import antivirus, evidence, records
from impactrank.portal.bodies import Body
from impactrank.portal.cycles import cycle_view, cycles
from impactrank.portal.deadlines import writable_until
from impactrank.portal.errors import invalid
from impactrank.portal.forms import RUBRIC_CHOICES, RUBRIC_QUESTIONS
from impactrank.portal.http import Portal, actions, add_download, is_api, language
from impactrank.portal.institutions import institution_view
from impactrank.portal.models import ADMIN, CONTRIBUTOR, OPERATOR, REVIEWER, StoredFile
from impactrank.portal.params import INSTITUTION, RECORD, IdPath, MetricPath, SdgPath
from impactrank.portal.records import RecordEdit


class EvidenceIn(Body):
    """A URL (JSON or form), or with multipart a ``file`` part beside these fields."""

    title: str = Field(max_length=300)
    date: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    public: bool = False
    url: str | None = Field(None, max_length=2000)


class SubmitIn(Body):
    sdgs: list[int] = Field(description="SDG numbers to submit, e.g. [13, 17]")


class UploadIn(Body):
    complete: bool = False


EVIDENCE_FORM = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "title": {"type": "string"},
        "date": {"type": "string"},
        "public": {"type": "boolean"},
    },
    "required": ["file", "title"],
}
UPLOAD_FORM = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary"}, "complete": {"type": "boolean"}},
    "required": ["file"],
}


def base(cycle: str, institution: str) -> str:
    return INSTITUTION.format(cycle=cycle, institution=institution)


def register(app: FastAPI, portal: Portal) -> None:
    pages, act = portal.pages, actions(app)

    @contextmanager
    def infected_logged(request: Request, cycle: str, institution: str) -> Iterator[None]:
        """An upload the virus scanner refuses is audit-logged in a transaction of its own (the upload's own is
        rolled back, and nothing of the file is kept)."""
        try:
            yield
        except antivirus.Infected as refusal:
            with portal.scope(request, write=True) as scope:
                antivirus.log_refusal(scope, refusal, cycle, institution)
            raise

    def abilities(scope, institution: str) -> dict:
        a = scope.actor
        own = a.institution_id == institution
        return {
            "edit": own and a.role in (ADMIN, CONTRIBUTOR),
            "submit": own and a.role == ADMIN,
            "team": own and a.role == ADMIN,
            "operator": a.role == OPERATOR,
        }

    def can_assess(scope, c, row: dict) -> bool:
        return scope.actor.role == REVIEWER and c.state == "review" and row["state"] == "submitted"

    @pages.page("/cycles", "cycles.html", summary="Cycles and the institutions you can see")
    def cycles_page(request: Request) -> dict:
        with portal.page_scope(request) as scope:
            return {
                "title": gettext("Collection cycles", language(request)),
                "cycles": [
                    cycle_view(c) | {"institutions": [institution_view(i) for i in scope.institutions(c.id)]}
                    for c in cycles(scope)
                ],
            }

    @pages.page(INSTITUTION, "dashboard.html", summary="An institution's dashboard")
    def dashboard(request: Request, cycle: IdPath, institution: IdPath) -> dict:
        with portal.page_scope(request) as scope:
            c = scope.cycle(cycle)
            inst = scope.institution(institution, c.id)
            state = records.progress(scope, c, institution)
            return {
                "title": f"{inst.name} — {c.id}",
                "cycle": cycle_view(c),
                "institution": institution_view(inst),
                "writable_until": writable_until(scope, c, institution),
                "can": abilities(scope, institution),
                **state,
            }

    @pages.page(INSTITUTION + "/records", "records.html", summary="The records of an SDG (or all)")
    def records_page(
        request: Request,
        cycle: IdPath,
        institution: IdPath,
        sdg: Annotated[int | None, Query(ge=1, le=17, description="Only this SDG")] = None,
    ) -> dict:
        with portal.page_scope(request) as scope:
            c = scope.cycle(cycle)
            inst = scope.institution(institution, c.id)
            numbers = [sdg] if sdg is not None else [f.sdg for f in records.forms_of(c).values()]
            forms = [records.sdg_form(c, n) for n in numbers]
            rows = [r for n in numbers for r in records.sdg_records(scope, c, institution, n)]
            return {
                "title": gettext("%(sdg)s — %(name)s", language(request))
                % {"sdg": sdg_label(sdg, language(request)), "name": inst.name}
                if sdg
                else gettext("All SDGs — %(name)s", language(request)) % {"name": inst.name},
                "cycle": cycle_view(c),
                "institution": institution_view(inst),
                "sdg": sdg,
                "sdgs": [{"sdg": f.sdg, "label": f.label} for f in forms],
                "records": rows,
                "writable_until": writable_until(scope, c, institution),
                "can": abilities(scope, institution),
                "_questions": RUBRIC_QUESTIONS,
                "_choices": RUBRIC_CHOICES,
            }

    @pages.page(RECORD, "record.html", summary="One record with its evidence")
    def record_page(request: Request, cycle: IdPath, institution: IdPath, sdg: SdgPath, metric: MetricPath) -> dict:
        with portal.page_scope(request) as scope:
            c = scope.cycle(cycle)
            inst = scope.institution(institution, c.id)
            records.metric_in_view(scope, c, institution, sdg, metric)
            row = next(r for r in records.sdg_records(scope, c, institution, sdg) if r["metric"] == metric)
            return {
                "title": gettext("%(sdg)s %(label)s — %(name)s", language(request))
                % {
                    "sdg": sdg_label(sdg, language(request)),
                    "label": label(row["label"], language(request)),
                    "name": inst.name,
                },
                "cycle": cycle_view(c),
                "institution": institution_view(inst),
                "record": row,
                "can": abilities(scope, institution) | {"assess": can_assess(scope, c, row)},
                "_questions": RUBRIC_QUESTIONS,
                "_choices": RUBRIC_CHOICES,
            }

    @act(RECORD, RecordEdit, method="PUT", summary="Save one metric (a stale version answers 409)")
    def save(
        request: Request, body: RecordEdit, files, cycle: IdPath, institution: IdPath, sdg: SdgPath, metric: MetricPath
    ) -> dict:
        checked = portal.db.single_writer
        if checked:  # the build's checks (a few ms) run before SQLite's write lock is taken
            with portal.scope(request) as scope:
                scope.institution(institution, cycle)
                records.check_save(scope.cycle(cycle), institution, sdg, metric, body.values())
        with portal.scope(request, write=True) as scope:
            return records.save_record(scope, scope.cycle(cycle), institution, sdg, metric, body, checked=checked)

    @act(
        RECORD + "/evidence",
        EvidenceIn,
        multipart=EVIDENCE_FORM,
        summary="Add an evidence item: a file (multipart field 'file') or a URL",
    )
    def add_evidence(
        request: Request, body: EvidenceIn, files, cycle: IdPath, institution: IdPath, sdg: SdgPath, metric: MetricPath
    ) -> dict:
        upload = files.get("file")
        if upload is not None and not upload.filename:  # a page's form sends its file field even when left empty
            upload = None
        if upload is not None and body.url:
            raise invalid(N_("give a file or a URL, not both"), "url")
        if upload is None and not body.url:
            raise invalid(N_("give a file or a web address (URL)"), "file")
        when = evidence.parse_date(body.date)
        evidence.check_title(body.title)
        stored = None
        if upload is not None:
            with portal.scope(request, write=True) as scope:  # refuse before receiving the file, not after
                evidence.check_may_add(scope, scope.cycle(cycle), institution, sdg, metric, file=0)
            with infected_logged(request, cycle, institution):
                stored = portal.files.put(upload.file, upload.filename or "", portal.upload_limit)
        with portal.scope(request, write=True) as scope:
            return evidence.add_evidence(
                scope,
                scope.cycle(cycle),
                institution,
                sdg,
                metric,
                title=body.title,
                when=when,
                public=body.public,
                url=body.url,
                stored=stored,
                filename=(upload.filename or "")[-255:] if upload else None,
            )

    @act(
        INSTITUTION + "/evidence/{evidence_id}",
        method="DELETE",
        summary="Remove an evidence item (before its SDG is submitted)",
        html_path=INSTITUTION + "/evidence/{evidence_id}/delete",
    )
    def remove_evidence(request: Request, body, files, cycle: IdPath, institution: IdPath, evidence_id: int) -> dict:
        with portal.scope(request, write=True) as scope:
            evidence.remove_evidence(scope, scope.cycle(cycle), institution, evidence_id)
        return {"removed": evidence_id}

    def download(request: Request, evidence_id: int) -> Response:
        with portal.scope(request) as scope:
            item = scope.evidence(evidence_id)
            if item.kind != "file":
                raise invalid(N_("this evidence item is a URL, not a file"), "evidence")
            stored = scope.session.get(StoredFile, item.file_sha256)
        return FileResponse(
            portal.files.path(stored.sha256),
            media_type=stored.media_type,
            filename=item.filename or f"evidence-{item.id}",
            content_disposition_type="attachment",
            headers={"Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, no-store"},
        )

    add_download(app, "/evidence/{evidence_id}/file", download, "Download an evidence file (attachment)")

    @act(
        INSTITUTION + "/submit",
        SubmitIn,
        summary="Submit SDGs (the institution's admin): they are taken part in and locked",
    )
    def submit(request: Request, body: SubmitIn, files, cycle: IdPath, institution: IdPath) -> dict:
        with portal.scope(request, write=True) as scope:
            return records.submit(scope, scope.cycle(cycle), institution, body.sdgs)

    @act(
        INSTITUTION + "/upload",
        UploadIn,
        multipart=UPLOAD_FORM,
        summary="Upload the institution's rows as a submissions CSV or XLSX, applied all or nothing",
    )
    def upload(request: Request, body: UploadIn, files, cycle: IdPath, institution: IdPath) -> dict | Response:
        file = files.get("file")
        if file is None:
            raise invalid(N_("send the rows as a multipart field 'file'"), "file")
        with infected_logged(request, cycle, institution), portal.scope(request, write=True) as scope:
            result = records.upload(
                scope,
                scope.cycle(cycle),
                institution,
                file.file,
                file.filename or "",
                body.complete,
                portal.upload_limit,
                portal.files.scanner,
            )
        if is_api(request):
            return result
        return pages.html(
            request,
            "uploaded.html",
            {"title": gettext("Upload applied", language(request)), "result": result, "back": base(cycle, institution)},
        )
