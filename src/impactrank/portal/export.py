"""A cycle as ``impactrank build``'s inputs: ``institutions.csv`` and ``submissions.csv``, byte for byte the same
for the same database state, with a ``manifest.json`` naming that state's hash and counts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from impactrank.engine.metrics import VALUE_COLUMNS
from impactrank.io.atomic import write_bytes_atomic
from impactrank.methodology import methodology_hash
from impactrank.portal.errors import not_found
from impactrank.portal.models import Cycle, EvidenceItem, Institution, Record, SdgSubmission
from impactrank.portal.records import forms_of, methodology_of

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


def cycle_rows(session: Session, cycle: Cycle) -> tuple[list[tuple], list[tuple], dict]:
    """(institution rows, submission rows, canonical state) for every submitted SDG of the cycle."""
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
    members = sorted({inst for inst, _ in submitted})
    institutions = {i.id: i for i in session.scalars(select(Institution).where(Institution.id.in_(members)))}
    inst_rows = [(i, institutions[i].name, institutions[i].country) for i in members]
    sub_rows = []
    for inst, sdg in submitted:
        for m in forms[sdg].metrics:
            r = records.get((inst, sdg, m.metric))
            values = r.values() if r is not None and not r.unavailable else dict.fromkeys(VALUE_COLUMNS)
            sub_rows.append((inst, str(sdg), m.metric, *(number(values[c]) for c in VALUE_COLUMNS)))
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
        "records": sorted(
            [k[0], k[1], k[2], r.state, r.unavailable, r.version, *[r.values()[c] for c in VALUE_COLUMNS]]
            for k, r in records.items()
        ),
        "evidence": sorted(
            [
                i,
                s,
                m,
                e.kind,
                e.url,
                e.file_sha256,
                e.filename,
                e.title,
                e.date.isoformat() if e.date else None,
                e.public,
            ]
            for i, s, m, e in evidence
        ),
    }
    return inst_rows, sub_rows, state


def state_hash(state: dict) -> str:
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def export_cycle(session: Session, cycle_id: str, out: Path) -> dict:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise not_found(f"cycle {cycle_id!r}", "cycle")
    inst_rows, sub_rows, state = cycle_rows(session, cycle)
    files = {
        "institutions.csv": _csv(INSTITUTION_HEADER, inst_rows),
        "submissions.csv": _csv(SUBMISSION_HEADER, sub_rows),
        "methodology.yaml": cycle.methodology_yaml.encode("utf-8"),
    }
    methodology = methodology_of(cycle)
    manifest = {
        "cycle": cycle.id,
        "cycle_state": cycle.state,
        "methodology": {"id": methodology.id, "sha256": methodology_hash(methodology)},
        "database_state_sha256": state_hash(state),
        "counts": {
            "institutions": len(inst_rows),
            "submitted_sdgs": len(state["submitted"]),
            "submission_rows": len(sub_rows),
            "metrics_without_data": sum(all(v == "" for v in row[3:]) for row in sub_rows),
        },
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_bytes_atomic(out / name, data)
    write_bytes_atomic(out / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return manifest
