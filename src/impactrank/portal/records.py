"""An institution's records: reading them as forms, saving one with a version check, submitting SDGs,
and applying a whole file of its own rows all or nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, BinaryIO

import polars as pl
from pydantic import Field
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from impactrank.engine.scoring.metrics import VALUE_COLUMNS
from impactrank.errors import InputError, Phrases
from impactrank.i18n import N_
from impactrank.io.inputs import validate_submissions
from impactrank.io.tables import first_bad, read_user_table
from impactrank.methodology.schema import Methodology
from impactrank.portal import checks
from impactrank.portal.antivirus import Clamd, scan
from impactrank.portal.audit import log_change
from impactrank.portal.bodies import Body
from impactrank.portal.concurrency import flush_or_conflict
from impactrank.portal.deadlines import locked, require_writable
from impactrank.portal.errors import PortalError, conflict, invalid, not_found
from impactrank.portal.files import CHUNK, check_archive, too_large
from impactrank.portal.forms import MetricForm, SdgForm, cycle_rules, eligibility
from impactrank.portal.models import (
    REVIEWER,
    VALUE_FIELDS,
    Assessment,
    Cycle,
    EvidenceItem,
    Record,
    SdgSubmission,
    api_dict,
)
from impactrank.portal.tenancy import EDIT, SUBMIT, Scope

DRAFT, COMPLETE = "draft", "complete"


Finite = Annotated[float | None, Field(allow_inf_nan=False)]
"""A value field of the submissions format: a number or nothing, never infinite or NaN."""


class RecordValues(Body):
    """The value fields of the submissions format, as a save or a correction sends them."""

    value: Finite = None
    numerator: Finite = None
    denominator: Finite = None
    exists: Finite = None
    evidence: Finite = None
    public: Finite = None
    recent: Finite = None

    def values(self) -> dict:
        return self.model_dump(include=set(VALUE_FIELDS))


class RecordEdit(RecordValues):
    """A save of one metric, with the version the client read (0: never saved)."""

    version: int = Field(ge=0)
    complete: bool = False
    unavailable: bool = False
    acknowledge_warnings: bool = False


SAVED_MEANWHILE = N_("someone saved this metric at the same moment: reload and try again")


def methodology_of(cycle: Cycle) -> Methodology:
    return cycle_rules(cycle.methodology_sha256, lambda: cycle.methodology_yaml)[0]


def forms_of(cycle: Cycle) -> dict[int, SdgForm]:
    return cycle_rules(cycle.methodology_sha256, lambda: cycle.methodology_yaml)[1]


def sdg_form(cycle: Cycle, sdg: int) -> SdgForm:
    form = forms_of(cycle).get(sdg)
    if form is None:
        raise not_found(N_("no SDG %(sdg)s in this cycle's methodology"), "sdg", sdg=sdg)
    return form


def metric_form(cycle: Cycle, sdg: int, metric: str) -> MetricForm:
    form = sdg_form(cycle, sdg).metric(metric)
    if form is None:
        known = ", ".join(m.metric for m in sdg_form(cycle, sdg).metrics)
        raise not_found(
            N_("no metric %(metric)r in SDG %(sdg)s (known: %(known)s)"), "metric", metric=metric, sdg=sdg, known=known
        )
    return form


def metric_in_view(scope: Scope, cycle: Cycle, institution_id: str, sdg: int, metric: str) -> MetricForm:
    """The form of a metric whose record a page shows: a reviewer sees the records of their own assignments, and
    gets the 404 of a missing record for any other."""
    form = metric_form(cycle, sdg, metric)
    if scope.actor.role == REVIEWER and scope.record(cycle.id, institution_id, sdg, metric) is None:
        raise not_found(N_("no record here"), "metric")
    return form


def previous_values(scope: Scope, cycle: Cycle, institution_id: str, sdg: int) -> dict[str, float | None]:
    """Last cycle's raw values, for the tenfold warning."""
    from impactrank.portal.models import Cycle as C

    prev = scope.session.scalar(
        select(C.id).where(C.opened_at < cycle.opened_at, C.id != cycle.id).order_by(C.opened_at.desc()).limit(1)
    )
    if prev is None:
        return {}
    form = sdg_form(cycle, sdg)
    out = {}
    for r in scope.records(prev, institution_id, sdg):
        m = form.metric(r.metric)
        if m is not None:
            out[r.metric] = checks.raw_value(m, r.values())
    return out


