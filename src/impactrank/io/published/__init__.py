"""Published ranking tables read as they are: every row kept, every defect flagged, one Edition per year.

Several files (or a folder) import together: THE's workbooks (one overall table and one table per SDG, each
with a ``Year`` column) are assembled per year into one edition holding the overall table with its SDG tables.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError
from impactrank.io import display_names
from impactrank.io.delimited import check_decimal
from impactrank.io.identity import Aliases, read_alias_files
from impactrank.io.published.assemble import build_edition, split_editions
from impactrank.io.published.corrections import Corrections, read_corrections
from impactrank.io.published.formats import FORMATS, read_rows
from impactrank.io.published.report import ImportReport, edition_report
from impactrank.io.published.rows import RawRow
from impactrank.io.published.ties import rebuild_ties
from impactrank.io.published.workbook import OVERALL

__all__ = ["FORMATS", "ImportReport", "PublishedImport", "importable_files", "read_published"]

IMPORTABLE = (".csv", ".json", ".xlsx", ".xlsm")
_EDITION_YEAR = re.compile(r"(\d{4})(?!\d).*")


@dataclass
class PublishedImport:
    editions: list[Edition]
    report: ImportReport


@dataclass
class _Source:
    path: Path
    format: str
    sha256: str
    rows: list[RawRow]
    table: int | None = None  # a workbook's table: OVERALL or the SDG number


@dataclass
class _YearTables:
    year: int
    overall: _Source | None = None
    overall_rows: list[RawRow] = field(default_factory=list)
    sdgs: dict[int, tuple[_Source, list[RawRow]]] = field(default_factory=dict)

    def parts(self) -> list[tuple[_Source, list[RawRow]]]:
        """The year's tables with their rows: the overall table first, then the SDG tables in SDG order."""
        first = [(self.overall, self.overall_rows)] if self.overall else []
        return first + [self.sdgs[k] for k in sorted(self.sdgs)]


def importable_files(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    """The files to read: each file given, and a folder's tables (CSV, JSON, XLSX; hidden and lock files
    skipped), in name order."""
    if isinstance(paths, str | Path):
        paths = [paths]
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f
                for f in p.iterdir()
                if f.is_file() and f.suffix.casefold() in IMPORTABLE and not f.name.startswith((".", "~$"))
            )
            if not found:
                raise InputError(
                    N_("nothing to import in folder %(folder)s (no %(kinds)s file)"),
                    params={"folder": str(p), "kinds": ", ".join(IMPORTABLE)},
                )
            files.extend(found)
        elif not p.is_file():
            raise InputError(N_("no such file or folder"), file=str(p))
        else:
            files.append(p)
    if not files:
        raise InputError(N_("no file to import"))
    names = [f.resolve() for f in files]
    if len(set(names)) != len(names):
        raise InputError(N_("the same file is given twice"))
    return files


