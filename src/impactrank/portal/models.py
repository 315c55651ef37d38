"""The portal's tables. Institution data (records, submissions, evidence) always carries its institution id,
so that one tenant scope (:mod:`impactrank.portal.tenancy`) can filter every query by it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

OPERATOR, REVIEWER, ADMIN, CONTRIBUTOR, OBSERVER = "operator", "reviewer", "admin", "contributor", "observer"
STAFF_ROLES = (OPERATOR, REVIEWER)
INSTITUTION_ROLES = (ADMIN, CONTRIBUTOR, OBSERVER)
ROLES = STAFF_ROLES + INSTITUTION_ROLES

RUBRIC = ("exists", "evidence", "public", "recent")
VALUE_FIELDS = ("value", "numerator", "denominator", *RUBRIC)


class Base(DeclarativeBase):
    pass


class Created:
    """A row that keeps when it was made (UTC)."""

    created_at: Mapped[datetime] = mapped_column(DateTime)


class InstitutionSdg:
    """A row about one SDG of one institution in a cycle: what is submitted, assigned and corrected."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycle.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    sdg: Mapped[int] = mapped_column(Integer)


def api_dict(row: Base, spec: str) -> dict:
    """A row as the API shows it: ``spec`` names its attributes in order (``key:attribute`` where the API's name
    differs); dates and times as ISO 8601."""
    shown = {}
    for item in spec.split():
        key, _, attribute = item.partition(":")
        value = getattr(row, attribute or key)
        shown[key] = value.isoformat() if isinstance(value, date) else value
    return shown


class Setting(Base):
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Institution(Created, Base):
    __tablename__ = "institution"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))


class User(Created, Base):
    __tablename__ = "portal_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institution.id"), index=True)
    """The tenant for admins, contributors and observers; for a reviewer, the institution they belong to."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class EmailedLink(Created):
    """A single-use, expiring link sent to a person by e-mail; only its token's hash is kept."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class Invitation(EmailedLink, Base):
    __tablename__ = "invitation"


class WebSession(Created, Base):
    __tablename__ = "web_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    reauthenticated_at: Mapped[datetime | None] = mapped_column(DateTime)  # a sign-in or "confirm it's you"


class ApiToken(Created, Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("portal_user.id"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"), index=True)
    """The token that made this one: it never outlives it (revoked with it, expiring no later)."""


class TokenSession(Created, Base):
    """A short-lived token a script got for its API token (``POST /api/tokens/session``): the API takes only these
    from scripts. It lives while its API token does (unrevoked, unexpired, its maker still its institution's admin)."""

    __tablename__ = "token_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class PasswordReset(EmailedLink, Base):
    """A link to choose a new password."""

    __tablename__ = "password_reset"


class SecondFactor(Created, Base):
    """A person's TOTP secret; in use once confirmed with a first code."""

    __tablename__ = "second_factor"
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    """The time step of the last code taken: a code is accepted once."""


class RecoveryCode(Base):
    """A single-use code that stands in for the authenticator, stored as its SHA-256."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class SecurityKey(Created, Base):
    """A person's WebAuthn credential (a security key, or a device's own authenticator): a second factor. The
    count of its signatures is kept, so that a copy of the key (whose count lags) is refused."""

    __tablename__ = "security_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url, up to 1023 bytes
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE
    sign_count: Mapped[int] = mapped_column(BigInteger)  # the authenticator's counter: 32 bits unsigned
    name: Mapped[str] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class KeyChallenge(Created, Base):
    """A challenge handed out for one WebAuthn ceremony (adding a key, or signing in after the password), kept as
    its SHA-256 and taken once."""

    __tablename__ = "key_challenge"
    challenge_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class SignInAttempts(Base):
    """Sign-ins tried in the current window, per (account, address) and per address (email ``""``)."""

    __tablename__ = "sign_in_attempts"
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer)


class Cycle(Base):
    __tablename__ = "cycle"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    methodology_id: Mapped[str] = mapped_column(String(100))
    methodology_yaml: Mapped[str] = mapped_column(Text, deferred=True)
    """The rules as they were when the cycle opened: a later change to a bundled file cannot alter a cycle.
    Loaded only when needed: the parsed rules are cached per process under ``methodology_sha256``."""
    methodology_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16))  # open → review → published
    grace_hours: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Writes are still taken this long after the close date shown to institutions."""
    review_rounds: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    revision_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")


class Record(InstitutionSdg, Base):
    """One metric of one SDG for one institution in one cycle; ``version`` guards against lost updates."""

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("cycle_id", "institution_id", "sdg", "metric", name="uq_record_metric"),)
    metric: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    exists: Mapped[float | None] = mapped_column("ans_exists", Float)
    evidence: Mapped[float | None] = mapped_column("ans_evidence", Float)
    public: Mapped[float | None] = mapped_column("ans_public", Float)
    recent: Mapped[float | None] = mapped_column("ans_recent", Float)
    unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    """Declared as having no data: complete, exported with empty values, scored as missing."""
    state: Mapped[str] = mapped_column(String(16))  # draft | complete
    warnings_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"))
    revision_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reopened: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    """A reviewer asked for a revision: this metric alone is open again until ``revision_due``."""
    revision_due: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def key(self) -> str:
        return f"{self.cycle_id}/{self.institution_id}/{self.sdg}/{self.metric}"

    def values(self) -> dict[str, float | None]:
        return {f: getattr(self, f) for f in VALUE_FIELDS}


