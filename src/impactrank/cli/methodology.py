"""``impactrank methodology``: check a methodology file, or read one as a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from impactrank.cli.common import command_group, console
from impactrank.engine.checks import check_methodology
from impactrank.methodology import bundled_ids, load_methodology, methodology_hash

methodology_app = command_group(
    "methodology", "Check or read ranking methodologies (bundled editions or your own YAML)."
)


@methodology_app.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="Methodology YAML file to check.")]) -> None:
    """Check a methodology file: schema, weights summing to 100 per SDG, known method names."""
    m = load_methodology(file)
    check_methodology(m, file.name)
    metrics = sum(len(s.metrics) for s in m.sdgs)
    console.print(
        f"[green]valid[/]: {m.id} ({m.label}), {len(m.sdgs)} SDGs, {metrics} metrics, sha256 {methodology_hash(m)[:12]}"
    )


@methodology_app.command("list")
def list_bundled() -> None:
    """List the bundled editions."""
    for ident in bundled_ids():
        m = load_methodology(ident)
        console.print(f"{ident}\t{m.label}")


@methodology_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Bundled edition id (e.g. the-2021) or a YAML file.")] = "the-2021",
) -> None:
    """A readable summary: overall rules, bands, and every SDG's metrics with weights and status."""
    m = load_methodology(ref)
    check_methodology(m, Path(ref).name)
    o = m.overall
    console.print(f"[bold]{m.label}[/] ({m.id}, edition {m.edition})")
    if m.description:
        console.print(m.description, highlight=False)
    console.print(
        f"\nOverall: SDG {o.required_sdg} ({o.required_weight:g}%) + best {o.best_k} of the other SDGs "
        f"({o.best_weight:g}% each); eligible with SDG {o.required_sdg} and at least {o.min_other_sdgs} others.\n"
        f"SDG scores scaled by '{o.scaling.method}' over the {o.scaling.population} population before choosing; "
        f"ties: {m.ranking.tie_rule} at {m.ranking.display_precision} decimal(s); "
        f"default normalisation: {m.default_normalisation}; missing data: {m.missing_rule}.",
        highlight=False,
    )
    if o.previous_years:
        weights = ", ".join(f"{w:g}" for w in o.averaging.weights)
        console.print(
            f"Published score: weighted mean ({weights}, this year first) of the single-year scores of this "
            f"edition and the {o.previous_years} before it (their single-year scores); a newcomer keeps its own.",
            highlight=False,
        )
    console.print(
        f"Overall rules {'confirmed' if o.confirmed else '[yellow]not confirmed[/]'}: {escape(o.source)}",
        highlight=False,
    )
    console.print("Overall bands: " + _bands(o.banding) + "\nSDG-table bands: " + _bands(m.sdg_tables), highlight=False)
    for sdg in m.sdgs:
        table = Table(title=f"SDG {sdg.sdg}: {sdg.label}", title_justify="left", expand=False)
        wide = console.width >= 140  # labels only where they fit; ids always do
        table.add_column("metric", no_wrap=True)
        if wide:
            table.add_column("label", max_width=50, overflow="ellipsis", no_wrap=True)
        for col in ("pillar", "kind", "weight", "dir", "per", "confirmed"):
            table.add_column(col, justify="right" if col == "weight" else "left", no_wrap=True, min_width=3)
        for metric in sdg.metrics:
            table.add_row(
                metric.id,
                *([metric.label] if wide else []),
                metric.pillar,
                metric.kind,
                f"{metric.weight:g}",
                "↑" if metric.direction == "higher" else "↓",
                metric.denominator or "",
                "yes" if metric.confirmed else "[yellow]no[/]",
            )
        console.print(table)


def _bands(banding) -> str:
    individual = f"1–{banding.individual_to} individual" if banding.individual_to else ""
    end = "; the band holding a table's last row shown open-ended" if banding.table_end == "open_last_band" else ""
    return ", ".join([p for p in [individual, *(b.label for b in banding.bands)] if p]) + end
