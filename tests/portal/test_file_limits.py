"""Decompression bombs (ASVS 4.0 12.1.2): an Office file is a ZIP whose directory says how large each part
inflates; one over 256 MB in all, or over 10,000 parts, is refused before any part is inflated, as evidence and
as a bulk upload. And a quota (12.1.3): an institution's evidence files in a cycle, 1,000 files and 2 GB."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
import sqlalchemy as sa
from babel.numbers import format_decimal
from portal_helpers import PDF, pdf_file

from impactrank.portal.app import create_app
from impactrank.portal.errors import PortalError
from impactrank.portal.evidence import QUOTA_BYTES, QUOTA_FILES
from impactrank.portal.files import FileStore

MB = 2**20


def deflated(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zeros(mb: int) -> tuple[bytes, int]:
    """``mb`` MB of zeros deflated, and their CRC: one MB's blocks repeated (each ends in a full flush, so
    every copy is the same bytes), as a bomb is made without the minutes of deflating them."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(MB)) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mb):
        crc = zlib.crc32(bytes(MB), crc)
    return block * mb + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc


def office(part: str, filler_mb: int = 0, parts: int = 0, telling: bytes = b"<x/>") -> bytes:
    """An Office file (a ZIP, written by hand) of its two telling parts (``telling`` each), one more of
    ``filler_mb`` MB of zeros (a thousand to one) and ``parts`` empty ones."""
    entries = [(name, deflated(telling), zlib.crc32(telling), len(telling)) for name in ("[Content_Types].xml", part)]
    if filler_mb:
        data, crc = zeros(filler_mb)
        entries.append(("xl/media/zeros.bin", data, crc, filler_mb * MB))
    entries += [(f"p/{i}", deflated(b""), 0, 0) for i in range(parts)]
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in entries:
        head = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(data), size)
        directory.write(b"PK\x01\x02" + struct.pack("<H", 20) + head)
        directory.write(struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, out.tell()) + name.encode())
        out.write(b"PK\x03\x04" + head + struct.pack("<HH", len(name), 0) + name.encode() + data)
    start, n = out.tell(), len(entries)
    out.write(directory.getvalue())
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, n, n, len(directory.getvalue()), start, 0))
    return out.getvalue()


def inflated(data: bytes) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sum(i.file_size for i in z.infolist()), len(z.infolist())


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return office("xl/workbook.xml", filler_mb=257)


def test_evidence_that_would_inflate_too_far_is_refused(tmp_path, bomb):
    store = FileStore(tmp_path / "files")
    assert inflated(bomb)[0] > 256 * MB and len(bomb) < MB  # its own directory says so
    with zipfile.ZipFile(io.BytesIO(bomb)) as z, z.open("xl/media/zeros.bin") as part:
        assert part.read(MB) == bytes(MB)  # and it is what it says: a real bomb
    many = office("word/document.xml", parts=10_000)
    assert inflated(many)[1] == 10_002
    for name, data in (("data.xlsx", bomb), ("report.docx", many)):
        with pytest.raises(PortalError) as refused:
            store.put(io.BytesIO(data), name, 8 * MB)
        assert refused.value.status == 413 and refused.value.field == "file"
    assert store.put(io.BytesIO(office("word/document.xml", parts=9_000)), "report.docx", 8 * MB)[1] > 0
    assert not list((tmp_path / "files").rglob("*.xlsx"))


def test_a_bulk_upload_that_would_inflate_too_far_is_refused_unread(world, bomb):
    world.app = create_app(world.served_db, world.files, clock=world.clock, upload_limit=2 * MB)
    c = world.client("A.contributor")
    r = c.post("/api/cycles/2025/institutions/A/upload", files={"file": ("rows.xlsx", bomb, "application/zip")})
    assert r.status_code == 413 and r.json()["field"] == "file" and "256 MB" in r.json()["error"]
    assert world.table("record") == []


def evidence_of(inst: str) -> str:
    return f"/api/cycles/2025/institutions/{inst}/records/1/policy/evidence"


