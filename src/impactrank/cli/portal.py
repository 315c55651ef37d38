"""``impactrank portal …``: set up and run the data-collection portal, and export a cycle for ``build``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from impactrank.cli.common import command_group, console, out_dir, out_format, warn_unless_loopback
from impactrank.errors import N_, InputError

portal_app = command_group(
    "portal", "The data-collection portal: institutions enter data and evidence; you export it for build."
)
institution_app = command_group("institution", "Institutions taking part.", portal_app)
user_app = command_group("user", "Accounts.", portal_app)
cycle_app = command_group("cycle", "Collection cycles.", portal_app)
review_app = command_group("review", "Evidence review.", portal_app)
outbox_app = command_group("outbox", "Notifications waiting to be sent.", portal_app)
files_app = command_group("files", "The evidence file store.", portal_app)

CycleIdOption = Annotated[str, typer.Option("--id", help="Cycle id, e.g. 2025.")]
CycleOption = Annotated[str, typer.Option("--cycle", help="Cycle id, e.g. 2025.")]
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
PepperOption = Annotated[
    Path | None,
    typer.Option(
        "--pepper-file",
        envvar="IMPACTRANK_PORTAL_PEPPER_FILE",
        help="A secret of 32+ characters kept off the database that password hashes are keyed with.",
    ),
]


@contextmanager
def _database(url: str, initialised: bool = True) -> Iterator:
    from sqlalchemy.exc import OperationalError

    from impactrank.portal.db import Database, schema_is_current

    file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if initialised and file is not None and not Path(file).is_file():
        raise InputError(
            N_("no portal database at %(file)s: run 'impactrank portal init'"), field="database", params={"file": file}
        )
    db = Database(url)
    try:
        if initialised and not schema_is_current(db):
            raise InputError(
                N_("the portal database is not initialised or not up to date: run 'impactrank portal init'"),
                field="database",
            )
        yield db
    except OperationalError as exc:
        raise InputError(
            N_("cannot use the database: %(reason)s"),
            field="database",
            params={"reason": str(exc.orig).strip().splitlines()[0]},
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
def init(
    database: DatabaseOption = DEFAULT_DATABASE,
    owner_role: Annotated[
        str, typer.Option("--owner-role", help="PostgreSQL: the role owning the schema, running the migrations.")
    ] = "impactrank_owner",
    runtime_role: Annotated[
        str, typer.Option("--runtime-role", help="PostgreSQL: the role 'serve' connects as (no power over the log).")
    ] = "impactrank_app",
    runtime_password_stdin: Annotated[
        bool, typer.Option("--runtime-password-stdin", help="PostgreSQL: read the runtime role's password.")
    ] = False,
) -> None:
    """Create or upgrade the portal's schema and keep a new secret key in the database (never in files).

    On PostgreSQL, connect as a role that may create roles (e.g. postgres): the schema is handed to the owner
    role, which runs the migrations, and the runtime role gets read and write on the portal's rows but only
    read and append on the audit log. Then run 'serve' with the runtime role's URL."""
    from impactrank.portal.clock import SystemClock
    from impactrank.portal.db import shown_url
    from impactrank.portal.initialise import initialise
    from impactrank.portal.roles import Roles
    from impactrank.portal.serve import UNSCANNED

    password = sys.stdin.readline().rstrip("\r\n") if runtime_password_stdin else None
    roles = Roles(owner_role, runtime_role, password)
    with _database(database, initialised=False) as db:
        made = initialise(db, SystemClock().now(), roles)
        dialect = db.dialect
    console.print(
        f"portal database ready: {shown_url(database)}" + (" (new secret key made)" if made else ""), highlight=False
    )
    if dialect == "postgresql":
        console.print(
            f"schema owned by {roles.owner}; serve as {roles.runtime}, e.g. --database "
            f"{shown_url(runtime_url(database, roles.runtime, password))}",
            highlight=False,
        )
    console.print(UNSCANNED, highlight=False)


