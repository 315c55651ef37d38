"""``impactrank view``, ``impactrank compare`` and ``impactrank summary``: country and group views,
edition-over-edition comparison and press-ready narratives over any edition in the workspace."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli.common import app, command_group, console, open_workspace, out_format
from impactrank.cli.options import (
    DEFAULT_WAIT,
    DEFAULT_WORKSPACE,
    EditionOption,
    GroupsOption,
    LangOption,
    WaitOption,
    WorkspaceOption,
    check_lang,
)
from impactrank.countries import country_code, country_name
from impactrank.engine.compare import compare_editions
from impactrank.engine.views import country_view, group_members, group_view, overall_view, sdg_view
from impactrank.errors import InputError
from impactrank.io.exports import export_table
from impactrank.io.groups import members_for
from impactrank.report.summary import summarise

view_app = command_group("view", "Tables of one edition: overall, one SDG, a country, a group.")

TABLE_FORMATS = ("table", "csv", "json", "jsonl", "xlsx", "parquet")
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="table, csv, json, jsonl, xlsx or parquet (default: table, or the suffix of --out)."
    ),
]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")]
MAX_ROWS = 200  # rows shown in a terminal table; exports hold everything


def _load(workspace: Path, wait: float, *ids: str):
    with open_workspace(workspace, wait, read_only=True) as ws:
        return [ws.load(i) for i in ids]


def _for_terminal(fmt: str | None, out: Path | None) -> bool:
    """Whether the view is printed as a table (where fewer, readable columns are shown)."""
    return fmt == "table" or (fmt is None and out is None)


def _emit(frame: pl.DataFrame, fmt: str | None, out: Path | None, title: str = "") -> None:
    """Print a Rich table, or export (stdout for csv/json/jsonl; a file for any format, named by --out's
    suffix when --format is not given)."""
    if fmt is None:
        fmt = out_format(out, TABLE_FORMATS[1:]) if out is not None and out.suffix else "table"
    fmt = fmt.lower()
    if fmt not in TABLE_FORMATS:
        raise InputError(f"unknown format {fmt!r} (use {', '.join(TABLE_FORMATS)})", field="format")
    if fmt == "table":
        if out is not None:
            raise InputError("--out needs a file format: a suffix (.csv, .xlsx …) or --format", field="out")
        _print_table(frame, title)
        return
    if out is not None:
        if out.is_dir():
            raise InputError(f"{out} is a directory: give a file name", field="out")
        if not out.suffix:
            out = out.with_suffix(f".{fmt}")
        elif out_format(out, TABLE_FORMATS[1:]) != fmt:
            raise InputError(f"--out {out.name} does not end in .{fmt}, the --format asked for", field="out")
        export_table(frame, out)
        console.print(f"wrote {out} ({frame.height} rows)", highlight=False)
        return
    if fmt in ("xlsx", "parquet"):
        raise InputError(f"--format {fmt} is binary: give --out FILE", field="out")
    data = export_table(frame, fmt)
    sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()


def _print_table(frame: pl.DataFrame, title: str) -> None:
    if title:  # its own line, not the table's caption: never wrapped to the table's width
        console.print(Text(title))
    table = Table()
    for col in frame.columns:
        table.add_column(col, overflow="fold")
    for row in frame.head(MAX_ROWS).iter_rows():
        # cells are Text, never markup: names come from outside tables
        table.add_row(*(Text("" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))) for v in row))
    console.print(table)
    if frame.height > MAX_ROWS:
        console.print(f"… {frame.height - MAX_ROWS} more rows (use --format csv for all)", highlight=False)


_OVERALL_COLS = ["rank", "name", "country", "overall_display", "top_sdgs"]


def _rank_first(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    """Show "45 (38–57)" instead of the bare rank when the edition has uncertainty results."""
    return ["rank_interval" if c == "rank" and "rank_interval" in frame.columns else c for c in columns]


@view_app.command("overall")
def view_overall(
    edition: EditionOption,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    format: FormatOption = None,
    out: OutOption = None,
) -> None:
    """The overall table with names and countries."""
    (ed,) = _load(workspace, wait, edition)
    ed.require_overall()
    frame = overall_view(ed)
    _emit(
        frame.select(_rank_first(frame, _OVERALL_COLS)) if _for_terminal(format, out) else frame,
        format,
        out,
        f"Overall table {ed.id}: {ed.overall.height:,} institutions"
        + ("" if ed.field_size == ed.overall.height else " (part of the table)"),
    )


@view_app.command("sdg")
def view_sdg(
    sdg: Annotated[int, typer.Argument(help="SDG number, 1–17.")],
    edition: EditionOption,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    format: FormatOption = None,
    out: OutOption = None,
) -> None:
    """One SDG table (an overall table imported without its SDG tables holds only SDG 17 and each institution's
    top three SDGs)."""
    (ed,) = _load(workspace, wait, edition)
    frame = sdg_view(ed, sdg)
    shown = (
        frame.select(_rank_first(frame, ["rank", "name", "country", "score", "score_low", "score_high"]))
        if _for_terminal(format, out)
        else frame
    )
    _emit(shown, format, out, f"SDG {sdg} table {ed.id}: {frame.height:,} institutions")


@view_app.command("country")
def view_country(
    country: Annotated[str, typer.Argument(help="ISO code or English name, e.g. FR or France.")],
    edition: EditionOption,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    format: FormatOption = None,
    out: OutOption = None,
    sdgs: Annotated[bool, typer.Option("--sdgs", help="Show the SDG-table positions instead.")] = False,
    bands: Annotated[bool, typer.Option("--bands", help="Show the distribution over bands instead.")] = False,
) -> None:
    """A country's institutions with national rank ("=1" when shared), count and bands."""
    (ed,) = _load(workspace, wait, edition)
    if not sdgs:
        ed.require_overall()
    code = country_code(country)
    cv = country_view(ed, code)
    size = f"{cv.field_size:,}" if cv.field_size is not None else "?"
    title = (
        f"{country_name(code)} in {ed.id}: {cv.count:,} of {size} institutions in the overall table "
        "(national ranks follow the displayed world rank: a shared band is a shared place)"
    )
    if sdgs:
        _emit(_positions(cv.sdg_positions, _for_terminal(format, out)), format, out, title + " — SDG positions")
    elif bands:
        _emit(cv.bands, format, out, title + " — by band")
    else:
        shown = (
            cv.table.select("national_rank", "rank", "name", "overall_display", "top_sdgs")
            if _for_terminal(format, out)
            else cv.table
        )
        _emit(shown, format, out, title)
        if _for_terminal(format, out) and cv.bands.height:
            _print_table(cv.bands, "By band (count in the country, count in the whole table)")
    if _for_terminal(format, out):
        _print_flagged(cv.flagged, code)


