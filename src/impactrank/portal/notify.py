"""E-mail notifications through an outbox: a message is written in the same transaction as the event it tells
of (so it is never lost), and a sender claims each message once before handing it to the SMTP server (so it
is never sent twice). Without an SMTP server configured, messages wait in the outbox for the operator."""

from __future__ import annotations

import smtplib
from datetime import date, datetime
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from impactrank.i18n import DEFAULT, N_, gettext, moment
from impactrank.portal.db import Database
from impactrank.portal.models import ADMIN, OPERATOR, OutboxMessage, Setting, User

SMTP_KEYS = ("smtp_host", "smtp_port", "mail_from")
LANGUAGE_KEY = "language:{user}"  # a setting per person: the language of the pages they signed in on


def remember_language(session: Session, user_id: int, locale: str) -> None:
    """Keep the language a person reads the portal in, for the e-mails they get when no page is open."""
    session.merge(Setting(key=LANGUAGE_KEY.format(user=user_id), value=locale))


def language_of(session: Session, email: str) -> str:
    user_id = session.scalar(select(User.id).where(User.email == email))
    key = LANGUAGE_KEY.format(user=user_id)
    return (session.scalar(select(Setting.value).where(Setting.key == key)) if user_id else None) or DEFAULT


def queue(session: Session, to: str, subject: str, body: str, now: datetime, **params) -> None:
    """A message in its recipient's language: ``subject`` and ``body`` are catalog entries, ``params`` fill
    their placeholders (a day or a time as the language writes it: "11 novembre 2025 23:59")."""
    lang = language_of(session, to)
    params = {k: moment(v, lang) if isinstance(v, date) else v for k, v in params.items()}
    subject, body = (gettext(text, lang) % params if params else gettext(text, lang) for text in (subject, body))
    session.add(OutboxMessage(to_email=to, subject=subject[:300], body=body, created_at=now, attempts=0))


def sign_in_changed(session: Session, to: str, what: str, now: datetime) -> None:
    """Tell a person their password or second factor changed (``what``: a catalog entry), so that a change they
    did not make is noticed."""
    queue(
        session,
        to,
        N_("Your impactrank portal sign-in changed"),
        N_("%(what)s on %(when)s UTC.\nIf you did not do this, tell the portal's operators at once.\n"),
        now,
        what=gettext(what, language_of(session, to)),
        when=now,
    )


def admins_of(session: Session, institution_id: str) -> list[str]:
    rows = select(User.email).where(User.institution_id == institution_id, User.role == ADMIN, User.active.is_(True))
    return list(session.scalars(rows.order_by(User.email)))


def operators(session: Session) -> list[str]:
    return list(
        session.scalars(select(User.email).where(User.role == OPERATOR, User.active.is_(True)).order_by(User.email))
    )


def smtp_settings(session: Session) -> dict[str, str] | None:
    found = {s.key: s.value for s in session.scalars(select(Setting).where(Setting.key.in_(SMTP_KEYS)))}
    return found if set(found) == set(SMTP_KEYS) else None


def message_view(m: OutboxMessage) -> dict:
    state = "sent" if m.sent_at else "sending (unconfirmed)" if m.claimed_at else "waiting"
    return {
        "id": m.id,
        "to": m.to_email,
        "subject": m.subject,
        "created_at": m.created_at.isoformat(),
        "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        "state": state,
        "attempts": m.attempts,
        "last_error": m.last_error,
    }


def deliver(db: Database, now: datetime, limit: int = 100) -> dict[str, int]:
    """Send what waits in the outbox; safe to run in several processes at once."""
    with db.read() as session:
        settings = smtp_settings(session)
        waiting = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.claimed_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
    sent = failed = 0
    if settings is None:
        return {"sent": 0, "failed": 0, "waiting": len(waiting)}
    for message_id in waiting:
        with db.write() as session:
            claimed = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id, OutboxMessage.claimed_at.is_(None), OutboxMessage.sent_at.is_(None)
                )
                .values(claimed_at=now)
            )
            if claimed.rowcount != 1:
                continue  # another sender has it
            m = session.get(OutboxMessage, message_id)
            email = EmailMessage()
            email["From"], email["To"], email["Subject"] = settings["mail_from"], m.to_email, m.subject
            email["Message-ID"] = f"<outbox-{m.id}@impactrank-portal>"
            email.set_content(m.body)
        try:
            with smtplib.SMTP(settings["smtp_host"], int(settings["smtp_port"]), timeout=10) as smtp:
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            with db.write() as session:  # not handed over: release it for a later attempt
                m = session.get(OutboxMessage, message_id)
                m.claimed_at, m.attempts, m.last_error = None, m.attempts + 1, str(exc)[:500]
            failed += 1
            continue
        with db.write() as session:
            m = session.get(OutboxMessage, message_id)
            m.sent_at, m.attempts, m.last_error = now, m.attempts + 1, None
        sent += 1
    return {"sent": sent, "failed": failed, "waiting": len(waiting) - sent}
