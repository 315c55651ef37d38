"""Reports written as files: the HTML or PDF report and the audit's Markdown and JSON, each atomically (never
half a file). The report layer renders; this writes."""

from __future__ import annotations

from pathlib import Path

from impactrank.engine.published.audit import AuditReport
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError
from impactrank.io.atomic import write_bytes_atomic, write_text_atomic
from impactrank.report.audit import render_json, render_markdown
from impactrank.report.report import render_html, render_pdf


def write_report(edition: Edition, out: str | Path, **selection) -> Path:
    """Write FILE.html or FILE.pdf of a selection (the keyword arguments of ``report_context``: previous,
    country, group, lang, members)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        write_text_atomic(out, render_html(edition, **selection))
    elif suffix == ".pdf":
        write_bytes_atomic(out, render_pdf(edition, **selection))
    else:
        raise InputError(
            N_("report output must end in .html or .pdf, not %(name)r"), file=out.name, params={"name": out.name}
        )
    return out


def write_audit(report: AuditReport, out: Path, lang: str = "en") -> list[Path]:
    """``audit-EDITION.md`` (in ``lang``) and ``audit-EDITION.json`` in ``out``."""
    md = out / f"audit-{report.edition}.md"
    js = out / f"audit-{report.edition}.json"
    write_text_atomic(js, render_json(report))
    write_text_atomic(md, render_markdown(report.to_dict(), lang))
    return [md, js]
