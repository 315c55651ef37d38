"""An institution's records through the records functions themselves, on a small in-memory database under the
mini methodology (tests/fixtures/mini.yaml): the forms a page shows, a save with its version check and warnings,
progress and submission, and a file of the institution's own rows applied all or nothing. Another tenant's
rows and ids get nothing."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from portal_world import MINI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from impactrank.portal import records
from impactrank.portal.cycles import open_cycle
from impactrank.portal.errors import PortalError
from impactrank.portal.models import AuditEntry, Base, Cycle, EvidenceItem, Institution, Record, SdgSubmission, User
from impactrank.portal.records import RecordEdit
from impactrank.portal.tenancy import COMMAND_LINE, Actor, Scope

NOW = datetime(2025, 10, 1, 9, 0)
HEADER = "institution_id,sdg,metric,value,numerator,denominator,exists,evidence,public,recent"
A_ADMIN = Actor(1, "admin@a.edu", "admin", "A")
A_CONTRIBUTOR = Actor(2, "contributor@a.edu", "contributor", "A")
B_ADMIN = Actor(3, "admin@b.edu", "admin", "B")
REVIEWER = Actor(4, "rev@network.org", "reviewer")


@pytest.fixture
def db():
    """A and B; an open cycle 2025 under the mini methodology; A's SDG 1 publications were 10 in 2024 (the
    cycle before), 1000 in 2023 and 5000 in a cycle opened later; its SDG 3 publications 7 in each."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        for inst, country in (("A", "FR"), ("B", "DE")):
            s.add(Institution(id=inst, name=f"University {inst}", country=country, created_at=NOW))
        for a in (A_ADMIN, A_CONTRIBUTOR, B_ADMIN, REVIEWER):
            s.add(User(id=a.user_id, email=a.email, role=a.role, institution_id=a.institution_id, created_at=NOW))
        for year, value in (("2023", 1000.0), ("2024", 10.0), ("2026", 5000.0)):
            opened = NOW - timedelta(days=365 * (2025 - int(year)))
            s.add(
                Cycle(
                    id=year,
                    methodology_id="mini",
                    methodology_yaml="",
                    opened_at=opened,
                    closes_at=opened,
                    state="published",
                )
            )
            for sdg, metric, v in ((1, "pubs", value), (1, "gone", 1.0), (3, "pubs", 7.0)):
                s.add(
                    Record(
                        cycle_id=year,
                        institution_id="A",
                        sdg=sdg,
                        metric=metric,
                        value=v,
                        state="complete",
                        version=1,
                        updated_at=NOW,
                    )
                )
        open_cycle(Scope(s, COMMAND_LINE, NOW), "2025", str(MINI), "2025-11-11")
        s.commit()
        yield s


def scope(db, who: Actor, now: datetime = NOW) -> Scope:
    return Scope(db, who, now)


def cycle(db) -> Cycle:
    return db.get(Cycle, "2025")


def refused(call) -> tuple[int, str | None, str]:
    with pytest.raises(PortalError) as err:
        call()
    return err.value.status, err.value.field, str(err.value)


def save(db, who, sdg, metric, version=0, **values):
    edit = RecordEdit(version=version, **values)
    return records.save_record(scope(db, who), cycle(db), who.institution_id, sdg, metric, edit)


