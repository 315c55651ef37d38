"""Saving records: the build's own rules and messages, versions against lost updates, completeness and
warnings, submission locks, the close date, and files of rows applied all or nothing."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from portal_helpers import put, records

from impactrank.errors import InputError
from impactrank.io.inputs import read_submissions
from impactrank.methodology import load_methodology

HEADER = "institution_id,sdg,metric,value,numerator,denominator,exists,evidence,public,recent"
BAD_ROWS = [  # (sdg, metric, body, the field named)
    (1, "pubs", {"value": -1}, "value"),
    (2, "share", {"numerator": 5, "denominator": 0}, "denominator"),
    (2, "share", {"numerator": 5}, "denominator"),
    (2, "share", {"value": 0.3}, "value"),
    (1, "policy", {"exists": 1.5}, "exists"),
    (1, "policy", {"value": 1}, "value"),
    (1, "pubs", {"exists": 1}, "exists"),
]


def build_message(tmp_path, sdg, metric, body) -> InputError:
    """What ``impactrank build`` says about the same row in a file."""
    cells = [str(body.get(c, "")) for c in HEADER.split(",")[3:]]
    path = tmp_path / "one.csv"
    path.write_text(f"{HEADER}\nA,{sdg},{metric},{','.join(cells)}\n")
    with pytest.raises(InputError) as err:
        read_submissions([path], load_methodology(_mini()), pl.DataFrame({"institution_id": ["A"]}))
    return err.value


def _mini():
    from portal_world import MINI

    return MINI


@pytest.mark.parametrize(("sdg", "metric", "body", "field"), BAD_ROWS)
def test_same_rules_and_messages_as_build(world, tmp_path, sdg, metric, body, field):
    c = world.client("A.contributor")
    r = put(c, "2025", "A", sdg, metric, complete=False, **body)
    expected = build_message(tmp_path, sdg, metric, body)
    assert r.status_code == 422
    assert r.json()["field"] == expected.field == field
    assert r.json()["error"].endswith(expected.message)
    assert world.table("record") == []


def test_bad_input_names_the_field(world):
    c = world.client("A.contributor")
    cases = [
        ({"value": "abc", "version": 0}, "value"),
        ({"value": 1}, "version"),
        ({"value": 1, "version": -1}, "version"),
        ({"value": 1, "version": 0, "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        r = c.put("/api/cycles/2025/institutions/A/records/1/pubs", json=body)
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    r = c.put(
        "/api/cycles/2025/institutions/A/records/1/pubs",
        content=b'{"value": NaN, "version": 0}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["field"] == "value"
    r = c.put(
        "/api/cycles/2025/institutions/A/records/1/pubs",
        content=b"not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["field"] == "body"
    assert put(c, "2025", "A", 1, "nope", value=1).json()["field"] == "metric"
    assert put(c, "2025", "A", 18, "pubs", value=1).json()["field"] == "sdg"
    assert put(c, "2025", "A", 5, "pubs", value=1).json()["field"] == "sdg"  # not in this methodology
    assert c.get("/api/cycles/2025/institutions/A/records?sdg=0").json()["field"] == "sdg"
    assert c.get("/api/cycles/nope/institutions/A/records").json()["field"] == "cycle"
    r = c.post(
        "/cycles/2025/institutions/A/records/1/pubs",
        data={"value": "x", "version": "0", "csrf_token": c.headers["X-CSRF-Token"]},
    )
    # the form's page again, naming the field by its form's label, not by the API's id
    assert r.status_code == 422 and "<title>Not saved: Value — a number is expected" in r.text
    assert ">Value: a number is expected</a>" in r.text and 'value="x" aria-invalid="true"' in r.text
    assert world.table("record") == []


def test_a_stale_version_is_refused(world):
    first, second = world.client("A.contributor"), world.client("A.admin")
    assert put(first, "2025", "A", 1, "pubs", value=10).json()["version"] == 1
    assert put(second, "2025", "A", 1, "pubs", value=11, version=0).status_code == 409
    assert put(first, "2025", "A", 1, "pubs", value=12, version=1).json()["version"] == 2
    r = put(second, "2025", "A", 1, "pubs", value=13, version=1)
    assert r.status_code == 409 and r.json()["field"] == "version"
    assert records(first, "2025", "A", 1)["pubs"]["value"] == 12


def test_complete_needs_every_field_or_no_data(world):
    c = world.client("A.contributor")
    r = put(c, "2025", "A", 1, "policy", exists=1, evidence=0)
    assert r.status_code == 422 and r.json()["field"] == "public"
    r = put(c, "2025", "A", 1, "policy", unavailable=True, exists=1)
    assert r.status_code == 422 and r.json()["field"] == "exists"
    r = put(c, "2025", "A", 1, "policy", unavailable=True)
    assert r.status_code == 200 and r.json()["state"] == "complete" and r.json()["unavailable"] is True
    r = put(c, "2025", "A", 2, "share", complete=False, numerator=3, denominator=10)
    assert r.json()["state"] == "draft"


def test_tenfold_change_from_last_cycle_is_a_warning(world):
    from impactrank.portal.cycles import open_cycle
    from impactrank.portal.models import Cycle, Record
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    earlier = world.clock.now() - timedelta(days=365)
    with world.db.write() as session:
        open_cycle(Scope(session, COMMAND_LINE, earlier), "2024", str(_mini()), "2024-11-11")
    with world.db.write() as session:
        assert session.get(Cycle, "2024").opened_at < session.get(Cycle, "2025").opened_at
        session.add(Record(cycle_id="2024", institution_id="A", sdg=1, metric="pubs", value=10.0, state="complete",
                           unavailable=False, warnings_acknowledged=False, version=1, updated_at=earlier))  # fmt: skip
    c = world.client("A.contributor")
    r = put(c, "2025", "A", 1, "pubs", complete=False, value=150)
    assert [w["code"] for w in r.json()["warnings"]] == ["tenfold"] and "15 ×" in r.json()["warnings"][0]["message"]
    assert put(c, "2025", "A", 1, "pubs", version=1, value=150).json()["field"] == "acknowledge_warnings"
    assert put(c, "2025", "A", 1, "pubs", version=1, value=150, acknowledge_warnings=True).json()["state"] == "complete"
    assert put(c, "2025", "A", 1, "pubs", version=2, value=50).json()["warnings"] == []


def test_submission_locks_and_eligibility(world):
    admin, contributor = world.client("A.admin"), world.client("A.contributor")
    r = admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3]})
    assert r.status_code == 422 and "pubs" in r.json()["error"]
    assert put(contributor, "2025", "A", 3, "pubs", value=5).status_code == 200
    assert admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3]}).status_code == 201
    assert admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3]}).status_code == 409
    r = put(contributor, "2025", "A", 3, "pubs", version=1, value=6)
    assert r.status_code == 423 and "submitted" in r.json()["error"]
    r = contributor.post(
        "/api/cycles/2025/institutions/A/records/3/pubs/evidence", json={"title": "t", "url": "https://x.org"}
    )
    assert r.status_code == 423
    # an upload touching the submitted SDG is refused whole, naming the row as the spreadsheet shows it
    upload = f"{HEADER}\nA,1,pubs,4,,,,,,\n\nA,3,pubs,7,,,,,,\n"  # a blank row before the locked one
    r = contributor.post("/api/cycles/2025/institutions/A/upload", files={"file": ("mine.csv", upload.encode())})
    assert r.status_code == 423 and r.json()["row"] == 4 and r.json()["field"] == "sdg"
    assert records(contributor, "2025", "A", 1)["pubs"]["value"] is None
    dash = admin.get("/api/cycles/2025/institutions/A").json()
    assert dash["eligibility"] == {
        "required_sdg": 17,
        "min_other_sdgs": 3,
        "submitted": [3],
        "other_sdgs": [3],
        "eligible": False,
        "blocks": ["SDG 17 is not submitted", "2 more SDGs besides SDG 17 needed"],
    }
    assert records(contributor, "2025", "A", 3)["pubs"]["state"] == "submitted"
    html = admin.get("/cycles/2025/institutions/A").text
    assert "submitted (locked)" in html and "SDG 17 is not submitted" in html


def test_writes_after_the_close_date_are_refused(world):
    c = world.client("A.contributor")
    assert put(c, "2025", "A", 1, "pubs", value=1).status_code == 200
    world.clock.advance(days=60)
    assert put(c, "2025", "A", 1, "pubs", version=1, value=2).status_code == 401  # the session expired meanwhile
    c = world.client("A.contributor")
    r = put(c, "2025", "A", 1, "pubs", version=1, value=2)
    assert r.status_code == 423 and "2025-11-11 23:59" in r.json()["error"]
    assert records(c, "2025", "A", 1)["pubs"]["value"] == 1


def test_upload_is_all_or_nothing_with_builds_messages(world, tmp_path):
    c = world.client("A.contributor")
    good = f"{HEADER}\nA,1,pubs,10,,,,,,\nA,3,pubs,5,,,,,,\n"
    bad = good + "A,2,share,,5,0,,,,\n"
    r = c.post("/api/cycles/2025/institutions/A/upload", files={"file": ("mine.csv", bad.encode(), "text/csv")})
    body = r.json()
    assert r.status_code == 422 and body["row"] == 4 and body["field"] == "denominator" and body["file"] == "mine.csv"
    path = tmp_path / "mine.csv"
    path.write_text(bad)
    with pytest.raises(InputError) as err:
        read_submissions([path], load_methodology(_mini()), pl.DataFrame({"institution_id": ["A"]}))
    assert body["error"] == str(err.value)
    assert world.table("record") == []
    other = f"{HEADER}\nA,1,pubs,10,,,,,,\nB,3,pubs,5,,,,,,\n"
    r = c.post("/api/cycles/2025/institutions/A/upload", files={"file": ("mine.csv", other.encode(), "text/csv")})
    assert r.status_code == 422 and r.json()["row"] == 3 and r.json()["field"] == "institution_id"
    r = c.post("/api/cycles/2025/institutions/A/upload", files={"file": ("mine.txt", b"x", "text/plain")})
    assert r.status_code == 422 and ".txt" in r.json()["error"]
    r = c.post("/api/cycles/2025/institutions/A/upload", files={"file": ("mine.csv", good.encode(), "text/csv")})
    assert r.status_code == 201 and r.json()["saved"] == ["1/pubs", "3/pubs"]
    assert records(c, "2025", "A", 3)["pubs"]["value"] == 5


def test_upload_refuses_another_institutions_rows_by_their_row(world):
    """A file with rows for another institution is refused by the own-institution rule, naming the first such row
    as the spreadsheet numbers it and counting the others; nothing of the file is saved."""
    c = world.client("A.contributor")
    mixed = f"{HEADER}\nA,1,pubs,10,,,,,,\n B ,3,pubs,5,,,,,,\nA,4,pubs,2,,,,,,\nB,4,pubs,6,,,,,,\n"
    r = c.post("/api/cycles/2025/institutions/A/upload", files={"file": ("mine.csv", mixed.encode(), "text/csv")})
    body = r.json()
    assert r.status_code == 422
    assert body["error"] == (
        "mine.csv, row 3, field 'institution_id': rows may only be for your institution (A) (1 more row like this)"
    )
    assert (body["file"], body["row"], body["field"]) == ("mine.csv", 3, "institution_id")
    assert world.table("record") == []
    b = world.client("B.contributor")
    assert records(b, "2025", "B", 3)["pubs"]["value"] is None
