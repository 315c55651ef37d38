"""Uploads scanned by ClamAV (ASVS 4.0 12.4.2) against a real clamd started for the session: a clean file is
kept, a file holding the EICAR test string is refused naming the file and the signature, audit-logged, and
nothing of it is kept, as evidence and as a bulk upload; a clamd that is configured but down refuses uploads
(503) rather than let an unscanned file in; a file over clamd's own stream limit is refused (413), not let in."""

from __future__ import annotations

import io
import json
import os
from html import unescape

import pytest
import sqlalchemy as sa
from portal_clamd import EICAR, REPORTED, Daemon, why_not
from portal_helpers import PDF, pdf_file

from impactrank.portal.antivirus import Clamd
from impactrank.portal.app import create_app
from impactrank.portal.errors import PortalError
from impactrank.portal.files import FileStore
from impactrank.portal.serve import scanning_said
from served import free_port

EVIDENCE = "/api/cycles/2025/institutions/A/records/1/policy/evidence"
UPLOAD = "/api/cycles/2025/institutions/A/upload"
HEADER = "institution_id,sdg,metric,value,numerator,denominator,exists,evidence,public,recent"


@pytest.fixture(scope="session")
def clamd():
    reason = why_not()
    if reason:
        pytest.skip(reason)
    daemon = Daemon()
    try:
        seconds = daemon.start()
    except RuntimeError as exc:
        daemon.stop()
        pytest.skip(f"clamd did not start: {exc}")
    assert seconds < 10  # one signature: it must not cost the suite its minutes
    yield daemon
    daemon.stop()


def scanned(world, address: str):
    """A contributor of A on the world's portal, its uploads scanned by the clamd at ``address``."""
    world.app = create_app(world.served_db, world.files, clock=world.clock, upload_limit=256 * 1024, clamd=address)
    return world.client("A.contributor")


def kept_files(world) -> list[bytes]:
    return [p.read_bytes() for p in world.files.rglob("*") if p.is_file()]


def count(world, table: str) -> int:
    with world.db.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def infected_logged(world) -> list[tuple]:
    query = sa.text("SELECT actor_email, object_id, after FROM audit_log WHERE action = 'upload.infected' ORDER BY id")
    with world.db.engine.connect() as conn:
        return [(e, o, a if isinstance(a, dict) else json.loads(a)) for e, o, a in conn.execute(query)]


def test_a_clean_pdf_is_kept_and_an_eicar_file_refused_and_logged(world, clamd):
    c = scanned(world, clamd.socket)
    assert c.post(EVIDENCE, data={"title": "policy"}, files=pdf_file()).status_code == 201
    assert kept_files(world) == [PDF]
    for name, data in (("eicar.csv", EICAR), ("carrier.pdf", PDF + EICAR)):
        r = c.post(EVIDENCE, data={"title": "test file"}, files={"file": (name, io.BytesIO(data), "text/csv")})
        assert r.status_code == 422 and r.json()["field"] == "file"
        assert r.json()["error"] == f"field 'file': {name} is refused: the virus scanner found {REPORTED} in it"
    assert kept_files(world) == [PDF]  # nothing of the refused files, not even a partial upload
    assert count(world, "evidence_item") == 1 and count(world, "stored_file") == 1
    who = world.users["A.contributor"]
    assert infected_logged(world) == [
        (who, "2025/A", {"file": "eicar.csv", "signature": REPORTED}),
        (who, "2025/A", {"file": "carrier.pdf", "signature": REPORTED}),
    ]


