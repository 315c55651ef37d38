"""``impactrank methodology``: check a methodology file, or read one as a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from impactrank.cli.common import command_group, console
from impactrank.cli.options import LangOption, check_lang
from impactrank.cli.text import _, ngettext, num, pct, sdg_name, shown
from impactrank.engine.checks import check_methodology
from impactrank.errors import N_
from impactrank.i18n import label
from impactrank.i18n.templates import current
from impactrank.methodology import bundled_ids, load_methodology, methodology_hash

methodology_app = command_group(
    "methodology", "Check or read ranking methodologies (bundled editions or your own YAML)."
)
# A metric's pillar and kind, as the reader's language names them.
TERMS = frozenset(
    (
        N_("teaching"),
        N_("research"),
        N_("stewardship"),
        N_("outreach"),
        N_("bibliometric"),
        N_("continuous"),
        N_("evidence"),
    )
)
COLUMNS = (N_("pillar"), N_("kind"), N_("weight"), N_("dir"), N_("per"), N_("confirmed"))


@methodology_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Methodology YAML file to check.")], lang: LangOption = "en"
) -> None:
    """Check a methodology file: schema, weights summing to 100 per SDG, known method names."""
    check_lang(lang)
    m = load_methodology(file)
    check_methodology(m, file.name)
    metrics = sum(len(s.metrics) for s in m.sdgs)
    summary = _(
        "%(id)s (%(label)s), %(sdgs)s SDGs, %(metrics)s metrics, sha256 %(hash)s",
        id=m.id,
        label=escape(m.label),
        sdgs=num(len(m.sdgs)),
        metrics=num(metrics),
        hash=methodology_hash(m)[:12],
    )
    console.print("[green]✓[/] " + _("valid: %(summary)s", summary=summary), highlight=False)


@methodology_app.command("list")
def list_bundled(lang: LangOption = "en") -> None:
    """List the bundled editions."""
    check_lang(lang)
    for ident in bundled_ids():
        m = load_methodology(ident)
        console.print(f"{ident}\t{m.label}", highlight=False)


@methodology_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Bundled edition id (e.g. the-2021) or a YAML file.")] = "the-2021",
    lang: LangOption = "en",
) -> None:
    """A readable summary: overall rules, bands, and every SDG's metrics with weights and status."""
    check_lang(lang)
    m = load_methodology(ref)
    check_methodology(m, Path(ref).name)
    o = m.overall
    console.print(f"[bold]{escape(m.label)}[/] " + _("(%(id)s, edition %(edition)s)", id=m.id, edition=m.edition))
    if m.description:
        console.print(m.description, highlight=False)
    console.print(
        "\n"
        + _(
            "Overall: %(required)s (%(required_weight)s) + the best %(best)s of the other SDGs (%(best_weight)s "
            "each); eligible with %(required)s and at least %(others)s others.",
            required=sdg_name(o.required_sdg),
            required_weight=_weight(o.required_weight),
            best=num(o.best_k),
            best_weight=_weight(o.best_weight),
            others=num(o.min_other_sdgs),
        ),
        highlight=False,
    )
    console.print(
        _(
            "SDG scores scaled by '%(method)s' over the '%(population)s' population before choosing; ties: "
            "'%(tie)s' on %(shown)s; default normalisation: '%(normalisation)s'; missing data: '%(missing)s'.",
            method=o.scaling.method,
            population=o.scaling.population,
            tie=m.ranking.tie_rule,
            shown=ngettext(
                "scores shown to %(count)s decimal", "scores shown to %(count)s decimals", m.ranking.display_precision
            ),
            normalisation=m.default_normalisation,
            missing=m.missing_rule,
        ),
        highlight=False,
    )
    if o.previous_years:
        console.print(
            _(
                "Published score: weighted mean (%(weights)s, this year first) of the single-year scores of this "
                "edition and the %(years)s before it; a newcomer keeps its own.",
                weights="; ".join(num(w, 2) for w in o.averaging.weights),
                years=num(o.previous_years),
            ),
            highlight=False,
        )
    console.print(_("Source of the overall rules: %(source)s", source=escape(o.source)), highlight=False)
    console.print(_("Overall bands: %(bands)s", bands=_bands(o.banding)), highlight=False)
    console.print(_("SDG-table bands: %(bands)s", bands=_bands(m.sdg_tables)), highlight=False)
    for sdg in m.sdgs:
        title = _("%(sdg)s: %(label)s", sdg=sdg_name(sdg.sdg), label=label(sdg.label, current()))
        table = Table(title=title, title_justify="left", expand=False)
        wide = console.width >= 140  # labels only where they fit; ids always do
        table.add_column(_("metric"), no_wrap=True)
        if wide:
            table.add_column(_("label"), max_width=50, overflow="ellipsis", no_wrap=True)
        for col in COLUMNS:
            table.add_column(_(col), justify="right" if col == "weight" else "left", no_wrap=True, min_width=3)
        for metric in sdg.metrics:
            table.add_row(
                metric.id,
                *([label(metric.label, current())] if wide else []),
                _(metric.pillar) if metric.pillar in TERMS else metric.pillar,
                _(metric.kind) if metric.kind in TERMS else metric.kind,
                num(metric.weight, 0 if float(metric.weight).is_integer() else 2),
                "↑" if metric.direction == "higher" else "↓",
                metric.denominator or "",
                _("yes") if metric.confirmed else "[yellow]" + _("no") + "[/]",
            )
        console.print(table)


def _weight(value: float) -> str:
    return pct(value, 0 if float(value).is_integer() else 1)


def _bands(banding) -> str:
    parts = [_("1–%(end)s one by one", end=num(banding.individual_to))] if banding.individual_to else []
    text = ", ".join([*parts, *(shown(b.label) for b in banding.bands)])
    if banding.table_end == "open_last_band":
        text = _("%(first)s; %(then)s", first=text, then=_("the band holding a table's last row shown open-ended"))
    return text
