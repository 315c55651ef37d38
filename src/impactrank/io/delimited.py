"""Text tables as people save them: the encoding, the delimiter and the decimal mark of a CSV file, decided here
once for every reader of the package (institutions, submissions, groups, aliases, published tables, query tables,
publications and the SDG reference files); none of them sniffs for itself.

- **Encoding**: UTF-8, with or without the byte-order mark of Excel's "CSV UTF-8", and UTF-16 with its byte-order
  mark (Excel's "Unicode text", tab-separated). Any other encoding is refused with the way to save the file as
  UTF-8. The 8-bit code pages Excel falls back to (Windows-1252 in western Europe, but also Latin-1, Mac Roman,
  DOS 850 …) give the same bytes different letters, so no reader can tell with certainty which one a file uses,
  and a wrong guess would quietly change names, and with them institution ids.
- **Delimiter**: comma, semicolon or tab, whichever splits the header row; when more than one does, the one that
  gives the rows below it the header's number of cells.
- **Decimal mark**: a point, or a comma when the numbers say so without doubt (:func:`decimal_mark`), or as
  given (``--decimal ,``) for a file that cannot tell.
- **Rows** are numbered as a spreadsheet shows them: the file's first line is row 1, blank rows count, and a
  quoted cell holding a line break stays in its row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError

DELIMITERS = (",", ";", "\t")
DECIMAL_MARKS = (".", ",")
_SAMPLE_ROWS = 50  # rows below the header that settle a header more than one delimiter splits
# Each encoding refusal ends with how to save the file as UTF-8, in the reader's language (one catalog entry each).
_UTF16_UNMARKED = N_(
    "not UTF-8 text: it looks like UTF-16 without a byte-order mark; save it as UTF-8: in Excel, File > Save As > "
    "'CSV UTF-8'; in LibreOffice, Save As > 'Text CSV', 'Edit filter settings', character set 'Unicode (UTF-8)'"
)
_UTF16_INVALID = N_(
    "not valid UTF-16 text, though it starts with a UTF-16 byte-order mark; save it as UTF-8: in Excel, File > "
    "Save As > 'CSV UTF-8'; in LibreOffice, Save As > 'Text CSV', 'Edit filter settings', character set "
    "'Unicode (UTF-8)'"
)
UNREADABLE = N_("unreadable CSV: %(reason)s")
_NOT_UTF8 = N_(
    "not UTF-8 text (byte 0x%(byte)s); save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8'; in LibreOffice, "
    "Save As > 'Text CSV', 'Edit filter settings', character set 'Unicode (UTF-8)'"
)
_NOT_UTF8_SEEN = N_(
    "not UTF-8 text (byte 0x%(byte)s, %(letter)r in Windows-1252); save it as UTF-8: in Excel, File > Save As > "
    "'CSV UTF-8'; in LibreOffice, Save As > 'Text CSV', 'Edit filter settings', character set 'Unicode (UTF-8)'"
)

# A number as a cell shows it: sign, digits with at most one decimal mark, an exponent; or a range of two.
_NUMBER = r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_SHAPED = rf"\s*{_NUMBER}(?:\s*[-‐‑‒–—−]\s*{_NUMBER})?\s*"
_SHAPED_RE = re.compile(_SHAPED)
_THOUSANDS = r"^\s*[+-]?\d{1,3}(?:,\d{3})+\s*$"  # "1,234" reads as well with a thousands separator
_GROUPED = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"  # with a decimal point, commas can only group thousands
# Blank lines before the header: nothing but delimiters, spaces and empty quoted cells.
_BLANK_LINES = re.compile(r'(?:(?:[ \t;,]|"[ \t]*")*\r?\n)*')
_HEADER_BYTES = 1 << 20


@dataclass(frozen=True)
class TextTable:
    """A decoded CSV file from its header row on, with its dialect."""

    name: str  # the file's name, as messages show it
    body: bytes | None  # the table as UTF-8 from the header row on (no byte-order mark, "\r" line ends made "\n");
    # None: the file at ``path`` is that as it is, read only by a reader that needs all of it (polars reads the file)
    encoding: str  # what the file was written in: "UTF-8", "UTF-8 with BOM" or "UTF-16"
    delimiter: str  # ",", ";" or "\t"
    header_row: int  # the header's row number (1 unless blank rows come first)
    decimal: str | None = None  # "." or "," when given; None: decided from the numbers (decimal_mark)
    comment: str | None = None  # rows whose first cell starts with it are comments (records leave them out)
    path: Path | None = None  # the file, when its bytes are the table as they are (polars reads it faster itself)

    @cached_property
    def data(self) -> bytes:
        """The table's bytes (see ``body``)."""
        return self.body if self.body is not None else Path(str(self.path)).read_bytes()

    @cached_property
    def header(self) -> list[str]:
        if self.body is not None:
            raw = self.body[:_HEADER_BYTES]
        else:
            with open(str(self.path), "rb") as fh:
                raw = fh.read(_HEADER_BYTES)
        head = raw.decode("utf-8", errors="ignore")
        reader = csv.reader(io.StringIO(head, newline=""), delimiter=self.delimiter)
        try:
            return next(reader, [])
        except csv.Error as exc:
            raise self.error(UNREADABLE, row=self.header_row, params={"reason": _csv_reason(exc)}) from None

    def error(
        self, message: str, row: int | None = None, field: str | None = None, params: dict | None = None
    ) -> InputError:
        """``message``: a catalog entry (``N_``) filled from ``params`` where the error is shown."""
        return InputError(message, file=self.name, row=row, field=field, params=params)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) of the header and every row below it; a blank row comes as [] or empty cells."""
        lines = io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8", newline="")
        reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
        row = self.header_row
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise self.error(UNREADABLE, row=row, params={"reason": _csv_reason(exc)}) from None
            yield row, cells
            row += 1

    def records(self) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """The header and the rows below it that are neither blank nor comments, each with its row number. A row
        with more filled cells than the header names (a name with an unquoted comma, say) is an error, never cut
        short to the header's columns."""
        rows = self.rows()
        _, header = next(rows)
        mark = self.comment
        records: list[tuple[int, list[str]]] = []
        for n, cells in rows:
            if any(c.strip() for c in cells) and not (mark and cells[0].lstrip().startswith(mark)):
                self._check_width(n, cells, len(header))
                records.append((n, cells))
        return header, records

    def _check_width(self, row: int, cells: list[str], columns: int) -> None:
        if len(cells) > columns and any(c.strip() for c in cells[columns:]):
            raise self.error(
                N_("%(cells)s cells where the header has %(columns)s"),
                row=row,
                params={"cells": len(cells), "columns": columns},
            )

    def frame(
        self, numeric: Collection[str] = (), typed: Mapping[str, pl.DataType] | None = None
    ) -> tuple[pl.DataFrame, pl.Series]:
        """Every column as text (an empty cell is null), named as the header names it, without the blank rows;
        and the row number of each frame row. Read by polars: fast on files of millions of rows.

        Columns whose lower-case name is in ``numeric`` come as Float64 when every cell of theirs is a number
        with a decimal point (or empty) and the delimiter is not a semicolon: read in one pass; otherwise as text
        like the others, to be read with the table's decimal mark (:meth:`decimal_mark`). Columns named in
        ``typed`` come as its type (an Enum of the values a reader knows, Int64) when every cell of every such
        column is one, in the same pass; otherwise as text, for the reader's checks to say which row is wrong.
        A file polars cannot read (a ragged row, a stray quote) is read row by row, so that an error can name its
        row."""
        header = [h.strip() for h in self.header]
        positional = [f"column_{i}" for i in range(len(header))]
        check_header(header, self.name, self.header_row)
        frame = None
        keys = {positional[i]: typed[h.lower()] for i, h in enumerate(header) if typed and h.lower() in typed}
        floats = {}
        if self.delimiter != ";" and self.decimal != ",":
            floats = {positional[i]: pl.Float64 for i, h in enumerate(header) if h.lower() in numeric}
        # a cell that is no such value, or any other problem: the numbers alone typed, as without ``typed``, then
        # all as text, to say where
        for types in [{**keys, **floats}, floats] if keys else [floats]:
            if types and frame is None:
                try:
                    frame = self._polars(positional, types)
                except (pl.exceptions.PolarsError, OSError):
                    frame = None
        if frame is None:
            try:
                frame = self._polars(positional)
            except (pl.exceptions.PolarsError, OSError):
                frame = self._read_by_rows(positional)
        rows = pl.Series("row", range(self.header_row + 1, self.header_row + 1 + frame.height), dtype=pl.Int64)
        return without_blank_rows(name_columns(frame, header, rows, self.name), rows)

    def _polars(self, names: list[str], typed: dict[str, pl.DataType] | None = None) -> pl.DataFrame:
        # left in the pieces polars read it in: copying each column into one piece cost a 100,000-institution
        # build 0.4 s, for a peak of the read (1.0 GB) well under the build's
        return pl.read_csv(
            self.path if self.path is not None else self.data,
            separator=self.delimiter,
            new_columns=names,
            infer_schema=False,
            schema_overrides=typed,
            raise_if_empty=False,
        )

    def _read_by_rows(self, names: list[str]) -> pl.DataFrame:
        """The table read row by row with Python's csv module, where polars could not read it (quotes where a
        spreadsheet would not put them, a cell spanning lines in a way polars reads otherwise): slower, and the
        judge of what the file holds. A row with more non-empty cells than the header names is an error."""
        columns: list[list[str | None]] = [[] for _ in names]
        rows = self.rows()
        next(rows)
        for row, cells in rows:
            self._check_width(row, cells, len(names))
            cells = cells + [""] * (len(names) - len(cells))
            for column, cell in zip(columns, cells, strict=False):
                column.append(cell or None)
        return pl.DataFrame(dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.String))

    def decimal_mark(self, cells: pl.DataFrame, rows: pl.Series | Sequence[int]) -> str:
        """The decimal mark of the numbers in ``cells`` (text columns of this table; ``rows`` their row numbers)."""
        return decimal_mark(cells, rows, file=self.name, delimiter=self.delimiter, given=self.decimal)