def test_a_saved_metric_as_the_form_shows_it(db):
    view = save(db, A_CONTRIBUTOR, 1, "pubs", value=120)
    tenfold = {"code": "tenfold", "field": "value", "message": "120 is 12 × last cycle's 10"}
    assert {k: v for k, v in view["warnings"][0].items() if k != "_text"} == tenfold
    save(db, A_CONTRIBUTOR, 3, "pubs", value=5)  # the same metric in another SDG: not shown with SDG 1
    db.add(EvidenceItem(record_id=_id(db, "pubs"), institution_id="A", kind="file", title="Report", created_at=NOW))
    db.add(
        EvidenceItem(
            record_id=_id(db, "pubs"),
            institution_id="A",
            kind="url",
            url="https://a.example",
            title="W",
            created_at=NOW,
        )
    )
    rows = records.sdg_records(scope(db, A_ADMIN), cycle(db), "A", 1)
    assert [{k: v for k, v in r.items() if k != "warnings"} for r in rows] == [
        {
            "sdg": 1,
            "metric": "pubs",
            "label": "Publications",
            "kind": "number",
            "methodology_kind": "bibliometric",
            "fields": ["value"],
            "unit": None,
            "weight": 60.0,
            "direction": "higher",
            "pillar": "research",
            "rubric": None,
            "confirmed": True,
            "source": "test",
            "value": 120.0,
            **dict.fromkeys(("numerator", "denominator", "exists", "evidence", "public", "recent")),
            "unavailable": False,
            "state": "draft",
            "locked": False,
            "version": 1,
            "updated_at": "2025-10-01T09:00:00",
            "warnings_acknowledged": False,
            "evidence_items": [
                _item(1, "file", "Report", None, "/api/evidence/1/file"),
                _item(2, "url", "W", "https://a.example", None),
            ],
            "reopened": False,
            "revision_round": 0,
            "revision_due": None,
            "review": None,
        },
        {
            "sdg": 1,
            "metric": "policy",
            "label": "Anti-poverty policy",
            "kind": "evidence",
            "methodology_kind": "evidence",
            "fields": ["exists", "evidence", "public", "recent"],
            "unit": None,
            "weight": 40.0,
            "direction": "higher",
            "pillar": "stewardship",
            "rubric": dict.fromkeys(("exists", "evidence", "public", "recent"), 1.0),
            "confirmed": True,
            "source": "test",
            **dict.fromkeys(("value", "numerator", "denominator", "exists", "evidence", "public", "recent")),
            "unavailable": False,
            "state": "not_started",
            "locked": False,
            "version": 0,
            "updated_at": None,
            "warnings_acknowledged": False,
            "evidence_items": [],
            "reopened": False,
            "revision_round": 0,
            "revision_due": None,
            "review": None,
        },
    ]
    assert [w["code"] for w in rows[0]["warnings"]] == ["tenfold"] and rows[1]["warnings"] == []
    assert refused(lambda: records.sdg_records(scope(db, B_ADMIN), cycle(db), "A", 1))[0] == 404
    assert refused(lambda: records.sdg_records(scope(db, A_ADMIN), cycle(db), "A", 9)) == (
        404,
        "sdg",
        "field 'sdg': no SDG 9 in this cycle's methodology",
    )


def _id(db, metric: str) -> int:
    return db.scalar(select(Record.id).where(Record.cycle_id == "2025", Record.metric == metric))


def _item(n, kind, title, url, download) -> dict:
    return {
        "id": n,
        "kind": kind,
        "title": title,
        "url": url,
        "filename": None,
        "sha256": None,
        "date": None,
        "public": False,
        "download": download,
    }


def test_a_rate_and_an_unknown_metric(db):
    view = save(db, A_CONTRIBUTOR, 2, "share", numerator=3, denominator=4)
    assert (view["kind"], view["fields"], view["unit"], view["numerator"]) == (
        "rate",
        ["numerator", "denominator"],
        "graduates",
        3.0,
    )
    assert save(db, A_CONTRIBUTOR, 2, "waste", value=2)["direction"] == "lower"
    assert refused(lambda: save(db, A_CONTRIBUTOR, 1, "nope", value=1)) == (
        404,
        "metric",
        "field 'metric': no metric 'nope' in SDG 1 (known: pubs, policy)",
    )
    assert refused(lambda: records.metric_in_view(scope(db, REVIEWER), cycle(db), "A", 1, "pubs")) == (
        404,
        "metric",
        "field 'metric': no record here",
    )
    assert records.metric_in_view(scope(db, A_ADMIN), cycle(db), "A", 1, "policy").label == "Anti-poverty policy"


