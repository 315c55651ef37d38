"""Evidence review through the review functions themselves, on a small in-memory database under the mini
methodology: assignments by hand and automatic, conflicts of interest and their override, assessments with the
rubric, revision rounds that reopen one metric and mail the institution's admins, the institution's answer,
and what the export takes as assessed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from portal_world import MINI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from i18n_words import ENGLISH_WORDS
from impactrank.portal import review
from impactrank.portal.cycles import open_cycle
from impactrank.portal.errors import PortalError
from impactrank.portal.models import (
    Assessment,
    Assignment,
    AuditEntry,
    Base,
    Conflict,
    Cycle,
    Institution,
    OutboxMessage,
    Record,
    SdgSubmission,
    User,
)
from impactrank.portal.records import metric_form
from impactrank.portal.tenancy import COMMAND_LINE, Actor, Scope

NOW = datetime(2025, 10, 1, 9, 0)
OPERATOR = Actor(1, "op@network.org", "operator")
REV_A = Actor(2, "rev-a@network.org", "reviewer")
REV_B = Actor(3, "rev-b@network.org", "reviewer", "B")  # belongs to B
A_ADMIN = Actor(5, "admin@a.edu", "admin", "A")
A_CONTRIBUTOR = Actor(6, "contributor@a.edu", "contributor", "A")
B_ADMIN = Actor(7, "admin@b.edu", "admin", "B")
# (institution, sdg, metric, state, kind of values)
RECORDS = (
    ("A", 1, "pubs", "complete", {"value": 120.0}),
    ("A", 1, "policy", "complete", {"exists": 1.0, "evidence": 1.0, "public": 1.0, "recent": 1.0}),
    ("A", 3, "pubs", "complete", {"value": 50.0}),
    ("B", 1, "pubs", "complete", {"value": 40.0}),
    ("A", 4, "pubs", "complete", {"value": 9.0}),  # SDG 4 not submitted
)


@pytest.fixture
def db():
    """A (France), B (Germany), C (France); reviewers rev-a and rev-b (B's own), an inactive one and a second
    admin of A; cycle 2025 under review with A's SDGs 1 and 3 and B's SDG 1 submitted."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        for inst, country in (("A", "FR"), ("B", "DE"), ("C", "FR")):
            s.add(Institution(id=inst, name=f"University {inst}", country=country, created_at=NOW))
        for a in (OPERATOR, REV_A, REV_B, A_ADMIN, A_CONTRIBUTOR, B_ADMIN):
            s.add(User(id=a.user_id, email=a.email, role=a.role, institution_id=a.institution_id, created_at=NOW,
                       password_hash="signed up"))  # fmt: skip
        s.add(User(id=4, email="rev-old@network.org", role="reviewer", active=False, created_at=NOW))
        s.add(User(id=8, email="boss@a.edu", role="admin", institution_id="A", created_at=NOW))
        open_cycle(Scope(s, COMMAND_LINE, NOW), "2025", str(MINI), "2025-11-11")
        for inst, sdg, metric, state, values in RECORDS:
            s.add(
                Record(
                    cycle_id="2025",
                    institution_id=inst,
                    sdg=sdg,
                    metric=metric,
                    state=state,
                    version=2,
                    updated_at=NOW,
                    **values,
                )
            )
        for inst, sdg in (("B", 1), ("A", 3), ("A", 1)):
            s.add(SdgSubmission(cycle_id="2025", institution_id=inst, sdg=sdg, submitted_at=NOW, submitted_by=5))
        s.get(Cycle, "2025").state = "review"
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


def log(db, prefix: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)))


