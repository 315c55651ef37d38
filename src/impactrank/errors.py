"""User-facing errors: what went wrong, where (file, row, field), so the CLI can print one clear line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InputError(Exception):
    """A problem with something the user gave us. The CLI prints it without a traceback and exits 2."""

    message: str
    file: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else None,
                f"field '{self.field}'" if self.field else None,
            )
            if part
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message
