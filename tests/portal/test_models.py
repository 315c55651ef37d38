"""How a row is shown in the API, and the keys the models share (no database needed)."""

from __future__ import annotations

from datetime import date, datetime

from impactrank.portal.models import (
    Assignment,
    Correction,
    Created,
    EvidenceItem,
    InstitutionSdg,
    Record,
    SdgSubmission,
    api_dict,
)


def test_api_dict_keeps_the_spec_order_renames_and_writes_dates_as_iso():
    item = EvidenceItem(id=7, kind="url", title="Plan", url="https://x.org", date=date(2024, 3, 1), public=True)
    item.created_at = datetime(2024, 3, 2, 9, 30)
    shown = api_dict(item, "id title when:date at:created_at public url filename")
    assert list(shown) == ["id", "title", "when", "at", "public", "url", "filename"]
    assert shown == {
        "id": 7,
        "title": "Plan",
        "when": "2024-03-01",
        "at": "2024-03-02T09:30:00",
        "public": True,
        "url": "https://x.org",
        "filename": None,
    }


def test_what_is_submitted_assigned_and_corrected_carries_the_same_key():
    for model in (Record, SdgSubmission, Assignment, Correction):
        assert issubclass(model, InstitutionSdg)
        columns = model.__table__.columns
        assert {"cycle_id", "institution_id", "sdg"} <= set(columns.keys())
        assert [fk.target_fullname for fk in columns["cycle_id"].foreign_keys] == ["cycle.id"]
        assert columns["institution_id"].index
    assert issubclass(Assignment, Created) and "created_at" in Assignment.__table__.columns
