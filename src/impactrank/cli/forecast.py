"""``impactrank forecast``: next edition's band for the institutions of a published edition, from the series of
editions in the workspace; ``--backtest`` forecasts each edition of the series from the earlier ones alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli.common import app, console, figures_table, open_workspace, out_format, progress_bar
from impactrank.cli.options import GroupsOption, InWorkspace, in_workspace, opened_by
from impactrank.cli.published_analysis import parse_sdg_settings
from impactrank.cli.text import _, num, pct, shown
from impactrank.errors import N_, InputError
from impactrank.i18n.templates import current

OUT_FORMATS = ("csv", "parquet", "xlsx")


def load_series(workspace: Path, wait: float, edition: str | None):
    """The editions of the series ending at ``edition`` (default: the latest with an overall table) that have an
    overall table, their rules (next year's included) and each year's participants."""
    from impactrank.engine.forecast import rules_for, series_of

    with open_workspace(workspace, wait, read_only=True) as ws:
        rows = ws.editions().to_dicts()
        if edition is None:
            with_overall = [r["edition"] for r in rows if r["overall_table"] and r["kind"] == "imported"]
            if not with_overall:
                raise InputError(N_("the workspace holds no published edition with an overall table"), field="edition")
            edition = with_overall[-1]
        if edition not in {r["edition"] for r in rows}:
            known = [r["edition"] for r in rows]
            raise InputError(
                N_("no edition %(edition)s (editions: %(known)s)"),
                field="edition",
                params={"edition": repr(edition), "known": known},
            )
        ids, participants = series_of(rows, edition)
        if edition not in ids:
            ws.load(edition).require_overall()
        series = [ws.load(i) for i in ids]
    years = [e.year for e in series]
    return series, rules_for([*years, years[-1] + 1]), participants


def forecast_of(workspace: Path, wait: float, edition: str):
    """The whole edition's forecast, for ``summary --forecast``."""
    from impactrank.engine.forecast import forecast_edition

    series, rules, participants = load_series(workspace, wait, edition)
    return forecast_edition(series, rules, participants)


@app.command()
@opened_by(in_workspace)
def forecast(
    at: InWorkspace,
    edition: Annotated[
        str | None, typer.Option("--edition", "-e", help="Published edition to forecast from, e.g. 2023.")
    ] = None,
    institution: Annotated[str | None, typer.Option("--institution", help="Only this institution_id.")] = None,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Only this country.")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Only this group's members.")] = None,
    groups: GroupsOption = None,
    assume_sdg: Annotated[
        list[str] | None,
        typer.Option("--assume-sdg", help="SDG=SCORE the institution plans next year, e.g. 13=80; repeatable."),
    ] = None,
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Forecast each edition of the series from the earlier ones alone.")
    ] = False,
    runs: Annotated[int, typer.Option("--runs", min=100, help="Simulated next editions.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the table to FILE.csv/.parquet/.xlsx.")] = None,
) -> None:
    """Next edition's band (most likely, 80 % interval, chance of an individual rank) for the institutions of a
    published edition: the part of next year's score the averaging rule already fixes, how scores, the field and
    the band boundaries moved over the series, sampled as the uncertainty analysis samples."""
    if out is not None:
        out_format(out, OUT_FORMATS)
    series, rules, participants = load_series(at.workspace, at.wait, edition)
    if backtest:
        if institution or country or group or assume_sdg:
            raise InputError(
                N_("--backtest forecasts whole editions: drop --institution, --country, --group, --assume-sdg")
            )
        _backtest(series, rules, participants, runs, seed, out)
        return
    if institution is not None and (country or group):
        raise InputError(N_("--institution forecasts one institution: drop --country and --group"))
    from impactrank.engine.forecast import forecast_edition

    ed = series[-1]
    if institution is not None and ed.institutions.filter(pl.col("institution_id") == institution).height == 0:
        raise InputError(
            N_(
                "no institution %(institution)r in edition %(edition)s: a forecast starts from this year's score "
                "(an institution new next year has none)"
            ),
            field="institution",
            params={"institution": institution, "edition": ed.id},
        )
    assume = parse_sdg_settings(assume_sdg or []) if assume_sdg else None
    with progress_bar() as bar:
        task = bar.add_task(_("forecasting %(year)s", year=ed.year + 1), total=runs)
        fc = forecast_edition(
            series,
            rules,
            participants,
            assume=assume,
            institution=institution,
            runs=runs,
            seed=seed,
            progress=lambda n: bar.advance(task, n),
        )
    table = _selected(fc.table, ed, institution, country, group, groups)
    if table.height == 0:
        raise InputError(
            N_("no institution of edition %(edition)s is in %(selection)s"),
            field="group" if group else "country",
            params={"edition": ed.id, "selection": group or country},
        )
    if out is not None:
        from impactrank.io.exports import export_table

        export_table(table.drop("most_likely_index", "interval_low_index", "interval_high_index"), out)
        console.print(_("wrote %(file)s", file=out), highlight=False)
    elif institution is not None:
        _print_one(fc, table.row(0, named=True), current())
    else:
        _print_many(fc, table, current())