def test_versions_warnings_and_the_audit_log(db):
    assert refused(lambda: save(db, A_CONTRIBUTOR, 3, "pubs", version=1, value=5)) == (
        409,
        "version",
        "field 'version': version 1 is stale: this metric has not been saved yet (version 0)",
    )
    assert save(db, A_CONTRIBUTOR, 1, "pubs", value=12)["version"] == 1  # 1.2 × last cycle's: no warning
    assert refused(lambda: save(db, A_CONTRIBUTOR, 1, "pubs", version=0, value=12)) == (
        409,
        "version",
        "field 'version': version 0 is stale: the metric is at version 1 (saved by someone else)",
    )
    assert refused(lambda: save(db, A_CONTRIBUTOR, 1, "pubs", version=1, value=0.5, complete=True)) == (
        422,
        "acknowledge_warnings",
        "field 'acknowledge_warnings': confirm the warnings to mark this metric complete: "
        "0.5 is 0.05 × last cycle's 10",
    )
    with pytest.raises(PortalError) as err:  # on a French page, the warning is French too
        save(db, A_CONTRIBUTOR, 1, "pubs", version=1, value=0.5, complete=True)
    assert err.value.text("fr", located=False) == (
        "confirmez les avertissements pour marquer cet indicateur comme complet\u00a0: "
        "0.5 vaut 0.05 × la valeur du cycle précédent, 10"
    )
    view = save(db, A_CONTRIBUTOR, 1, "pubs", version=1, value=0.5, complete=True, acknowledge_warnings=True)
    assert (view["state"], view["version"], view["warnings_acknowledged"]) == ("complete", 2, True)
    view = save(db, A_CONTRIBUTOR, 1, "pubs", version=2, value=9, complete=True, acknowledge_warnings=True)
    assert (view["state"], view["version"], view["warnings_acknowledged"]) == ("complete", 3, False)
    row = db.get(Record, _id(db, "pubs"))
    assert (row.value, row.version, row.state, row.updated_by) == (9.0, 3, "complete", 2)
    assert refused(lambda: save(db, A_CONTRIBUTOR, 3, "pubs", unavailable=True, complete=True, value=1)) == (
        422,
        "value",
        "field 'value': a metric declared as having no data takes no values",
    )
    log = db.scalars(select(AuditEntry).where(AuditEntry.action == "record.save").order_by(AuditEntry.id)).all()
    assert [(e.object_type, e.object_id, e.actor_email, e.cycle_id, e.institution_id) for e in log] == [
        ("record", "2025/A/1/pubs", "contributor@a.edu", "2025", "A")
    ] * 3
    blank = dict.fromkeys(("numerator", "denominator", "exists", "evidence", "public", "recent"))
    assert log[0].before is None
    assert log[0].after == {"value": 12.0, **blank, "unavailable": False, "state": "draft", "version": 1}
    assert log[2].before == {"value": 0.5, **blank, "unavailable": False, "state": "complete", "version": 2}
    assert log[2].after == {"value": 9.0, **blank, "unavailable": False, "state": "complete", "version": 3}
    save(db, B_ADMIN, 1, "pubs", value=1)  # B writes its own
    assert db.scalar(select(Record.value).where(Record.institution_id == "B")) == 1.0


def test_another_tenant_cannot_save_or_submit(db):
    other = RecordEdit(version=0, value=1)
    assert refused(lambda: records.save_record(scope(db, B_ADMIN), cycle(db), "A", 3, "pubs", other))[0] == 404
    assert refused(lambda: records.submit(scope(db, B_ADMIN), cycle(db), "A", [3]))[0] == 404
    assert refused(lambda: records.submit(scope(db, A_CONTRIBUTOR), cycle(db), "A", [3]))[0] == 403
    assert db.scalars(select(Record).where(Record.cycle_id == "2025")).all() == []


