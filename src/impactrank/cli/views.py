"""``impactrank view``, ``impactrank compare`` and ``impactrank summary``: country and group views,
edition-over-edition comparison and press-ready narratives over any edition in the workspace."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NamedTuple

import polars as pl
import typer
from rich.table import Table
from rich.text import Text

from impactrank.cli.common import app, command_group, console, earlier, open_workspace, out_format
from impactrank.cli.options import GroupsOption, InWorkspace, Stored, in_workspace, opened_by, stored_edition
from impactrank.cli.text import _, cell, evidence, heading, ngettext, num, sdg_name, shown, span
from impactrank.countries import country_code, country_name
from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.compare import compare_editions
from impactrank.engine.views.lists import country_view, group_members, group_view, overall_view, sdg_view
from impactrank.errors import N_, InputError
from impactrank.i18n.templates import current
from impactrank.io.exports import export_table
from impactrank.io.groups import members_for
from impactrank.report.summary import summarise
from impactrank.report.typography import percent_range

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


class _View(NamedTuple):
    """What a view of one edition starts from: the edition and where the view goes (--format, --out)."""

    ed: Edition
    format: str | None
    out: Path | None


@opened_by(stored_edition)
def _view(stored: Stored, format: FormatOption = None, out: OutOption = None) -> _View:
    """The options and first steps of every ``view`` command: the edition loaded, the view's destination."""
    (ed,) = _load(stored.workspace, stored.wait, stored.edition)
    return _View(ed, format, out)


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
        raise InputError(
            N_("unknown format %(format)s (use %(formats)s)"),
            field="format",
            params={"format": repr(fmt), "formats": ", ".join(TABLE_FORMATS)},
        )
    if fmt == "table":
        if out is not None:
            raise InputError(N_("--out needs a file format: a suffix (.csv, .xlsx …) or --format"), field="out")
        _print_table(frame, title)
        return
    if out is not None:
        if out.is_dir():
            raise InputError(N_("%(out)s is a directory: give a file name"), field="out", params={"out": out})
        if not out.suffix:
            out = out.with_suffix(f".{fmt}")
        elif out_format(out, TABLE_FORMATS[1:]) != fmt:
            raise InputError(
                N_("--out %(name)s does not end in .%(format)s, the --format asked for"),
                field="out",
                params={"name": out.name, "format": fmt},
            )
        export_table(frame, out)
        console.print(
            ngettext("wrote %(file)s (%(count)s row)", "wrote %(file)s (%(count)s rows)", frame.height, file=out),
            highlight=False,
        )
        return
    if fmt in ("xlsx", "parquet"):
        raise InputError(N_("--format %(format)s is binary: give --out FILE"), field="out", params={"format": fmt})
    data = export_table(frame, fmt)
    sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()


def _print_table(frame: pl.DataFrame, title: str) -> None:
    if title:  # its own line, not the table's caption: never wrapped to the table's width
        console.print(Text(title))
    table = Table()
    for col in frame.columns:
        table.add_column(heading(col), overflow="fold")
    for row in frame.head(MAX_ROWS).iter_rows():
        # cells are Text, never markup: names come from outside tables
        table.add_row(*(Text(cell(c, v)) for c, v in zip(frame.columns, row, strict=True)))
    console.print(table)
    if frame.height > MAX_ROWS:
        more = frame.height - MAX_ROWS
        console.print(
            ngettext(
                "… %(count)s more row (use --format csv for all)",
                "… %(count)s more rows (use --format csv for all)",
                more,
            ),
            highlight=False,
        )


_OVERALL_COLS = ["rank", "name", "country", "overall_display", "top_sdgs"]


