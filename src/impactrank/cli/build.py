"""``impactrank build`` and ``impactrank explain``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli.common import WaitStatus, app, console, console_err, load_previous, open_workspace, out_dir
from impactrank.cli.options import (
    DecimalOption,
    InWorkspace,
    Stored,
    in_workspace,
    opened_by,
    stored_edition,
)
from impactrank.cli.published_analysis import rule_words
from impactrank.cli.text import _, clauses, num, sdg_name, shown, span
from impactrank.engine.published.explain import reproduce_institution
from impactrank.engine.tables.shown import decimals, score_text, visible_row
from impactrank.engine.views.explain import explain_institution
from impactrank.errors import InputError
from impactrank.i18n.formula import formula
from impactrank.i18n.templates import current
from impactrank.io.build import build as run_build


@app.command()
@opened_by(in_workspace)
def build(
    at: InWorkspace,
    institutions: Annotated[Path, typer.Option("--institutions", "-i", help="institutions.csv (or .parquet/.xlsx).")],
    submissions: Annotated[
        list[Path],
        typer.Option("--submissions", "-s", help="Long-form submissions; repeat for several files."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for overall.csv, sdg_scores.csv, …")],
    methodology: Annotated[
        str, typer.Option("--methodology", "-m", help="Bundled edition id or YAML file.")
    ] = "the-2021",
    edition: Annotated[str | None, typer.Option("--edition", "-e", help="Edition id (default: the year).")] = None,
    previous_edition: Annotated[
        list[str] | None,
        typer.Option(
            "--previous-edition",
            "-p",
            help="For a methodology that averages with previous editions: the edition in the workspace whose "
            "single-year scores it averages with (default: the same series' previous year, 2023 → 2022); "
            "repeat, most recent first, for more than two years.",
        ),
    ] = None,
    decimal: DecimalOption = None,
) -> None:
    """Compute every SDG table and the overall table, write them to OUT and register the edition."""
    with console_err.status(_("Reading, validating and building…")):
        report = run_build(
            institutions,
            submissions,
            methodology=methodology,
            out=out_dir(out),
            workspace=at.workspace,
            edition_id=edition,
            previous_editions=previous_edition,
            decimal=decimal,
            wait=at.wait,
            on_wait=WaitStatus(),
        )
    e = report.edition
    counts = e.manifest["counts"]
    built = Text(_("built"), style="green")
    built.append(
        " "
        + _(
            "edition %(edition)s with %(source)s: %(participants)s participants, %(overall)s in the overall table, "
            "%(missing)s metric values missing (scored as the methodology says).",
            edition=e.id,
            source=e.source,
            participants=num(counts["participants"]),
            overall=num(counts["overall"]),
            missing=num(counts["metric_values_missing"]),
        )
    )
    console.print(built, highlight=False)
    previous = [p["edition"] for p in e.manifest.get("previous_editions", [])]
    if previous:
        line = _(
            "averaged with the single-year scores of edition %(editions)s from %(workspace)s: %(averaged)s "
            "institutions averaged; %(newcomers)s new to the overall table keep their single-year score.",
            editions=", ".join(previous),
            workspace=at.workspace,
            averaged=num(counts["averaged"]),
            newcomers=num(counts["newcomers"]),
        )
        console.print(Text(line), highlight=False)
    outputs = _("outputs: %(folder)s/ (%(files)s)", folder=out, files=", ".join(report.files))
    console.print(Text(clauses(outputs, _("workspace: %(workspace)s", workspace=at.workspace))), highlight=False)
    if report.replaced:
        note = _(
            "note: edition %(edition)s was already in %(workspace)s and has been replaced (use --edition to keep both)",
            edition=e.id,
            workspace=at.workspace,
        )
        console.print(Text(note), highlight=False)


@app.command()
@opened_by(stored_edition)
def explain(
    stored: Stored,
    institution: Annotated[str, typer.Option("--institution", "-i", help="institution_id to explain.")],
) -> None:
    """Show how one institution's overall score arises: metric by metric, scaling, and the best SDGs; for a
    published edition, THE's formula reproduced from the published SDG scores."""
    with open_workspace(stored.workspace, stored.wait, read_only=True) as ws:
        ed = ws.load(stored.edition)
        previous = load_previous(ws, ed, None) if ed.kind == "imported" else None
    ex = explain_institution(ed, institution)
    heading = Text(
        _(
            "%(name)s (%(id)s, %(country)s) in edition %(edition)s",
            name=ex.name,
            id=ex.institution_id,
            country=ex.country,
            edition=ed.id,
        )
    )
    heading.highlight_words([ex.name], "bold")
    console.print(heading, highlight=False)
    places = decimals(ed)
    if not ed.has_overall_table:
        console.print(
            _("Edition %(edition)s has SDG tables only, no overall table. Its SDG tables:", edition=ed.id),
            markup=False,
            highlight=False,
        )
    elif ex.overall is None:
        console.print(
            _("Not in the overall table: it needs SDG 17 and enough other SDGs. Its SDG tables:"), highlight=False
        )
    else:
        o = visible_row(ex.overall, ed.field_size)
        share = _share(o, ed.field_size)
        score = (
            _("published as %(score)s", score=shown(o["overall_display"]))
            if o["band"]
            else _("score %(score)s", score=shown(o["overall_display"]))
        )
        best = ", ".join(sdg_name(int(k)) for k in (o["top_sdgs"] or "").split(";") if k)
        line = (
            _("Overall rank %(rank)s (%(share)s), %(score)s", rank=shown(o["rank"]), share=share, score=score)
            if share
            else _("Overall rank %(rank)s, %(score)s", rank=shown(o["rank"]), score=score)
        )
        what = _("best SDGs on scaled scores: %(sdgs)s") if ed.kind == "built" else _("best SDGs: %(sdgs)s")
        console.print(Text(clauses(line, what % {"sdgs": best})), highlight=False)
    if ed.kind != "built":
        console.print(
            Text(
                _("Edition %(edition)s is imported from a published table: it carries no metric scores.", edition=ed.id)
            ),
            highlight=False,
        )
    scaling = ex.rules.get("scaling", {})
    for part in ex.sdgs:
        if part.metrics.height:
            title = Text(sdg_name(part.sdg))
            if part.counted:
                title.append("  " + _("counted in the overall score"), style="green")
            table = Table(title=title, title_justify="left")
            for col in (_("metric"), _("raw value"), _("score"), _("weight"), _("contribution")):
                table.add_column(col, justify="left" if col == _("metric") else "right")
            for m in part.metrics.iter_rows(named=True):
                raw = _("missing") if m["missing"] else ("" if m["raw"] is None else _significant(m["raw"]))
                table.add_row(
                    Text(m["metric"]), raw, num(m["score"], 2), _significant(m["weight"]), num(m["contribution"], 3)
                )
            console.print(table)
        text = score_text(part.score, part.score_low, part.score_high, places)
        score = (
            _("score not published")
            if text is None
            else (
                _("score %(score)s", score=shown(text))
                if part.score is not None
                else _("published as %(score)s", score=shown(text))
            )
        )
        line = f"{sdg_name(part.sdg)} {score}" + (", " + _("rank %(rank)s", rank=shown(part.rank)) if part.rank else "")
        if part.scaled is not None:
            line = clauses(
                line,
                _(
                    "scaled by %(method)s over [%(low)s, %(high)s] → %(scaled)s",
                    method=scaling.get("method", "?"),
                    low=num(part.scale_min, 4),
                    high=num(part.scale_max, 4),
                    scaled=num(part.scaled, 4),
                ),
            )
        console.print(Text(line), highlight=False)
    if ex.formula:
        console.print(Text("\n" + _("Overall = %(formula)s", formula=formula(ex.formula, current()))), highlight=False)
    if ed.kind == "imported" and ex.overall is not None:
        _print_reproduced(ed, institution, previous)


