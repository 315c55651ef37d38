"""The evidence file store on its own: what each allowed type must hold, the size limit counted while the bytes
arrive, one stored copy per content under its SHA-256, and pruning by age and reference."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile

import pytest
from portal_helpers import HTML_AS_PDF, PDF

from impactrank.portal.errors import PortalError
from impactrank.portal.files import CHUNK, FileStore

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def office(*parts: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part in parts:
            z.writestr(part, "<x/>")
    return buf.getvalue()


XLSX = office("[Content_Types].xml", "xl/workbook.xml")
DOCX = office("[Content_Types].xml", "word/document.xml")


class Counted(io.BytesIO):
    """An upload stream that counts the bytes it delivered."""

    delivered = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.delivered += len(chunk)
        return chunk


def refusal(store: FileStore, data: bytes | io.BytesIO, name: str, limit: int = 1 << 20) -> PortalError:
    with pytest.raises(PortalError) as caught:
        store.put(data if isinstance(data, io.BytesIO) else io.BytesIO(data), name, limit)
    assert caught.value.field == "file"
    return caught.value


@pytest.mark.parametrize(
    ("name", "data", "media"),
    [
        ("Policy.PDF", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("data.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("report.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("table.csv", "année,valeur\n2024,3\n".encode(), "text/csv"),
        ("cut.csv", "a,b,\n" + "é" * 40000, "text/csv"),  # the 64 KiB sample ends inside an é
        ("cut.csv", "a,b,\n" + "x" * (64 * 1024 - 8) + "😀", "text/csv"),  # … after 3 of an emoji's 4 bytes
    ],
)
def test_each_allowed_type_is_stored_once_under_its_sha256(tmp_path, name, data, media):
    data = data.encode() if isinstance(data, str) else data
    store = FileStore(tmp_path / "files")
    sha, size, media_type = store.put(io.BytesIO(data), name)
    assert (sha, size, media_type) == (hashlib.sha256(data).hexdigest(), len(data), media)
    target = tmp_path / "files" / "objects" / sha[:2] / sha[2:]
    assert target.read_bytes() == data and store.path(sha) == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert store.put(io.BytesIO(data), name) == (sha, size, media)  # the same content again: the same copy
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == [target]  # no temporary file left


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("policy.pdf", HTML_AS_PDF, "HTML"),
        ("policy.pdf", PNG, "a PNG image"),
        ("chart.png", PDF, "a PDF"),
        ("chart.png", b"\x89PNG-not-really", "a PNG image"),
        ("photo.jpg", PDF, "a PDF"),
        ("photo.jpeg", b"GIF89a", "something else"),
        ("data.xlsx", DOCX, "a ZIP archive"),
        ("data.xlsx", office("xl/workbook.xml"), "a ZIP archive"),  # no content types: not an Office file
        ("report.docx", XLSX, "a ZIP archive"),
        ("report.docx", JPEG, "a JPEG image"),
        ("table.csv", b"a,b\n<script>alert(1)</script>\n", "HTML"),
        ("table.csv", b"a,b\n<A href=x>1</a>\n", "HTML"),
        ("table.csv", b"a,b\n1,\x002\n", "something else"),
        ("table.csv", b"a,b\n\xff\xfe1,2\n", "something else"),  # not UTF-8 well before the end
        ("table.csv", b"a,b\n" + b"x" * (64 * 1024 - 8) + b"\xffxyz", "something else"),  # nor 4 bytes before
    ],
)
def test_content_that_is_not_what_the_name_says_is_refused(tmp_path, name, data, what):
    store = FileStore(tmp_path)
    err = refusal(store, data, name)
    ext = name.rsplit(".", 1)[1].lower()
    assert err.status == 415 and err.params == {"ext": ext, "what": what}
    assert err.message == f"the content is not what a .{ext} file holds (it looks like {what})"
    assert not (tmp_path / "objects").exists() and list((tmp_path / "incoming").iterdir()) == []


@pytest.mark.parametrize(("name", "shown"), [("tool.exe", ".exe"), ("README", "(none)"), ("x.pdf.html", ".html")])
def test_other_types_are_refused_by_name(tmp_path, name, shown):
    err = refusal(FileStore(tmp_path), PDF, name)
    assert err.status == 415
    assert err.params == {"ext": shown, "allowed": ".csv, .docx, .jpeg, .jpg, .pdf, .png, .xlsx"}
    assert err.message == f"files of type {shown} are not accepted (allowed: {err.params['allowed']})"
    assert not tmp_path.joinpath("incoming").exists()


def test_the_limit_is_counted_while_reading_and_an_empty_file_is_refused(tmp_path):
    store = FileStore(tmp_path)
    limit = CHUNK + 10
    data = PDF + b"\x00" * (limit - len(PDF))
    assert store.put(io.BytesIO(data), "exact.pdf", limit)[1] == limit  # exactly at the limit: accepted
    err = refusal(store, data + b"\x00", "over.pdf", limit)
    assert err.status == 413 and err.params == {"mb": f"{limit / 1024 / 1024:g}"}
    err = refusal(store, PDF + b"\x00" * (3 * CHUNK // 2), "big.pdf", 3 * CHUNK // 2)
    assert err.message == "the file is larger than the limit of 1.5 MB"
    long = Counted(PDF + b"\x00" * (10 * limit))
    refusal(store, long, "long.pdf", limit)  # stopped while reading: at most a chunk past the limit was read
    assert limit < long.delivered <= limit + CHUNK
    err = refusal(store, b"", "empty.pdf")
    assert err.status == 422 and err.message == "the file is empty"
    assert list((tmp_path / "incoming").iterdir()) == []


def test_prune_removes_only_unreferenced_files_older_than_the_cut(tmp_path):
    store = FileStore(tmp_path)
    kept = store.put(io.BytesIO(PDF), "kept.pdf")[0]
    orphan = store.put(io.BytesIO(PDF + b"%orphan"), "orphan.pdf")[0]
    fresh = store.put(io.BytesIO(PDF + b"%fresh"), "fresh.pdf")[0]
    orphan2 = store.put(io.BytesIO(PDF + b"%orphan2"), "orphan2.pdf")[0]
    incoming = tmp_path / "incoming"
    partials = {name: incoming / f"tmp{name}" for name in ("old", "old2", "new", "cut")}
    for path in partials.values():
        path.write_bytes(b"%PDF-")
    for path in (store.path(orphan), store.path(orphan2), partials["old"], partials["old2"]):
        os.utime(path, (1000, 1000))
    for path in (store.path(fresh), partials["new"]):
        os.utime(path, (3000, 3000))
    for path in (store.path(kept), partials["cut"]):  # exactly at the cut: not older, kept
        os.utime(path, (2000, 2000))
    assert store.prune({fresh}, older_than=2000) == {"files": 2, "partial": 2}
    left = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted([store.path(kept), store.path(fresh), partials["new"], partials["cut"]])
    assert FileStore(tmp_path / "never used").prune(set(), older_than=5000) == {"files": 0, "partial": 0}


def test_contents_whose_hashes_share_a_folder_are_both_stored(tmp_path):
    """Objects live in folders named by the hash's first two hex digits: a second file there joins the first."""
    by_folder: dict[str, bytes] = {}
    for n in range(1000):
        data = PDF + b"%" + str(n).encode()
        folder = hashlib.sha256(data).hexdigest()[:2]
        if folder in by_folder:
            first, second = by_folder[folder], data
            break
        by_folder[folder] = data
    store = FileStore(tmp_path)
    shas = [store.put(io.BytesIO(data), "policy.pdf")[0] for data in (first, second)]
    assert [store.path(sha).read_bytes() for sha in shas] == [first, second]
    assert store.path(shas[0]).parent == store.path(shas[1]).parent


def test_evidence_files_live_beside_a_sqlite_file_or_in_portal_files():
    from pathlib import Path

    from impactrank.portal.files import files_beside

    assert files_beside("sqlite:///data/portal.sqlite") == Path("data/portal.sqlite.files")
    assert files_beside("sqlite:////srv/portal.sqlite") == Path("/srv/portal.sqlite.files")
    assert files_beside("postgresql://portal@db/portal") == Path("portal-files")
