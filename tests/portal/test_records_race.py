"""Two writers on one database file: the second is refused with a 409 naming its field when the first commits
the same SDG submission or the same metric between the second's checks and its write. Each race is staged at a
real seam: the second writer's session, about to flush (or to run its versioned update), lets the first commit.
The driver's own transactions begin at the first write, as a server database's read-committed ones see others'
commits, so the check sees nothing and the write meets the first writer's row."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from portal_world import MINI
from sqlalchemy import create_engine, event, select, update
from sqlalchemy.orm import Session

from impactrank.portal import records
from impactrank.portal.cycles import open_cycle
from impactrank.portal.errors import PortalError
from impactrank.portal.models import Base, Cycle, Institution, Record, SdgSubmission, User
from impactrank.portal.records import RecordEdit
from impactrank.portal.tenancy import COMMAND_LINE, Actor, Scope

NOW = datetime(2025, 10, 1, 9, 0)
ADMIN = Actor(1, "admin@a.edu", "admin", "A")


@pytest.fixture
def sessions(tmp_path):
    """(the second writer's session, the first's) on one file: institution A and the open cycle 2025 (mini)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'race.sqlite'}")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Institution(id="A", name="University A", country="FR", created_at=NOW))
        s.add(User(id=1, email=ADMIN.email, role=ADMIN.role, institution_id="A", created_at=NOW))
        open_cycle(Scope(s, COMMAND_LINE, NOW), "2025", str(MINI), "2025-11-11")
        s.commit()
    with Session(engine) as second, Session(engine) as first:
        yield second, first
    engine.dispose()


def record(sdg: int, metric: str, version: int = 1, state: str = "draft") -> Record:
    return Record(
        cycle_id="2025",
        institution_id="A",
        sdg=sdg,
        metric=metric,
        value=5.0,
        state=state,
        version=version,
        updated_at=NOW,
    )


def before_flush(second: Session, first: Session, *rows) -> None:
    """The first writer commits ``rows`` just as the second's session is about to flush."""

    @event.listens_for(second, "before_flush", once=True)
    def _meanwhile(*_):
        first.add_all(rows)
        first.commit()


def refused(call) -> tuple[int, str | None, str]:
    with pytest.raises(PortalError) as err:
        call()
    return err.value.status, err.value.field, str(err.value)


def save(second: Session, version: int) -> dict:
    edit = RecordEdit(version=version, value=7)
    return records.save_record(Scope(second, ADMIN, NOW), second.get(Cycle, "2025"), "A", 3, "pubs", edit)


def test_sdgs_submitted_by_someone_else_meanwhile(sessions):
    second, first = sessions
    first.add(record(3, "pubs", state="complete"))
    first.commit()
    before_flush(
        second, first, SdgSubmission(cycle_id="2025", institution_id="A", sdg=3, submitted_at=NOW, submitted_by=1)
    )
    submit = records.submit
    assert refused(lambda: submit(Scope(second, ADMIN, NOW), second.get(Cycle, "2025"), "A", [3])) == (
        409,
        "sdgs",
        "field 'sdgs': these SDGs were just submitted by someone else",
    )
    assert first.scalars(select(SdgSubmission.sdg)).all() == [3]


def test_an_upload_meeting_a_metric_saved_meanwhile(sessions):
    second, first = sessions
    before_flush(second, first, record(3, "pubs"))
    stream = io.BytesIO(b"institution_id,sdg,metric,value\nA,3,pubs,7\n")
    upload = records.upload
    assert refused(
        lambda: upload(Scope(second, ADMIN, NOW), second.get(Cycle, "2025"), "A", stream, "m.csv", False, 99)
    ) == (
        409,
        "file",
        "field 'file': someone saved these metrics at the same moment: upload again",
    )
    assert [(r.version, r.value) for r in first.scalars(select(Record))] == [(1, 5.0)]


def test_a_first_save_meeting_the_same_metric_saved_meanwhile(sessions):
    second, first = sessions
    before_flush(second, first, record(3, "pubs"))
    assert refused(lambda: save(second, 0)) == (409, "version", f"field 'version': {records.SAVED_MEANWHILE}")
    assert [(r.version, r.value) for r in first.scalars(select(Record))] == [(1, 5.0)]


def test_a_save_of_a_version_saved_again_meanwhile(sessions):
    second, first = sessions
    first.add(record(3, "pubs", version=1))
    first.commit()

    @event.listens_for(second, "do_orm_execute")
    def _meanwhile(state):
        if state.is_update:  # the versioned update: the first writer has just saved version 2
            first.execute(update(Record).values(version=2, value=9.0))
            first.commit()

    assert refused(lambda: save(second, 1)) == (409, "version", f"field 'version': {records.SAVED_MEANWHILE}")
    first.expire_all()
    assert [(r.version, r.value) for r in first.scalars(select(Record))] == [(2, 9.0)]
