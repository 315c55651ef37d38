"""A real ClamAV daemon for the upload-scanning tests: Debian's clamd in the foreground, with a temporary
configuration (a Unix socket and a loopback TCP port) and a database of one signature written here, the EICAR
test file's bytes anywhere in a file, so no signature download is needed and it starts in a fraction of a second.
The EICAR string is built from parts, so the repository holds no file a scanner would flag."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from served import free_port

CLAMD = Path("/usr/sbin/clamd")
SIGNATURE = "Impactrank-Test.EICAR"
REPORTED = SIGNATURE + ".UNOFFICIAL"  # clamd's suffix for a signature of a local database
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-" + b"TEST-FILE!$H+H*"


def why_not() -> str | None:
    if not CLAMD.exists():
        return "no ClamAV daemon (make test installs Debian's clamav-daemon when run as root)"
    return None


class Daemon:
    """``settings``: more lines of clamd.conf (e.g. a smaller StreamMaxLength)."""

    def __init__(self, settings: str = "") -> None:
        self.settings = settings
        self.root = Path(tempfile.mkdtemp(prefix="impactrank-clamd-"))
        self.socket = str(self.root / "clamd.sock")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def tcp(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start it and wait until it answers on both addresses; returns the seconds that took."""
        from impactrank.portal.antivirus import Clamd
        from impactrank.portal.errors import PortalError

        (self.root / "db").mkdir()
        (self.root / "db" / "test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
        config = self.root / "clamd.conf"
        config.write_text(
            f"Foreground yes\nLocalSocket {self.socket}\nTCPSocket {self.port}\nTCPAddr 127.0.0.1\n"
            f"DatabaseDirectory {self.root / 'db'}\nLogFile {self.root / 'clamd.log'}\n{self.settings}"
        )
        began = time.monotonic()
        self.process = subprocess.Popen(
            [str(CLAMD), "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while True:
            try:
                Clamd(self.socket).ping()
                Clamd(self.tcp).ping()
                return time.monotonic() - began
            except PortalError:
                if self.process.poll() is not None or time.monotonic() - began > 30:
                    log = self.root / "clamd.log"
                    raise RuntimeError(log.read_text()[-500:] if log.exists() else "clamd exited") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