def runtime_url(url: str, role: str, password: str | None) -> str:
    """The database URL with the runtime role (and its password) in place of the user who ran init."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=role, password=password).render_as_string(hide_password=False)


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
    pepper_file: PepperOption = None,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Add an account with a password from standard input, or print a single-use invitation link (once)."""
    from impactrank.portal.accounts import INVITATION_DAYS, create_user
    from impactrank.portal.security import read_pepper, use_pepper

    use_pepper(read_pepper(pepper_file) if pepper_file else None)
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    with _operator(database) as scope:
        user, token = create_user(scope, email, role, institution, password, invitation_base=base_url)
    console.print(
        f"added {user.role} {user.email}" + (f" ({user.institution_id})" if user.institution_id else ""),
        highlight=False,
    )
    if token:
        console.print(f"invitation link (single use, valid {INVITATION_DAYS} days, shown only now):", highlight=False)
        console.print(f"{base_url.rstrip('/')}/invitations/{token}", highlight=False, soft_wrap=True)


@user_app.command("reset-second-factor")
def user_reset_second_factor(
    email: Annotated[str, typer.Argument(help="The person who lost their authenticator and recovery codes.")],
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Remove a person's second factor (their sessions end): they set up a new one at their next sign-in."""
    from impactrank.portal.second_factor import reset_for

    with _operator(database) as scope:
        reset_for(scope, email)
    console.print(f"second factor of {email.strip().lower()} removed: a new one is set up at the next sign-in")


@cycle_app.command("open")
def cycle_open(
    id: CycleIdOption,
    closes: Annotated[
        str, typer.Option("--closes", help="Close date YYYY-MM-DD (end of day, UTC) or YYYY-MM-DDTHH:MM.")
    ],
    methodology: Annotated[
        str, typer.Option("--methodology", "-m", help="Bundled edition id or YAML file.")
    ] = "the-2021",
    grace_hours: Annotated[
        int, typer.Option("--grace-hours", help="Writes still taken this long after the close date.")
    ] = 0,
    review_rounds: Annotated[int, typer.Option("--review-rounds", help="Revision requests allowed per metric.")] = 2,
    revision_days: Annotated[int, typer.Option("--revision-days", help="Days an institution has to answer one.")] = 14,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Open a collection cycle under a methodology (its rules are kept with the cycle)."""
    from impactrank.portal.cycles import open_cycle

    with _operator(database) as scope:
        cycle = open_cycle(
            scope,
            id,
            methodology,
            closes,
            grace_hours=grace_hours,
            review_rounds=review_rounds,
            revision_days=revision_days,
        )
    console.print(
        f"opened cycle {cycle.id} ({cycle.methodology_id}), closes {cycle.closes_at:%Y-%m-%d %H:%M} UTC",
        highlight=False,
    )


@cycle_app.command("extend")
def cycle_extend(
    id: CycleIdOption,
    institution: Annotated[str, typer.Option("--institution", help="The institution whose deadline moves.")],
    until: Annotated[
        str, typer.Option("--until", help="New deadline YYYY-MM-DD (end of day, UTC) or YYYY-MM-DDTHH:MM.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")],
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Extend one institution's deadline, even after the cycle is closed (logged, and its admins are told)."""
    from impactrank.portal.cycles import extend

    with _operator(database) as scope:
        result = extend(scope, id, institution, until, reason)
    console.print(f"{institution} may write in cycle {id} until {result['until']} UTC", highlight=False)


@cycle_app.command("close")
def cycle_close(id: CycleIdOption, database: DatabaseOption = DEFAULT_DATABASE) -> None:
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
    second_factor_for: Annotated[
        str, typer.Option("--second-factor-for", help="Roles that must set up a second factor (commas; '' for none).")
    ] = "operator,reviewer",
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies (comma-separated addresses) whose X-Forwarded-For is believed; none by default.",
        ),
    ] = "",
    pepper_file: PepperOption = None,
    clamd: Annotated[
        str | None,
        typer.Option("--clamd", envvar="IMPACTRANK_PORTAL_CLAMD", help="ClamAV daemon: socket path or HOST:PORT."),
    ] = None,
) -> None:
    """Serve the portal (pages, JSON API under /api, docs at /docs). Put it behind HTTPS to expose it."""
    import os

    import uvicorn

    from impactrank.portal.db import shown_url
    from impactrank.portal.files import files_beside
    from impactrank.portal.roles import audit_log_exposed
    from impactrank.portal.serve import ENV, app_from_environment, proxy_options, scanning_said

    warn_unless_loopback(
        host, "put the portal behind an HTTPS proxy (passwords and session cookies must not cross the network in clear)"
    )
    folder = files or files_beside(database)
    with _database(database) as db, db.engine.connect() as connection:
        if audit_log_exposed(connection):
            console.print(
                "warning: this database role may rewrite the audit log: serve as the runtime role 'portal init' made",
                style="yellow",
                highlight=False,
            )
    os.environ.update(
        {ENV["database"]: database, ENV["files"]: str(folder.resolve()), ENV["limit"]: str(max_upload_mb * 1024 * 1024)}
    )
    if base_url:
        os.environ[ENV["base_url"]] = base_url
    os.environ[ENV["second_factor"]] = second_factor_for
    if pepper_file:
        os.environ[ENV["pepper_file"]] = str(pepper_file.resolve())
    os.environ[ENV["clamd"]] = clamd or ""
    app_from_environment()  # a bad configuration is reported here, once, not in every worker
    said, style = scanning_said(clamd)
    console.print(said, style=style, highlight=False)
    console.print(
        f"impactrank portal on http://{host}:{port}/ (API docs at /docs); "
        f"database {shown_url(database)}; files in {folder}",
        highlight=False,
    )
    uvicorn.run(
        "impactrank.portal.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        **proxy_options(forwarded_allow_ips),
    )