def test_progress_and_submission(db):
    save(db, A_CONTRIBUTOR, 3, "pubs", value=5, complete=True)
    save(db, A_CONTRIBUTOR, 1, "pubs", value=11)
    a = scope(db, A_ADMIN)
    assert refused(lambda: records.submit(a, cycle(db), "A", [])) == (
        422,
        "sdgs",
        "field 'sdgs': name at least one SDG to submit",
    )
    assert refused(lambda: records.submit(a, cycle(db), "A", [3, 1])) == (
        422,
        "sdgs",
        "field 'sdgs': SDG 1 has metrics that are not complete: pubs, policy",
    )
    later = NOW + timedelta(days=2)
    done = records.submit(scope(db, A_ADMIN, later), cycle(db), "A", [3, 3])
    assert done["sdgs"][:3] == [
        _sdg(1, "No poverty", 2, 0, 1, False, None, False),
        _sdg(2, "Zero hunger", 2, 0, 0, False, None, False),
        _sdg(3, "Good health", 1, 1, 1, True, "2025-10-03T09:00:00", False),
    ]
    assert [s["sdg"] for s in done["sdgs"]] == [1, 2, 3, 4, 17]
    assert done["eligibility"]["submitted"] == [3] and not done["eligibility"]["eligible"]
    subs = db.scalars(select(SdgSubmission)).all()
    assert [(s.institution_id, s.sdg, s.submitted_at, s.submitted_by) for s in subs] == [("A", 3, later, 1)]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sdg.submit"))
    assert (entry.object_type, entry.object_id, entry.before, entry.after) == (
        "institution",
        "2025/A",
        {"submitted": []},
        {"submitted": [3]},
    )
    assert refused(lambda: records.submit(a, cycle(db), "A", [3])) == (
        409,
        "sdgs",
        "field 'sdgs': SDG 3 is already submitted",
    )
    assert refused(lambda: save(db, A_CONTRIBUTOR, 3, "pubs", version=1, value=6)) == (
        423,
        "sdg",
        "field 'sdg': SDG 3 was submitted on 2025-10-03 and is locked",
    )
    view = records.sdg_records(a, cycle(db), "A", 3)[0]
    assert (view["state"], view["locked"]) == ("submitted", True)
    save(db, A_CONTRIBUTOR, 1, "pubs", version=1, value=11, complete=True)
    save(db, A_CONTRIBUTOR, 1, "policy", exists=1, evidence=0, public=0, recent=1, complete=True)
    assert records.progress(a, cycle(db), "A")["sdgs"][0] == _sdg(1, "No poverty", 2, 2, 2, False, None, True)
    assert records.progress(scope(db, B_ADMIN), cycle(db), "B")["sdgs"][2]["complete"] == 0
    assert refused(lambda: records.progress(scope(db, B_ADMIN), cycle(db), "A"))[0] == 404


def _sdg(sdg, label, metrics, complete, started, submitted, at, ready) -> dict:
    return {
        "sdg": sdg,
        "label": label,
        "metrics": metrics,
        "complete": complete,
        "started": started,
        "submitted": submitted,
        "submitted_at": at,
        "ready": ready,
        "revisions": [],  # no reviewer has reopened a metric here
    }


def upload(db, who, text: str, complete=False, name="mine.csv", limit=10_000, institution=None):
    stream = io.BytesIO(text.encode())
    inst = institution or who.institution_id
    return records.upload(scope(db, who), cycle(db), inst, stream, name, complete, limit)


def test_an_upload_of_the_institutions_own_rows(db):
    save(db, A_CONTRIBUTOR, 3, "pubs", value=5)
    rows = f"{HEADER}\nA,3,pubs,7,,,,,,\nA,1,pubs,,,,,,,\nA,1,policy,,,,1,1,0,1\n"
    done = upload(db, A_CONTRIBUTOR, rows, complete=True, name="../../my file!.csv")
    assert done == {"rows": 3, "saved": ["1/policy", "1/pubs", "3/pubs"], "left_as_draft": ["1/policy"]}
    got = {(r.sdg, r.metric): r for r in db.scalars(select(Record).where(Record.cycle_id == "2025"))}
    assert {k: (r.value, r.version, r.state, r.unavailable) for k, r in got.items()} == {
        (3, "pubs"): (7.0, 2, "complete", False),
        (1, "pubs"): (None, 1, "complete", True),  # an empty row: declared as having no data
        (1, "policy"): (None, 1, "draft", False),  # evidence claimed without an item: left as a draft
    }
    shown = records.sdg_records(scope(db, A_ADMIN), cycle(db), "A", 1)
    assert [(r["metric"], r["unavailable"], r["state"]) for r in shown] == [
        ("pubs", True, "complete"),
        ("policy", False, "draft"),
    ]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "records.upload"))
    assert (entry.object_type, entry.object_id, entry.reason, entry.cycle_id, entry.institution_id) == (
        "institution",
        "2025/A",
        "file my file.csv",
        "2025",
        "A",
    )
    assert entry.before["3/pubs"]["value"] == 5.0 and entry.before["1/pubs"] is None
    assert entry.after["3/pubs"]["value"] == 7.0
    done = upload(db, A_CONTRIBUTOR, f"{HEADER}\nA,2,waste,3,,,,,,\n", name="!!!")
    assert done == {"rows": 1, "saved": ["2/waste"], "left_as_draft": []}
    assert (
        db.scalar(select(AuditEntry.reason).where(AuditEntry.action == "records.upload").order_by(AuditEntry.id.desc()))
        == "file upload.csv"
    )


