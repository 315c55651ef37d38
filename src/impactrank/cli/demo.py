"""``impactrank demo``: generate the synthetic two-edition field, build it, and say where everything is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from impactrank.cli.common import WaitStatus, app, console, console_err, out_dir
from impactrank.cli.options import DEFAULT_WAIT, LangOption, WaitOption, check_lang
from impactrank.cli.text import _, ngettext, num, shown
from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import decimals
from impactrank.engine.views.lists import country_view, in_published_order
from impactrank.errors import N_
from impactrank.io.atomic import write_bytes_atomic
from impactrank.io.build import BuildReport, build


def _csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv().encode("utf-8")


def _band_ranges(edition: Edition) -> dict[str, str]:
    """Each band's score range as the table shows it, the individually ranked rows first ("1–100")."""
    overall = edition.overall
    top = overall.filter(pl.col("band") == "")
    ranges = {}
    if top.height:
        scores = top["overall_score"]
        ranges[f"1–{top['rank_position'].max()}"] = f"{scores.min():.1f}–{scores.max():.1f}"
    bands = (
        overall.filter(pl.col("band") != "")
        .group_by("band", maintain_order=True)
        .agg(pl.col("overall_display").first(), pl.col("rank_position").min())
        .sort("rank_position")
    )
    ranges.update(zip(bands["band"], bands["overall_display"], strict=True))
    return ranges


def _group_line(report: BuildReport, year: int) -> str:
    """The group's story in one line: members ranked, and the national place of its best school. Schools are
    taken in the table's published order, so members sharing the first displayed rank (a band, a tie) share the
    lead: the place behind a band is not shown, so it does not pick one."""
    from impactrank.demo import GROUP_NAME

    e = report.edition
    members = e.institutions.filter(pl.col("groups").str.contains(GROUP_NAME, literal=True))["institution_id"]
    ranked = e.overall.filter(pl.col("institution_id").is_in(members.implode()))
    if not ranked.height:
        return _("%(year)s: no school of %(group)s is ranked", year=year, group=GROUP_NAME)
    names = e.institutions.select("institution_id", "name").unique("institution_id", keep="first")
    ranked = in_published_order(ranked.join(names, on="institution_id"), pl.col("overall_score"), decimals(e))
    leaders = ranked.filter(pl.col("rank") == ranked["rank"][0])
    best_id = leaders["institution_id"][0]
    country = e.institutions.filter(pl.col("institution_id") == best_id)["country"][0]
    national = country_view(e, country)
    best = national.table.filter(pl.col("institution_id") == best_id).row(0, named=True)
    who = ", ".join(f"{n} ({i})" for n, i in leaders.select("name", "institution_id").iter_rows())
    rank = shown(str(best["rank"]))
    lead = (
        _("best %(who)s at %(rank)s", who=who, rank=rank)
        if leaders.height == 1
        else _("best %(who)s, sharing %(rank)s", who=who, rank=rank)
    )
    return ngettext(
        "%(year)s: %(count)s school ranked; %(lead)s, national rank %(national)s of %(of)s in %(country)s",
        "%(year)s: %(count)s schools ranked; %(lead)s, national rank %(national)s of %(of)s in %(country)s",
        ranked.height,
        year=year,
        lead=lead,
        national=shown(str(best["national_rank"])),
        of=num(national.count),
        country=country,
    )


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Directory for the demo's inputs, outputs and workspace.")
    ] = Path("demo-output"),
    wait: WaitOption = DEFAULT_WAIT,
    lang: LangOption = "en",
) -> None:
    """Generate the bundled synthetic field (fictional institutions, 2020 and 2021 editions), build both and
    register them in a workspace: a complete example to try every other command on."""
    check_lang(lang)
    from impactrank.demo import DEMO_SEED, GROUP_NAME, generate_demo  # the generator is loaded for this command only

    inputs = out_dir(out) / "inputs"
    workspace = out / "impactrank.duckdb"
    reports: dict[int, BuildReport] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console_err,
        transient=True,
    ) as progress:
        task = progress.add_task(_("generating the synthetic field"), total=3)
        data = generate_demo()
        write_bytes_atomic(inputs / "groups.csv", _csv(data.groups))
        for year, field in data.editions.items():
            write_bytes_atomic(inputs / f"institutions_{year}.csv", _csv(field.institutions))
            write_bytes_atomic(inputs / f"submissions_{year}.csv", _csv(field.submissions))
        progress.advance(task)
        for year in sorted(data.editions):
            progress.update(
                task,
                description=_(
                    "building %(year)s with %(methodology)s", year=year, methodology=data.methodologies[year]
                ),
            )
            reports[year] = build(
                inputs / f"institutions_{year}.csv",
                inputs / f"submissions_{year}.csv",
                methodology=data.methodologies[year],
                out=out / str(year),
                workspace=workspace,
                edition_id=str(year),
                seed=DEMO_SEED,
                wait=wait,
                on_wait=WaitStatus(),
            )
            progress.advance(task)

    table = Table(title=_("impactrank demo: a synthetic field of fictional institutions"), title_justify="left")
    for col in (N_("edition"), N_("methodology"), N_("participants"), N_("overall table"), N_("countries")):
        table.add_column(_(col), justify="left" if col in ("edition", "methodology") else "right")
    for year, report in reports.items():
        e = report.edition
        counts = e.manifest["counts"]
        table.add_row(
            str(year),
            e.source,
            num(counts["participants"]),
            num(counts["overall"]),
            num(e.institutions["country"].n_unique()),
        )
    console.print(table)
    ranges = {year: _band_ranges(report.edition) for year, report in reports.items()}
    bands = Table(title=_("overall score range of each band"), title_justify="left")
    bands.add_column(_("band"))
    for year in ranges:
        bands.add_column(str(year), justify="right")
    labels = dict.fromkeys(label for r in ranges.values() for label in r)
    for label in sorted(labels, key=lambda b: int(b.split("–")[0].rstrip("+"))):
        bands.add_row(shown(label), *(shown(r.get(label, "")) for r in ranges.values()))
    console.print(bands)
    for year, report in reports.items():
        console.print(f"{GROUP_NAME}: {_group_line(report, year)}", highlight=False)
    example = data.groups["institution_id"][0]
    files = "institutions_*.csv, submissions_*.csv, groups.csv"
    console.print("\n" + _("inputs: %(path)s/ (%(files)s)", path=inputs, files=files), highlight=False, soft_wrap=True)
    for year in reports:
        files = "overall.csv, sdg_scores.csv, metric_scores.csv, manifest.json"
        console.print(
            _("outputs: %(path)s/ (%(files)s)", path=out / str(year), files=files), highlight=False, soft_wrap=True
        )
    editions = ", ".join(map(str, reports))
    console.print(
        _("workspace: %(path)s (editions %(editions)s)", path=workspace, editions=editions),
        highlight=False,
        soft_wrap=True,
    )
    console.print("\n" + _("next, for example:"), highlight=False)
    console.print(
        f"  impactrank explain --workspace {workspace} --edition 2021 --institution {example}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    console.print(
        f"  impactrank build --institutions {inputs}/institutions_2021.csv --submissions "
        f"{inputs}/submissions_2021.csv --methodology the-2021 --out my-build --workspace my.duckdb",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
