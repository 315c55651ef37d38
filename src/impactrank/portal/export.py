"""A cycle as ``impactrank build``'s inputs: ``institutions.csv`` and ``submissions.csv``, byte for byte the same
for the same database state, with a ``manifest.json`` naming that state's hash and counts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from impactrank.engine.scoring.metrics import VALUE_COLUMNS
from impactrank.i18n import N_
from impactrank.io.atomic import atomic_folder
from impactrank.methodology import methodology_hash
from impactrank.portal.errors import PortalError, not_found
from impactrank.portal.models import (
    RUBRIC,
    Correction,
    Cycle,
    EvidenceItem,
    Institution,
    Record,
    SdgSubmission,
    api_dict,
)
from impactrank.portal.records import forms_of, latest_assessments, methodology_of
from impactrank.portal.review import assessed_values, has_review

INSTITUTION_HEADER = ("institution_id", "name", "country")
SUBMISSION_HEADER = ("institution_id", "sdg", "metric", *VALUE_COLUMNS)


def number(value: float | None) -> str:
    """Shortest text that reads back as the same float; whole numbers without a decimal point."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _csv(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def approved_corrections(session: Session, cycle_id: str) -> dict[tuple[str, int, str], Correction]:
    """The latest approved correction of each metric."""
    rows = session.scalars(
        select(Correction)
        .where(Correction.cycle_id == cycle_id, Correction.state == "approved")
        .order_by(Correction.id)
    )
    return {(c.institution_id, c.sdg, c.metric): c for c in rows}


def exported_values(form, record: Record | None, review: bool, assessment, correction) -> dict | None:
    """The values the export carries for one metric: a correction, else the assessed answers (in a reviewed
    cycle; None while unassessed), else the claim."""
    if correction is not None:
        return dict(correction.after)
    if record is None or record.unavailable:
        return dict.fromkeys(VALUE_COLUMNS)
    if review:
        return assessed_values(form, record, assessment)
    return record.values()


@dataclass(frozen=True)
class CycleData:
    institutions: list[tuple]
    submissions: list[tuple]
    state: dict
    """Everything the export depends on, canonical: its hash names the database state in the manifest."""
    reviewed: bool
    unassessed: int
    corrections: list[Correction]


def _canonical(rows) -> list:
    """Sorted by their JSON text, so rows mixing numbers and nulls sort without comparing them."""
    return sorted(rows, key=lambda row: json.dumps(row, default=str))