class SdgSubmission(InstitutionSdg, Base):
    """An SDG the institution's admin has submitted: taken part in, and locked."""

    __tablename__ = "sdg_submission"
    __table_args__ = (UniqueConstraint("cycle_id", "institution_id", "sdg", name="uq_sdg_submission"),)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("portal_user.id"))


class StoredFile(Base):
    """A file's content, once, under its SHA-256 (the bytes live in the files folder)."""

    __tablename__ = "stored_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)  # up to the 2 GiB file limit
    media_type: Mapped[str] = mapped_column(String(100))


class EvidenceItem(Created, Base):
    __tablename__ = "evidence_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # url | file
    url: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_file.sha256"))
    filename: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300))
    date: Mapped[date | None] = mapped_column(Date)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"))


class AuditEntry(Base):
    """Append-only: the database itself refuses UPDATE and DELETE on this table (see the migrations)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"), Index("ix_audit_cycle", "cycle_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(200))
    cycle_id: Mapped[str | None] = mapped_column(String(64))
    institution_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    after: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)


class Assignment(InstitutionSdg, Created, Base):
    """A reviewer assigned to an (institution, SDG) pair of a cycle."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("cycle_id", "institution_id", "sdg", "reviewer_id", name="uq_assignment"),)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    override_reason: Mapped[str | None] = mapped_column(Text)
    """Set when an operator assigned despite a conflict (the override is logged with it)."""


class Conflict(Created, Base):
    """A conflict of interest a reviewer declared: an institution, or every institution of a country."""

    __tablename__ = "conflict"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"), index=True)
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institution.id"))
    country: Mapped[str | None] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)


class Assessment(Created, Base):
    """A reviewer's verdict on one record in one round; the latest row is the record's assessment."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"))
    round: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))  # accepted | revision | rejected
    exists: Mapped[float | None] = mapped_column("ans_exists", Float)
    evidence: Mapped[float | None] = mapped_column("ans_evidence", Float)
    public: Mapped[float | None] = mapped_column("ans_public", Float)
    recent: Mapped[float | None] = mapped_column("ans_recent", Float)
    note: Mapped[str | None] = mapped_column(Text)
    record_version: Mapped[int] = mapped_column(Integer)
    """The version of the record that was assessed."""


class Extension(Base):
    """One institution's later deadline in a cycle."""

    __tablename__ = "extension"
    __table_args__ = (UniqueConstraint("cycle_id", "institution_id", name="uq_extension"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycle.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    until: Mapped[datetime] = mapped_column(DateTime)


class Correction(InstitutionSdg, Base):
    """A change to published data: requested, decided by an operator; the record itself keeps the old value."""

    __tablename__ = "correction"
    metric: Mapped[str] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JSON)
    after: Mapped[Any] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Created, Base):
    """An e-mail waiting to be sent, written in the same transaction as the event it tells of."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    """Taken by a sender; a message is claimed once, so it is never sent twice."""
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Result(Base):
    """An institution's results in a built edition, attached to a cycle with the time they become public: a
    snapshot of its facts, so the portal never needs the workspace again. Only its own members see it."""

    __tablename__ = "result"
    __table_args__ = (UniqueConstraint("cycle_id", "institution_id", name="uq_result"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycle.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    edition: Mapped[str] = mapped_column(String(64))
    public_at: Mapped[datetime] = mapped_column(DateTime)
    attached_at: Mapped[datetime] = mapped_column(DateTime)
    facts: Mapped[Any] = mapped_column(JSON)


class PressKit(Base):
    """A result's press kit in one language: the zip's bytes, made when the result was attached."""

    __tablename__ = "press_kit"
    __table_args__ = (UniqueConstraint("result_id", "lang", name="uq_press_kit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("result.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
