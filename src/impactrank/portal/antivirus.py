"""Uploads scanned by a ClamAV daemon (clamd) as soon as they have arrived, before anything opens, keeps or
reads them: its INSTREAM command over its socket (a Unix socket's path, or HOST:PORT). A file in which it finds
a signature is refused, naming the signature. A daemon configured but unreachable refuses every upload (fail
closed): an unscanned file must not slip in while the scanner is down."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from impactrank.i18n import N_
from impactrank.portal.audit import log_change
from impactrank.portal.errors import PortalError
from impactrank.portal.tenancy import Scope

CHUNK = 256 * 1024
TIMEOUT = 120.0  # clamd's own limit on one scan is 120 s by default


class Infected(PortalError):
    """An upload in which the scanner found a signature (``params``: file, signature)."""


def unavailable(address: str, reason: str) -> PortalError:
    return PortalError(
        N_("uploads are refused while the virus scanner at %(address)s cannot scan them (%(reason)s): try again later"),
        field="file",
        status=503,
        params={"address": address, "reason": reason},
    )


@dataclass(frozen=True)
class Clamd:
    """A clamd to ask: ``address`` is a Unix socket's path (it holds a '/') or HOST:PORT."""

    address: str

    def __post_init__(self) -> None:
        if "/" not in self.address:
            host, _, port = self.address.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise PortalError(
                    N_("clamd's address is a socket's path or HOST:PORT, not '%(address)s'"),
                    field="clamd",
                    params={"address": self.address},
                )

    def _connect(self) -> socket.socket:
        if "/" in self.address:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT)
            sock.connect(self.address)
            return sock
        host, _, port = self.address.rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=TIMEOUT)

    def ask(self, command: bytes, body: BinaryIO | None = None) -> str:
        """clamd's reply to one command; a body is streamed in chunks, each after its 4-byte big-endian length,
        ended by a zero length."""
        try:
            with self._connect() as sock:
                try:
                    sock.sendall(b"z" + command + b"\0")
                    if body is not None:
                        while chunk := body.read(CHUNK):
                            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                        sock.sendall(struct.pack("!L", 0))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # clamd stops reading a stream past its StreamMaxLength: its reply says so
                reply = b""
                while not reply.endswith(b"\0") and (part := sock.recv(4096)):
                    reply += part
        except OSError as exc:
            raise unavailable(self.address, exc.strerror or type(exc).__name__) from None
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> None:
        """Refused as :func:`unavailable` unless clamd answers."""
        reply = self.ask(b"PING")
        if reply != "PONG":
            raise unavailable(self.address, reply or "no answer")

    def signature_in(self, path: Path) -> str | None:
        """The name of the signature clamd finds in the file, or None when it finds none."""
        with path.open("rb") as fh:
            reply = self.ask(b"INSTREAM", fh)
        verdict = reply.removeprefix("stream: ")
        if verdict == "OK":
            return None
        if verdict.endswith(" FOUND"):
            return verdict.removesuffix(" FOUND")
        if "size limit exceeded" in reply:
            raise PortalError(
                N_("this file is larger than the virus scanner takes (its StreamMaxLength is below the upload limit)"),
                field="file",
                status=413,
            )
        raise unavailable(self.address, reply or "no answer")


def scan(scanner: Clamd | None, path: Path, filename: str) -> None:
    """Refuse the upload at ``path`` if the scanner finds a signature in it; no scanner configured: no scan."""
    if scanner is None:
        return
    found = scanner.signature_in(path)
    if found is not None:
        raise Infected(
            N_("%(file)s is refused: the virus scanner found %(signature)s in it"),
            field="file",
            status=422,
            params={"file": filename, "signature": found},
        )


def log_refusal(scope: Scope, refusal: Infected, cycle_id: str, institution_id: str) -> None:
    """An infected upload in the audit log: who sent which file, and what was found (nothing else is kept)."""
    log_change(
        scope,
        "upload.infected",
        "institution",
        f"{cycle_id}/{institution_id}",
        after={"file": refusal.params["file"], "signature": refusal.params["signature"]},
        cycle_id=cycle_id,
        institution_id=institution_id,
    )