def cycle_rows(session: Session, cycle: Cycle, allow_unassessed: bool = False) -> CycleData:
    """The rows of every submitted SDG: assessed in a reviewed cycle, corrected where a correction was approved."""
    forms = forms_of(cycle)
    submitted = sorted(
        session.execute(
            select(SdgSubmission.institution_id, SdgSubmission.sdg).where(SdgSubmission.cycle_id == cycle.id)
        ).all()
    )
    records = {
        (r.institution_id, r.sdg, r.metric): r
        for r in session.scalars(select(Record).where(Record.cycle_id == cycle.id))
    }
    review = has_review(session, cycle.id)
    latest = latest_assessments(session, [r.id for r in records.values()])
    corrections = approved_corrections(session, cycle.id)
    members = sorted({inst for inst, _ in submitted})
    institutions = {i.id: i for i in session.scalars(select(Institution).where(Institution.id.in_(members)))}
    inst_rows = [(i, institutions[i].name, institutions[i].country) for i in members]
    sub_rows, unassessed = [], []
    for inst, sdg in submitted:
        for m in forms[sdg].metrics:
            r = records.get((inst, sdg, m.metric))
            values = exported_values(
                m, r, review, latest.get(r.id) if r else None, corrections.get((inst, sdg, m.metric))
            )
            if values is None:
                unassessed.append(f"{inst}/{sdg}/{m.metric}")
                values = r.values()
            sub_rows.append((inst, str(sdg), m.metric, *(number(values[c]) for c in VALUE_COLUMNS)))
    if unassessed and not allow_unassessed:
        raise PortalError(
            N_(
                "%(n)s items are not assessed (%(items)s): finish the review, or export their claims with "
                "--allow-unassessed"
            )
            if len(unassessed) <= 3
            else N_(
                "%(n)s items are not assessed (%(items)s and %(more)s more): finish the review, or export their claims "
                "with --allow-unassessed"
            ),
            field="cycle",
            status=409,
            params={"n": len(unassessed), "items": ", ".join(unassessed[:3]), "more": len(unassessed) - 3},
        )
    key_of = {r.id: r.key for r in records.values()}
    evidence = session.execute(
        select(Record.institution_id, Record.sdg, Record.metric, EvidenceItem)
        .join(EvidenceItem, EvidenceItem.record_id == Record.id)
        .where(Record.cycle_id == cycle.id)
    ).all()
    state = {
        "cycle": {
            "id": cycle.id,
            "methodology": methodology_hash(methodology_of(cycle)),
            "closes_at": cycle.closes_at.isoformat(),
            "state": cycle.state,
        },
        "institutions": inst_rows,
        "submitted": [list(s) for s in submitted],
        "records": _canonical(
            [k[0], k[1], k[2], r.state, r.unavailable, r.version, r.reopened, r.revision_round]
            + [r.values()[c] for c in VALUE_COLUMNS]
            for k, r in records.items()
        ),
        "evidence": _canonical(
            [i, s, m, e.kind, e.url, e.file_sha256, e.filename, e.title, e.date, e.public] for i, s, m, e in evidence
        ),
        "assessments": _canonical(
            [key_of[a.record_id], a.round, a.verdict, *[getattr(a, f) for f in RUBRIC]] for a in latest.values()
        ),
        "corrections": _canonical([c.id, c.institution_id, c.sdg, c.metric, c.after] for c in corrections.values()),
    }
    ordered = sorted(corrections.values(), key=lambda c: c.id)
    return CycleData(inst_rows, sub_rows, state, review, len(unassessed), ordered)


def state_hash(state: dict) -> str:
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def correction_view(c: Correction) -> dict:
    return api_dict(c, "id institution:institution_id sdg metric before after reason state decision_reason")


def export_files(session: Session, cycle_id: str, allow_unassessed: bool = False) -> tuple[dict[str, bytes], dict]:
    """The files and the manifest, in memory (the web's export page and the command share this)."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise not_found(N_("no cycle %(id)r here"), "cycle", id=cycle_id)
    data = cycle_rows(session, cycle, allow_unassessed)
    files = {
        "institutions.csv": _csv(INSTITUTION_HEADER, data.institutions),
        "submissions.csv": _csv(SUBMISSION_HEADER, data.submissions),
        "methodology.yaml": cycle.methodology_yaml.encode("utf-8"),
    }
    methodology = methodology_of(cycle)
    manifest = {
        "cycle": cycle.id,
        "cycle_state": cycle.state,
        "methodology": {"id": methodology.id, "sha256": methodology_hash(methodology)},
        "database_state_sha256": state_hash(data.state),
        "counts": {
            "institutions": len(data.institutions),
            "submitted_sdgs": len(data.state["submitted"]),
            "submission_rows": len(data.submissions),
            "metrics_without_data": sum(all(v == "" for v in row[3:]) for row in data.submissions),
        },
        "review": {"reviewed": data.reviewed, "unassessed_claims_exported": data.unassessed},
        "corrections": [correction_view(c) for c in data.corrections],
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return files, manifest


def export_cycle(session: Session, cycle_id: str, out: Path, allow_unassessed: bool = False) -> dict:
    files, manifest = export_files(session, cycle_id, allow_unassessed)
    with atomic_folder(out, list(files)) as staging:  # the files appear together; the manifest is the last name
        for name, data in files.items():
            (staging / name).write_bytes(data)
    return manifest
