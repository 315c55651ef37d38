"""Institutions taking part, added by an operator."""

from __future__ import annotations

import re

from impactrank.countries import to_alpha2
from impactrank.i18n import N_
from impactrank.portal.audit import log_change
from impactrank.portal.errors import conflict, invalid
from impactrank.portal.models import Institution, api_dict
from impactrank.portal.tenancy import Scope

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def institution_view(i: Institution) -> dict:
    return api_dict(i, "id name country")


def add_institution(scope: Scope, institution_id: str, name: str, country: str) -> Institution:
    scope.require_operator()
    institution_id = (institution_id or "").strip()
    if not _ID.match(institution_id):
        raise invalid(N_("an institution id is 1–64 letters, digits, '.', '_' or '-'"), "id")
    name = (name or "").strip()
    if not name or len(name) > 300:
        raise invalid(N_("a name of 1–300 characters is required"), "name")
    code = to_alpha2(country or "")
    if code is None:
        raise invalid(
            N_("unknown country %(country)r (use an ISO 3166 alpha-2 code or an English country name)"),
            "country",
            country=country,
        )
    if scope.session.get(Institution, institution_id) is not None:
        raise conflict(N_("institution %(institution)r already exists"), "id", institution=institution_id)
    inst = Institution(id=institution_id, name=name, country=code, created_at=scope.now)
    scope.session.add(inst)
    log_change(
        scope,
        "institution.add",
        "institution",
        institution_id,
        after=institution_view(inst),
        institution_id=institution_id,
    )
    return inst
