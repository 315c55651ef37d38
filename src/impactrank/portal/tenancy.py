"""The one tenant scope: every query for an institution's data is filtered here by who is asking.

A user of institution A asking for B's records, evidence, files, users or tokens gets the same 404 as for
something that does not exist; a user who may read but not do something gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from impactrank.i18n import N_
from impactrank.portal.errors import forbidden, not_found
from impactrank.portal.models import (
    ADMIN,
    CONTRIBUTOR,
    INSTITUTION_ROLES,
    OBSERVER,
    OPERATOR,
    REVIEWER,
    ApiToken,
    Assignment,
    Conflict,
    Cycle,
    EvidenceItem,
    Institution,
    Record,
    SdgSubmission,
    User,
)

EDIT, SUBMIT, MANAGE_TEAM = "edit", "submit", "manage the team"
_ALLOWED = {EDIT: (ADMIN, CONTRIBUTOR), SUBMIT: (ADMIN,), MANAGE_TEAM: (ADMIN,)}
_RANK = {OBSERVER: 0, CONTRIBUTOR: 1, ADMIN: 2}


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    email: str
    role: str
    institution_id: str | None = None
    session_token: str | None = None  # signed in with a cookie: state changes then need the CSRF token
    token_id: int | None = None  # acting through an API token (by a session token it bought)
    token_session: str | None = None  # that session token


COMMAND_LINE = Actor(None, "command line", OPERATOR)
"""Whoever runs ``impactrank portal …`` on the server: an operator, named as such in the log."""


class Scope:
    def __init__(self, session: Session, actor: Actor, now: datetime, password_right: bool = False) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.password_right = password_right
        """The password sent with this request is the person's current one: judged once, before the request ran
        (:meth:`http.Portal.scope`), so that the slow hash runs once a request."""

    @property
    def is_operator(self) -> bool:
        return self.actor.role == OPERATOR

    def visible(self, institution_column, cycle=None) -> ColumnElement[bool]:
        """The filter every institution-data query carries. A reviewer sees an institution only in a cycle
        (``cycle``: an id or a column) where they are assigned to it, and nothing outside a cycle."""
        if self.actor.role == OPERATOR:
            return true()
        if self.actor.role in INSTITUTION_ROLES:
            return institution_column == self.actor.institution_id
        if self.actor.role == REVIEWER and cycle is not None:
            return exists().where(
                self._reviewable(), Assignment.cycle_id == cycle, Assignment.institution_id == institution_column
            )
        return false()

    def visible_pair(self, cycle_column, institution_column, sdg_column) -> ColumnElement[bool]:
        """Records and evidence: a reviewer sees only the (institution, SDG) pairs assigned to them."""
        if self.actor.role != REVIEWER:
            return self.visible(institution_column)
        return exists().where(
            self._reviewable(),
            Assignment.cycle_id == cycle_column,
            Assignment.institution_id == institution_column,
            Assignment.sdg == sdg_column,
        )

    def _reviewable(self) -> ColumnElement[bool]:
        """The actor's assignments in cycles under review (or published), except where a conflict applies and
        no operator overrode it."""
        me = self.actor.user_id
        declared = exists().where(
            Conflict.reviewer_id == me,
            Institution.id == Assignment.institution_id,
            or_(Conflict.institution_id == Institution.id, Conflict.country == Institution.country),
        )
        member = exists().where(User.id == me, User.institution_id == Assignment.institution_id)
        in_review = Assignment.cycle_id.in_(select(Cycle.id).where(Cycle.state.in_(("review", "published"))))
        return and_(
            Assignment.reviewer_id == me,
            in_review,
            or_(Assignment.override_reason.is_not(None), and_(~declared, ~member)),
        )

    def require(self, permission: str, institution_id: str) -> None:
        """403 for a user who can see the institution but may not do this there."""
        if self.actor.role not in _ALLOWED[permission] or self.actor.institution_id != institution_id:
            raise forbidden(
                N_("your role (%(role)s) may not %(permission)s for this institution"),
                role=self.actor.role,
                permission=permission,
            )

    def require_grant(self, role: str) -> None:
        """A token gives only less than it has: no token, invitation or member's role at or above its own role
        (and no change to a member who holds such a role) is made through a token."""
        if self.actor.token_id is not None and _RANK.get(role, len(_RANK)) >= _RANK.get(self.actor.role, 0):
            raise forbidden(
                N_("a token acting as %(acting)s may not grant or change the role %(role)s"),
                "role",
                acting=self.actor.role,
                role=role,
            )

    def require_reviewer(self) -> None:
        if self.actor.role != REVIEWER:
            raise forbidden(N_("only a reviewer may do this"))

    def require_operator(self) -> None:
        if not self.is_operator:
            raise forbidden(N_("only an operator may do this"))

    def cycle(self, cycle_id: str) -> Cycle:
        cycle = self.session.get(Cycle, cycle_id)
        if cycle is None:
            raise not_found(N_("no cycle here"), "cycle")
        return cycle

    def _one(self, query, message: str, field: str):
        """The one row a query filtered by :meth:`visible` finds; another tenant's row gets the 404 of a missing one."""
        found = self.session.scalar(query)
        if found is None:
            raise not_found(message, field)
        return found

    def institution(self, institution_id: str, cycle_id: str | None = None) -> Institution:
        """The institution, as seen in ``cycle_id`` (a reviewer sees none outside a cycle they review)."""
        query = select(Institution).where(Institution.id == institution_id, self.visible(Institution.id, cycle_id))
        return self._one(query, N_("no institution here"), "institution")

    def institutions(self, cycle_id: str | None = None) -> list[Institution]:
        visible = self.visible(Institution.id, cycle_id)
        return list(self.session.scalars(select(Institution).where(visible).order_by(Institution.id)))

    def records(self, cycle_id: str, institution_id: str, sdg: int | None = None) -> list[Record]:
        query = select(Record).where(
            Record.cycle_id == cycle_id,
            Record.institution_id == institution_id,
            self.visible_pair(Record.cycle_id, Record.institution_id, Record.sdg),
        )
        if sdg is not None:
            query = query.where(Record.sdg == sdg)
        return list(self.session.scalars(query))

    def record(self, cycle_id: str, institution_id: str, sdg: int, metric: str) -> Record | None:
        return self.session.scalar(
            select(Record).where(
                Record.cycle_id == cycle_id,
                Record.institution_id == institution_id,
                Record.sdg == sdg,
                Record.metric == metric,
                self.visible_pair(Record.cycle_id, Record.institution_id, Record.sdg),
            )
        )

    def submissions(self, cycle_id: str, institution_id: str) -> dict[int, SdgSubmission]:
        rows = self.session.scalars(
            select(SdgSubmission).where(
                SdgSubmission.cycle_id == cycle_id,
                SdgSubmission.institution_id == institution_id,
                self.visible(SdgSubmission.institution_id, SdgSubmission.cycle_id),
            )
        )
        return {s.sdg: s for s in rows}

    def evidence(self, evidence_id: int) -> EvidenceItem:
        query = (
            select(EvidenceItem)
            .join(Record, Record.id == EvidenceItem.record_id)
            .where(
                EvidenceItem.id == evidence_id,
                self.visible(EvidenceItem.institution_id, Record.cycle_id),
                self.visible_pair(Record.cycle_id, Record.institution_id, Record.sdg),
            )
        )
        return self._one(query, N_("no evidence item here"), "evidence")

    def evidence_of(self, record_ids: list[int]) -> list[EvidenceItem]:
        if not record_ids:
            return []
        return list(
            self.session.scalars(
                select(EvidenceItem)
                .join(Record, Record.id == EvidenceItem.record_id)
                .where(
                    EvidenceItem.record_id.in_(record_ids),
                    self.visible(EvidenceItem.institution_id, Record.cycle_id),
                    self.visible_pair(Record.cycle_id, Record.institution_id, Record.sdg),
                )
                .order_by(EvidenceItem.id)
            )
        )

    def users(self, institution_id: str) -> list[User]:
        return list(
            self.session.scalars(
                select(User)
                .where(
                    User.institution_id == institution_id,
                    User.role.in_(INSTITUTION_ROLES),
                    self.visible(User.institution_id),
                )
                .order_by(User.email)
            )
        )

    def user(self, user_id: int) -> User:
        query = select(User).where(
            User.id == user_id, User.role.in_(INSTITUTION_ROLES), self.visible(User.institution_id)
        )
        return self._one(query, N_("no user here"), "user")

    def tokens(self, institution_id: str) -> list[ApiToken]:
        return list(
            self.session.scalars(
                select(ApiToken)
                .where(ApiToken.institution_id == institution_id, self.visible(ApiToken.institution_id))
                .order_by(ApiToken.id)
            )
        )

    def token(self, token_id: int) -> ApiToken:
        query = select(ApiToken).where(ApiToken.id == token_id, self.visible(ApiToken.institution_id))
        return self._one(query, N_("no token here"), "token")
