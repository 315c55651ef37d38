"""Published ranking tables read as they are: every row kept, every defect flagged, one Edition per year."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from impactrank.engine.edition import Edition
from impactrank.io.identity import Aliases, read_aliases
from impactrank.io.published.assemble import build_edition, split_editions
from impactrank.io.published.formats import FORMATS, read_rows
from impactrank.io.published.report import ImportReport, edition_report

__all__ = ["FORMATS", "ImportReport", "PublishedImport", "read_published"]


@dataclass
class PublishedImport:
    editions: list[Edition]
    report: ImportReport


def read_published(
    path: str | Path,
    *,
    format: str = "auto",
    edition: str | None = None,
    edition_suffix: str | None = None,
    aliases: str | Path | Aliases | None = None,
) -> PublishedImport:
    """Read a published table. ``edition`` names the edition of a single-year file (or picks one year of a
    multi-year file); ``edition_suffix`` makes ids such as "2021-taiwan", so imports sit beside built
    editions of the same year."""
    path = Path(path)
    rows, fmt = read_rows(path, format)
    alias_table = aliases if isinstance(aliases, Aliases) else read_aliases(aliases) if aliases else Aliases()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    editions, reports = [], []
    for edition_id, year, part in split_editions(rows, path.name, edition, edition_suffix):
        manifest = {"source_file": path.name, "format": fmt, "sha256": digest, "rows": len(part)}
        ed, parsed = build_edition(edition_id, year, part, f"{path.name} ({fmt})", alias_table, manifest)
        report = edition_report(ed, part, parsed)
        ed.manifest["flags"] = report.flags
        editions.append(ed)
        reports.append(report)
    return PublishedImport(editions, ImportReport(file=path.name, format=fmt, editions=reports))