def test_an_upload_with_another_institutions_rows_is_refused_by_its_row(db):
    mixed = f"{HEADER}\nA,1,pubs,10,,,,,,\n B ,3,pubs,5,,,,,,\nA,4,pubs,2,,,,,,\nB,4,pubs,6,,,,,,\n"
    with pytest.raises(PortalError) as err:
        upload(db, A_CONTRIBUTOR, mixed)
    assert (err.value.status, err.value.file, err.value.row, err.value.field) == (422, "mine.csv", 3, "institution_id")
    assert str(err.value) == (
        "mine.csv, row 3, field 'institution_id': rows may only be for your institution (A) (1 more row like this)"
    )
    assert db.scalars(select(Record).where(Record.cycle_id == "2025")).all() == []
    assert refused(lambda: upload(db, B_ADMIN, f"{HEADER}\nA,1,pubs,1,,,,,,\n", institution="A"))[0] == 404
    with pytest.raises(PortalError) as err:  # its own id with spaces: past the own-institution rule, not the build's
        upload(db, A_CONTRIBUTOR, f"{HEADER}\nA,1,pubs,10,,,,,,\n A ,3,pubs,5,,,,,,\n")
    assert (
        str(err.value)
        == "mine.csv, row 3, field 'institution_id': unknown institution ' A ' (not in the institutions file)"
    )
    assert upload(db, B_ADMIN, f"{HEADER}\nB,4,pubs,6,,,,,,\n")["saved"] == ["4/pubs"]


def test_an_upload_touching_a_submitted_sdg_or_too_large_is_refused_whole(db):
    save(db, A_CONTRIBUTOR, 3, "pubs", value=5, complete=True)
    records.submit(scope(db, A_ADMIN), cycle(db), "A", [3])
    text = f"{HEADER}\nA,1,pubs,4,,,,,,\n\nA,3,pubs,7,,,,,,\n"
    with pytest.raises(PortalError) as err:
        upload(db, A_CONTRIBUTOR, text)
    assert (err.value.status, err.value.row, err.value.field, err.value.file) == (423, 4, "sdg", "mine.csv")
    assert str(err.value) == "mine.csv, row 4, field 'sdg': SDG 3 is submitted and locked"
    assert refused(lambda: upload(db, A_CONTRIBUTOR, text, limit=len(text) - 1))[0] == 413
    one = f"{HEADER}\nA,1,pubs,4,,,,,,\n"
    assert upload(db, A_CONTRIBUTOR, one, limit=len(one))["rows"] == 1
    with pytest.raises(PortalError) as err:
        upload(db, A_CONTRIBUTOR, f"{HEADER}\nA,1,pubs,x,,,,,,\n")
    assert (err.value.status, err.value.row, err.value.field) == (422, 2, "value")
    assert db.scalar(select(Record.value).where(Record.cycle_id == "2025", Record.sdg == 1)) == 4.0