def read_published(
    paths: str | Path | Sequence[str | Path],
    *,
    format: str = "auto",
    edition: str | None = None,
    edition_suffix: str | None = None,
    aliases: str | Path | Sequence[str | Path] | Aliases | None = None,
    decimal: str | None = None,
    corrections: str | Path | None = None,
) -> PublishedImport:
    """Read published tables. ``edition`` names the edition of a single-year file (or picks one year of
    multi-year files); ``edition_suffix`` makes ids such as "2021-taiwan", so imports sit beside built
    editions of the same year. ``decimal`` ("." or ",") is the decimal mark of CSV scores, for a file that
    cannot tell. ``corrections`` is a corrections file (``corrections.py``) applied to the rows as read."""
    if edition and edition_suffix:
        raise InputError(N_("give either --edition or --edition-suffix, not both"))
    check_decimal(decimal)
    fixes = read_corrections(corrections) if corrections else Corrections("", [])
    with _without_cycle_collection():
        return _read(importable_files(paths), format, edition, edition_suffix, aliases, decimal, fixes)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Reading builds a few hundred thousand small objects and no reference cycles; the cyclic collector
    would rescan them again and again (a third of the import time), so it waits until the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(
    files: list[Path],
    format: str,
    edition: str | None,
    edition_suffix: str | None,
    aliases: str | Path | Sequence[str | Path] | Aliases | None,
    decimal: str | None,
    corrections: Corrections,
) -> PublishedImport:
    if isinstance(aliases, Aliases):
        alias_table = aliases
    else:  # one alias file, or several read as one
        alias_table = read_alias_files([aliases] if isinstance(aliases, str | Path) else aliases or [])
    sources = []
    for path in files:
        rows, fmt, table = read_rows(path, format, decimal)
        sources.append(_Source(path, fmt, hashlib.sha256(path.read_bytes()).hexdigest(), rows, table))

    editions, reports = [], []
    for src in (s for s in sources if s.table is None):
        for edition_id, year, part in split_editions(src.rows, src.path.name, edition, edition_suffix):
            corrections.apply(edition_id, part)
            manifest = {"source_file": src.path.name, "format": src.format, "sha256": src.sha256, "rows": len(part)}
            assembled = build_edition(edition_id, year, part, f"{src.path.name} ({src.format})", alias_table, manifest)
            editions.append(assembled.edition)
            reports.append(edition_report(assembled, {"overall": src.path.name}))
    workbooks = [s for s in sources if s.table is not None]
    for edition_id, tables in _workbook_years(workbooks, edition, edition_suffix) if workbooks else []:
        parts = tables.parts()
        for _, rows in parts:
            corrections.apply(edition_id, rows)
        manifest = {
            "format": "the-workbook",
            "rows": len(tables.overall_rows),
            "sources": [
                {"file": s.path.name, "sha256": s.sha256, "table": _table_name(s.table), "rows": len(rows)}
                for s, rows in parts
            ],
        }
        tables_read = f"{len(tables.sdgs)} SDG tables (the-workbook)"
        assembled = build_edition(
            edition_id,
            tables.year,
            tables.overall_rows,
            f"{tables.overall.path.name} + {tables_read}" if tables.overall else tables_read,
            alias_table,
            manifest,
            sdg_tables={k: rows for k, (_, rows) in tables.sdgs.items()},
        )
        editions.append(assembled.edition)
        reports.append(edition_report(assembled, {_table_name(s.table): s.path.name for s, _ in parts}))
    for e in editions:  # names the aliases file gives in other languages, for display
        e.institutions = display_names.apply(e.institutions, alias_table.display_names(e.institutions))
    _check_unique([e.id for e in editions], [s.path.name for s in sources])
    corrections.check_used([e.id for e in editions])
    order = sorted(range(len(editions)), key=lambda i: (editions[i].year, editions[i].id))
    editions, reports = [editions[i] for i in order], [reports[i] for i in order]
    name = files[0].name if len(files) == 1 else f"{len(files)} files"
    formats = sorted({s.format for s in sources})
    for ed, rep in zip(editions, reports, strict=True):
        ed.manifest["flags"] = rep.flags
    return PublishedImport(editions, ImportReport(file=name, format=", ".join(formats), editions=reports))


def _table_name(table: int | None) -> str:
    return "overall" if table == OVERALL else f"sdg{table}"


def _workbook_years(sources: list[_Source], edition: str | None, suffix: str | None) -> list[tuple[str, _YearTables]]:
    """Per year, the overall table and the SDG tables among the workbooks; a year's table given twice is an
    error naming both files."""
    years: dict[int, _YearTables] = {}
    for src in sources:
        for _, year, part in split_editions(src.rows, src.path.name, None, None):
            rebuild_ties(part, [r.overall if src.table == OVERALL else r.score for r in part])
            tables = years.setdefault(year, _YearTables(year))
            if src.table == OVERALL:
                if tables.overall is not None:
                    raise InputError(
                        N_("two overall tables for %(year)s: %(first)s and %(second)s"),
                        file=src.path.name,
                        params={"year": year, "first": tables.overall.path.name, "second": src.path.name},
                    )
                tables.overall, tables.overall_rows = src, part
            else:
                if src.table in tables.sdgs:
                    other = tables.sdgs[src.table][0].path.name
                    raise InputError(
                        N_("two SDG %(sdg)s tables for %(year)s: %(first)s and %(second)s"),
                        file=src.path.name,
                        params={"sdg": src.table, "year": year, "first": other, "second": src.path.name},
                    )
                tables.sdgs[src.table] = (src, part)
    if edition is not None:
        m = _EDITION_YEAR.fullmatch(edition.strip())
        wanted = int(m.group(1)) if m else None
        if wanted not in years:
            raise InputError(
                N_("edition %(edition)r names no year of the workbooks (years: %(years)s)"),
                params={"edition": edition, "years": ", ".join(map(str, sorted(years)))},
            )
        return [(edition.strip(), years[wanted])]
    return [(f"{y}-{suffix}" if suffix else str(y), years[y]) for y in sorted(years)]


def _check_unique(ids: list[str], files: list[str]) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            raise InputError(
                N_(
                    "edition %(edition)s comes from more than one file (%(files)s): import them separately, with "
                    "--edition or --edition-suffix"
                ),
                params={"edition": i, "files": ", ".join(files)},
            )
        seen.add(i)
