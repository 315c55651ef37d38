"""Atomic file output: write beside the target, then rename, so a failure never leaves half a file.

A file is written under a temporary name beside its target, ``.NAME.PID.XXXXXXXX.tmp`` (hidden, and naming the
process writing it), flushed to disk and renamed over the target in one step: a reader, or a crash at any
moment, finds the old file or the new one, never part of one. Files that belong together (a build's tables and
the manifest listing their hashes) are written as one folder by :func:`atomic_folder`.

A process killed while writing leaves its temporary file or folder under its temporary name, never under the
target's; the next write of the same target removes those whose process has ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"
STAGING = "staging"  # the name behind the temporary folder staged inside a folder shared with other files


def temp_prefix(name: str) -> str:
    return f".{name}.{os.getpid()}."


_ANY_TEMP = re.compile(rf"\.(.+)\.\d+\.[A-Za-z0-9_]+{re.escape(TEMP_SUFFIX)}")


def target_of(path: str | Path) -> Path:
    """The path a temporary file or folder of this module stands for (``out/.report.pdf.123.ab12.tmp`` →
    ``out/report.pdf``; a file in a staging folder → that file in the folder it is staged in): what an error names
    to the reader."""
    parts = []
    for part in Path(path).parts:
        match = _ANY_TEMP.fullmatch(part)
        if match is None or match[1] != STAGING:
            parts.append(part if match is None else match[1])
    return Path(*parts)


def _temp_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(name)}\.(\d+)\.[A-Za-z0-9_]+{re.escape(TEMP_SUFFIX)}")


def is_temporary(name: str) -> bool:
    """Whether a file name is one of our temporary names (of any target)."""
    return _ANY_TEMP.fullmatch(name) is not None


def remove_stale(target: str | Path) -> list[Path]:
    """Remove the temporary files and folders of ``target`` left by processes that have ended (killed while
    writing it); those of a running process are left alone. Returns what was removed."""
    target = Path(target)
    pattern = _temp_pattern(target.name)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _running(int(match.group(1))):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (EPERM): alive
        return True
    return True


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's directory; on success it replaces the target."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for others to read too
        _fsync(tmp_path)
        os.replace(tmp_path, target)
        _fsync(target.parent)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextmanager
def atomic_folder(folder: str | Path, names: Sequence[str]) -> Iterator[Path]:
    """Yield a staging folder for the files ``names``; on success they appear in ``folder`` together, or not
    at all.

    A folder that does not exist yet, or holds nothing but files of ``names`` (an earlier run's), is replaced
    whole: the files are staged in a folder beside it, which takes its place in one step where Linux can exchange
    two names (``renameat2``), else by moving the old folder aside first, so that a crash between those two
    renames leaves no folder rather than half of one. A folder that holds anything else (``--out .``, or the
    current directory) is never moved: the files are staged inside it, the last of ``names`` (the manifest) is
    removed first, the others are renamed in one by one and the last comes last, so that a manifest is present
    only beside the complete files it describes."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
    for stale in (folder, folder / STAGING, *(folder / name for name in names)):
        remove_stale(stale)
    whole = _replaceable(folder, names)
    home, label = (folder.parent, folder.name) if whole else (folder, STAGING)
    home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=temp_prefix(label), suffix=TEMP_SUFFIX, dir=home))
    aside: Path | None = None
    try:
        yield staging
        for name in names:
            os.chmod(staging / name, 0o666 & ~_umask())
            _fsync(staging / name)
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700
        _fsync(staging)
        if not whole:
            _rename_files(staging, folder, names)
        elif not folder.exists():
            os.rename(staging, folder)
        elif not exchange(staging, folder):  # (after an exchange, the staging name holds the old folder)
            aside = Path(tempfile.mkdtemp(prefix=temp_prefix(label), suffix=TEMP_SUFFIX, dir=home))
            os.rename(folder, aside)  # over the empty folder just made
            os.rename(staging, folder)
        _fsync(folder.parent)
    finally:
        for path in (staging, aside):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)


def _replaceable(folder: Path, names: Sequence[str]) -> bool:
    """May the folder be replaced whole: absent, or a real folder (not the current one, nor above it) holding
    only files of ``names``."""
    if not folder.exists():
        return True
    if folder.is_symlink():
        return False
    here, there = Path.cwd().resolve(), folder.resolve()
    if there == here or there in here.parents:
        return False
    return all(entry.name in names and entry.is_file(follow_symlinks=False) for entry in os.scandir(folder))


def _rename_files(staging: Path, folder: Path, names: Sequence[str]) -> None:
    """Into a folder shared with other files: the manifest out first, in last."""
    *files, last = names
    (folder / last).unlink(missing_ok=True)
    _fsync(folder)
    for name in files:
        os.replace(staging / name, folder / name)
    _fsync(folder)
    os.replace(staging / last, folder / last)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2: Callable[..., int] | bool | None = False  # False: not looked up yet; None: not available


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where the system or the
    file system cannot, with nothing changed."""
    global _renameat2
    if _renameat2 is False:
        try:
            _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
            _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        except (OSError, AttributeError):
            _renameat2 = None
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def exchange_supported(folder: str | Path) -> bool:
    """Whether the file system holding ``folder`` can swap two names in one step (see :func:`exchange`)."""
    with tempfile.TemporaryDirectory(prefix=temp_prefix("exchange"), suffix=TEMP_SUFFIX, dir=folder) as tmp:
        a, b = Path(tmp, "a"), Path(tmp, "b")
        a.mkdir()
        b.mkdir()
        return exchange(a, b)


def _fsync(path: Path) -> None:
    """Flush a file or a folder's entries to disk (a crash of the machine, not only of the process)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # a file system that cannot (some network mounts)
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: str | Path, writer: Callable[[Path], None]) -> None:
    with atomic_path(target) as tmp:
        writer(tmp)


def write_text_atomic(target: str | Path, text: str) -> None:
    write_atomic(target, lambda p: p.write_text(text, encoding="utf-8", newline="\n"))


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    write_atomic(target, lambda p: p.write_bytes(data))
