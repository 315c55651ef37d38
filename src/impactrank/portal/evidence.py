"""Evidence items on a record: a URL or an uploaded file, with a title, a date and a "public" flag."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import func, select

from impactrank.i18n import N_
from impactrank.portal.audit import log_change
from impactrank.portal.errors import PortalError, invalid, not_found
from impactrank.portal.models import EvidenceItem, Record, StoredFile
from impactrank.portal.records import _require_editable, evidence_view, metric_form
from impactrank.portal.tenancy import EDIT, Scope

MAX_URL = 2000
MAX_TITLE = 300
QUOTA_FILES = 1000
QUOTA_BYTES = 2 * 2**30
"""An institution's evidence files in a cycle: no one fills the store, however many files each one's limit allows."""


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL or any(c.isspace() for c in url):
        raise invalid(N_("give a web address starting with http:// or https://"), "url")
    return url


def check_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise invalid(N_("an evidence item needs a title"), "title")
    if len(title) > MAX_TITLE:
        raise invalid(N_("the title is longer than %(n)s characters"), "title", n=MAX_TITLE)
    return title


def parse_date(text: str | None) -> date | None:
    if text is None or not str(text).strip():
        return None
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise invalid(N_("%(text)r is not a date (YYYY-MM-DD)"), "date", text=text) from None


def check_may_add(scope: Scope, cycle, institution_id: str, sdg: int, metric: str, file: int | None = None) -> None:
    """Checked before a file is received (``file`` 0), and again inside the transaction that records it (``file``:
    its size; None for a URL)."""
    metric_form(cycle, sdg, metric)
    _require_editable(scope, cycle, institution_id, sdg, metric)
    if file is None:
        return
    files, used = scope.session.execute(
        select(func.count(EvidenceItem.id), func.coalesce(func.sum(StoredFile.size), 0))
        .join(Record, Record.id == EvidenceItem.record_id)
        .join(StoredFile, StoredFile.sha256 == EvidenceItem.file_sha256)
        .where(EvidenceItem.institution_id == institution_id, Record.cycle_id == cycle.id)
    ).one()
    if files + 1 > QUOTA_FILES or used + max(file, 1) > QUOTA_BYTES:
        raise PortalError(
            N_("your institution's evidence files in this cycle are limited to %(n)s files and %(gb)s GB"),
            field="file",
            status=413,
            params={"n": QUOTA_FILES, "gb": QUOTA_BYTES // 2**30},
        )


def add_evidence(
    scope: Scope,
    cycle,
    institution_id: str,
    sdg: int,
    metric: str,
    *,
    title: str,
    when: date | None,
    public: bool,
    url: str | None = None,
    stored: tuple[str, int, str] | None = None,
    filename: str | None = None,
) -> dict:
    check_may_add(scope, cycle, institution_id, sdg, metric, stored[1] if stored else None)
    title = check_title(title)
    record = scope.record(cycle.id, institution_id, sdg, metric)
    if record is None:  # evidence may come before the answers: start the record as an empty draft
        record = Record(
            cycle_id=cycle.id,
            institution_id=institution_id,
            sdg=sdg,
            metric=metric,
            version=1,
            state="draft",
            unavailable=False,
            warnings_acknowledged=False,
            updated_at=scope.now,
            updated_by=scope.actor.user_id,
        )
        scope.session.add(record)
        scope.session.flush()
    if stored is not None:
        sha, size, media_type = stored
        if scope.session.get(StoredFile, sha) is None:
            scope.session.add(StoredFile(sha256=sha, size=size, media_type=media_type))
            scope.session.flush()  # the item's foreign key needs the row first
        item = EvidenceItem(kind="file", file_sha256=sha, filename=filename)
    else:
        item = EvidenceItem(kind="url", url=check_url(url or ""))
    item.record_id = record.id
    item.institution_id = institution_id
    item.title, item.date, item.public = title, when, public
    item.created_at, item.created_by = scope.now, scope.actor.user_id
    scope.session.add(item)
    scope.session.flush()
    view = evidence_view(item)
    log_change(
        scope,
        "evidence.add",
        "evidence",
        f"{record.key}#evidence-{item.id}",
        after=view,
        cycle_id=cycle.id,
        institution_id=institution_id,
    )
    return view


def remove_evidence(scope: Scope, cycle, institution_id: str, evidence_id: int) -> None:
    item = scope.evidence(evidence_id)
    record = scope.session.get(Record, item.record_id)
    if record.cycle_id != cycle.id or item.institution_id != institution_id:
        raise not_found(N_("no evidence item here"), "evidence")
    scope.require(EDIT, item.institution_id)
    _require_editable(scope, cycle, item.institution_id, record.sdg, record.metric)
    before = evidence_view(item)
    scope.session.delete(item)
    log_change(
        scope,
        "evidence.remove",
        "evidence",
        f"{record.key}#evidence-{evidence_id}",
        before=before,
        cycle_id=cycle.id,
        institution_id=item.institution_id,
    )
