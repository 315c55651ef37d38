"""Cycles, an institution's dashboard, the SDG forms and records, evidence, submission and bulk upload."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import Field

from impactrank.errors import Phrases
from impactrank.i18n import N_, gettext, label, sdg_label
from impactrank.portal import antivirus, evidence, records
from impactrank.portal.bodies import Body
from impactrank.portal.cycles import cycle_view, cycles
from impactrank.portal.deadlines import writable_until
from impactrank.portal.errors import invalid
from impactrank.portal.forms import RUBRIC_CHOICES, RUBRIC_QUESTIONS
from impactrank.portal.http import Portal, Refusal, actions, add_download, as_page, is_api, language, local_path
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


def record_path(request: Request) -> str:
    """The metric's page, from a post to one of its actions (``…/records/{sdg}/{metric}/evidence``)."""
    return request.url.path.rsplit("/", 1)[0]


def record_prefix(sdg: int, metric: str, every_sdg: bool) -> str:
    """What the ids of a metric's form begin with: its id, and on the page of every SDG (where a metric of two SDGs
    has two forms) its SDG's number before it. _record_form.html writes the same."""
    return f"sdg{sdg}-{metric}" if every_sdg else metric


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

    def dashboard_context(scope, cycle: str, institution: str) -> dict:
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

    @pages.page(INSTITUTION, "dashboard.html", summary="An institution's dashboard")
    def dashboard(request: Request, cycle: IdPath, institution: IdPath) -> dict:
        with portal.page_scope(request) as scope:
            return dashboard_context(scope, cycle, institution)

    def records_context(request: Request, scope, cycle: str, institution: str, sdg: int | None) -> dict:
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

    @pages.page(INSTITUTION + "/records", "records.html", summary="The records of an SDG (or all)")
    def records_page(
        request: Request,
        cycle: IdPath,
        institution: IdPath,
        sdg: Annotated[int | None, Query(ge=1, le=17, description="Only this SDG")] = None,
    ) -> dict:
        with portal.page_scope(request) as scope:
            return records_context(request, scope, cycle, institution, sdg)

    def record_context(request: Request, scope, cycle: str, institution: str, sdg: int, metric: str) -> dict:
        c = scope.cycle(cycle)
        inst = scope.institution(institution, c.id)
        records.metric_in_view(scope, c, institution, sdg, metric)
        row = next(r for r in records.sdg_records(scope, c, institution, sdg) if r["metric"] == metric)
        return {
            "title": gettext("%(sdg)s · %(label)s — %(name)s", language(request))
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

    @pages.page(RECORD, "record.html", summary="One record with its evidence")
    def record_page(request: Request, cycle: IdPath, institution: IdPath, sdg: SdgPath, metric: MetricPath) -> dict:
        with portal.page_scope(request) as scope:
            return record_context(request, scope, cycle, institution, sdg, metric)

    def shown_with(
        ctx: dict, refusal: Refusal, form: str, prefix: str, fields: dict[str, str], about: str | None = None
    ) -> dict:
        """A page's context with a refused form's post on it: ``form`` names which of its forms was refused,
        ``prefix`` begins its elements' ids, ``fields`` gives the id of the input each field of it is refused at
        (the first of a group's); a refusal of no field of the form is said at the form's top; ``about``: which
        metric, on a page of several."""
        target = fields.get(refusal.field or "")
        return ctx | {
            "_refused": {
                "form": form,
                "refusal": refusal,
                "field": refusal.field if target else None,  # the field marked invalid, if the form shows it
                "target": target or f"{prefix}-error",  # what the summary links to
                "error_id": f"{prefix}-error",  # the message's id, for aria-describedby
                "about": about,
            }
        }

    def save_refused(
        request: Request, refusal: Refusal, cycle: str, institution: str, sdg: int, metric: str
    ) -> Response:
        """A refused save, on the page it was posted from (an SDG's records, or the metric's own page): the
        values as typed, the refusal beside its field. A stale version shows the version saved now, so that the
        next save (of what the person typed, again) is taken."""
        target = urlsplit(local_path(getattr(request.state, "next", None), ""))
        shown = parse_qs(target.query).get("sdg", [""])[-1]
        with portal.page_scope(request, posted=True) as scope:
            ctx = None
            if target.path == base(cycle, institution) + "/records" and shown in ("", str(sdg)):
                ctx = records_context(request, scope, cycle, institution, sdg if shown else None)
                template, page = "records.html", as_page(request, target.path, f"sdg={sdg}" if shown else "")
            if ctx is None or not any(r["sdg"] == sdg and r["metric"] == metric for r in ctx["records"]):
                ctx = record_context(request, scope, cycle, institution, sdg, metric)
                template, page = "record.html", as_page(request, request.url.path)
        rows = ctx["records"] if template == "records.html" else [ctx["record"]]
        row = next(r for r in rows if r["sdg"] == sdg and r["metric"] == metric)
        warned = (refusal.error.params or {}).get("warnings")
        if refusal.field == "acknowledge_warnings" and isinstance(warned, Phrases):
            # the warnings of the values typed, which the person is asked to confirm
            row["warnings"] = [{"_text": text} for text in warned.items]
        prefix = record_prefix(sdg, metric, every_sdg=template == "records.html" and ctx["sdg"] is None)
        first = RUBRIC_CHOICES[0][1]  # a question's first answer (its radio buttons' ids end with their words)
        fields = {f: f"{prefix}-{f}-{first}" if f in RUBRIC_QUESTIONS else f"{prefix}-{f}" for f in row["fields"]}
        fields |= {"unavailable": f"{prefix}-unavailable", "acknowledge_warnings": f"{prefix}-acknowledge"}
        if row["locked"] or not ctx["can"]["edit"] or (template == "records.html" and not ctx["writable_until"]):
            fields = {}  # shown read-only (_record_form.html's rule): the refusal is said at the form's top
        about = label(row["label"], language(request)) if template == "records.html" else None
        ctx = shown_with(ctx, refusal, f"record-{sdg}-{metric}", prefix, fields, about)
        return pages.html(page, template, ctx, refusal.status)

    def on_record_page(form: str, prefix: str, fields: dict[str, str]):
        """A refused post of one of a metric page's own forms (its evidence, its assessment), shown again there."""

        def refused(
            request: Request, refusal: Refusal, cycle: str, institution: str, sdg: int, metric: str
        ) -> Response:
            with portal.page_scope(request, posted=True) as scope:
                ctx = record_context(request, scope, cycle, institution, sdg, metric)
            ctx = shown_with(ctx, refusal, form, prefix, fields)
            return pages.html(as_page(request, record_path(request)), "record.html", ctx, refusal.status)

        return refused

    evidence_fields = {f: f"ev-{f}" for f in ("title", "file", "url", "date", "public")}
    assessment_fields = {f: f"assess-{f}-{RUBRIC_CHOICES[0][1]}" for f in RUBRIC_QUESTIONS}
    assessment_fields |= {"verdict": "verdict-accepted", "note": "assess-note"}

    def upload_refused(request: Request, refusal: Refusal, cycle: str, institution: str) -> Response:
        with portal.page_scope(request, posted=True) as scope:
            ctx = dashboard_context(scope, cycle, institution)
        # what is wrong in the file's rows, as wrong with its file, is said at the file's field
        at = "rows-complete" if refusal.field == "complete" else "rows-file"
        ctx = shown_with(ctx, refusal, "upload", "rows", {refusal.field or "": at})
        return pages.html(as_page(request, base(cycle, institution)), "dashboard.html", ctx, refusal.status)

    portal.refused_pages |= {
        RECORD: save_refused,
        RECORD + "/evidence": on_record_page("evidence", "ev", evidence_fields),
        RECORD + "/assessment": on_record_page("assessment", "assess", assessment_fields),
        INSTITUTION + "/upload": upload_refused,
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