@review_app.command("assign")
def review_assign(
    cycle: CycleOption,
    per_item: Annotated[int, typer.Option("--per-item", min=1, max=10, help="Reviewers per (institution, SDG).")] = 1,
    institution: Annotated[str | None, typer.Option("--institution", help="By hand: this institution …")] = None,
    sdg: Annotated[int | None, typer.Option("--sdg", min=1, max=17, help="… this SDG …")] = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="… to this reviewer (e-mail).")] = None,
    override_reason: Annotated[
        str | None, typer.Option("--override-conflict", help="Assign despite a conflict, saying why.")
    ] = None,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Assign reviewers to submitted (institution, SDG) pairs: automatically with a balanced load, or one by hand."""
    from impactrank.portal.review import assign, auto_assign

    by_hand = [institution, sdg, reviewer]
    if any(v is not None for v in by_hand) and not all(v is not None for v in by_hand):
        raise InputError(N_("to assign by hand, give --institution, --sdg and --reviewer together"), field="reviewer")
    with _operator(database) as scope:
        if reviewer is not None:
            made = assign(scope, scope.cycle(cycle), institution, sdg, reviewer, override_reason)
            console.print(f"assigned {made['reviewer']} to {institution} SDG {sdg}", highlight=False)
            return
        result = auto_assign(scope, scope.cycle(cycle), per_item)
    console.print(
        f"assigned {result['assigned']} reviews over {result['pairs']} submitted (institution, SDG) pairs",
        highlight=False,
    )
    if result["short"]:
        console.print(f"too few reviewers without a conflict for: {', '.join(result['short'])}", highlight=False)


@review_app.command("close")
def review_close(cycle: CycleOption, database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """End the review: the cycle is frozen and published; changes are corrections from now on."""
    from impactrank.portal.cycles import close_review

    with _operator(database) as scope:
        close_review(scope, cycle)
    console.print(f"cycle {cycle} is published", highlight=False)


@portal_app.command("mail")
def mail(
    smtp: Annotated[str, typer.Option("--smtp", help="SMTP server HOST:PORT.")],
    sender: Annotated[str, typer.Option("--from", help="The From address.")],
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Configure the SMTP server notifications are sent through (kept in the database)."""
    from impactrank.portal.accounts import check_email
    from impactrank.portal.audit import log_change
    from impactrank.portal.models import Setting

    host, _, port = smtp.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(N_("%(value)r is not HOST:PORT"), field="smtp", params={"value": smtp})
    sender = check_email(sender)
    with _operator(database) as scope:
        for key, value in (("smtp_host", host), ("smtp_port", port), ("mail_from", sender)):
            row = scope.session.get(Setting, key)
            if row is None:
                scope.session.add(Setting(key=key, value=value))
            else:
                row.value = value
        log_change(scope, "mail.configure", "portal", "smtp", after={"smtp": smtp, "from": sender})
    console.print(f"notifications go through {smtp} from {sender}", highlight=False)