def check_header(header: list[str], file: str, row: int) -> None:
    """A header naming a column twice is an error (which of the two would the reader take?)."""
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError(
                N_("the header names column %(name)r more than once"), file=file, row=row, field=name,
                params={"name": name},
            )  # fmt: skip
        seen.add(name)


def name_columns(frame: pl.DataFrame, header: list[str], rows: pl.Series, file: str) -> pl.DataFrame:
    """The text columns of ``frame`` (one per header cell, in order) named as the header names them; a column
    without a name is left out when it is empty (a spreadsheet's untouched column) and an error when it holds a
    value. ``rows``: the row number of each frame row."""
    names = {}
    for position, (col, name) in enumerate(zip(frame.columns, header, strict=True)):
        if name:
            names[col] = name
            continue
        filled = frame[col].str.strip_chars().replace("", None).is_not_null()
        if filled.any():
            raise InputError(
                N_("column %(column)s has a value but no name in the header row"),
                params={"column": position + 1},
                file=file,
                row=int(rows[int(filled.arg_true()[0])]),
            )
    return frame.select(list(names)).rename(names)


def without_blank_rows(frame: pl.DataFrame, rows: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """The rows with at least one cell that is not blank, and their row numbers. Column by column over the rows
    still blank so far: after the first column, which is rarely empty, there are few left to look at."""
    blank = pl.Series("i", range(frame.height), dtype=pl.UInt32)
    for col in frame.columns:
        cells = frame[col] if blank.len() == frame.height else frame[col].gather(blank)  # no copy of all rows
        empty = cells.is_null()
        if cells.dtype == pl.String:  # only spaces is blank too: looked for without copying millions of cells
            empty = empty | ~cells.str.contains(r"\S").fill_null(False)
        blank = blank.filter(empty)
        if not blank.len():
            return frame, rows
    keep = pl.repeat(True, frame.height, dtype=pl.Boolean, eager=True).scatter(blank, False)
    return frame.filter(keep), rows.filter(keep)


def read_text_table(
    path: str | Path, *, decimal: str | None = None, name: str | None = None, comment: str | None = None
) -> TextTable:
    """Decode a CSV file and find its dialect; an unreadable file is an InputError saying what to do. Lines
    starting with ``comment`` before the header are skipped as blank rows are."""
    path = Path(path)
    name = name or path.name
    check_decimal(decimal)
    if path.is_dir():
        raise InputError(N_("is a directory, not a file"), file=str(path))
    lines = _BLANK_LINES if comment is None else _blank_or_comment_lines(comment)
    try:
        head = _plain_head(path)
        if head is not None and lines.match(head).end() == 0 and re.search(r'[^ \t;,"\r\n]', head):
            # plain ASCII (valid UTF-8 as it is) starting with its header: judged by its head, without holding
            # or decoding hundreds of megabytes only to find that nothing changes
            return TextTable(name, None, "UTF-8", _delimiter(head), 1, decimal, comment, path)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(N_("file not found"), file=str(path)) from None
    except OSError as exc:
        raise InputError(
            N_("cannot read the file: %(reason)s"), file=name, params={"reason": exc.strerror or exc}
        ) from None
    text, encoding = _decode(raw, name)
    changed = encoding != "UTF-8"
    if "\r" in text and text.count("\r") != text.count("\r\n"):  # old Mac line ends, alone or mixed
        text, changed = re.sub(r"\r(?!\n)", "\n", text), True
    blank = lines.match(text)
    skipped = text.count("\n", 0, blank.end()) if blank else 0
    body = text[blank.end() :] if blank else text
    if not re.search(r'[^ \t;,"\r\n]', body):
        raise InputError(N_("the file is empty"), file=name)
    same = not (changed or skipped)
    data = raw if same else body.encode("utf-8")
    return TextTable(name, data, encoding, _delimiter(body), skipped + 1, decimal, comment, path if same else None)


def _plain_head(path: Path) -> str | None:
    """The file's first megabyte when the whole file is ASCII without NUL and without old Mac line ends (a "\\r"
    alone), else None; looked at a megabyte at a time, never held whole."""
    head = None
    with path.open("rb") as fh:
        while chunk := fh.read(_HEADER_BYTES):
            if chunk.endswith(b"\r"):  # its "\n" may open the next piece
                chunk += fh.read(1)
            if not chunk.isascii() or b"\x00" in chunk:
                return None
            if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):
                return None
            head = chunk[:_HEADER_BYTES].decode("ascii") if head is None else head
    return head or ""


