"""``impactrank portal rotate-runtime-password``: a new password for the role the server connects as (its own
module: ``cli/portal.py`` is full)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from impactrank.cli.common import console
from impactrank.cli.portal import DEFAULT_DATABASE, DatabaseOption, _database, portal_app


@portal_app.command("rotate-runtime-password")
def rotate_runtime_password(
    password_file: Annotated[
        Path,
        typer.Option(
            "--password-file",
            help="The libpq password file the server's database URL names (?passfile=FILE): replaced, mode 0600.",
        ),
    ],
    runtime_role: Annotated[
        str, typer.Option("--runtime-role", help="The role 'serve' connects as.")
    ] = "impactrank_app",
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Give the runtime role a new random password and write it where the server reads it for each new
    connection (connect as the role that ran 'portal init'). Connections already open carry on; the old password
    is refused from now on. Serve with --database 'postgresql://ROLE@HOST/DB?passfile=FILE'."""
    from impactrank.portal.roles import Roles
    from impactrank.portal.runtime_password import rotate

    role = Roles(runtime=runtime_role).runtime
    with _database(database) as db:
        rotate(db, role, password_file)
    console.print(f"new password of {role} set and written to {password_file}", highlight=False)