def record_view(
    form: MetricForm, record: Record | None, evidence: list[EvidenceItem], submitted: bool, warnings, review=None
) -> dict:
    values = record.values() if record else dict.fromkeys(VALUE_FIELDS)
    reopened = bool(record and record.reopened)
    locked_sdg = submitted and not reopened
    state = "submitted" if locked_sdg else (record.state if record else "not_started")
    return {
        "sdg": form.sdg,
        "metric": form.metric,
        "label": form.label,
        "kind": form.kind,
        "methodology_kind": form.methodology_kind,
        "fields": list(form.fields),
        "unit": form.denominator,
        "weight": form.weight,
        "direction": form.direction,
        "pillar": form.pillar,
        "rubric": form.rubric,
        "confirmed": form.confirmed,
        "source": form.source,
        **{f: values[f] for f in VALUE_FIELDS},
        "unavailable": bool(record and record.unavailable),
        "state": state,
        "locked": locked_sdg,
        "version": record.version if record else 0,
        "updated_at": record.updated_at.isoformat() if record else None,
        "warnings": warnings,
        "warnings_acknowledged": bool(record and record.warnings_acknowledged),
        "evidence_items": [evidence_view(e) for e in evidence],
        "reopened": reopened,
        "revision_round": record.revision_round if record else 0,
        "revision_due": record.revision_due.isoformat() if record and record.revision_due else None,
        "review": review,
    }


def latest_assessments(session, record_ids: list[int]) -> dict[int, Assessment]:
    """Each record's latest assessment (the one that counts)."""
    if not record_ids:
        return {}
    rows = session.scalars(select(Assessment).where(Assessment.record_id.in_(record_ids)).order_by(Assessment.id))
    return {a.record_id: a for a in rows}


def assessment_view(a: Assessment) -> dict:
    return api_dict(a, "id round verdict exists evidence public recent note record_version at:created_at")


def evidence_view(e: EvidenceItem) -> dict:
    download = f"/api/evidence/{e.id}/file" if e.kind == "file" else None
    return api_dict(e, "id kind title url filename sha256:file_sha256 date public") | {"download": download}


def sdg_records(scope: Scope, cycle: Cycle, institution_id: str, sdg: int) -> list[dict]:
    scope.institution(institution_id, cycle.id)
    form = sdg_form(cycle, sdg)
    records = {r.metric: r for r in scope.records(cycle.id, institution_id, sdg)}
    items = scope.evidence_of([r.id for r in records.values()])
    by_record: dict[int, list[EvidenceItem]] = {}
    for e in items:
        by_record.setdefault(e.record_id, []).append(e)
    submitted = sdg in scope.submissions(cycle.id, institution_id)
    previous = previous_values(scope, cycle, institution_id, sdg)
    latest = latest_assessments(scope.session, [r.id for r in records.values()])
    out = []
    for m in form.metrics:
        r = records.get(m.metric)
        ev = by_record.get(r.id, []) if r else []
        warn = checks.warnings(m, r.values(), previous.get(m.metric), ev) if r else []
        review = assessment_view(latest[r.id]) if r is not None and r.id in latest else None
        out.append(record_view(m, r, ev, submitted, warn, review))
    return out


