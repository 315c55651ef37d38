"""``impactrank portal …``: set up and run the data-collection portal, and export a cycle for ``build``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from impactrank.cli.common import app, console
from impactrank.errors import InputError

portal_app = typer.Typer(
    help="The data-collection portal: institutions enter data and evidence; you export it for build.",
    no_args_is_help=True,
)
institution_app = typer.Typer(help="Institutions taking part.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
cycle_app = typer.Typer(help="Collection cycles.", no_args_is_help=True)
portal_app.add_typer(institution_app, name="institution")
portal_app.add_typer(user_app, name="user")
portal_app.add_typer(cycle_app, name="cycle")
app.add_typer(portal_app, name="portal")

DatabaseOption = Annotated[
    str,
    typer.Option(
        "--database",
        "-d",
        envvar="IMPACTRANK_PORTAL_DATABASE",
        help="sqlite:///FILE (default) or postgresql://USER@HOST/DB.",
    ),
]
DEFAULT_DATABASE = "sqlite:///portal.sqlite"


def files_beside(database: str) -> Path:
    """Evidence files live beside a SQLite file (FILE.files/), or in ./portal-files for a server database."""
    if database.startswith("sqlite:///"):
        return Path(database.removeprefix("sqlite:///") + ".files")
    return Path("portal-files")


@contextmanager
def _database(url: str, initialised: bool = True) -> Iterator:
    from sqlalchemy.exc import OperationalError

    from impactrank.portal.db import Database, schema_is_current

    file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if initialised and file is not None and not Path(file).is_file():
        raise InputError(f"no portal database at {file}: run 'impactrank portal init'", field="database")
    db = Database(url)
    try:
        if initialised and not schema_is_current(db):
            raise InputError(
                "the portal database is not initialised or not up to date: run 'impactrank portal init'",
                field="database",
            )
        yield db
    except OperationalError as exc:
        raise InputError(
            f"cannot use the database: {str(exc.orig).strip().splitlines()[0]}", field="database"
        ) from None
    finally:
        db.dispose()


@contextmanager
def _operator(url: str) -> Iterator:
    """A write transaction as the command-line operator."""
    from impactrank.portal.clock import SystemClock
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    with _database(url) as db, db.write() as session:
        yield Scope(session, COMMAND_LINE, SystemClock().now())


@portal_app.command("init")
def init(database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """Create or upgrade the portal's schema and keep a new secret key in the database (never in files)."""
    from impactrank.portal.clock import SystemClock
    from impactrank.portal.initialise import initialise

    with _database(database, initialised=False) as db:
        made = initialise(db, SystemClock().now())
    console.print(f"portal database ready: {database}" + (" (new secret key made)" if made else ""), highlight=False)


@institution_app.command("add")
def institution_add(
    id: Annotated[str, typer.Option("--id", help="Stable identifier, as in institutions.csv.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166 alpha-2 code or English country name.")],
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Add an institution."""
    from impactrank.portal.institutions import add_institution

    with _operator(database) as scope:
        inst = add_institution(scope, id, name, country)
    console.print(f"added institution {inst.id} ({inst.name}, {inst.country})", highlight=False)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address (the sign-in name).")],
    role: Annotated[
        str, typer.Option("--role", help="operator | reviewer, or with --institution: admin | contributor | observer.")
    ],
    institution: Annotated[
        str | None, typer.Option("--institution", help="The member's institution (a reviewer's: where they work).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    base_url: Annotated[
        str, typer.Option("--base-url", help="Where the portal is served, for the invitation link.")
    ] = "http://127.0.0.1:8100",
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Add an account with a password from standard input, or print a single-use invitation link (once)."""
    from impactrank.portal.accounts import INVITATION_DAYS, create_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    with _operator(database) as scope:
        user, token = create_user(scope, email, role, institution, password)
    console.print(
        f"added {user.role} {user.email}" + (f" ({user.institution_id})" if user.institution_id else ""),
        highlight=False,
    )
    if token:
        console.print(f"invitation link (single use, valid {INVITATION_DAYS} days, shown only now):", highlight=False)
        console.print(f"{base_url.rstrip('/')}/invitations/{token}", highlight=False, soft_wrap=True)


@cycle_app.command("open")
def cycle_open(
    id: Annotated[str, typer.Option("--id", help="Cycle id, e.g. 2025.")],
    closes: Annotated[
        str, typer.Option("--closes", help="Close date YYYY-MM-DD (end of day, UTC) or YYYY-MM-DDTHH:MM.")
    ],
    methodology: Annotated[
        str, typer.Option("--methodology", "-m", help="Bundled edition id or YAML file.")
    ] = "the-2021",
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Open a collection cycle under a methodology (its rules are kept with the cycle)."""
    from impactrank.portal.cycles import open_cycle

    with _operator(database) as scope:
        cycle = open_cycle(scope, id, methodology, closes)
    console.print(
        f"opened cycle {cycle.id} ({cycle.methodology_id}), closes {cycle.closes_at:%Y-%m-%d %H:%M} UTC",
        highlight=False,
    )


@cycle_app.command("close")
def cycle_close(
    id: Annotated[str, typer.Option("--id", help="Cycle id.")],
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Close a cycle for submissions."""
    from impactrank.portal.cycles import close_cycle

    with _operator(database) as scope:
        cycle = close_cycle(scope, id)
    console.print(f"closed cycle {cycle.id} for submissions", highlight=False)


@portal_app.command("serve")
def serve(
    database: DatabaseOption = DEFAULT_DATABASE,
    host: Annotated[str, typer.Option("--host", help="Address to bind; loopback by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8100,
    files: Annotated[
        Path | None, typer.Option("--files", help="Folder for evidence files (default: beside the database).")
    ] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, max=2048, help="Largest evidence file.")] = 20,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Public address, for invitation links.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Server processes.")] = 1,
) -> None:
    """Serve the portal (pages, JSON API under /api, docs at /docs). Put it behind HTTPS to expose it."""
    import os

    import uvicorn

    from impactrank.portal.serve import ENV, app_from_environment

    folder = files or files_beside(database)
    with _database(database):
        pass
    os.environ.update(
        {ENV["database"]: database, ENV["files"]: str(folder.resolve()), ENV["limit"]: str(max_upload_mb * 1024 * 1024)}
    )
    if base_url:
        os.environ[ENV["base_url"]] = base_url
    app_from_environment()  # a bad configuration is reported here, once, not in every worker
    console.print(
        f"impactrank portal on http://{host}:{port}/ (API docs at /docs); database {database}; files in {folder}",
        highlight=False,
    )
    uvicorn.run(
        "impactrank.portal.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
    )


@portal_app.command("export")
def export(
    cycle: Annotated[str, typer.Option("--cycle", help="Cycle id.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for institutions.csv, submissions.csv, manifest.json.")
    ],
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Write the cycle's submitted SDGs in exactly the format `impactrank build` reads."""
    from impactrank.portal.export import export_cycle

    with _database(database) as db, db.read() as session:
        manifest = export_cycle(session, cycle, out)
    counts = manifest["counts"]
    console.print(
        f"exported cycle {cycle}: {counts['institutions']} institutions, {counts['submitted_sdgs']} submitted SDGs, "
        f"{counts['submission_rows']} rows → {out}/ (state {manifest['database_state_sha256'][:12]})",
        highlight=False,
    )
    console.print(
        f"build it: impactrank build --institutions {out}/institutions.csv --submissions {out}/submissions.csv "
        f"--methodology {out}/methodology.yaml --out EDITION_DIR",
        highlight=False,
        soft_wrap=True,
    )
