"""An admin's invitation answers the same whether or not the address already has an account, so that no one
learns who has one (an operator, another institution's admin). The link goes by e-mail only: a new person
gets the invitation, someone who already has an account is told of the attempt and keeps it unchanged."""

from __future__ import annotations

from sqlalchemy import select

from impactrank.i18n import N_, gettext
from impactrank.portal.accounts import INVITATION_DAYS, check_new_account, create_user
from impactrank.portal.audit import log_change
from impactrank.portal.models import User
from impactrank.portal.notify import language_of, queue
from impactrank.portal.tenancy import Scope


def invite(scope: Scope, institution_id: str, email: str, role: str, base_url: str, language: str) -> dict:
    """``language``: the inviting page's, for the e-mail to a new person."""
    email = check_new_account(scope, email, role, institution_id)
    if scope.session.scalar(select(User.id).where(User.email == email)) is None:
        create_user(scope, email, role, institution_id, None, invitation_base=base_url, language=language)
    else:
        queue(
            scope.session,
            email,
            N_("An invitation to the impactrank portal"),
            N_(
                "%(institution)s tried to invite you as %(role)s, but you already have an account: nothing was "
                "changed. Sign in at %(link)s (the sign-in page also resets a forgotten password), or ask the "
                "portal's operators to move your account.\n"
            ),
            scope.now,
            institution=institution_id,
            role=gettext(role, language_of(scope.session, email)),
            link=f"{base_url.rstrip('/')}/login",
        )
        log_change(
            scope,
            "user.invite_existing",
            "user",
            email,
            after={"role": role, "institution": institution_id},
            institution_id=institution_id,
        )
    return {"email": email, "role": role, "institution": institution_id, "sent": True, "valid_days": INVITATION_DAYS}
