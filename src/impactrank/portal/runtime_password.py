"""Rotating the runtime role's PostgreSQL password (ASVS 2.10.1), so that the server's database secret need not
stay the same for ever. The server reads its password from a libpq password file named in its database URL
(``?passfile=FILE``), which libpq opens at each new connection: a rotation sets a new random password on the role
and replaces that file in one rename, so new connections use the new password while those already open (in the
pool until recycled) carry on, and the old password is refused from then on."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import text

from impactrank.errors import N_, InputError
from impactrank.portal.db import Database


def passfile_line(role: str, password: str) -> str:
    """libpq's format, for any host, port and database; the password is URL-safe base64, so nothing needs escaping."""
    return f"*:*:*:{role}:{password}\n"


def _write_private(path: Path, data: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # libpq ignores a file others may read
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def rotate(db: Database, role: str, password_file: Path) -> None:
    """A new random password (256 bits) on ``role``, then in ``password_file``; connected as a role that may alter
    it (the one that ran ``portal init``). The new file is written before the change is committed and takes the
    old one's place right after, so the two differ only for that instant; a failed change leaves the old file."""
    if db.dialect != "postgresql":
        raise InputError(N_("only a PostgreSQL portal has a runtime role whose password can rotate"), field="database")
    password = secrets.token_urlsafe(32)
    password_file = password_file.resolve()
    staged = password_file.with_name(f".{password_file.name}.{secrets.token_hex(4)}.new")
    _write_private(staged, passfile_line(role, password))
    try:
        with db.engine.begin() as connection:
            if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}) is None:
                raise InputError(
                    N_("there is no role %(role)r in this database"), field="runtime-role", params={"role": role}
                )
            quoted = connection.scalar(text("SELECT quote_literal(:p)"), {"p": password})
            connection.exec_driver_sql(f'ALTER ROLE "{role}" PASSWORD {quoted}')
        os.replace(staged, password_file)
    finally:
        staged.unlink(missing_ok=True)
    directory = os.open(password_file.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
