"""Reading publication tables (CSV, Parquet, JSON lines) and finding their id and text columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError
from impactrank.io.delimited import parse_numbers, read_text_table

FORMATS = (".csv", ".parquet", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class Publications:
    """A publications or labels table and, for a CSV, the row number of each of its rows as the file shows
    them (None: the first row is row 2, below a header)."""

    frame: pl.DataFrame
    rows: pl.Series | None = None


def read_table(path: Path | str, *, numeric: Sequence[str] = (), decimal: str | None = None) -> pl.DataFrame:
    """A publications or labels table; CSV is read as text so ids keep their leading zeros."""
    return read_publications(path, numeric=numeric, decimal=decimal).frame


def read_publications(path: Path | str, *, numeric: Sequence[str] = (), decimal: str | None = None) -> Publications:
    """A publications or labels table with its row numbers. A CSV is read as text (ids keep their leading zeros)
    but for its ``numeric`` columns, read with the file's decimal mark (``decimal`` when given)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(N_("no such file"), file=str(path))
    if path.is_dir():  # partitioned Parquet, read in file-name order as the dask engine does
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise InputError(N_("no .parquet files in folder"), file=str(path))
        try:
            return Publications(pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed"))
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(
                N_("cannot read table: %(reason)s"), file=str(path), params={"reason": _first_line(exc)}
            ) from None
    if suffix == ".csv":
        return _read_csv(path, numeric, decimal)
    try:
        if suffix == ".parquet":
            return Publications(pl.read_parquet(path))
        if suffix in (".jsonl", ".ndjson"):
            return Publications(pl.read_ndjson(path))
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            N_("cannot read table: %(reason)s"), file=str(path), params={"reason": _first_line(exc)}
        ) from None
    raise InputError(
        N_("unsupported format %(suffix)s; use one of %(formats)s"),
        file=str(path),
        params={"suffix": suffix or "–", "formats": ", ".join(FORMATS)},
    )


def _read_csv(path: Path, numeric: Sequence[str], decimal: str | None) -> Publications:
    table = read_text_table(path, decimal=decimal, name=str(path))
    frame, rows = table.frame(numeric)
    columns = [c for c in frame.columns if c in numeric and frame.schema[c] == pl.String]
    if columns:
        cells = frame.select(pl.col(columns).str.strip_chars().replace("", None))
        mark = table.decimal_mark(cells, rows)
        for col in columns:
            number = parse_numbers(cells[col], mark)
            bad = cells[col].is_not_null() & number.is_null()
            if bad.any():
                i = int(bad.arg_true()[0])
                raise table.error(
                    N_("not a number: %(value)r"), row=int(rows[i]), field=col, params={"value": cells[col][i]}
                )
            frame = frame.with_columns(number.alias(col))
    return Publications(frame, rows)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


@dataclass(frozen=True)
class TextColumns:
    """Which column holds the work id and which hold the text fields; None means "find it"."""

    id: str | None = None
    """The work's identifier (a DOI, a database id)."""
    title: str | None = None
    abstract: str | None = None
    keywords: str | None = None
    text: str | None = None
    """One column with the whole text; when given, title, abstract and keywords are not read."""

    def resolve(self, columns: list[str], file: str | None = None) -> tuple[str, dict[str, str]]:
        """(id column, {field name: column}); field names are title/abstract/keywords or text."""

        def need(col: str) -> str:
            if col not in columns:
                raise InputError(
                    N_("no column %(column)r (columns: %(columns)s)"),
                    file=file,
                    field=col,
                    params={"column": col, "columns": ", ".join(columns)},
                )
            return col

        if self.id is not None:
            id_col = need(self.id)
        else:
            id_col = next((c for c in ("work_id", "id", "eid", "doi") if c in columns), "")
            if not id_col:
                raise InputError(
                    N_("no work id column (work_id, id, eid or doi); name it with --id-col"), file=file, field="work_id"
                )
        if self.text is not None:
            return id_col, {"text": need(self.text)}
        explicit = {f: getattr(self, f) for f in ("title", "abstract", "keywords") if getattr(self, f)}
        fields = {f: need(c) for f, c in explicit.items()}
        if not explicit:
            fields = {f: f for f in ("title", "abstract", "keywords") if f in columns}
            if not fields and "text" in columns:
                fields = {"text": "text"}
        if not fields:
            raise InputError(
                N_(
                    "no text columns (title, abstract, keywords or text); name them with "
                    "--title-col/--abstract-col/--keywords-col/--text-col"
                ),
                file=file,
            )
        return id_col, fields


def text_frame(
    df: pl.DataFrame, columns: TextColumns, file: str | None = None, rows: pl.Series | None = None
) -> tuple[pl.DataFrame, list[str]]:
    """``work_id`` plus one string column per field (lists of keywords joined), and the field names; ``rows``
    numbers ``df``'s rows for messages (default: from 2, below a header)."""
    id_col, fields = columns.resolve(df.columns, file)
    exprs = [pl.col(id_col).cast(pl.String).alias("work_id")]
    for name, col in fields.items():
        dtype = df.schema[col]
        expr = pl.col(col)
        if isinstance(dtype, pl.List):
            expr = expr.cast(pl.List(pl.String)).list.join("; ")
        exprs.append(expr.cast(pl.String).alias(f"_f_{name}"))
    frame = df.select(exprs)
    if frame["work_id"].null_count():
        index = int(frame["work_id"].is_null().arg_max())  # type: ignore[arg-type]
        raise InputError(N_("missing work id"), file=file, row=row_number(index, rows), field=id_col)
    return frame, list(fields)


def row_number(index: int, rows: pl.Series | None) -> int:
    """The row a person sees for a table row: from ``rows`` when the reader numbered them, else below a header."""
    return int(rows[index]) if rows is not None else index + 2
