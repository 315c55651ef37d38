"""Reading the audit trail: a record's history, the log with filters, and the CSV export."""

from __future__ import annotations

import json

import polars as pl
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from impactrank.io.exports import export_table
from impactrank.portal.models import REVIEWER, Assignment, AuditEntry, User

AUDIT_HEADER = ("at", "actor", "action", "object", "before", "after", "reason")


def entry_view(e: AuditEntry) -> dict:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "actor": e.actor_email,
        "action": e.action,
        "object": f"{e.object_type}:{e.object_id}",
        "before": e.before,
        "after": e.after,
        "reason": e.reason,
    }


def reviewer_names(session: Session, institution_id: str) -> dict[int, str]:
    """Reviewers as an institution sees them: "Reviewer 1", "Reviewer 2" … in the order they were first assigned
    to it, so each keeps their name on every page and in every cycle (assignments are only ever added)."""
    firsts = session.execute(
        select(Assignment.reviewer_id, func.min(Assignment.id))
        .where(Assignment.institution_id == institution_id)
        .group_by(Assignment.reviewer_id)
    ).all()
    return {reviewer: f"Reviewer {n}" for n, (reviewer, _) in enumerate(sorted(firsts, key=lambda r: r[1]), 1)}


def record_history(session: Session, record_key: str, institution_id: str | None = None) -> list[dict]:
    """Every change of a record: its saves, evidence, assessments, revision answers and corrections. With
    ``institution_id`` (anyone but an operator reading), reviewers are named by their pseudonym there."""
    prefix = record_key + "#"
    rows = session.scalars(
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.object_id == record_key,
                func.substr(AuditEntry.object_id, 1, len(prefix)) == prefix,
            )
        )
        .order_by(AuditEntry.id)
    ).all()
    if institution_id is None:
        return [entry_view(e) for e in rows]
    names = reviewer_names(session, institution_id)
    acting = {e.actor_id for e in rows if e.actor_id is not None}
    reviewers = set(session.scalars(select(User.id).where(User.id.in_(acting), User.role == REVIEWER)))
    return [
        entry_view(e) | ({"actor": names.get(e.actor_id, "A reviewer")} if e.actor_id in reviewers else {})
        for e in rows
    ]


def log_entries(
    session: Session,
    cycle: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    institution: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if cycle:
        query = query.where(AuditEntry.cycle_id == cycle)
    if actor:
        query = query.where(AuditEntry.actor_email == actor.strip().lower())
    if action:
        query = query.where(func.substr(AuditEntry.action, 1, len(action)) == action)
    if institution:
        query = query.where(AuditEntry.institution_id == institution)
    if limit:
        query = query.order_by(None).order_by(AuditEntry.id.desc()).limit(limit)
    rows = [entry_view(e) for e in session.scalars(query)]
    return sorted(rows, key=lambda r: r["id"])


def audit_csv(entries: list[dict]) -> bytes:
    """One row per change: time, the actor's e-mail, the action, the object, before, after (JSON) and the reason;
    written like every table export, so text a spreadsheet would run as a formula is neutralised."""
    columns: dict[str, list[str]] = {name: [] for name in AUDIT_HEADER}
    for e in entries:
        for name in ("at", "actor", "action", "object", "reason"):
            columns[name].append(e[name] or "")
        for name in ("before", "after"):
            columns[name].append("" if e[name] is None else json.dumps(e[name], sort_keys=True, ensure_ascii=False))
    return export_table(pl.DataFrame(columns, schema=dict.fromkeys(AUDIT_HEADER, pl.String)), "csv")