def _selected(table, ed, institution, country, group, groups) -> pl.DataFrame:
    """The forecast's rows for the institution, country or group asked for, with names, best first."""
    from impactrank.countries import country_code

    table = table.join(
        ed.institutions.select("institution_id", "name", "country"), on="institution_id", how="left"
    ).join(ed.overall.select("institution_id", "rank", "rank_position"), on="institution_id", how="left")
    if institution is not None:
        table = table.filter(pl.col("institution_id") == institution)
    if country is not None:
        table = table.filter(pl.col("country") == country_code(country))
    if group is not None:
        from impactrank.engine.views.lists import group_members
        from impactrank.io.groups import members_for

        ids = group_members(members_for([ed], groups), group)["institution_id"].implode()
        table = table.filter(pl.col("institution_id").is_in(ids))
    first = ["institution_id", "name", "country", "rank"]
    return table.sort("rank_position", "name").select(*first, pl.exclude(*first, "rank_position"))


def _print_one(fc, row: dict, lang: str) -> None:
    from impactrank.report.forecast_words import assumption_lines, chances_line, fixed_line, next_year_line

    heading = _(
        "%(name)s (%(edition)s: %(rank)s)",
        name=row["name"] or row["institution_id"],
        edition=fc.edition,
        rank=shown(row["rank"]),
    )
    console.print(Text(heading), highlight=False)
    console.print(Text(next_year_line(fc, row, lang)), highlight=False)
    console.print(Text(chances_line(row, lang)), highlight=False)
    fixed = fixed_line(fc, row, lang)
    if fixed:
        console.print(Text(fixed), highlight=False)
    console.print(Text(_("Assumptions:")), highlight=False)
    for line in assumption_lines(fc, lang):
        console.print(Text(f"- {line}"), highlight=False)


def _print_many(fc, table: pl.DataFrame, lang: str) -> None:
    from impactrank.report.forecast_words import assumption_lines

    t = Table(title=Text(_("Next year (%(year)s), forecast from %(edition)s", year=fc.next_year, edition=fc.edition)))
    for col in (
        _("name"),
        _("country"),
        fc.edition,
        _("most likely"),
        _("chance"),
        _("%(level)s interval", level=pct(80, 0)),
        _("top 100"),
    ):
        t.add_column(col)
    for r in table.iter_rows(named=True):
        interval = (
            shown(r["interval_low"])
            if r["interval_low"] == r["interval_high"]
            else (f"{shown(r['interval_low'])} … {shown(r['interval_high'])}")
        )
        t.add_row(
            r["name"] or r["institution_id"],
            r["country"] or "",
            shown(r["rank"]),
            shown(r["most_likely"]),
            pct(100 * r["probability"], 0),
            interval,
            pct(100 * r["top_probability"], 0),
        )
    console.print(t)
    console.print(Text(_("Assumptions:")), highlight=False)
    for line in assumption_lines(fc, lang):
        console.print(Text(f"- {line}"), highlight=False)


def _backtest(series, rules, participants, runs: int, seed: int, out: Path | None) -> None:
    from impactrank.engine.forecast import backtest

    with progress_bar() as bar:
        tasks: dict[str, int] = {}

        def step(year: str, n: int) -> None:
            if year not in tasks:
                tasks[year] = bar.add_task(_("back-testing %(edition)s", edition=year), total=runs)
            bar.advance(tasks[year], n)

        result = backtest(series, rules, participants, runs=runs, seed=seed, progress=step)
    if out is not None:
        from impactrank.io.exports import export_table

        export_table(result.years, out)
        console.print(_("wrote %(file)s", file=out), highlight=False)
        return
    t = figures_table(
        Text(_("Back-test: each edition forecast from the earlier ones alone")),
        (
            _("edition"),
            _("institutions"),
            _("%(level)s interval: coverage", level=pct(80, 0)),
            _("its forecast chance"),
            _("most likely band: hits"),
            _("its forecast chance"),
            _("same band as the year before: hits"),
        ),
        title_justify="center",
    )
    for r in result.years.iter_rows(named=True):
        t.add_row(
            str(r["year"]),
            num(r["institutions"]),
            pct(100 * r["coverage"]),
            pct(100 * r["interval_probability"]),
            pct(100 * r["exact"]),
            pct(100 * r["exact_probability"]),
            pct(100 * r["naive"]),
        )
    console.print(t)
    for edition in result.skipped:
        console.print(
            Text(_("%(edition)s not forecast: no earlier pair of overall tables to learn from", edition=edition)),
            highlight=False,
        )