def test_why_a_reviewer_may_not_review_an_institution(db):
    a, b, c = (db.get(Institution, i) for i in "ABC")
    rev_a, rev_b = db.get(User, 2), db.get(User, 3)
    assert review.conflict_reason(rev_b, b, []) == "rev-b@network.org belongs to B"
    assert review.conflict_reason(rev_a, b, []) is None
    declared = [(None, "DE"), ("C", None)]
    assert review.conflict_reason(rev_a, b, declared) == "rev-a@network.org declared a conflict with country DE"
    assert review.conflict_reason(rev_a, c, declared) == "rev-a@network.org declared a conflict with institution C"
    assert review.conflict_reason(rev_a, a, declared) is None
    assert review.conflict_reason(rev_a, c, [(None, "FR"), ("C", None)]).endswith("with country FR")


def assign(db, inst, sdg, email, override=None, who=OPERATOR):
    return review.assign(scope(db, who), cycle(db), inst, sdg, email, override)


def test_assignments_by_hand(db):
    view = assign(db, "A", 1, " REV-A@network.org ")
    assert view == {
        "id": 1,
        "cycle": "2025",
        "institution": "A",
        "sdg": 1,
        "reviewer": "rev-a@network.org",
        "override_reason": None,
    }
    assert refused(lambda: assign(db, "A", 1, "rev-a@network.org")) == (
        409,
        "reviewer",
        "field 'reviewer': rev-a@network.org is already assigned to A SDG 1",
    )
    assert assign(db, "A", 3, "rev-a@network.org", override="   ")["override_reason"] is None  # no conflict: none kept
    assert refused(lambda: assign(db, "B", 1, "rev-b@network.org", override="  ")) == (
        409,
        "reviewer",
        "field 'reviewer': conflict of interest: rev-b@network.org belongs to B "
        "(an operator may override with a reason)",
    )
    with pytest.raises(PortalError) as err:
        assign(db, "B", 1, "rev-b@network.org")
    french = err.value.text("fr")
    assert french == (
        "champ «\xa0reviewer\xa0»\xa0: conflit d’intérêts\xa0: rev-b@network.org appartient à B "
        "(un opérateur peut passer outre en donnant un motif)"
    )
    words = re.sub(r"\S+@\S+|«\xa0\w+\xa0»", "", french)  # the data (an address, a field's name) taken out
    assert [w for w in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", words)] == []
    view = assign(db, "B", 1, "rev-b@network.org", override="  the only German reader ")
    assert view["override_reason"] == "the only German reader"
    entries = log(db, "assignment.")
    assert [(e.action, e.object_type, e.object_id, e.reason, e.cycle_id, e.institution_id) for e in entries] == [
        ("assignment.add", "assignment", "2025/A/1#rev-a@network.org", None, "2025", "A"),
        ("assignment.add", "assignment", "2025/A/3#rev-a@network.org", None, "2025", "A"),
        ("assignment.override", "assignment", "2025/B/1#rev-b@network.org", "the only German reader", "2025", "B"),
    ]
    assert entries[0].after == view_of(1, "A", 1, "rev-a@network.org", None)
    assert entries[2].after == view_of(3, "B", 1, "rev-b@network.org", "the only German reader") | {
        "conflict": "rev-b@network.org belongs to B"
    }
    assert review.has_review(db, "2025") and not review.has_review(db, "2024")


def view_of(n, inst, sdg, email, override) -> dict:
    return {"id": n, "cycle": "2025", "institution": inst, "sdg": sdg, "reviewer": email, "override_reason": override}


def test_who_and_what_may_be_assigned(db):
    assert refused(lambda: assign(db, "A", 1, "rev-a@network.org", who=A_ADMIN))[0] == 403
    assert refused(lambda: assign(db, "A", 9, "rev-a@network.org")) == (
        404,
        "sdg",
        "field 'sdg': no SDG 9 in this cycle's methodology",
    )
    assert refused(lambda: assign(db, "Z", 1, "rev-a@network.org"))[0] == 404
    for email in ("rev-old@network.org", "admin@a.edu", "nobody@network.org", None):
        assert refused(lambda: assign(db, "A", 1, email)) == (  # noqa: B023
            422,
            "reviewer",
            f"field 'reviewer': {email!r} is not an active reviewer",
        )
    assert db.scalars(select(Assignment)).all() == []


def test_automatic_assignment_least_loaded_without_conflicts(db):
    assert refused(lambda: review.auto_assign(scope(db, OPERATOR), cycle(db), 0)) == (
        422,
        "per_item",
        "field 'per_item': --per-item is at least 1",
    )
    assert refused(lambda: review.auto_assign(scope(db, REV_A), cycle(db), 1))[0] == 403
    assign(db, "A", 3, "rev-b@network.org")
    done = review.auto_assign(scope(db, OPERATOR), cycle(db), 2)
    # pairs in order (A 1, A 3, B 1); rev-b belongs to B; rev-a has nothing yet, so comes first
    assert done == {
        "assigned": 4,
        "pairs": 3,
        "short": ["B SDG 1"],
        "assignments": [
            {"institution": "A", "sdg": 1, "reviewer": "rev-a@network.org"},
            {"institution": "A", "sdg": 1, "reviewer": "rev-b@network.org"},
            {"institution": "A", "sdg": 3, "reviewer": "rev-a@network.org"},
            {"institution": "B", "sdg": 1, "reviewer": "rev-a@network.org"},
        ],
    }
    entry = log(db, "assignment.auto")[0]
    assert (entry.object_type, entry.object_id, entry.after) == ("cycle", "2025", done)
    again = review.auto_assign(scope(db, OPERATOR), cycle(db), 2)
    assert (again["assigned"], again["short"]) == (0, ["B SDG 1"])
    review.declare_conflict(scope(db, REV_A), "A", None, None)
    db.add(Assignment(cycle_id="2025", institution_id="C", sdg=1, reviewer_id=2, created_at=NOW))
    db.add(SdgSubmission(cycle_id="2025", institution_id="C", sdg=3, submitted_at=NOW, submitted_by=5))
    db.add(SdgSubmission(cycle_id="2025", institution_id="C", sdg=1, submitted_at=NOW, submitted_by=5))
    third = review.auto_assign(scope(db, OPERATOR), cycle(db), 1)
    # C SDG 1 has rev-a already; C SDG 3 goes to the less loaded of the two (rev-b: 2 against rev-a's 4)
    assert third["assignments"] == [{"institution": "C", "sdg": 3, "reviewer": "rev-b@network.org"}]
    assert third["short"] == []  # one reviewer each is enough everywhere now


def test_automatic_assignment_counts_what_each_reviewer_already_has(db):
    """Each pair goes to the reviewer with the fewest assignments, those made before and those made in the same
    run, ties to the first e-mail; an inactive reviewer's assignments weigh on no one; a declared conflict keeps a
    reviewer off the institution."""
    for inst, sdg, reviewer in (("C", 7, 2), ("C", 8, 2), ("C", 9, 4)):  # rev-a has 2; rev-old, inactive, 1
        db.add(Assignment(cycle_id="2025", institution_id=inst, sdg=sdg, reviewer_id=reviewer, created_at=NOW))
    for sdg in (1, 2):
        db.add(SdgSubmission(cycle_id="2025", institution_id="C", sdg=sdg, submitted_at=NOW, submitted_by=5))
    done = review.auto_assign(scope(db, OPERATOR), cycle(db), 1)
    # loads (rev-a, rev-b): (2, 0) → rev-b, (2, 1) → rev-b, B SDG 1 is rev-b's own → rev-a, (3, 2) → rev-b, (3, 3)
    expected = [("A", 1, "b"), ("A", 3, "b"), ("B", 1, "a"), ("C", 1, "b"), ("C", 2, "a")]
    assert done["assignments"] == [
        {"institution": i, "sdg": s, "reviewer": f"rev-{r}@network.org"} for i, s, r in expected
    ]
    entry = log(db, "assignment.auto")[0]
    assert (entry.action, entry.cycle_id) == ("assignment.auto", "2025")
    review.declare_conflict(scope(db, REV_B), "C", None, None)
    db.add(SdgSubmission(cycle_id="2025", institution_id="C", sdg=3, submitted_at=NOW, submitted_by=5))
    # rev-b, less loaded (3 against 4), declared a conflict with C
    assert review.auto_assign(scope(db, OPERATOR), cycle(db), 1)["assignments"] == [
        {"institution": "C", "sdg": 3, "reviewer": "rev-a@network.org"}
    ]


def test_automatic_assignment_needs_a_reviewer(db):
    for u in db.scalars(select(User).where(User.role == "reviewer")):
        u.active = False
    assert refused(lambda: review.auto_assign(scope(db, OPERATOR), cycle(db), 1)) == (
        422,
        "reviewer",
        "field 'reviewer': there is no active reviewer to assign",
    )


def test_automatic_assignment_leaves_out_a_reviewer_still_invited(db):
    """A reviewer whose invitation is not yet accepted (no password) cannot sign in to review: given nothing."""
    db.add(User(id=9, email="aaa-invited@network.org", role="reviewer", created_at=NOW))  # first by e-mail
    made = review.auto_assign(scope(db, OPERATOR), cycle(db), 1)["assignments"]
    assert made and all(a["reviewer"] != "aaa-invited@network.org" for a in made)


def test_declared_conflicts(db):
    rev = scope(db, REV_A)
    assert refused(lambda: review.declare_conflict(scope(db, A_ADMIN), "B", None, None)) == (
        403,
        None,
        "only a reviewer may do this",
    )
    for inst, country in (("B", "DE"), (None, None), ("", "")):
        assert refused(lambda: review.declare_conflict(rev, inst, country, None)) == (  # noqa: B023
            422,
            "institution",
            "field 'institution': declare a conflict with one institution or one country",
        )
    assert refused(lambda: review.declare_conflict(rev, "Z", None, None)) == (
        404,
        "institution",
        "field 'institution': no institution here",
    )
    assert refused(lambda: review.declare_conflict(rev, None, "Atlantis", None)) == (
        422,
        "country",
        "field 'country': unknown country 'Atlantis'",
    )
    assert review.declare_conflict(rev, None, "Germany", "my home") == {
        "id": 1,
        "institution": None,
        "country": "DE",
        "note": "my home",
    }
    assert review.declare_conflict(rev, "C", "", None) == {"id": 2, "institution": "C", "country": None, "note": None}
    rows = db.scalars(select(Conflict).order_by(Conflict.id)).all()
    assert [(c.reviewer_id, c.institution_id, c.country, c.created_at) for c in rows] == [
        (2, None, "DE", NOW),
        (2, "C", None, NOW),
    ]
    entries = log(db, "conflict.")
    assert [(e.action, e.object_type, e.object_id, e.institution_id) for e in entries] == [
        ("conflict.declare", "conflict", "1", None),
        ("conflict.declare", "conflict", "2", "C"),
    ]
    assert entries[0].after == {"id": 1, "institution": None, "country": "DE", "note": "my home"}
    assert refused(lambda: assign(db, "B", 1, "rev-a@network.org"))[2].endswith(
        "rev-a@network.org declared a conflict with country DE (an operator may override with a reason)"
    )


def assess(db, inst, sdg, metric, verdict, answers=None, note=None, who=REV_A, now=NOW):
    return review.assess(scope(db, who, now), cycle(db), inst, sdg, metric, verdict, answers or {}, note)


def record(db, inst, sdg, metric) -> Record:
    return db.scalar(select(Record).where(Record.institution_id == inst, Record.sdg == sdg, Record.metric == metric))


def test_an_assessment_and_its_refusals(db):
    for inst, sdg in (("A", 1), ("A", 4)):
        assign(db, inst, sdg, "rev-a@network.org")
    assert refused(lambda: assess(db, "A", 1, "pubs", "accepted", who=A_ADMIN))[0] == 403
    assert refused(lambda: assess(db, "A", 3, "pubs", "accepted")) == (404, "metric", "field 'metric': no record here")
    assert refused(lambda: assess(db, "A", 4, "pubs", "accepted")) == (
        409,
        "sdg",
        "field 'sdg': SDG 4 is not submitted",
    )
    assert refused(lambda: assess(db, "A", 1, "pubs", "fine")) == (
        422,
        "verdict",
        "field 'verdict': verdict is one of accepted, revision, rejected",
    )
    assert refused(lambda: assess(db, "A", 1, "pubs", "accepted", {"public": 1})) == (
        422,
        "public",
        "field 'public': rubric answers apply only to evidence questions",
    )
    assert refused(lambda: assess(db, "A", 1, "policy", "accepted", {"exists": 1, "evidence": 1, "public": 1})) == (
        422,
        "recent",
        "field 'recent': assess recent: yes (1), partly (0.5) or no (0)",
    )
    half = {"exists": 1, "evidence": 0.5, "public": 0.7, "recent": 0}
    assert refused(lambda: assess(db, "A", 1, "policy", "accepted", half)) == (
        422,
        "public",
        "field 'public': public is yes (1), partly (0.5) or no (0)",
    )
    for verdict in ("rejected", "revision"):
        assert refused(lambda: assess(db, "A", 1, "pubs", verdict, note="  ")) == (  # noqa: B023
            422,
            "note",
            "field 'note': say why in a note",
        )
    later = NOW + timedelta(hours=1)
    view = assess(db, "A", 1, "policy", "accepted", half | {"public": 0.0}, note="  fine ", now=later)
    assert view == {
        "id": 1,
        "round": 0,
        "verdict": "accepted",
        "exists": 1.0,
        "evidence": 0.5,
        "public": 0.0,
        "recent": 0.0,
        "note": "fine",
        "record_version": 2,
        "at": "2025-10-01T10:00:00",
    }
    second = assess(db, "A", 1, "policy", "rejected", {"exists": 0, "evidence": 0, "public": 0, "recent": 0}, "no")
    entries = log(db, "assessment.")
    assert [(e.action, e.object_type, e.object_id, e.reason) for e in entries] == [
        ("assessment.accepted", "assessment", "2025/A/1/policy#assessment-1", "fine"),
        ("assessment.rejected", "assessment", "2025/A/1/policy#assessment-2", "no"),
    ]
    assert (entries[0].before, entries[0].after, entries[1].before, entries[1].after) == (None, view, view, second)
    assert [(a.reviewer_id, a.institution_id, a.record_id) for a in db.scalars(select(Assessment))] == [(2, "A", 2)] * 2
    assert assess(db, "A", 1, "pubs", "accepted")["note"] is None


def test_a_review_only_while_the_cycle_is_in_review(db):
    assign(db, "A", 1, "rev-a@network.org")
    cycle(db).state = "published"
    assert refused(lambda: assess(db, "A", 1, "pubs", "accepted")) == (
        423,
        "cycle",
        "field 'cycle': the review of cycle 2025 is closed",
    )
    cycle(db).state = "open"  # not yet under review: a reviewer sees none of its records
    assert refused(lambda: assess(db, "A", 1, "pubs", "accepted")) == (404, "metric", "field 'metric': no record here")


def test_a_revision_request_on_an_evidence_question_needs_no_rubric_answers(db):
    assign(db, "A", 1, "rev-a@network.org")
    assess(db, "A", 1, "policy", "revision", note="the policy's date is missing")  # no rubric answers asked
    assert record(db, "A", 1, "policy").reopened is True
    entry = log(db, "assessment.revision")[-1]
    assert (entry.cycle_id, entry.institution_id) == ("2025", "A")


def test_revision_rounds_reopen_the_metric_and_mail_the_admins(db):
    assign(db, "A", 1, "rev-a@network.org")
    assign(db, "A", 1, "rev-b@network.org")
    rec = record(db, "A", 1, "pubs")
    view = assess(db, "A", 1, "pubs", "revision", note="show the source")
    assert (view["round"], view["verdict"], rec.revision_round, rec.reopened) == (1, "revision", 1, True)
    assert rec.revision_due == NOW + timedelta(days=14)
    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.to_email for m in mails] == ["admin@a.edu", "boss@a.edu"]
    assert mails[0].subject == "Revision requested: SDG 1 · Publications (2025)"
    assert mails[0].body == (
        "A reviewer asks for a revision of SDG 1 'Publications' for A by 2025-10-15 (round 1 of 2):\n\n"
        "show the source\n"
    )
    assert refused(lambda: assess(db, "A", 1, "pubs", "accepted")) == (
        409,
        "metric",
        "field 'metric': the institution has not answered the revision request yet",
    )
    assert review.review_status(rec, None) == "revision requested"
    answer = review.resubmit(scope(db, A_CONTRIBUTOR), cycle(db), "A", 1, "pubs")
    assert answer == {"resubmitted": "2025/A/1/pubs", "round": 1} and not rec.reopened
    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[2:]
    assert [m.to_email for m in mails] == ["rev-a@network.org", "rev-b@network.org"]
    assert mails[0].subject == "Revision answered: A SDG 1 pubs"
    assert mails[0].body == "A answered the revision request on SDG 1 pubs (2025).\n"
    entry = log(db, "record.resubmit")[0]
    assert (entry.object_type, entry.object_id, entry.before, entry.after) == (
        "record",
        "2025/A/1/pubs",
        {"reopened": True, "round": 1},
        {"reopened": False, "round": 1, "version": 2},
    )
    assert refused(lambda: review.resubmit(scope(db, A_CONTRIBUTOR), cycle(db), "A", 1, "pubs")) == (
        409,
        "metric",
        "field 'metric': this metric has no open revision request",
    )
    assess(db, "A", 1, "pubs", "revision", note="again")
    assert (rec.revision_round, rec.reopened) == (2, True)
    rec.reopened = False
    assert refused(lambda: assess(db, "A", 1, "pubs", "revision", note="a third time")) == (
        409,
        "verdict",
        "field 'verdict': all 2 revision rounds have been used for this metric",
    )


