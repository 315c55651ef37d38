"""The tenant scope asked directly, on one small database: who sees which institutions, records, evidence,
submissions, users and tokens, and who may do what. Another tenant's ids get nothing — the same 404 as an id
that does not exist — and a reviewer sees only the pairs assigned to them in a cycle under review (or
published), unless a conflict or their own membership stands in the way and no operator overrode it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from impactrank.portal.errors import PortalError
from impactrank.portal.models import (
    ApiToken,
    Assignment,
    Base,
    Conflict,
    Cycle,
    EvidenceItem,
    Institution,
    Record,
    SdgSubmission,
    User,
)
from impactrank.portal.tenancy import COMMAND_LINE, EDIT, MANAGE_TEAM, SUBMIT, Actor, Scope

NOW = datetime(2025, 10, 1, 9, 0)
# institutions inserted out of id order, so an unordered listing shows
INSTITUTIONS = (("D", "IT"), ("B", "DE"), ("A", "FR"), ("C", "FR"), ("E", "IT"))
# (id, e-mail, role, institution), inserted out of e-mail order
USERS = (
    (1, "op@network.org", "operator", None),
    (2, "rev@network.org", "reviewer", None),
    (3, "rev2@network.org", "reviewer", "B"),  # a reviewer who belongs to B
    (4, "zed-admin@a.edu", "admin", "A"),
    (5, "contributor@a.edu", "contributor", "A"),
    (6, "observer@a.edu", "observer", "A"),
    (7, "admin@b.edu", "admin", "B"),
    (8, "contributor@b.edu", "contributor", "B"),
)
CYCLES = {"2024": "published", "2025": "review", "2026": "open"}
# (cycle, institution, sdg, metric); record ids follow this order from 1
RECORDS = (
    ("2025", "A", 1, "pubs"),
    ("2025", "A", 1, "share"),
    ("2025", "A", 2, "pubs"),
    ("2025", "A", 3, "pubs"),
    ("2025", "B", 1, "pubs"),
    ("2025", "B", 2, "pubs"),
    ("2025", "C", 1, "pubs"),
    ("2025", "D", 1, "pubs"),
    ("2025", "E", 1, "pubs"),
    ("2024", "A", 4, "pubs"),
    ("2026", "B", 5, "pubs"),
    ("2025", "A", 4, "pubs"),  # reviewed in 2024, not in 2025
)
EVIDENCE = {1: 1, 2: 2, 3: 3, 4: 5, 5: 5, 6: 6, 7: 10, 8: 11, 9: 12}  # evidence id → record id
# (cycle, institution, sdg, reviewer, override reason)
ASSIGNMENTS = (
    ("2025", "A", 1, 2, None),
    ("2025", "A", 3, 2, None),
    ("2025", "B", 2, 2, None),
    ("2025", "C", 1, 2, None),  # rev declared C
    ("2025", "D", 1, 2, "no one else reads Italian"),  # rev declared Italy, overridden
    ("2025", "E", 1, 2, None),  # rev declared Italy
    ("2024", "A", 4, 2, None),  # a published cycle
    ("2026", "B", 5, 2, None),  # a cycle still open
    ("2025", "B", 1, 3, None),  # rev2's own institution
    ("2025", "A", 2, 3, None),
    ("2025", "C", 1, 3, None),  # rev declared C; rev2 did not
)
SUBMISSIONS = (("2025", "A", 3), ("2025", "A", 1), ("2025", "B", 2), ("2024", "A", 4))
TOKENS = ((1, "A"), (2, "B"), (3, "A"))  # (id, institution)


@pytest.fixture(scope="module")
def session():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all(Institution(id=i, name=f"University {i}", country=c, created_at=NOW) for i, c in INSTITUTIONS)
        s.add_all(
            User(id=u, email=e, role=r, institution_id=i, password_hash=None, created_at=NOW) for u, e, r, i in USERS
        )
        s.add_all(
            Cycle(id=c, methodology_id="mini", methodology_yaml="", opened_at=NOW, closes_at=NOW, state=state)
            for c, state in CYCLES.items()
        )
        s.flush()
        s.add_all(
            Record(id=n, cycle_id=c, institution_id=i, sdg=g, metric=m, state="draft", version=1, updated_at=NOW)
            for n, (c, i, g, m) in enumerate(RECORDS, 1)
        )
        s.add(Conflict(reviewer_id=2, institution_id="C", created_at=NOW))
        s.add(Conflict(reviewer_id=2, country="IT", created_at=NOW))
        s.add_all(
            Assignment(cycle_id=c, institution_id=i, sdg=g, reviewer_id=r, override_reason=o, created_at=NOW)
            for c, i, g, r, o in ASSIGNMENTS
        )
        s.add_all(
            SdgSubmission(cycle_id=c, institution_id=i, sdg=g, submitted_at=NOW, submitted_by=4)
            for c, i, g in SUBMISSIONS
        )
        s.add_all(
            ApiToken(
                id=t,
                institution_id=i,
                created_by=4,
                name=f"t{t}",
                role="contributor",
                token_hash=f"h{t}",
                expires_at=NOW,
                created_at=NOW,
            )
            for t, i in TOKENS
        )
        s.flush()
        s.add_all(
            EvidenceItem(
                id=e,
                record_id=r,
                institution_id=RECORDS[r - 1][1],
                kind="url",
                url="https://x.example",
                title="t",
                created_at=NOW,
            )
            for e, r in EVIDENCE.items()
        )
        s.commit()
        yield s


def actor(user_id: int, token_id: int | None = None) -> Actor:
    _, email, role, institution = next(u for u in USERS if u[0] == user_id)
    return Actor(user_id, email, role, institution, token_id=token_id)


OPERATOR, REVIEWER, MEMBER_REVIEWER, A_ADMIN, A_CONTRIBUTOR, A_OBSERVER, B_ADMIN, B_CONTRIBUTOR = range(1, 9)


def scope(session, who) -> Scope:
    return Scope(session, who if isinstance(who, Actor) else actor(who), NOW)


def refused(call) -> tuple[int, str | None, str]:
    with pytest.raises(PortalError) as err:
        call()
    return err.value.status, err.value.field, str(err.value)


def pairs(records) -> set[tuple]:
    return {(r.cycle_id, r.institution_id, r.sdg, r.metric) for r in records}


def test_the_command_line_is_an_operator_named_in_the_log():
    assert (COMMAND_LINE.user_id, COMMAND_LINE.email, COMMAND_LINE.role) == (None, "command line", "operator")
    assert (COMMAND_LINE.institution_id, COMMAND_LINE.session_token, COMMAND_LINE.token_id) == (None, None, None)


def test_who_sees_which_institution(session):
    everyone = ["A", "B", "C", "D", "E"]
    assert [i.id for i in scope(session, OPERATOR).institutions()] == everyone
    assert scope(session, OPERATOR).is_operator and not scope(session, A_ADMIN).is_operator
    assert scope(session, A_ADMIN).now == NOW  # the request's time, for whatever the scope's callers write
    for who, own in ((A_ADMIN, "A"), (A_OBSERVER, "A"), (B_CONTRIBUTOR, "B")):
        assert [i.id for i in scope(session, who).institutions("2025")] == [own]
        assert scope(session, who).institution(own).id == own
        other = "B" if own == "A" else "A"
        assert refused(lambda: scope(session, who).institution(other)) == (404, "institution", _none("institution"))  # noqa: B023
    # a reviewer: the institutions of their assignments in that cycle, if under review or published, without a
    # conflict (C declared; E in Italy, declared) unless overridden (D), and never their own institution (rev2: B)
    assert [i.id for i in scope(session, REVIEWER).institutions("2025")] == ["A", "B", "D"]
    assert [i.id for i in scope(session, REVIEWER).institutions("2024")] == ["A"]
    assert scope(session, REVIEWER).institutions("2026") == []  # open: not yet reviewed
    assert scope(session, REVIEWER).institutions() == []  # nothing outside a cycle
    assert [i.id for i in scope(session, MEMBER_REVIEWER).institutions("2025")] == ["A", "C"]
    assert scope(session, REVIEWER).institution("D", "2025").country == "IT"
    for inst, cycle in (("C", "2025"), ("E", "2025"), ("B", "2026"), ("A", None), ("Z", "2025")):
        assert refused(lambda: scope(session, REVIEWER).institution(inst, cycle))[0] == 404  # noqa: B023
    assert refused(lambda: scope(session, MEMBER_REVIEWER).institution("B", "2025"))[0] == 404
    anyone = Actor(99, "someone@x.org", "visitor", "A")
    assert scope(session, anyone).institutions("2025") == []


def _none(what: str) -> str:
    return f"field '{what}': no {what} here"


def test_records_are_seen_by_their_institution_and_by_the_pairs_reviewed(session):
    a = scope(session, A_CONTRIBUTOR)
    assert pairs(a.records("2025", "A")) == {r for r in RECORDS if r[:2] == ("2025", "A")}
    assert pairs(a.records("2025", "A", 1)) == {("2025", "A", 1, "pubs"), ("2025", "A", 1, "share")}
    assert a.records("2025", "B") == [] and a.records("2025", "B", 1) == []
    assert a.record("2025", "A", 3, "pubs").id == 4
    assert a.record("2025", "B", 1, "pubs") is None
    assert a.record("2025", "A", 3, "share") is None and a.record("2025", "A", 1, "pubs").metric == "pubs"
    assert a.record("2024", "A", 3, "pubs") is None and a.record("2025", "A", 5, "pubs") is None
    assert pairs(scope(session, OPERATOR).records("2026", "B")) == {("2026", "B", 5, "pubs")}
    rev = scope(session, REVIEWER)
    assert pairs(rev.records("2025", "A")) == {("2025", "A", 1, "pubs"), ("2025", "A", 1, "share"), RECORDS[3]}
    assert pairs(rev.records("2025", "B")) == {("2025", "B", 2, "pubs")}
    assert pairs(rev.records("2025", "D")) == {("2025", "D", 1, "pubs")}
    assert pairs(rev.records("2024", "A")) == {("2024", "A", 4, "pubs")}
    for inst, cycle in (("C", "2025"), ("E", "2025"), ("B", "2026")):
        assert rev.records(cycle, inst) == []
    assert (
        rev.record("2025", "A", 4, "pubs") is None
        and rev.record("2025", "A", 2, "pubs") is None
        and rev.record("2025", "A", 3, "pubs").id == 4
    )
    assert pairs(scope(session, MEMBER_REVIEWER).records("2025", "A")) == {("2025", "A", 2, "pubs")}
    assert scope(session, MEMBER_REVIEWER).records("2025", "B") == []


def test_submissions_by_sdg_for_whoever_sees_the_institution(session):
    assert sorted(scope(session, A_OBSERVER).submissions("2025", "A")) == [1, 3]
    subs = scope(session, OPERATOR).submissions("2025", "B")
    assert list(subs) == [2] and (subs[2].institution_id, subs[2].sdg) == ("B", 2)
    assert scope(session, A_OBSERVER).submissions("2025", "B") == {}
    assert sorted(scope(session, REVIEWER).submissions("2025", "A")) == [1, 3]
    assert sorted(scope(session, REVIEWER).submissions("2024", "A")) == [4]
    assert scope(session, REVIEWER).submissions("2025", "C") == {}


def test_evidence_follows_its_record(session):
    a, b, rev = scope(session, A_ADMIN), scope(session, B_ADMIN), scope(session, REVIEWER)
    assert a.evidence(3).record_id == 3
    assert refused(lambda: a.evidence(4)) == (404, "evidence", "field 'evidence': no evidence item here")
    assert refused(lambda: a.evidence(99))[0] == 404
    assert [e.id for e in a.evidence_of(list(range(1, 13)))] == [1, 2, 3, 7, 9]
    assert [e.id for e in b.evidence_of([5, 6, 1, 11])] == [4, 5, 6, 8]
    assert a.evidence_of([]) == [] and b.evidence_of([1, 2]) == []
    # the reviewer: A's SDG 1 and 3 in 2025 (not SDG 2), B's SDG 2 in 2025 (not SDG 1), A's SDG 4 in 2024
    assert [e.id for e in rev.evidence_of(list(range(1, 13)))] == [1, 2, 6, 7]
    assert rev.evidence(7).record_id == 10
    for item in (3, 4, 8, 9):
        assert refused(lambda: rev.evidence(item))[0] == 404  # noqa: B023
    assert [e.id for e in scope(session, OPERATOR).evidence_of([11, 10, 3])] == [3, 7, 8]


def test_users_and_tokens_of_another_tenant_are_not_found(session):
    assert [u.email for u in scope(session, A_ADMIN).users("A")] == [
        "contributor@a.edu",
        "observer@a.edu",
        "zed-admin@a.edu",
    ]
    assert [u.email for u in scope(session, OPERATOR).users("B")] == ["admin@b.edu", "contributor@b.edu"]
    assert scope(session, A_ADMIN).users("B") == []
    assert scope(session, A_OBSERVER).user(A_CONTRIBUTOR).email == "contributor@a.edu"
    for who, user in ((A_ADMIN, B_ADMIN), (A_ADMIN, REVIEWER), (OPERATOR, MEMBER_REVIEWER), (A_ADMIN, 99)):
        assert refused(lambda: scope(session, who).user(user)) == (404, "user", _none("user"))  # noqa: B023
    assert [t.id for t in scope(session, A_ADMIN).tokens("A")] == [1, 3]
    assert [t.id for t in scope(session, OPERATOR).tokens("B")] == [2]
    assert scope(session, A_ADMIN).tokens("B") == []
    assert scope(session, B_ADMIN).token(2).institution_id == "B"
    for token in (2, 99):
        assert refused(lambda: scope(session, A_ADMIN).token(token)) == (404, "token", _none("token"))  # noqa: B023


def test_cycles_by_id(session):
    assert scope(session, A_OBSERVER).cycle("2026").state == "open"
    assert refused(lambda: scope(session, A_OBSERVER).cycle("1999")) == (404, "cycle", _none("cycle"))


@pytest.mark.parametrize(
    ("who", "permission", "institution", "allowed"),
    [
        (A_ADMIN, EDIT, "A", True),
        (A_CONTRIBUTOR, EDIT, "A", True),
        (A_OBSERVER, EDIT, "A", False),
        (A_ADMIN, SUBMIT, "A", True),
        (A_CONTRIBUTOR, SUBMIT, "A", False),
        (A_ADMIN, MANAGE_TEAM, "A", True),
        (A_CONTRIBUTOR, MANAGE_TEAM, "A", False),
        (B_ADMIN, EDIT, "A", False),
        (B_ADMIN, SUBMIT, "A", False),
        (OPERATOR, EDIT, "A", False),
        (REVIEWER, EDIT, "A", False),
    ],
)
def test_only_the_institutions_own_roles_act_for_it(session, who, permission, institution, allowed):
    s = scope(session, who)
    if allowed:
        assert s.require(permission, institution) is None
        return
    role = actor(who).role
    assert refused(lambda: s.require(permission, institution)) == (
        403,
        None,
        f"your role ({role}) may not {permission} for this institution",
    )


def test_the_permissions_are_named_as_the_refusal_says():
    assert (EDIT, SUBMIT, MANAGE_TEAM) == ("edit", "submit", "manage the team")


@pytest.mark.parametrize(
    ("acting", "role", "allowed"),
    [
        ("admin", "contributor", True),
        ("admin", "observer", True),
        ("admin", "admin", False),
        ("admin", "operator", False),
        ("contributor", "observer", True),
        ("contributor", "contributor", False),
        ("contributor", "admin", False),
        ("observer", "observer", False),
        ("reviewer", "observer", False),
    ],
)
def test_a_token_grants_only_below_its_own_role(session, acting, role, allowed):
    token = Scope(session, Actor(4, "zed-admin@a.edu", acting, "A", token_id=1), NOW)
    signed_in = Scope(session, Actor(4, "zed-admin@a.edu", acting, "A"), NOW)
    assert signed_in.require_grant(role) is None  # a person signed in: their role's own rules apply elsewhere
    if allowed:
        assert token.require_grant(role) is None
        return
    assert refused(lambda: token.require_grant(role)) == (
        403,
        "role",
        f"field 'role': a token acting as {acting} may not grant or change the role {role}",
    )


def test_reviewer_and_operator_only(session):
    assert scope(session, REVIEWER).require_reviewer() is None
    assert scope(session, OPERATOR).require_operator() is None
    for who in (OPERATOR, A_ADMIN):
        assert refused(scope(session, who).require_reviewer) == (403, None, "only a reviewer may do this")
    for who in (REVIEWER, A_ADMIN):
        assert refused(scope(session, who).require_operator) == (403, None, "only an operator may do this")


def test_only_a_scope_given_the_passwords_verdict_vouches_for_the_current_password(session):
    """The request that checked the password (the portal's scope) passes its verdict on; a scope made without
    one refuses what needs the current password, as a wrong current password."""
    from impactrank.portal import passwords

    status, field, _ = refused(lambda: passwords.require_current(scope(session, A_ADMIN)))
    assert (status, field) == (401, "current_password")
    checked = Scope(session, actor(A_ADMIN), NOW, password_right=True)
    assert passwords.require_current(checked).id == A_ADMIN