def test_an_institutions_evidence_files_have_a_quota(world):
    a, b = world.client("A.contributor"), world.client("B.contributor")
    assert a.post(evidence_of("A"), data={"title": "first"}, files=pdf_file()).status_code == 201
    with world.db.write() as session:  # 999 more files of A's in this cycle, as if uploaded one by one
        item = dict(session.execute(sa.text("SELECT * FROM evidence_item")).mappings().one())
        del item["id"]
        insert = sa.text(f"INSERT INTO evidence_item ({', '.join(item)}) VALUES (:{', :'.join(item)})")
        session.execute(insert, [item | {"title": f"copy {i}"} for i in range(1, QUOTA_FILES)])
    r = a.post(evidence_of("A"), data={"title": "one more"}, files=pdf_file())
    assert r.status_code == 413 and r.json()["field"] == "file" and "1000 files and 2 GB" in r.json()["error"]
    assert a.post(evidence_of("A"), data={"title": "a link", "url": "https://a.edu/p"}).status_code == 201
    assert b.post(evidence_of("B"), data={"title": "B's"}, files=pdf_file("b.pdf", PDF + b"B")).status_code == 201
    with world.db.write() as session:  # B's file one byte short of the quota
        grown = sa.text("UPDATE stored_file SET size = :n WHERE size = :s")
        session.execute(grown, {"n": QUOTA_BYTES - 1, "s": len(PDF) + 1})
    r = b.post(evidence_of("B"), data={"title": "one byte more"}, files=pdf_file("c.pdf", PDF + b"C"))
    assert r.status_code == 413 and r.json()["field"] == "file"
    with world.db.engine.connect() as conn:
        counts = conn.execute(sa.text("SELECT institution_id, count(*) FROM evidence_item GROUP BY institution_id"))
        assert dict(counts.all()) == {"A": QUOTA_FILES + 1, "B": 1}  # the link counts in no quota


def test_a_stored_files_size_holds_more_than_32_bits(world):
    """The file limit goes up to 2 GiB and a size is kept as a 64-bit integer: 3 000 000 000 fits on both
    databases (a 32-bit column on PostgreSQL refused it: 'integer out of range')."""
    size = 3_000_000_000
    with world.db.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO stored_file (sha256, size, media_type) VALUES (:h, :s, 'application/pdf')"),
            {"h": "f" * 64, "s": size},
        )
        assert (
            conn.execute(sa.text("SELECT size FROM stored_file WHERE sha256 = :h"), {"h": "f" * 64}).scalar_one()
            == size
        )


def test_an_office_file_of_10000_parts_or_256_mb_is_kept(tmp_path):
    """The limits are the last sizes accepted: 10,000 parts, then 256 MB inflated in all."""
    store = FileStore(tmp_path / "files")
    exactly = office("word/document.xml", parts=9_998)
    assert inflated(exactly)[1] == 10_000
    assert store.put(io.BytesIO(exactly), "report.docx", 8 * MB)[1] > 0
    with pytest.raises(PortalError) as refused:
        store.put(io.BytesIO(office("word/document.xml", parts=9_999)), "report.docx", 8 * MB)
    assert (refused.value.status, refused.value.params) == (413, {"mb": 256, "n": 10_000})
    assert str(refused.value).startswith("field 'file': this file would inflate to more than 256 MB or 10,000 parts")
    for locale in ("fr", "es"):  # the count grouped as CLDR writes it there: "10 000", "10.000"
        assert format_decimal(10_000, locale=locale) in refused.value.text(locale)
    assert store.put(io.BytesIO(office("xl/workbook.xml", filler_mb=255)), "data.xlsx", 8 * MB)[1] > 0
    exactly = office("xl/workbook.xml", filler_mb=256, telling=b"")
    assert inflated(exactly)[0] == 256 * MB
    assert store.put(io.BytesIO(exactly), "data.xlsx", 8 * MB)[1] > 0
    with pytest.raises(PortalError):  # 256 MB and the 8 bytes of its two telling parts
        store.put(io.BytesIO(office("xl/workbook.xml", filler_mb=256)), "data.xlsx", 8 * MB)