def test_a_resubmission_by_the_institution_itself_and_complete(db):
    assign(db, "A", 1, "rev-a@network.org")
    assess(db, "A", 1, "pubs", "revision", note="why")
    rec = record(db, "A", 1, "pubs")
    assert refused(lambda: review.resubmit(scope(db, B_ADMIN), cycle(db), "A", 1, "pubs"))[0] == 404
    assert refused(lambda: review.resubmit(scope(db, A_CONTRIBUTOR), cycle(db), "A", 1, "nope"))[0] == 404
    assert refused(lambda: review.resubmit(scope(db, A_CONTRIBUTOR), cycle(db), "A", 3, "pubs"))[0] == 409
    rec.state = "draft"
    assert refused(lambda: review.resubmit(scope(db, A_ADMIN), cycle(db), "A", 1, "pubs")) == (
        422,
        "metric",
        "field 'metric': save the metric as complete before submitting it again",
    )
    late = NOW + timedelta(days=15)
    rec.state = "complete"
    assert refused(lambda: review.resubmit(scope(db, A_ADMIN, late), cycle(db), "A", 1, "pubs"))[0] == 423
    assert review.resubmit(scope(db, A_ADMIN, NOW + timedelta(days=14)), cycle(db), "A", 1, "pubs")["round"] == 1