@outbox_app.command("send")
def outbox_send(database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """Send the messages waiting in the outbox now (the server also sends them as they come)."""
    from impactrank.portal.clock import SystemClock
    from impactrank.portal.notify import deliver

    with _database(database) as db:
        result = deliver(db, SystemClock().now())
    console.print(f"sent {result['sent']}, failed {result['failed']}, waiting {result['waiting']}", highlight=False)


@files_app.command("prune")
def files_prune(
    files: Annotated[
        Path | None, typer.Option("--files", help="Folder for evidence files (default: beside the database).")
    ] = None,
    older_than: Annotated[int, typer.Option("--older-than-minutes", min=1, help="Leave anything newer alone.")] = 60,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Remove stored files no evidence item refers to (an upload cut short by a crash) and partial uploads."""
    import time

    from sqlalchemy import select

    from impactrank.portal.files import FileStore, files_beside
    from impactrank.portal.models import StoredFile

    with _database(database) as db, db.read() as session:
        referenced = set(session.scalars(select(StoredFile.sha256)))
    removed = FileStore(files or files_beside(database)).prune(referenced, time.time() - older_than * 60)
    console.print(
        f"removed {removed['files']} unreferenced files and {removed['partial']} partial uploads", highlight=False
    )


@portal_app.command("export")
def export(
    cycle: CycleOption,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for institutions.csv, submissions.csv, manifest.json.")
    ],
    allow_unassessed: Annotated[
        bool,
        typer.Option("--allow-unassessed", help="In a reviewed cycle, export the claims of items not yet assessed."),
    ] = False,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Write the cycle's submitted SDGs (assessed, in a reviewed cycle) in the format `impactrank build` reads."""
    from impactrank.portal.export import export_cycle

    out_dir(out)
    with _database(database) as db, db.read() as session:
        manifest = export_cycle(session, cycle, out, allow_unassessed)
    counts = manifest["counts"]
    console.print(
        f"exported cycle {cycle}: {counts['institutions']} institutions, {counts['submitted_sdgs']} submitted SDGs, "
        f"{counts['submission_rows']} rows → {out}/ (state {manifest['database_state_sha256'][:12]})",
        highlight=False,
    )
    if manifest["review"]["unassessed_claims_exported"]:
        console.print(
            f"{manifest['review']['unassessed_claims_exported']} unassessed claims exported as claimed", highlight=False
        )
    if manifest["corrections"]:
        console.print(f"{len(manifest['corrections'])} approved corrections applied", highlight=False)
    console.print(
        f"build it: impactrank build --institutions {out}/institutions.csv --submissions {out}/submissions.csv "
        f"--methodology {out}/methodology.yaml --out EDITION_DIR",
        highlight=False,
        soft_wrap=True,
    )


@portal_app.command("audit")
def audit(
    out: Annotated[Path, typer.Option("--out", "-o", help="FILE.csv: one row per change.")],
    cycle: Annotated[str | None, typer.Option("--cycle", help="Only this cycle's changes.")] = None,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Export the audit log: time, actor's e-mail, action, object, before, after, reason."""
    from impactrank.io.atomic import write_bytes_atomic
    from impactrank.portal.history import audit_csv, log_entries

    out_format(out, ("csv",))
    with _database(database) as db, db.read() as session:
        if cycle is not None:
            from impactrank.portal.models import Cycle

            if session.get(Cycle, cycle) is None:
                raise InputError(N_("no cycle %(cycle)r"), field="cycle", params={"cycle": cycle})
        entries = log_entries(session, cycle=cycle)
    write_bytes_atomic(out, audit_csv(entries))
    console.print(f"wrote {len(entries)} changes to {out}", highlight=False)
