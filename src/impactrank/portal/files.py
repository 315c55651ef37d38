"""Evidence files: checked by content against an allow-list, stored once under their SHA-256 in a folder of
their own (never inside the web root), written through a temporary file and a rename so a crash leaves either
the whole file or nothing."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO

from impactrank.errors import Count
from impactrank.i18n import N_
from impactrank.portal.antivirus import Clamd, scan
from impactrank.portal.errors import PortalError

DEFAULT_LIMIT = 20 * 1024 * 1024
CHUNK = 1024 * 1024
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|meta|img|a\s)", re.IGNORECASE)


MAX_INFLATED = 256 * 2**20
MAX_PARTS = 10_000


def too_large(limit: int) -> PortalError:
    return PortalError(
        N_("the file is larger than the limit of %(mb)s MB"),
        field="file",
        status=413,
        params={"mb": f"{limit / 1024 / 1024:g}"},
    )


def extension(filename: str) -> str:
    ext = Path(filename).suffix.lower().lstrip(".")
    if ext not in MEDIA_TYPES:
        allowed = ", ".join(sorted({"." + e for e in MEDIA_TYPES}))
        raise PortalError(
            N_("files of type %(ext)s are not accepted (allowed: %(allowed)s)"),
            field="file",
            status=415,
            params={"ext": "." + ext if ext else "(none)", "allowed": allowed},
        )
    return ext


def _what_it_is(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "a PDF"
    if head.startswith(b"\x89PNG"):
        return "a PNG image"
    if head.startswith(b"\xff\xd8\xff"):
        return "a JPEG image"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if _MARKUP.search(head):
        return "HTML"
    return "something else"


def sniff(path: Path, ext: str) -> None:
    """Refuse a file whose content is not what its name says (a ``.pdf`` holding HTML, a renamed program …)."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    ok = {
        "pdf": head.startswith(b"%PDF-"),
        "png": head.startswith(b"\x89PNG\r\n\x1a\n"),
        "jpg": head.startswith(b"\xff\xd8\xff"),
        "jpeg": head.startswith(b"\xff\xd8\xff"),
        "xlsx": _office(path, "xl/workbook.xml"),
        "docx": _office(path, "word/document.xml"),
        "csv": _plain_text(head),
    }[ext]
    if not ok:
        raise PortalError(
            N_("the content is not what a .%(ext)s file holds (it looks like %(what)s)"),
            field="file",
            status=415,
            params={"ext": ext, "what": _what_it_is(head)},
        )


def _office(path: Path, part: str) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    check_archive(path)
    return "[Content_Types].xml" in names and part in names


def check_archive(path: Path) -> None:
    """Refuse an Office file (a ZIP) whose parts would inflate past 256 MB or number over 10,000, from its own
    directory, before any part is inflated: a decompression bomb. Python's reader stops each part at the size
    the directory gives, so a part cannot inflate past what was checked here."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not an archive: the reader's own checks refuse it
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_INFLATED:
        raise PortalError(
            N_("this file would inflate to more than %(mb)s MB or %(n)s parts: save it again without what it hides"),
            field="file",
            status=413,
            params={"mb": Count(MAX_INFLATED // 2**20), "n": Count(MAX_PARTS)},
        )


def _plain_text(head: bytes) -> bool:
    if b"\x00" in head or _MARKUP.search(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the sample
    return True


def files_beside(database: str) -> Path:
    """Evidence files live beside a SQLite file (FILE.files/), or in ./portal-files for a server database."""
    if database.startswith("sqlite:///"):
        return Path(database.removeprefix("sqlite:///") + ".files")
    return Path("portal-files")


class FileStore:
    """``scanner``: the clamd every file is scanned by before it is kept (None: files are not scanned)."""

    def __init__(self, root: str | Path, scanner: Clamd | None = None) -> None:
        self.root = Path(root)
        self.scanner = scanner
        self.objects = self.root / "objects"
        self.incoming = self.root / "incoming"

    def path(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256[2:]

    def prune(self, referenced: set[str], older_than: float) -> dict[str, int]:
        """Remove what no evidence item refers to — files whose upload's transaction never committed (a crash, a
        refusal after the file arrived) and temporary files of interrupted uploads — if older than ``older_than``
        (a Unix time), so an upload in progress is never touched."""
        removed = {"files": 0, "partial": 0}
        for path in self.objects.glob("*/*") if self.objects.exists() else ():
            if path.parent.name + path.name not in referenced and path.stat().st_mtime < older_than:
                path.unlink()
                removed["files"] += 1
        for path in self.incoming.glob("*") if self.incoming.exists() else ():
            if path.stat().st_mtime < older_than:
                path.unlink()
                removed["partial"] += 1
        return removed

    def put(self, stream: BinaryIO, filename: str, limit: int = DEFAULT_LIMIT) -> tuple[str, int, str]:
        """Copy ``stream`` in chunks (never whole in memory), check it, store it; returns (sha256, size, media type)."""
        ext = extension(filename)
        self.incoming.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.incoming)
        tmp_path = Path(tmp)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise too_large(limit)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise PortalError(N_("the file is empty"), field="file", status=422)
            scan(self.scanner, tmp_path, Path(filename).name[-255:])
            sniff(tmp_path, ext)
            sha = digest.hexdigest()
            target = self.path(sha)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp_path, 0o640)
                os.replace(tmp_path, target)
                _fsync_dir(target.parent)
            return sha, size, MEDIA_TYPES[ext]
        finally:
            tmp_path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