def test_a_metric_reopened_by_a_reviewer_shows_and_takes_its_latest_assessment(db):
    """A reviewer's revision request reopens one metric of a submitted SDG until its revision is due; the form
    shows the latest of its assessments."""
    from impactrank.portal.models import Assessment

    save(db, A_CONTRIBUTOR, 3, "pubs", value=5, complete=True)
    records.submit(scope(db, A_ADMIN), cycle(db), "A", [3])
    rec = db.get(Record, _id(db, "pubs"))
    for n, verdict in ((1, "accepted"), (2, "revision")):
        db.add(
            Assessment(
                record_id=rec.id,
                institution_id="A",
                reviewer_id=4,
                round=n - 1,
                verdict=verdict,
                note=f"n{n}",
                record_version=1,
                created_at=NOW + timedelta(hours=n),
            )
        )
    due = NOW + timedelta(days=14)
    rec.reopened, rec.revision_round, rec.revision_due = True, 1, due
    view = records.sdg_records(scope(db, A_ADMIN), cycle(db), "A", 3)[0]
    assert (view["state"], view["locked"], view["reopened"]) == ("complete", False, True)
    assert (view["revision_round"], view["revision_due"]) == (1, "2025-10-15T09:00:00")
    assert view["review"] == {
        "id": 2,
        "round": 1,
        "verdict": "revision",
        **dict.fromkeys(("exists", "evidence", "public", "recent")),
        "note": "n2",
        "record_version": 1,
        "at": "2025-10-01T11:00:00",
    }
    assert save(db, A_CONTRIBUTOR, 3, "pubs", version=1, value=6, complete=True)["version"] == 2
    late = RecordEdit(version=2, value=7)
    assert refused(
        lambda: records.save_record(
            scope(db, A_CONTRIBUTOR, due + timedelta(minutes=1)), cycle(db), "A", 3, "pubs", late
        )
    ) == (
        423,
        "metric",
        "field 'metric': the revision of this metric was due on 2025-10-15 09:00 UTC",
    )
    assert records.latest_assessments(db, []) == {}


def test_a_reviewer_sees_the_forms_and_progress_of_what_they_review_and_writes_nothing(db):
    from impactrank.portal.models import Assignment

    save(db, A_CONTRIBUTOR, 1, "pubs", value=11)
    db.add(Assignment(cycle_id="2025", institution_id="A", sdg=1, reviewer_id=4, created_at=NOW))
    cycle(db).state = "review"
    rev = scope(db, REVIEWER)
    assert records.metric_in_view(rev, cycle(db), "A", 1, "pubs").label == "Publications"
    assert refused(lambda: records.metric_in_view(rev, cycle(db), "A", 1, "policy"))[0] == 404
    assert refused(lambda: records.metric_in_view(rev, cycle(db), "B", 1, "pubs"))[0] == 404
    assert records.progress(rev, cycle(db), "A")["sdgs"][0]["started"] == 1
    assert [(r["metric"], r["value"]) for r in records.sdg_records(rev, cycle(db), "A", 1)] == [
        ("pubs", 11.0),
        ("policy", None),
    ]
    assert refused(lambda: records.progress(rev, cycle(db), "B"))[0] == 404
    assert refused(lambda: records.submit(rev, cycle(db), "A", [1]))[0] == 403  # seen, so not a 404
    assert refused(lambda: upload(db, REVIEWER, f"{HEADER}\nA,1,pubs,1,,,,,,\n", institution="A"))[0] == 403


def test_an_extension_keeps_the_institution_saving_submitting_and_uploading_after_the_close(db):
    from impactrank.portal.models import Extension

    save(db, A_CONTRIBUTOR, 3, "pubs", value=5, complete=True)
    db.add(Extension(cycle_id="2025", institution_id="A", until=datetime(2025, 11, 20, 23, 59, 59)))
    after_close = datetime(2025, 11, 15, 9, 0)
    done = records.submit(scope(db, A_ADMIN, after_close), cycle(db), "A", [3])
    assert done["sdgs"][2]["submitted"] is True
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sdg.submit"))
    assert (entry.cycle_id, entry.institution_id, entry.actor_email) == ("2025", "A", "admin@a.edu")
    stream = io.BytesIO(f"{HEADER}\nA,4,pubs,2,,,,,,\n".encode())
    assert records.upload(scope(db, A_CONTRIBUTOR, after_close), cycle(db), "A", stream, "f.csv", False, 999)["rows"]
    late = records.save_record(
        scope(db, A_CONTRIBUTOR, after_close), cycle(db), "A", 1, "pubs", RecordEdit(version=0, value=3)
    )
    assert (late["value"], late["version"]) == (3.0, 1)
    assert refused(lambda: records.submit(scope(db, B_ADMIN, after_close), cycle(db), "B", [3]))[0] == 423