def _print_flagged(flagged: list[dict], code: str) -> None:
    """The import's country flags into or out of the country, one line each, and how to apply them."""
    for f in flagged:
        where = f" is probably in {country_name(f['suggested'])}" if f.get("suggested") else ""
        console.print(
            Text(f"flagged: {f['name']}, filed under {country_name(f['country'])},{where} ({f['evidence']})"),
            highlight=False,
        )
    if flagged:
        console.print(
            "The source's country is kept; impactrank import --suggest-corrections FILE writes these as corrections "
            "to review and apply with --corrections FILE.",
            highlight=False,
        )


@view_app.command("group")
def view_group(
    group: Annotated[str, typer.Argument(help="Group name (case-insensitive).")],
    edition: EditionOption,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    groups: GroupsOption = None,
    format: FormatOption = None,
    out: OutOption = None,
    sdgs: Annotated[bool, typer.Option("--sdgs", help="Show the members' SDG-table positions instead.")] = False,
) -> None:
    """A group's members: ranked (world and national rank, top SDGs) and absent ones."""
    (ed,) = _load(workspace, wait, edition)
    if not sdgs:
        ed.require_overall()
    members = members_for([ed], groups)
    gv = group_view(ed, members, group)
    title = f"{gv.group} in {ed.id}: {gv.ranked.height} of {gv.members} members in the overall table"
    if sdgs:
        _emit(_positions(gv.sdg_positions, _for_terminal(format, out)), format, out, title + " — SDG positions")
        return
    frame = gv.ranked.with_columns(status=pl.lit("ranked")).select(
        "status", "institution_id", "name", "country", "rank", "national_rank", "overall_display", "top_sdgs"
    )
    absent = gv.absent.select(
        pl.col("reason").alias("status"),
        "institution_id",
        "name",
        "country",
        *(pl.lit(None, pl.String).alias(c) for c in ("rank", "national_rank", "overall_display", "top_sdgs")),
    )
    _emit(pl.concat([frame, absent]), format, out, title)


