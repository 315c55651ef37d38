"""One institution's press summary in the press release's shape — its position, its national place, its entry
or movement in a growing field, its best SDG positions — worded from its facts by ``press_{en,fr,es}.md.j2``
(one template per language over the same facts, as the edition summaries), as Markdown and as a DOCX a press
office can edit."""

from __future__ import annotations

import io
from datetime import datetime

from impactrank.countries import country_name
from impactrank.i18n import check_locale
from impactrank.i18n import templates as i18n_templates
from impactrank.report import typography as ty
from impactrank.report.badges import load_rules
from impactrank.report.summary import Summary, _environment, _lines

BEST_SDGS = 3  # SDG positions the paragraph names; the facts list up to six


def press_summary(facts: dict, lang: str) -> Summary:
    """The summary of :func:`impactrank.report.institution.institution_facts`; its ``data`` are the facts, with
    the SDG positions also as the report's per-member table (``member_sdgs``)."""
    check_locale(lang)
    d = dict(facts, best=facts["sdgs"][:BEST_SDGS])
    d["ranking_name"] = (facts.get("ranking") or load_rules()["ranking"]).removesuffix(f" {facts['year']}")
    code = (facts["national"] or {}).get("country") or facts["institution"]["country"]
    if code:
        d["country_name"] = country_name(code, lang)
        d["institutions_of"] = ty.institutions_of(code, d["country_name"], lang)
    template = _environment(lang).get_template(f"press_{lang}.md.j2")
    with i18n_templates.rendering(lang):
        module = template.make_module({"d": d})
        title = ty.punctuate(" ".join(_lines(str(module.title()))), lang)
        paragraph = ty.punctuate(" ".join(_lines(str(module.paragraph()))), lang)
        bullets = [ty.punctuate(f, lang) for f in _lines(str(module.facts()))]
    inst = facts["institution"]
    data = dict(facts, member_sdgs=[{"institution_id": inst["id"], "name": inst["name"], "positions": facts["sdgs"]}])
    return Summary(lang=lang, title=title, paragraph=paragraph, facts=bullets, data=data)


def to_docx(summary: Summary, fixed: datetime) -> bytes:
    """The summary as a Word document: a heading, the paragraph, the facts as a bulleted list. ``fixed``: the
    document's creation and change dates, so that the same summary gives the same bytes."""
    from docx import Document

    doc = Document()
    props = doc.core_properties
    props.created = props.modified = fixed
    props.last_printed = fixed
    props.author = props.last_modified_by = "impactrank"
    props.title = summary.title
    props.language = summary.lang
    props.revision = 1
    doc.add_heading(summary.title, level=1)
    doc.add_paragraph(summary.paragraph)
    for fact in summary.facts:
        doc.add_paragraph(fact, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
