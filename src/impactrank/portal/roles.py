"""PostgreSQL roles, so that the audit log is append-only against whoever holds the server's credentials.

The schema belongs to an owner role, which runs the migrations and is never used by the server. The server
connects as a runtime role that reads and writes the portal's rows but may only read and append to the audit
log: it owns no table, so it can neither drop one nor disable the log's triggers. ``portal init`` makes both
(connected as a role that may create roles and act as the owner, such as the cluster's superuser) and grants
again after each upgrade, so tables added later are covered too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from impactrank.errors import N_, InputError

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
AUDIT_TABLE = "audit_log"
READ_ONLY = ("alembic_version",)


@dataclass(frozen=True)
class Roles:
    owner: str = "impactrank_owner"
    runtime: str = "impactrank_app"
    runtime_password: str | None = None

    def __post_init__(self) -> None:
        for option, name in (("owner-role", self.owner), ("runtime-role", self.runtime)):
            if not _NAME.match(name):
                raise InputError(
                    N_("%(name)r is not a role name (lower-case letters, digits, _)"),
                    field=option,
                    params={"name": name},
                )
        if self.owner == self.runtime:
            raise InputError(N_("the owner and runtime roles must differ"), field="runtime-role")


def _exists(connection: Connection, role: str) -> bool:
    return connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}) is not None


def act_as_owner(connection: Connection, roles: Roles) -> None:
    """Make the owner role if needed, hand it the portal's tables, sequences and functions made before it
    existed, and act as it for the rest of the transaction (the migrations)."""
    if not _exists(connection, roles.owner):
        connection.exec_driver_sql(f"CREATE ROLE {roles.owner} NOLOGIN")
    if connection.scalar(text("SELECT current_user")) != roles.owner:
        connection.exec_driver_sql(f"GRANT {roles.owner} TO current_user")
    connection.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA public TO {roles.owner}")
    owned_by_others = connection.execute(
        text(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') AND pg_get_userbyid(c.relowner) <> :owner "
            "AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'a'))"
        ),
        {"owner": roles.owner},
    ).all()
    for name, kind in owned_by_others:
        connection.exec_driver_sql(f'ALTER {"TABLE" if kind == "r" else "SEQUENCE"} "{name}" OWNER TO {roles.owner}')
    functions = connection.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :owner"
        ),
        {"owner": roles.owner},
    ).scalars()
    for signature in functions:
        connection.exec_driver_sql(f"ALTER FUNCTION {signature} OWNER TO {roles.owner}")
    connection.exec_driver_sql(f"SET LOCAL ROLE {roles.owner}")


def grant_runtime(connection: Connection, roles: Roles) -> None:
    """The runtime role (made with LOGIN if needed): every row but the log's and the schema version's to read
    and write; the log's to read and append to."""
    connection.exec_driver_sql("RESET ROLE")
    password = roles.runtime_password
    if not _exists(connection, roles.runtime):
        connection.exec_driver_sql(f"CREATE ROLE {roles.runtime} LOGIN")
    if password is not None:
        quoted = connection.scalar(text("SELECT quote_literal(:p)"), {"p": password})
        connection.exec_driver_sql(f"ALTER ROLE {roles.runtime} PASSWORD {quoted}")
    connection.exec_driver_sql(f"SET LOCAL ROLE {roles.owner}")
    database = connection.scalar(text("SELECT current_database()"))
    runtime = roles.runtime
    for statement in (
        f'GRANT CONNECT ON DATABASE "{database}" TO {runtime}',
        f"GRANT USAGE ON SCHEMA public TO {runtime}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {runtime}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {runtime}",
        f"REVOKE INSERT, UPDATE, DELETE ON {', '.join((AUDIT_TABLE, *READ_ONLY))} FROM {runtime}",
        f"GRANT INSERT ON {AUDIT_TABLE} TO {runtime}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {runtime}",
    ):
        connection.exec_driver_sql(statement)


def audit_log_exposed(connection: Connection) -> bool:
    """Whether the connected role could rewrite the audit log: it owns it, or may update, delete or truncate."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(
        connection.scalar(
            text(
                "SELECT pg_get_userbyid(relowner) = current_user "
                "OR has_table_privilege(oid, 'UPDATE, DELETE, TRUNCATE') "
                "FROM pg_class WHERE relname = :t AND relnamespace = 'public'::regnamespace"
            ),
            {"t": AUDIT_TABLE},
        )
    )