def progress(scope: Scope, cycle: Cycle, institution_id: str) -> dict:
    """Per SDG: how many metrics are complete, whether it is submitted; and what blocks eligibility."""
    scope.institution(institution_id, cycle.id)
    methodology = methodology_of(cycle)
    submitted = scope.submissions(cycle.id, institution_id)
    records = {(r.sdg, r.metric): r for r in scope.records(cycle.id, institution_id)}
    states = {key: r.state for key, r in records.items()}
    sdgs = []
    for form in forms_of(cycle).values():
        complete = sum(states.get((form.sdg, m.metric)) == COMPLETE for m in form.metrics)
        started = sum((form.sdg, m.metric) in states for m in form.metrics)
        # the metrics a reviewer reopened, each until its revision is due: the SDG's one open door once submitted
        reopened = [r for m in form.metrics if (r := records.get((form.sdg, m.metric))) and r.reopened]
        sdgs.append(
            {
                "sdg": form.sdg,
                "label": form.label,
                "metrics": len(form.metrics),
                "complete": complete,
                "started": started,
                "submitted": form.sdg in submitted,
                "submitted_at": submitted[form.sdg].submitted_at.isoformat() if form.sdg in submitted else None,
                "ready": complete == len(form.metrics) and form.sdg not in submitted,
                "revisions": [
                    {"metric": r.metric, "due": r.revision_due.isoformat() if r.revision_due else None}
                    for r in reopened
                ],
            }
        )
    return {"sdgs": sdgs, "eligibility": eligibility(methodology, set(submitted))}


def _require_editable(
    scope: Scope, cycle: Cycle, institution_id: str, sdg: int, metric: str | None = None
) -> Record | None:
    """Refuse a write the actor, the deadline or a submission forbids; the metric's record, if any."""
    scope.institution(institution_id, cycle.id)
    scope.require(EDIT, institution_id)
    record = scope.record(cycle.id, institution_id, sdg, metric) if metric else None
    if record is not None and record.reopened:  # a reviewer reopened this metric alone, until its revision is due
        require_writable(scope, cycle, institution_id, record)
        return record
    require_writable(scope, cycle, institution_id)
    sub = scope.submissions(cycle.id, institution_id).get(sdg)
    if sub is not None:
        raise locked(
            N_("SDG %(sdg)s was submitted on %(day)s and is locked"), "sdg", sdg=sdg, day=f"{sub.submitted_at:%Y-%m-%d}"
        )
    return record


def check_save(cycle: Cycle, institution_id: str, sdg: int, metric: str, values: dict) -> None:
    """The build's rules for one record's values (422 naming the field)."""
    metric_form(cycle, sdg, metric)
    unknown = set(values) - set(VALUE_FIELDS)
    if unknown:  # its parameter is named field too, so not through invalid(): the keyword would collide
        name = sorted(unknown)[0]
        raise PortalError(N_("unknown field %(field)r"), field=name, status=422, params={"field": name})
    checks.check_values(methodology_of(cycle), institution_id, sdg, metric, {f: values.get(f) for f in VALUE_FIELDS})


