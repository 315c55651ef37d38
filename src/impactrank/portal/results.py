"""Results under embargo: an operator attaches each institution's results (a snapshot of its facts and its press
kits, made from a built edition by ``impactrank portal results attach``) to a cycle with their public time.
Only the institution's own members see them, before that time and after it (the public site is the public
face): for anyone else — another institution, a reviewer, an operator, a stranger — they do not exist (404).
Every view and download is written to the audit log."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from impactrank.i18n import N_
from impactrank.portal.audit import log_change, record_change
from impactrank.portal.errors import not_found
from impactrank.portal.models import INSTITUTION_ROLES, Institution, PressKit, Result
from impactrank.portal.tenancy import Actor, Scope

OBJECT = "results"


def attach(
    scope: Scope, cycle_id: str, edition: str, public_at: datetime, facts: dict[str, dict], kits: dict[str, dict]
) -> list[str]:
    """Store (or replace) the results of each institution of ``facts`` (id → facts) and its kits (id → lang →
    zip bytes) in the cycle; institutions the portal does not know are refused by id. Logged per institution."""
    scope.require_operator()
    scope.cycle(cycle_id)
    unknown = sorted(set(facts) - set(scope.session.scalars(select(Institution.id).where(Institution.id.in_(facts)))))
    if unknown:
        raise not_found(N_("no institution %(ids)s in the portal"), "institution", ids=", ".join(unknown))
    for iid in sorted(facts):
        old = _result(scope.session, cycle_id, iid)
        before = None
        if old is not None:
            before = {"edition": old.edition, "public_at": old.public_at}
            scope.session.execute(delete(PressKit).where(PressKit.result_id == old.id))
            scope.session.delete(old)
            scope.session.flush()
        result = Result(
            cycle_id=cycle_id,
            institution_id=iid,
            edition=edition,
            public_at=public_at,
            attached_at=scope.now,
            facts=facts[iid],
        )
        scope.session.add(result)
        scope.session.flush()
        langs = sorted(kits.get(iid, {}))
        for lang in langs:
            data = kits[iid][lang]
            scope.session.add(
                PressKit(
                    result_id=result.id,
                    institution_id=iid,
                    lang=lang,
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                )
            )
        after = {"edition": edition, "public_at": public_at, "press_kits": langs}
        log_change(
            scope, "results.attach", OBJECT, f"{cycle_id}/{iid}", before=before, after=after, cycle_id=cycle_id,
            institution_id=iid,
        )  # fmt: skip
    return sorted(facts)


def _result(session: Session, cycle_id: str, institution_id: str) -> Result | None:
    return session.scalar(select(Result).where(Result.cycle_id == cycle_id, Result.institution_id == institution_id))


def _own(actor: Actor, institution_id: str) -> bool:
    return actor.role in INSTITUTION_ROLES and actor.institution_id == institution_id


def result_view(r: Result, kits: list[str], now: datetime) -> dict:
    return {
        "cycle": r.cycle_id,
        "institution": r.institution_id,
        "edition": r.edition,
        "public_at": r.public_at.isoformat(),
        "embargoed": now < r.public_at,
        "press_kits": kits,
        "facts": r.facts,
    }


def own_results(scope: Scope) -> list[dict]:
    """The signed-in member's institution's results, newest cycle first; 404 for anyone but a member."""
    actor = scope.actor
    if actor.role not in INSTITUTION_ROLES:
        raise not_found(N_("no results"), "institution")
    rows = scope.session.scalars(
        select(Result).where(Result.institution_id == actor.institution_id).order_by(Result.cycle_id.desc())
    )
    return [
        {
            "cycle": r.cycle_id,
            "institution": r.institution_id,
            "edition": r.edition,
            "public_at": r.public_at.isoformat(),
            "embargoed": scope.now < r.public_at,
        }
        for r in rows
    ]


def results(scope: Scope, cycle_id: str, institution_id: str) -> dict:
    """One institution's results in a cycle, for its own members; 404 for anyone else, as for none attached."""
    found = _result(scope.session, cycle_id, institution_id) if _own(scope.actor, institution_id) else None
    if found is None:
        raise not_found(N_("no results"), "institution")
    kits = list(scope.session.scalars(select(PressKit.lang).where(PressKit.result_id == found.id).order_by("lang")))
    return result_view(found, kits, scope.now)


def press_kit(scope: Scope, cycle_id: str, institution_id: str, lang: str) -> bytes:
    """The press kit's zip in ``lang``, for the institution's own members; 404 otherwise."""
    found = _result(scope.session, cycle_id, institution_id) if _own(scope.actor, institution_id) else None
    kit = None
    if found is not None:
        kit = scope.session.scalar(select(PressKit).where(PressKit.result_id == found.id, PressKit.lang == lang))
    if kit is None:
        raise not_found(N_("no press kit"), "lang")
    return kit.data


def log_read(session: Session, actor: Actor, now: datetime, action: str, cycle_id: str, institution_id: str,
             **after) -> None:  # fmt: skip
    """A view or a download, in the log (its own transaction: reading needs no CSRF token, the log is appended)."""
    record_change(
        session, actor, now, action, OBJECT, f"{cycle_id}/{institution_id}", after=after or None, cycle_id=cycle_id,
        institution_id=institution_id,
    )  # fmt: skip
