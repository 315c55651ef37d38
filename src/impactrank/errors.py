"""User-facing errors: what went wrong, where (file, row, field), so the CLI can print one clear line."""

from __future__ import annotations

from dataclasses import dataclass

# Characters that would break the one line (str.splitlines breaks at each), shown escaped instead.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


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
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        return text.translate(_LINE_BREAKS)  # one line, whatever the quoted data holds