def test_an_upload_marks_complete_only_what_is_complete_and_without_warnings(db):
    save(db, A_CONTRIBUTOR, 1, "policy", exists=1)
    db.add(EvidenceItem(record_id=_id(db, "policy"), institution_id="A", kind="url", title="Page", created_at=NOW))
    rows = f"{HEADER}\nA,1,policy,,,,1,1,0,1\nA,17,reports,,,,1,,,\nA,3,pubs,1,,,,,,\n"
    done = upload(db, A_CONTRIBUTOR, rows, complete=True)
    assert done == {"rows": 3, "saved": ["1/policy", "17/reports", "3/pubs"], "left_as_draft": ["17/reports"]}
    assert records.sdg_records(scope(db, A_ADMIN), cycle(db), "A", 1)[1]["warnings"] == []  # its item counts
    got = {(r.sdg, r.metric): r for r in db.scalars(select(Record).where(Record.cycle_id == "2025"))}
    assert {k: (r.state, r.warnings_acknowledged, r.version) for k, r in got.items()} == {
        (1, "policy"): ("complete", False, 2),  # evidence claimed, and an item is attached
        (17, "reports"): ("draft", False, 1),  # three rubric answers missing
        (3, "pubs"): ("complete", False, 1),
    }


def test_an_uploads_name_and_size(db):
    long = "a" * 150 + ".csv"
    upload(db, A_CONTRIBUTOR, f"{HEADER}\nA,3,pubs,1,,,,,,\n", name=long)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "records.upload"))
    assert entry.reason == "file " + long[-100:]
    from impactrank.portal.files import CHUNK

    big = HEADER + "\n" + "A,1,pubs,4,,,,,,\n" * (CHUNK // 16 + 1000)  # more than one read
    assert refused(lambda: upload(db, A_CONTRIBUTOR, big, limit=CHUNK + 10))[0] == 413


def test_an_upload_refused_by_the_builds_reader_says_what_it_says(db):
    status, field, text = refused(lambda: upload(db, A_CONTRIBUTOR, "institution_id,sdg,value\nA,3,1\n"))
    assert (status, field) == (422, "metric")
    assert text == "mine.csv, field 'metric': missing column metric (found: institution_id, sdg, value)"


def test_a_save_checked_before_its_write_refuses_a_field_the_format_does_not_have(db):
    values = {"value": 1.0, "zeta": 2.0, "alpha": 3.0}
    assert refused(lambda: records.check_save(cycle(db), "A", 1, "pubs", values)) == (
        422,
        "alpha",
        "field 'alpha': unknown field 'alpha'",
    )
    assert records.check_save(cycle(db), "A", 1, "pubs", {"value": 1.0}) is None


def test_a_save_refuses_what_the_build_would_refuse_and_writes_nothing(db):
    assert refused(lambda: save(db, A_CONTRIBUTOR, 2, "share", numerator=3, denominator=0)) == (
        422,
        "denominator",
        "field 'denominator': the denominator must be positive",
    )
    assert refused(lambda: save(db, A_CONTRIBUTOR, 1, "pubs", value=-3)) == (
        422,
        "value",
        "field 'value': a metric value cannot be negative",
    )
    assert db.scalars(select(Record).where(Record.cycle_id == "2025")).all() == []


def test_a_saved_evidence_question_is_warned_by_the_items_attached_to_it(db):
    first = save(db, A_CONTRIBUTOR, 1, "policy", exists=1, evidence=1, public=1, recent=1)
    assert [w["code"] for w in first["warnings"]] == ["no_evidence"]  # nothing attached yet
    assert (first["state"], first["locked"]) == ("draft", False)  # a boolean, as the page's JSON reads it
    db.add(EvidenceItem(record_id=_id(db, "policy"), institution_id="A", kind="file", title="Plan", created_at=NOW))
    again = save(db, A_CONTRIBUTOR, 1, "policy", version=1, exists=1, evidence=1, public=1, recent=1)
    assert [(w["code"], w["field"]) for w in again["warnings"]] == [("not_public", "public")]  # one item, not public