def _blank_or_comment_lines(comment: str) -> re.Pattern[str]:
    return re.compile(rf'(?:(?:(?:[ \t;,]|"[ \t]*")*|[ \t]*{re.escape(comment)}[^\n]*)\n)*')


def check_decimal(decimal: str | None) -> None:
    if decimal is not None and decimal not in DECIMAL_MARKS:
        raise InputError(
            N_("--decimal takes '.' or ',', not %(decimal)r"), field="decimal", params={"decimal": decimal}
        )


_LEADING_MARKS = re.compile(r"\A[\s\ufeff]*\ufeff")


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF8):
        text, encoding = _strict(raw[len(codecs.BOM_UTF8) :], "utf-8", name), "UTF-8 with BOM"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _strict(raw, "utf-16", name), "UTF-16"
    else:
        text, encoding = _strict(raw, "utf-8", name), "UTF-8"
    # a byte-order mark repeated inside the text (saved twice), before or among leading blank lines, is no content
    text = _LEADING_MARKS.sub(lambda m: m.group().replace("\ufeff", ""), text)
    if "\x00" in text:
        if encoding == "UTF-8" and _looks_utf16(raw):
            raise InputError(_UTF16_UNMARKED, file=name)
        row = _row_of(text, text.index("\x00"))
        raise InputError(N_("a NUL character: this is not a text table (save it as CSV)"), file=name, row=row)
    return text, encoding