def _share(row: dict, table_size: int | None) -> str:
    """ "top 9.0–17.9 % of 1,117" from a visible row's shares; "" when the table's size is unknown."""
    low, high = row.get("share_low"), row.get("share_high")
    if table_size is None or low is None:
        return ""
    share = num(low, 1) if high is None or round(low, 1) == round(high, 1) else span(low, high)
    return _("top %(share)s %% of %(field)s", share=share, field=num(table_size))


def _significant(value: float) -> str:
    """A raw value or a weight with its significant digits (6 at most), in the reader's digits."""
    text = f"{value:.6g}"
    if "e" in text:
        return text
    return shown(text)


def _print_reproduced(ed, institution: str, previous) -> None:
    """THE's overall formula for the edition, reproduced from the published SDG scores (or why it cannot be)."""
    try:
        r = reproduce_institution(ed, institution, previous)
    except InputError as exc:
        console.print(
            Text("\n" + _("THE's overall formula cannot be reproduced here: %(why)s", why=exc.text(current()))),
            highlight=False,
        )
        return
    console.print(
        Text(
            "\n"
            + _(
                "THE's overall formula for %(edition)s, reproduced (%(rule)s; %(explained)s of %(of)s exact rows):",
                edition=ed.id,
                rule=rule_words(r.previous_edition if r.rule_name == "two_year" else None),
                explained=num(r.explained),
                of=num(r.of),
            )
        ),
        highlight=False,
    )
    for s in r.sdgs:
        counted = " (" + _("counted") + ")" if s.counted else ""
        scaled = span(s.scaled_low, s.scaled_high)
        console.print(
            Text(f"{sdg_name(s.sdg)} {shown(s.published)} → " + _("scaled %(range)s", range=scaled) + counted),
            highlight=False,
        )
    verdict = (
        _("they agree, so the score is in %(within)s", within=shown(r.within)) if r.agrees else _("they do not agree")
    )
    line = _(
        "Overall = %(formula)s; published %(published)s: %(verdict)s",
        formula=formula(r.formula, current()),
        published=shown(r.published),
        verdict=verdict,
    )
    console.print(Text(line), highlight=False)