def _rank_first(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    """Show "45 (38–57)" instead of the bare rank when the edition has uncertainty results."""
    return ["rank_interval" if c == "rank" and "rank_interval" in frame.columns else c for c in columns]


@view_app.command("overall")
@opened_by(_view)
def view_overall(view: _View) -> None:
    """The overall table with names and countries."""
    ed, format, out = view
    ed.require_overall()
    frame = overall_view(ed)
    title = ngettext(
        "Overall table %(edition)s: %(count)s institution",
        "Overall table %(edition)s: %(count)s institutions",
        ed.overall.height,
        edition=ed.id,
    )
    _emit(
        frame.select(_rank_first(frame, _OVERALL_COLS)) if _for_terminal(format, out) else frame,
        format,
        out,
        title + ("" if ed.field_size == ed.overall.height else " " + _("(part of the table)")),
    )


@view_app.command("sdg")
@opened_by(_view)
def view_sdg(view: _View, sdg: Annotated[int, typer.Argument(help="SDG number, 1–17.")]) -> None:
    """One SDG table (an overall table imported without its SDG tables holds only SDG 17 and each institution's
    top three SDGs)."""
    ed, format, out = view
    frame = sdg_view(ed, sdg)
    shown = (
        frame.select(_rank_first(frame, ["rank", "name", "country", "score", "score_low", "score_high"]))
        if _for_terminal(format, out)
        else frame
    )
    title = ngettext(
        "%(sdg)s table %(edition)s: %(count)s institution",
        "%(sdg)s table %(edition)s: %(count)s institutions",
        frame.height,
        sdg=sdg_name(sdg),
        edition=ed.id,
    )
    _emit(shown, format, out, title)


@view_app.command("country")
@opened_by(_view)
def view_country(
    view: _View,
    country: Annotated[str, typer.Argument(help="ISO code or English name, e.g. FR or France.")],
    sdgs: Annotated[bool, typer.Option("--sdgs", help="Show the SDG-table positions instead.")] = False,
    bands: Annotated[bool, typer.Option("--bands", help="Show the distribution over bands instead.")] = False,
) -> None:
    """A country's institutions with national rank ("=1" when shared), count and bands."""
    ed, format, out = view
    if not sdgs:
        ed.require_overall()
    code = country_code(country)
    cv = country_view(ed, code)
    title = _(
        "%(country)s in %(edition)s: %(count)s of %(size)s institutions in the overall table (national ranks follow "
        "the displayed world rank: a shared band is a shared place)",
        country=country_name(code, current()),
        edition=ed.id,
        count=num(cv.count),
        size=num(cv.field_size) if cv.field_size is not None else "?",
    )
    if sdgs:
        positions = _positions(cv.sdg_positions, _for_terminal(format, out))
        _emit(positions, format, out, title + " — " + _("SDG positions"))
    elif bands:
        _emit(cv.bands, format, out, title + " — " + _("by band"))
    else:
        shown = (
            cv.table.select("national_rank", "rank", "name", "overall_display", "top_sdgs")
            if _for_terminal(format, out)
            else cv.table
        )
        _emit(shown, format, out, title)
        if _for_terminal(format, out) and cv.bands.height:
            _print_table(cv.bands, _("By band (count in the country, count in the whole table)"))
    if _for_terminal(format, out):
        _print_flagged(cv.flagged, code)


def _print_flagged(flagged: list[dict], code: str) -> None:
    """The import's country flags into or out of the country, one line each, and how to apply them."""
    lang = current()
    for f in flagged:
        where = (
            _(" is probably in %(country)s", country=country_name(f["suggested"], lang)) if f.get("suggested") else ""
        )
        line = _(
            "flagged: %(name)s, filed under %(country)s,%(where)s (%(evidence)s)",
            name=f["name"],
            country=country_name(f["country"], lang),
            where=where,
            evidence=evidence(f),
        )
        console.print(Text(line), highlight=False)
    if flagged:
        console.print(
            _(
                "The source's country is kept; impactrank import --suggest-corrections FILE writes these as "
                "corrections to review and apply with --corrections FILE."
            ),
            highlight=False,
        )


@view_app.command("group")
@opened_by(_view)
def view_group(
    view: _View,
    group: Annotated[str, typer.Argument(help="Group name (case-insensitive).")],
    groups: GroupsOption = None,
    sdgs: Annotated[bool, typer.Option("--sdgs", help="Show the members' SDG-table positions instead.")] = False,
) -> None:
    """A group's members: ranked (world and national rank, top SDGs) and absent ones."""
    ed, format, out = view
    if not sdgs:
        ed.require_overall()
    members = members_for([ed], groups)
    gv = group_view(ed, members, group)
    title = _(
        "%(group)s in %(edition)s: %(count)s of %(members)s members in the overall table",
        group=gv.group,
        edition=ed.id,
        count=num(gv.ranked.height),
        members=num(gv.members),
    )
    if sdgs:
        _emit(_positions(gv.sdg_positions, _for_terminal(format, out)), format, out, title + " — " + _("SDG positions"))
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
@opened_by(in_workspace)
def compare(
    at: InWorkspace,
    from_: Annotated[str, typer.Option("--from", help="Earlier edition id.")],
    to: Annotated[str, typer.Option("--to", help="Later edition id.")],
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
        raise InputError(
            N_("--from and --to name the same edition (%(edition)s): compare two editions"),
            field="to",
            params={"edition": to},
        )
    before, after = _load(at.workspace, at.wait, from_, to)
    earlier(before, after, "from")
    ids = None
    if group is not None:
        members = members_for([after, before], groups)
        ids = group_members(members, group)["institution_id"].to_list()
    comp = compare_editions(before, after, institution_ids=ids, field_from=field_from, field_to=field_to, sdg=sdg)
    table = comp.table
    if country is not None:
        table = table.filter(pl.col("country") == country_code(country))
    counts = dict(table.group_by("movement").len().iter_rows())
    title = _(
        "%(before)s (%(n1)s ranked) → %(after)s (%(n2)s ranked): %(counts)s",
        before=before.id,
        n1="?" if comp.field_from is None else num(comp.field_from),
        after=after.id,
        n2="?" if comp.field_to is None else num(comp.field_to),
        counts=", ".join(
            f"{num(counts.get(m, 0))} {cell('movement', m)}"
            for m in ("progressed", "maintained", "declined", "new", "left")
        ),
    )
    if sdg is not None:
        title = _("%(sdg)s table, ", sdg=sdg_name(sdg)) + title
    if _for_terminal(format, out):
        # a terminal shows what a reader needs; --format csv/json/xlsx carries every column
        shown = table.with_columns(
            _rank_with_pct(table, before.id, "rank_from", "pct_low_from", "pct_high_from"),
            _rank_with_pct(table, after.id, "rank_to", "pct_low_to", "pct_high_to"),
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
    rows = []
    for r in frame.iter_rows(named=True):
        position = shown(r["rank"])
        if r["table_size"] is not None:
            position = _("%(rank)s of %(count)s", rank=position, count=num(r["table_size"]))
            if r["percentile"] is not None:
                share = percent_range(r["percentile"], r["percentile_high"], current())
                position += " (" + _("top %(share)s", share=share) + ")"
        score = num(r["score"], 1) if r["score"] is not None else span(r["score_low"], r["score_high"])
        rows.append({"name": r["name"], "sdg": r["sdg"], "position": position, "score": score, "counted": r["counted"]})
    schema = {"name": pl.String, "sdg": frame.schema["sdg"], "position": pl.String, "score": pl.String}
    return pl.DataFrame(rows, schema={**schema, "counted": frame.schema["counted"]})


def _rank_with_pct(frame: pl.DataFrame, name: str, rank: str, low: str, high: str) -> pl.Series:
    """ "301–400 (top 27.0–35.9%)": the rank and its place relative to the field."""

    def one(r: str | None, lo: float | None, hi: float | None) -> str:
        if r is None:
            return "–"
        if lo is None:
            return shown(r)
        return f"{shown(r)} (" + _("top %(share)s", share=percent_range(lo, hi, current())) + ")"

    values = [one(*row) for row in frame.select(rank, low, high).iter_rows()]
    return pl.Series(name, values, dtype=pl.String)


def _summary_format(format: str | None, out: Path | None) -> str:
    """The format asked for, else the one --out's suffix names, else md; a suffix naming another is refused."""
    named = {".md": "md", ".txt": "txt", ".json": "json"}.get(out.suffix.lower()) if out and out.suffix else None
    if out is not None and out.suffix and named is None:
        raise InputError(
            N_("--out %(name)s: this command writes %(wanted)s, not %(suffix)s"),
            field="out",
            params={"name": out.name, "wanted": ".md, .txt, .json", "suffix": out.suffix},
        )
    if format is not None and named is not None and format.lower() != named:
        raise InputError(
            N_("--out %(name)s does not end in .%(format)s, the --format asked for"),
            field="out",
            params={"name": out.name, "format": format},
        )
    return (format or named or "md").lower()


@app.command()
@opened_by(stored_edition)
def summary(
    stored: Stored,
    compare_with: Annotated[str | None, typer.Option("--compare", help="Previous edition id.")] = None,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country (ISO code or name).")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Group name.")] = None,
    groups: GroupsOption = None,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="md, txt or json (default: --out's suffix, else md).")
    ] = None,
    out: OutOption = None,
    forecast: Annotated[
        bool, typer.Option("--forecast", help="Add next year's band of the best-placed institution (published).")
    ] = False,
) -> None:
    """A press-ready paragraph and its facts, every number computed from the data."""
    format = _summary_format(format, out)
    if format not in ("md", "txt", "json"):
        raise InputError(
            N_("--format must be md, txt or json, not %(format)s"), field="format", params={"format": repr(format)}
        )
    ids = [stored.edition] + ([compare_with] if compare_with else [])
    loaded = _load(stored.workspace, stored.wait, *ids)
    ed, previous = loaded[0], earlier(loaded[1], loaded[0], "compare") if compare_with else None
    members = members_for(loaded, groups) if group is not None else None
    code = country_code(country) if country is not None else None
    fc = None
    if forecast:
        from impactrank.cli.forecast import forecast_of

        fc = forecast_of(stored.workspace, stored.wait, stored.edition)
    s = summarise(ed, previous=previous, country=code, group=group, members=members, lang=current(), forecast=fc)
    text = {"md": s.to_markdown, "txt": s.to_text, "json": s.to_json}[format]()
    if out is not None:
        from impactrank.io.atomic import write_text_atomic

        write_text_atomic(out, text)
        console.print(f"wrote {out}", highlight=False)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
