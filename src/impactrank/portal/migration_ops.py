"""Operations the portal's migrations share. Applied migrations call these, so what a function does here never
changes: a new need gets a new function."""

from __future__ import annotations

from alembic import op


def drop_tables(*tables: tuple[str, ...]) -> None:
    """Drop each table after its indexes (a table, then the names of its indexes), in the order given."""
    for table, *indexes in tables:
        if indexes:
            with op.batch_alter_table(table) as batch_op:
                for index in indexes:
                    batch_op.drop_index(index)
        op.drop_table(table)


def run_for_dialect(statements: dict[str, list[str]]) -> None:
    """Execute the statements listed for the database in use (none for a database not named)."""
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)