def test_a_resubmission_mails_only_the_pairs_reviewers_and_is_logged(db):
    """rev-b reviews A's SDG 3, C's SDG 1 and A's SDG 1 of another cycle: none of them is the metric answered."""
    assign(db, "A", 1, "rev-a@network.org")
    for cycle_id, inst, sdg in (("2025", "A", 3), ("2025", "C", 1), ("2024", "A", 1)):
        db.add(Assignment(cycle_id=cycle_id, institution_id=inst, sdg=sdg, reviewer_id=3, created_at=NOW))
    assess(db, "A", 1, "pubs", "revision", note="why")
    mailed = len(db.scalars(select(OutboxMessage)).all())
    review.resubmit(scope(db, A_CONTRIBUTOR), cycle(db), "A", 1, "pubs")
    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[mailed:]
    assert [(m.to_email, m.subject) for m in mails] == [("rev-a@network.org", "Revision answered: A SDG 1 pubs")]
    entry = log(db, "record.resubmit")[-1]
    assert (entry.action, entry.cycle_id, entry.institution_id) == ("record.resubmit", "2025", "A")


def _assessment(verdict: str, **answers) -> Assessment:
    return Assessment(verdict=verdict, **{f: answers.get(f) for f in ("exists", "evidence", "public", "recent")})