def test_a_bulk_upload_holding_eicar_is_refused_unread_and_logged(world, clamd):
    c = scanned(world, clamd.tcp)
    rows = f"{HEADER}\nA,1,pubs,10,,,,,,\n".encode()
    r = c.post(UPLOAD, files={"file": ("rows.csv", rows + EICAR + b"\n", "text/csv")})
    assert r.status_code == 422 and r.json()["field"] == "file"
    assert r.json()["error"] == f"field 'file': rows.csv is refused: the virus scanner found {REPORTED} in it"
    c.cookies.set("lang", "fr")  # the upload form's page, in French
    r = c.post(UPLOAD.removeprefix("/api"), files={"file": ("lignes.csv", rows + EICAR, "text/csv")})
    said = unescape(r.text).replace("\u00a0", " ")
    assert r.status_code == 422 and f"lignes.csv est refusé : l'antivirus y a détecté {REPORTED}" in said
    assert count(world, "record") == 0
    who = world.users["A.contributor"]
    assert infected_logged(world) == [
        (who, "2025/A", {"file": "rows.csv", "signature": REPORTED}),
        (who, "2025/A", {"file": "lignes.csv", "signature": REPORTED}),
    ]
    r = c.post(UPLOAD, files={"file": ("rows.csv", rows, "text/csv")})
    assert r.status_code == 201 and r.json()["saved"] == ["1/pubs"]


def test_a_clamd_configured_but_down_refuses_uploads(world, tmp_path):
    for address in (str(tmp_path / "no-clamd.sock"), f"127.0.0.1:{free_port()}"):
        c = scanned(world, address)
        r = c.post(EVIDENCE, data={"title": "policy"}, files=pdf_file())
        assert r.status_code == 503 and r.json()["field"] == "file"
        assert r.json()["error"].startswith(
            f"field 'file': uploads are refused while the virus scanner at {address} cannot scan"
        )
        r = c.post(UPLOAD, files={"file": ("rows.csv", f"{HEADER}\nA,1,pubs,10,,,,,,\n".encode(), "text/csv")})
        assert r.status_code == 503
    assert kept_files(world) == [] and count(world, "evidence_item") == 0 and count(world, "record") == 0
    assert c.post(EVIDENCE, data={"title": "a link", "url": "https://a.edu/p"}).status_code == 201  # no file


def test_the_server_says_at_start_whether_uploads_are_scanned(clamd, tmp_path):
    assert scanning_said(clamd.socket) == (f"uploads are scanned by the ClamAV daemon at {clamd.socket}", None)
    said, style = scanning_said(None)
    assert "uploads are scanned for viruses only when 'serve' is given --clamd" in said and style == "yellow"
    said, style = scanning_said(str(tmp_path / "gone.sock"))
    assert "cannot scan them" in said and style == "yellow"


def test_init_says_how_to_scan_and_a_bad_clamd_address_is_refused(capsys, monkeypatch, tmp_path):
    from test_cli import run

    monkeypatch.setattr(os, "environ", dict(os.environ))  # what 'serve' sets for its workers ends with this test
    database = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    code, out, _ = run(capsys, monkeypatch, "portal", "init", "-d", database)
    assert code == 0 and "uploads are scanned for viruses only when 'serve' is given --clamd" in out
    for address in ("localhost", "localhost:http", "127.0.0.1:70000"):
        code, _, err = run(capsys, monkeypatch, "portal", "serve", "--clamd", address, "-d", database)
        assert code == 2 and "field 'clamd'" in err and f"'{address}'" in err and "Traceback" not in err


def test_a_file_over_clamds_stream_limit_is_refused_not_kept(tmp_path):
    reason = why_not()
    if reason:
        pytest.skip(reason)
    small = Daemon("StreamMaxLength 1M\n")
    try:
        small.start()
        big = PDF + bytes(2 * 2**20)
        for address in (small.socket, small.tcp):
            store = FileStore(tmp_path / "files", Clamd(address))
            with pytest.raises(PortalError) as refused:
                store.put(io.BytesIO(big), "report.pdf", 4 * 2**20)
            assert refused.value.status == 413 and refused.value.field == "file"
            assert "StreamMaxLength" in refused.value.message
            assert store.put(io.BytesIO(PDF), "small.pdf")[1] == len(PDF)
    finally:
        small.stop()
    assert [p.read_bytes() for p in (tmp_path / "files").rglob("*") if p.is_file()] == [PDF]