def _strict(raw: bytes, codec: str, name: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "utf-16":
            text = raw.decode("utf-16", errors="replace")
            row = _row_of(text, text.index("\ufffd")) if "\ufffd" in text else None
            raise InputError(_UTF16_INVALID, file=name, row=row) from None
        start = exc.start
    if _looks_utf16(raw):
        raise InputError(_UTF16_UNMARKED, file=name)
    byte = raw[start]
    letter = bytes([byte]).decode("cp1252", errors="replace")
    row = _row_of(raw.decode("latin-1"), start)
    if letter.isprintable() and letter != "\ufffd":
        raise InputError(_NOT_UTF8_SEEN, file=name, row=row, params={"byte": f"{byte:02x}", "letter": letter})
    raise InputError(_NOT_UTF8, file=name, row=row, params={"byte": f"{byte:02x}"})


def _looks_utf16(raw: bytes) -> bool:
    """Every other byte NUL: UTF-16 text of mostly latin letters, written without its byte-order mark."""
    return len(raw) >= 4 and raw.count(0) > len(raw) // 4


def _row_of(text: str, offset: int) -> int:
    """The spreadsheet row holding ``text[offset]``: a line break inside quotes does not start a row."""
    row, quoted = 1, False
    for match in re.finditer(r'["\n]', text[:offset]):
        if match.group() == '"':
            quoted = not quoted
        elif not quoted:
            row += 1
    return row


def _delimiter(body: str) -> str:
    """The delimiter that splits the header; when several do, the one that gives the most rows below it the
    header's number of cells (ties go to tab, then semicolon, then comma: a comma is most often inside a cell)."""
    sample = body[:_HEADER_BYTES]
    widths = {}
    for d in DELIMITERS:
        try:
            header = next(csv.reader(io.StringIO(sample, newline=""), delimiter=d), [])
        except csv.Error:
            continue
        if len(header) > 1:
            widths[d] = len(header)
    if len(widths) <= 1:
        return next(iter(widths), ",")

    def fit(d: str) -> tuple[int, int]:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=d)
        matching = 0
        try:
            next(reader)
            for _, cells in zip(range(_SAMPLE_ROWS), reader, strict=False):
                matching += len(cells) == widths[d]
        except csv.Error:
            pass
        return matching, DELIMITERS.index(d)

    return max(widths, key=fit)