@app.command()
def compare(
    from_: Annotated[str, typer.Option("--from", help="Earlier edition id.")],
    to: Annotated[str, typer.Option("--to", help="Later edition id.")],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Only this country.")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Only this group's members.")] = None,
    groups: GroupsOption = None,
    field_from: Annotated[
        int | None,
        typer.Option("--field-from", min=1, help="Field size of --from when the edition is a partial table."),
    ] = None,
    field_to: Annotated[int | None, typer.Option("--field-to", min=1, help="Field size of --to likewise.")] = None,
    sdg: Annotated[
        int | None,
        typer.Option("--sdg", min=1, max=17, help="Compare one SDG table instead, against each edition's table size."),
    ] = None,
    format: FormatOption = None,
    out: OutOption = None,
) -> None:
    """Status (new, left, both), rank and percentile intervals, and movement (progressed / maintained /
    declined, on percentile intervals: see the README) for every institution of either edition, in the
    overall table or, with --sdg, in one SDG table."""
    if from_ == to:
        raise InputError(f"--from and --to name the same edition ({to}): compare two editions", field="to")
    before, after = _load(workspace, wait, from_, to)
    ids = None
    if group is not None:
        members = members_for([after, before], groups)
        ids = group_members(members, group)["institution_id"].to_list()
    comp = compare_editions(before, after, institution_ids=ids, field_from=field_from, field_to=field_to, sdg=sdg)
    table = comp.table
    if country is not None:
        table = table.filter(pl.col("country") == country_code(country))
    n1 = "?" if comp.field_from is None else f"{comp.field_from:,}"
    n2 = "?" if comp.field_to is None else f"{comp.field_to:,}"
    counts = dict(table.group_by("movement").len().iter_rows())
    what = "" if sdg is None else f"SDG {sdg} table, "
    title = f"{what}{before.id} ({n1} ranked) → {after.id} ({n2} ranked): " + ", ".join(
        f"{counts.get(m, 0)} {m}" for m in ("progressed", "maintained", "declined", "new", "left")
    )
    if _for_terminal(format, out):
        # a terminal shows what a reader needs; --format csv/json/xlsx carries every column
        shown = table.with_columns(
            **{
                before.id: _rank_with_pct("rank_from", "pct_low_from", "pct_high_from"),
                after.id: _rank_with_pct("rank_to", "pct_low_to", "pct_high_to"),
            }
        ).select(
            "name",
            *([] if country is not None else ["country"]),
            before.id,
            after.id,
            "movement",
            *(["significant"] if table["significant"].null_count() < table.height else []),
        )
        _emit(shown, format, out, title)
    else:
        _emit(table, format, out, title)


def _positions(frame: pl.DataFrame, terminal: bool) -> pl.DataFrame:
    """SDG-table positions as a terminal shows them (name, SDG, "55 of 566 (top 9.7%)", score); exports keep
    every column."""
    if not terminal:
        return frame
    pct = pl.col("percentile").round(1).cast(pl.String)
    pct_high = pl.col("percentile_high").round(1).cast(pl.String)
    where = pl.format("{} of {}", pl.col("rank"), pl.col("table_size"))
    return frame.select(
        "name",
        "sdg",
        position=pl.when(pl.col("table_size").is_null())
        .then(pl.col("rank"))
        .when(pl.col("percentile").is_null())
        .then(where)
        .when(pl.col("percentile") == pl.col("percentile_high"))
        .then(pl.format("{} (top {}%)", where, pct))
        .otherwise(pl.format("{} (top {}–{}%)", where, pct, pct_high)),
        score=pl.when(pl.col("score").is_not_null())
        .then(pl.col("score").round(1).cast(pl.String))
        .otherwise(pl.format("{}–{}", pl.col("score_low").round(1), pl.col("score_high").round(1))),
        counted=pl.col("counted"),
    )


def _rank_with_pct(rank: str, low: str, high: str) -> pl.Expr:
    """ "301–400 (top 27.0–35.9%)": the rank and its place relative to the field."""
    lo = pl.col(low).round(1).cast(pl.String)
    hi = pl.col(high).round(1).cast(pl.String)
    pct = pl.when(pl.col(low) == pl.col(high)).then(lo).otherwise(pl.format("{}–{}", lo, hi))
    return (
        pl.when(pl.col(rank).is_null())
        .then(pl.lit("–"))
        .when(pct.is_null())
        .then(pl.col(rank))
        .otherwise(pl.format("{} (top {}%)", pl.col(rank), pct))
    )


@app.command()
def summary(
    edition: EditionOption,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    wait: WaitOption = DEFAULT_WAIT,
    compare_with: Annotated[str | None, typer.Option("--compare", help="Previous edition id.")] = None,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country (ISO code or name).")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Group name.")] = None,
    groups: GroupsOption = None,
    lang: LangOption = "en",
    format: Annotated[str, typer.Option("--format", "-f", help="md, txt or json.")] = "md",
    out: OutOption = None,
) -> None:
    """A press-ready paragraph and its facts, every number computed from the data."""
    check_lang(lang)
    if format not in ("md", "txt", "json"):
        raise InputError(f"--format must be md, txt or json, not {format!r}", field="format")
    ids = [edition] + ([compare_with] if compare_with else [])
    loaded = _load(workspace, wait, *ids)
    ed, previous = loaded[0], (loaded[1] if compare_with else None)
    members = members_for(loaded, groups) if group is not None else None
    code = country_code(country) if country is not None else None
    s = summarise(ed, previous=previous, country=code, group=group, members=members, lang=lang)
    text = {"md": s.to_markdown, "txt": s.to_text, "json": s.to_json}[format]()
    if out is not None:
        from impactrank.io.atomic import write_text_atomic

        write_text_atomic(out, text)
        console.print(f"wrote {out}", highlight=False)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
