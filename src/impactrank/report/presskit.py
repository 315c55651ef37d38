"""An institution's press kit, in one language, as a reproducible zip: its badges (SVG and PNG), its report
(HTML and PDF), its press summary (Markdown and DOCX), its rows of the tables (CSV) and its facts (JSON).
Entries are sorted and stamped with one fixed time (documents inside, such as the DOCX, are rewritten the same
way), so the same edition gives the same bytes."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import decimals, score_text, visible
from impactrank.engine.views.lists import sdg_positions
from impactrank.report import badges
from impactrank.report.institution import institution_facts
from impactrank.report.press import press_summary, to_docx
from impactrank.report.report import render_html, render_pdf

FIXED = datetime(2000, 1, 1)  # every entry's time: zip stores local times from 1980, no zone
CONTENT_TYPES = "[Content_Types].xml"
CSV_COLUMNS = ("edition", "institution_id", "name", "country", "table", "rank", "table_size", "score")


def fixed_zip(entries: dict[str, bytes]) -> bytes:
    """A zip of ``entries`` in name order (an office document's ``[Content_Types].xml`` first, where Office
    looks for it), each dated :data:`FIXED`, deflated, with no extra fields."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in sorted(entries, key=lambda n: (n != CONTENT_TYPES, n)):
            info = zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()


def _refixed(document: bytes) -> bytes:
    """An office document (itself a zip) with its parts sorted and re-dated."""
    with zipfile.ZipFile(io.BytesIO(document)) as zf:
        return fixed_zip({name: zf.read(name) for name in zf.namelist()})


def rows_csv(edition: Edition, institution_id: str) -> str:
    """The institution's rows as the tables show them: the overall row, then one per SDG table; a band's
    members by band, with the band's score range, never a position or score behind it."""
    places = decimals(edition)
    inst = edition.institutions.filter(pl.col("institution_id") == institution_id).row(0, named=True)
    rows = []
    overall = visible(edition.overall.filter(pl.col("institution_id") == institution_id))
    for r in overall.iter_rows(named=True):
        score = r["overall_display"] or score_text(r["overall_score"], r["overall_low"], r["overall_high"], places)
        rows.append(("overall", r["rank"], edition.field_size, score))
    for r in sdg_positions(edition, [institution_id]).iter_rows(named=True):
        rows.append(
            (
                f"SDG {r['sdg']}",
                r["rank"],
                r["table_size"],
                score_text(r["score"], r["score_low"], r["score_high"], places),
            )
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for table, rank, size, score in rows:
        writer.writerow((edition.id, institution_id, inst["name"], inst["country"], table, rank, size, score))
    return out.getvalue()


def press_kit(edition: Edition, previous: Edition | None, institution_id: str, lang: str) -> bytes:
    """The kit's zip bytes (the files are named in the module's docstring; badges under ``badges/``)."""
    facts = institution_facts(edition, previous, institution_id)
    summary = press_summary(facts, lang)
    entries: dict[str, bytes] = {}
    for badge in badges.earned(facts):
        drawn = badges.svg(badge, facts, lang)
        stem = f"badges/{badges.file_stem(badge)}"
        entries[f"{stem}.svg"] = drawn.encode("utf-8")
        entries[f"{stem}.png"] = badges.png(drawn)
    selection = {"previous": previous, "institution": institution_id, "lang": lang}
    entries["report.html"] = render_html(edition, **selection).encode("utf-8")
    entries["report.pdf"] = render_pdf(edition, **selection)
    entries["summary.md"] = summary.to_markdown().encode("utf-8")
    entries["summary.docx"] = _refixed(to_docx(summary, FIXED))
    entries["results.csv"] = rows_csv(edition, institution_id).encode("utf-8")
    entries["facts.json"] = (json.dumps(facts, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    return fixed_zip(entries)