def decimal_mark(
    cells: pl.DataFrame, rows: pl.Series | Sequence[int], *, file: str, delimiter: str | None, given: str | None
) -> str:
    """The decimal mark of the numbers in ``cells`` (text columns; ``rows`` their row numbers).

    A point unless numbers are written with a comma. Then a comma when the file says so without doubt: its
    delimiter is a semicolon (spreadsheets write one where the comma is the decimal mark), or a number such as
    "12,5" or "0,25" could not be written with a thousands separator. A file whose numbers use both marks, or
    whose only commas could be thousands separators ("1,234"), cannot tell: an error asks for ``--decimal``.
    ``delimiter`` is None for a spreadsheet's text cells."""
    check_decimal(given)
    if given is not None:
        return given
    columns = [cells[c].cast(pl.String) for c in cells.columns]
    if not any(text.str.contains(",", literal=True).any() for text in columns):
        return "."  # the common case, settled without a regular expression
    rows = rows if isinstance(rows, pl.Series) else pl.Series("row", rows, dtype=pl.Int64)
    comma = point = decimal_comma = None
    for text in columns:
        shaped = text.str.contains(f"^{_SHAPED}$")
        has_comma = shaped & text.str.contains(",", literal=True)
        comma = comma or _first(text, has_comma, rows)
        point = point or _first(text, shaped & text.str.contains(".", literal=True), rows)
        decimal_comma = decimal_comma or _first(text, has_comma & ~text.str.contains(_THOUSANDS), rows)
    if comma is None:
        return "."
    c, crow, cfield = comma
    if point is not None:
        p, prow, pfield = point
        raise InputError(
            N_(
                "numbers are written with a decimal comma (%(comma)r) and with a decimal point (%(point)r, row "
                "%(row)s, field %(field)r): write them all one way, or say which is the decimal mark with --decimal , "
                "or --decimal ."
            ),
            params={"comma": c, "point": p, "row": prow, "field": pfield},
            file=file,
            row=crow,
            field=cfield,
        )
    if delimiter == ";" or decimal_comma is not None:
        return ","
    raise InputError(
        N_(
            "cannot tell whether the comma in %(value)r is a decimal mark or a thousands separator: give --decimal , "
            "to read it as %(decimal)r or --decimal . to read it as %(thousands)r"
        ),
        params={"value": c, "decimal": c.replace(",", "."), "thousands": c.replace(",", "")},
        file=file,
        row=crow,
        field=cfield,
    )


def _first(text: pl.Series, mask: pl.Series, rows: pl.Series) -> tuple[str, int, str] | None:
    hits = mask.fill_null(False).arg_true()
    if not hits.len():
        return None
    i = int(hits[0])
    return text[i].strip(), int(rows[i]), text.name


def parse_numbers(text: pl.Series, mark: str) -> pl.Series:
    """Text cells as floats read with the decimal mark ``mark``; a cell that is not such a number becomes null,
    among them a cell with the other mark ("1.500" where the mark is a comma: one and a half, or fifteen
    hundred?). With a decimal point, commas that group thousands ("8,046", "1,234.5") are read as such."""
    frame = pl.DataFrame({"t": text.cast(pl.String).str.strip_chars()})
    cell = pl.col("t")
    if mark == ",":
        cell = pl.when(cell.str.contains(".", literal=True)).then(None).otherwise(cell.str.replace_all(",", "."))
    else:
        cell = pl.when(cell.str.contains(_GROUPED)).then(cell.str.replace_all(",", "")).otherwise(cell)
    return frame.select(cell.cast(pl.Float64, strict=False)).to_series().alias(text.name)


def to_point(text: str, mark: str) -> str:
    """A number (or a range "77,5–85,2") written with a decimal comma, as the same text with points; any other
    text unchanged."""
    if mark != "," or "," not in text or "." in text or not _SHAPED_RE.fullmatch(text):
        return text
    return text.replace(",", ".")


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell longer than {csv.field_size_limit():,} characters"
    return text