def test_what_the_export_takes_as_assessed(db):
    pubs, policy = record(db, "A", 1, "pubs"), record(db, "A", 1, "policy")
    number, evidence = metric_form(cycle(db), 1, "pubs"), metric_form(cycle(db), 1, "policy")
    blank = dict.fromkeys(("value", "numerator", "denominator", "exists", "evidence", "public", "recent"))
    assert review.assessed_values(number, pubs, None) is None
    assert review.assessed_values(number, pubs, _assessment("revision")) is None
    assert review.assessed_values(number, pubs, _assessment("accepted")) == blank | {"value": 120.0}
    assert review.assessed_values(number, pubs, _assessment("rejected")) == blank
    answers = {"exists": 1.0, "evidence": 0.5, "public": 0.0, "recent": 1.0}
    assert review.assessed_values(evidence, policy, _assessment("accepted", **answers)) == blank | answers
    assert review.assessed_values(evidence, policy, _assessment("rejected", **answers)) == blank | answers
    pubs.reopened = True
    assert review.assessed_values(number, pubs, _assessment("accepted")) is None
    pubs.reopened, pubs.unavailable = False, True
    assert review.assessed_values(number, pubs, None) == blank
    assert review.review_status(pubs, None) == "no data"
    pubs.unavailable = False
    assert review.review_status(None, None) == "missing"
    assert review.review_status(pubs, None) == "unassessed"
    assert review.review_status(pubs, _assessment("revision")) == "resubmitted"
    assert review.review_status(pubs, _assessment("accepted")) == "accepted"
    assert review.review_status(pubs, _assessment("rejected")) == "rejected"


def test_a_reason_without_a_conflict_is_not_kept_and_an_assignment_elsewhere_is_another(db):
    assert assign(db, "A", 1, "rev-a@network.org", override="just in case")["override_reason"] is None
    db.add(
        Cycle(id="2024", methodology_id="mini", methodology_yaml="", opened_at=NOW, closes_at=NOW, state="published")
    )
    db.add(Assignment(cycle_id="2024", institution_id="A", sdg=3, reviewer_id=REV_A.user_id, created_at=NOW))
    # the same reviewer and SDG at another institution, or last cycle, do not make these assignments repeats
    assert assign(db, "B", 1, "rev-a@network.org")["institution"] == "B"
    assert assign(db, "A", 3, "rev-a@network.org")["cycle"] == "2025"
    entries = log(db, "assignment.")
    assert [(e.action, e.object_id, e.reason) for e in entries] == [
        ("assignment.add", "2025/A/1#rev-a@network.org", None),
        ("assignment.add", "2025/B/1#rev-a@network.org", None),
        ("assignment.add", "2025/A/3#rev-a@network.org", None),
    ]