def save_record(
    scope: Scope, cycle: Cycle, institution_id: str, sdg: int, metric: str, edit: RecordEdit, *, checked: bool = False
) -> dict:
    """Save one metric; a stale version (not the one saved last) is a 409.

    ``checked``: the caller has already run :func:`check_save` outside the write transaction, so that the
    build's validation (pure, a few milliseconds) does not hold the database's write lock.
    """
    form = metric_form(cycle, sdg, metric)
    existing = _require_editable(scope, cycle, institution_id, sdg, metric)
    values = edit.values()
    if not checked:
        check_save(cycle, institution_id, sdg, metric, values)
    evidence = scope.evidence_of([existing.id]) if existing else []
    warnings = checks.warnings(form, values, previous_values(scope, cycle, institution_id, sdg).get(metric), evidence)
    if edit.complete:
        checks.check_complete(form, values, edit.unavailable)
        if warnings and not edit.acknowledge_warnings:
            raise invalid(
                N_("confirm the warnings to mark this metric complete: %(warnings)s"),
                "acknowledge_warnings",
                warnings=Phrases(tuple(w["_text"] for w in warnings)),
            )
    state = COMPLETE if edit.complete else DRAFT
    fields = {
        **values,
        "unavailable": edit.unavailable,
        "state": state,
        "warnings_acknowledged": bool(warnings) and edit.acknowledge_warnings,
        "updated_at": scope.now,
        "updated_by": scope.actor.user_id,
    }
    before = None
    if existing is None:
        if edit.version != 0:
            raise conflict(
                N_("version %(version)s is stale: this metric has not been saved yet (version 0)"),
                "version",
                version=edit.version,
            )
        record = Record(cycle_id=cycle.id, institution_id=institution_id, sdg=sdg, metric=metric, version=1, **fields)
        scope.session.add(record)
        flush_or_conflict(scope.session, SAVED_MEANWHILE, "version")
    else:
        if existing.version != edit.version:
            raise conflict(
                N_("version %(version)s is stale: the metric is at version %(current)s (saved by someone else)"),
                "version",
                version=edit.version,
                current=existing.version,
            )
        before = _snapshot(existing)
        done = scope.session.execute(
            update(Record)
            .where(Record.id == existing.id, Record.version == edit.version)
            .values({Record.version: edit.version + 1, **_columns(fields)})
        )
        if done.rowcount != 1:
            raise conflict(SAVED_MEANWHILE, "version")
        for key, value in {**fields, "version": edit.version + 1}.items():  # what was written; no reload needed
            set_committed_value(existing, key, value)
        record = existing
    log_change(
        scope,
        "record.save",
        "record",
        record.key,
        before=before,
        after=_snapshot(record),
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return record_view(form, record, evidence, False, warnings)


def _columns(fields: dict) -> dict:
    """Keyed by mapped attribute, since the rubric answers' columns have other names (ans_*)."""
    return {getattr(Record, k): v for k, v in fields.items()}


def _snapshot(record: Record) -> dict:
    return {**record.values(), "unavailable": record.unavailable, "state": record.state, "version": record.version}


def submit(scope: Scope, cycle: Cycle, institution_id: str, sdgs: list[int]) -> dict:
    """The admin signs off SDGs: each must have every metric complete; they are then taken part in and locked."""
    scope.institution(institution_id, cycle.id)
    scope.require(SUBMIT, institution_id)
    require_writable(scope, cycle, institution_id)
    if not sdgs:
        raise invalid(N_("name at least one SDG to submit"), "sdgs")
    already = scope.submissions(cycle.id, institution_id)
    states = {(r.sdg, r.metric): r.state for r in scope.records(cycle.id, institution_id)}
    for sdg in sorted(set(sdgs)):
        form = sdg_form(cycle, sdg)
        if sdg in already:
            raise conflict(N_("SDG %(sdg)s is already submitted"), "sdgs", sdg=sdg)
        todo = [m.metric for m in form.metrics if states.get((sdg, m.metric)) != COMPLETE]
        if todo:
            raise invalid(
                N_("SDG %(sdg)s has metrics that are not complete: %(metrics)s"),
                "sdgs",
                sdg=sdg,
                metrics=", ".join(todo),
            )
    for sdg in sorted(set(sdgs)):
        scope.session.add(
            SdgSubmission(
                cycle_id=cycle.id,
                institution_id=institution_id,
                sdg=sdg,
                submitted_at=scope.now,
                submitted_by=scope.actor.user_id,
            )
        )
    flush_or_conflict(scope.session, N_("these SDGs were just submitted by someone else"), "sdgs")
    log_change(
        scope,
        "sdg.submit",
        "institution",
        f"{cycle.id}/{institution_id}",
        before={"submitted": sorted(already)},
        after={"submitted": sorted(set(already) | set(sdgs))},
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return progress(scope, cycle, institution_id)


def read_upload(path: Path, methodology: Methodology, institution_id: str) -> tuple[pl.DataFrame, list[int]]:
    """The institution's own rows, checked by the build's reader and validator (same messages as ``build``),
    with the row number of each as the file shows it."""
    table = read_user_table(path, numeric=VALUE_COLUMNS)
    if "institution_id" in table.frame.columns:
        ids = table.frame["institution_id"].str.strip_chars()
        first_bad(
            table,
            ids.is_not_null() & (ids != institution_id),
            f"rows may only be for your institution ({institution_id})",
            "institution_id",
        )
    rows = validate_submissions(table, methodology, pl.DataFrame({"institution_id": [institution_id]}))
    return rows, table.rows.to_list()


def upload(
    scope: Scope,
    cycle: Cycle,
    institution_id: str,
    stream: BinaryIO,
    filename: str,
    complete: bool,
    limit: int,
    scanner: Clamd | None = None,
) -> dict:
    """Apply a submissions file of the institution's own rows: every row or none (scanned first by ``scanner``)."""
    scope.institution(institution_id, cycle.id)
    scope.require(EDIT, institution_id)
    require_writable(scope, cycle, institution_id)
    name = "".join(c for c in Path(filename).name if c.isalnum() or c in "._- ")[-100:] or "upload.csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        size = 0
        with path.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                out.write(chunk)
        scan(scanner, path, name)
        check_archive(path)
        try:
            rows, row_numbers = read_upload(path, methodology_of(cycle), institution_id)
        except PortalError:
            raise
        except InputError as exc:
            raise PortalError(
                exc.template, file=exc.file, row=exc.row, field=exc.field, status=422, params=exc.params, more=exc.more
            ) from None
    submitted = scope.submissions(cycle.id, institution_id)
    existing = {(r.sdg, r.metric): r for r in scope.records(cycle.id, institution_id)}
    changes, drafts = {}, []
    for i, row in enumerate(rows.iter_rows(named=True)):
        sdg, metric = row["sdg"], row["metric"]
        if sdg in submitted:
            raise PortalError(
                N_("SDG %(sdg)s is submitted and locked"),
                file=name,
                row=row_numbers[i],
                field="sdg",
                status=423,
                params={"sdg": sdg},
            )
        form = metric_form(cycle, sdg, metric)
        values = {f: row[f] for f in VALUE_FIELDS}
        record = existing.get((sdg, metric))
        evidence = scope.evidence_of([record.id]) if record else []
        state, unavailable = DRAFT, all(v is None for v in values.values())  # an empty row: declared no data
        if complete:
            try:
                checks.check_complete(form, values, unavailable)
                ready = not checks.warnings(form, values, None, evidence)
            except PortalError:
                ready = False
            state = COMPLETE if ready else DRAFT
            if not ready:
                drafts.append(f"{sdg}/{metric}")
        fields = {**values, "unavailable": unavailable, "state": state, "warnings_acknowledged": False}
        fields |= {"updated_at": scope.now, "updated_by": scope.actor.user_id}
        if record is None:
            record = Record(
                cycle_id=cycle.id, institution_id=institution_id, sdg=sdg, metric=metric, version=1, **fields
            )
            scope.session.add(record)
            changes[f"{sdg}/{metric}"] = (None, values)
        else:
            changes[f"{sdg}/{metric}"] = (record.values(), values)
            for k, v in fields.items():
                setattr(record, k, v)
            record.version += 1
    flush_or_conflict(scope.session, N_("someone saved these metrics at the same moment: upload again"), "file")
    log_change(
        scope,
        "records.upload",
        "institution",
        f"{cycle.id}/{institution_id}",
        before={k: b for k, (b, _) in changes.items()},
        after={k: a for k, (_, a) in changes.items()},
        reason=f"file {name}",
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return {"rows": rows.height, "saved": sorted(changes), "left_as_draft": drafts}
