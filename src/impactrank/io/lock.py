"""A lock file beside a file that several processes share: shared for readers, exclusive for a writer.

The lock is ``flock`` on ``NAME.lock`` next to the file. It is tried without blocking, so the caller decides how
long to wait and what to show meanwhile. The kernel drops it when its process ends, however it ends (SIGKILL
included), so a crash never leaves a workspace locked. The lock file is removed by the last holder that leaves;
one left behind by a killed process is empty, harmless and removed by the next holder.

Removing a lock file safely: a process may have opened the file just before another removed it, and then lock an
inode no longer under the name. So a holder checks, once it holds the lock, that the name still leads to the inode
it locked (else it starts again), and only a holder of the exclusive lock removes the name.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock file; DuckDB's own lock still refuses a second writer
    fcntl = None  # type: ignore[assignment]


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class LockFile:
    """``NAME.lock`` beside ``path``, shared (readers) or exclusive (a writer); :meth:`acquire` never blocks."""

    def __init__(self, path: Path, exclusive: bool) -> None:
        self.path = lock_path(path)
        self.exclusive = exclusive
        self._fd: int | None = None
        self.held = False

    def acquire(self) -> bool:
        """Try once; True when the lock is held (or cannot be kept here: no fcntl, a read-only folder, where
        DuckDB's own lock is all there is)."""
        if self.held:
            return True
        if fcntl is None:
            self.held = True
            return True
        while True:
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError:
                # a folder we cannot write (a workspace on read-only media, or a missing folder, which DuckDB reports)
                self.held = True
                return True
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except OSError:  # a file system without flock
                os.close(fd)
                self.held = True
                return True
            if _same_file(fd, self.path):
                self._fd = fd
                self.held = True
                return True
            os.close(fd)  # its last holder removed it after we opened it: lock the file now under the name

    def release(self) -> None:
        """Let go, removing the lock file when no one else holds it."""
        fd, self._fd = self._fd, None
        self.held = False
        if fd is None:
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # other readers still hold it: leave the file
            except OSError:
                return
            if _same_file(fd, self.path):
                self.path.unlink(missing_ok=True)
        except OSError:  # a folder we may not change: the empty file stays
            pass
        finally:
            os.close(fd)  # closing drops the lock


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (st.st_dev, st.st_ino)
