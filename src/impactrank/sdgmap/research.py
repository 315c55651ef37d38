"""Research metrics per institution and SDG, in the ranking's submissions long format.

Counting is full counting (a paper counts once for every institution on it). FWCI is the mean over
papers of citations ÷ expected citations; when a table has no expected citations the expectation is
the mean citations of papers of the same field and year in the same table. Shares are fractions 0–1
over all of the institution's papers for that SDG: a paper with no journal percentile is not in the
top 10 %, a paper with no co-author country has no LMIC co-author.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

import polars as pl

from impactrank.errors import N_, InputError
from impactrank.io.atomic import atomic_path
from impactrank.io.delimited import read_text_table
from impactrank.sdgmap.publications import row_number

METRICS_ORDER = ("sdg_publications", "sdg_fwci", "sdg_top10_journals", "lmic_coauthorship", "all_sdg_publications")
OUTPUT_SCHEMA = {"institution_id": pl.String, "sdg": pl.Int64, "metric": pl.String, "value": pl.Float64}
TOP10_PERCENTILE = 90.0
_ALIASES = {
    "institution_ids": ("institution_ids", "institutions", "institution_id"),
    "countries": ("countries", "coauthor_countries", "country_codes"),
    "expected_citations": ("expected_citations", "expected"),
    "journal_percentile": ("journal_percentile", "citescore_percentile", "percentile"),
}
_LIST_SPLIT = r"[^;,|\s]+"
# Columns read as numbers (under any of their names), with the file's decimal mark.
NUMERIC_COLUMNS = ("citations", *_ALIASES["expected_citations"], *_ALIASES["journal_percentile"])


def load_lmic(path: Path | str | None = None) -> frozenset[str]:
    """ISO alpha-2 codes of low and lower-middle income economies (bundled World Bank FY2025 list); a list of
    one's own is a CSV with an ``iso2`` column (lines starting with # are comments)."""
    if path is None:
        source = resources.files("impactrank.sdgmap") / "data" / "lmic_economies.csv"
        df = pl.read_csv(source.read_bytes(), comment_prefix="#", infer_schema=False)
        return frozenset(c.strip().upper() for c in df["iso2"].drop_nulls().to_list())
    table = read_text_table(path, name=str(path), comment="#")
    header, rows = table.records()
    header = [h.strip() for h in header]
    if "iso2" not in header:
        raise table.error(N_("LMIC list needs an 'iso2' column"), row=table.header_row, field="iso2")
    k = header.index("iso2")
    return frozenset(r[k].strip().upper() for _, r in rows if len(r) > k and r[k].strip())


def _column(df: pl.DataFrame, name: str, required: bool, file: str | None) -> str | None:
    for alias in _ALIASES.get(name, (name,)):
        if alias in df.columns:
            return alias
    if required:
        raise InputError(
            N_("publications need a %(column)r column (columns: %(columns)s)"),
            file=file,
            field=name,
            params={"column": name, "columns": ", ".join(df.columns)},
        )
    return None


def _as_list(df: pl.DataFrame, col: str, inner: pl.DataType) -> pl.Expr:
    dtype = df.schema[col]
    if isinstance(dtype, pl.List):
        return pl.col(col).cast(pl.List(pl.String)).list.eval(pl.element().str.strip_chars()).cast(pl.List(inner))
    return pl.col(col).cast(pl.String).str.extract_all(_LIST_SPLIT).cast(pl.List(inner))


def _number(df: pl.DataFrame, col: str | None, name: str, file: str | None, rows: pl.Series | None) -> pl.Series:
    if col is None:
        return pl.Series(name, [None] * df.height, dtype=pl.Float64)
    raw = df[col]
    num = raw.cast(pl.Float64, strict=False)
    bad = num.is_null() & raw.is_not_null() & (raw.cast(pl.String).str.strip_chars() != "")
    if bad.any():
        index = int(bad.arg_max())  # type: ignore[arg-type]
        raise InputError(
            N_("not a number: %(value)r"),
            file=file,
            row=row_number(index, rows),
            field=col,
            params={"value": raw[index]},
        )
    if (num < 0).any():  # counts, expectations and percentiles: a negative one is a mistake, not a value
        index = int((num < 0).arg_max())  # type: ignore[arg-type]
        raise InputError(
            N_("%(value)s cannot be negative"), file=file, row=row_number(index, rows), field=col,
            params={"value": raw[index]},
        )  # fmt: skip
    return num.alias(name)


def prepare(
    pubs: pl.DataFrame,
    labels: pl.DataFrame | None = None,
    years: tuple[int, int] | None = None,
    file: str | None = None,
    rows: pl.Series | None = None,
) -> pl.DataFrame:
    """One row per paper: work_id, institutions, sdgs, citations, expected, percentile, countries (``rows``:
    the publications' row numbers, for messages)."""
    id_col = _column(pubs, "work_id", True, file)
    inst_col = _column(pubs, "institution_ids", True, file)
    exprs = [
        pl.col(id_col).cast(pl.String).alias("work_id"),
        _as_list(pubs, inst_col, pl.String).alias("institutions"),  # type: ignore[arg-type]
    ]
    if labels is None:
        sdg_col = _column(pubs, "sdgs", True, file)
        exprs.append(_as_list(pubs, sdg_col, pl.Int64).alias("sdgs"))  # type: ignore[arg-type]
    country_col = _column(pubs, "countries", False, file)
    exprs.append(
        _as_list(pubs, country_col, pl.String).list.eval(pl.element().str.to_uppercase()).alias("countries")
        if country_col
        else pl.lit([], dtype=pl.List(pl.String)).alias("countries")
    )
    for opt in ("year", "field"):
        col = _column(pubs, opt, False, file)
        exprs.append(pl.col(col).cast(pl.String).alias(opt) if col else pl.lit(None, pl.String).alias(opt))
    try:
        frame = pubs.select(exprs)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            N_("cannot read publications: %(reason)s"), file=file, params={"reason": str(exc).splitlines()[0]}
        ) from None
    again = ~frame["work_id"].is_first_distinct() & frame["work_id"].is_not_null()
    if again.any():  # a paper counted twice, or two papers under one id: either way a metric would be wrong
        index = int(again.arg_max())  # type: ignore[arg-type]
        raise InputError(
            N_("work id %(id)r is on more than one row"), file=file, row=row_number(index, rows), field=id_col,
            params={"id": frame["work_id"][index]},
        )  # fmt: skip
    frame = frame.with_columns(
        _number(pubs, _column(pubs, "citations", False, file), "citations", file, rows),
        _number(pubs, _column(pubs, "expected_citations", False, file), "expected", file, rows),
        _number(pubs, _column(pubs, "journal_percentile", False, file), "percentile", file, rows),
    )
    if labels is not None:
        if "work_id" not in labels.columns or "sdgs" not in labels.columns:
            raise InputError(N_("labels need 'work_id' and 'sdgs' columns (as written by 'sdg classify')"))
        lab = labels.select(pl.col("work_id").cast(pl.String), _as_list(labels, "sdgs", pl.Int64).alias("sdgs"))  # type: ignore[arg-type]
        lab = lab.group_by("work_id").agg(
            pl.col("sdgs").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
        )
        frame = frame.join(lab, on="work_id", how="left").with_columns(
            pl.col("sdgs").fill_null(pl.lit([], dtype=pl.List(pl.Int64)))
        )
    if years is not None:
        year = frame["year"].cast(pl.Int64, strict=False)
        if year.is_null().all():
            raise InputError(
                N_("a year range was given but the publications have no usable 'year' column"), file=file, field="year"
            )
        frame = frame.filter(year.is_between(years[0], years[1]))
    return frame


def paper_indicators(frame: pl.DataFrame, lmic: Iterable[str]) -> pl.DataFrame:
    """Adds fwci (None when unknown), top10 and lmic flags per paper."""
    lmic_list = sorted(set(lmic))
    expected = pl.col("expected")
    if frame["expected"].is_null().all() and not frame["field"].is_null().all():
        # Field-and-year baseline from the table itself: the mean citations of its peers.
        expected = pl.col("citations").mean().over(["field", "year"])
    fwci = pl.when(expected > 0).then(pl.col("citations") / expected).otherwise(None)
    return frame.with_columns(
        fwci=fwci,
        top10=(pl.col("percentile") >= TOP10_PERCENTILE).fill_null(False),
        lmic=pl.col("countries").list.eval(pl.element().is_in(lmic_list)).list.any().fill_null(False),
    )


def research_metrics(
    pubs: pl.DataFrame,
    labels: pl.DataFrame | None = None,
    lmic: Iterable[str] | None = None,
    years: tuple[int, int] | None = None,
    keep: Mapping[int, set[str]] | None = None,
    file: str | None = None,
    rows: pl.Series | None = None,
) -> pl.DataFrame:
    """``institution_id, sdg, metric, value`` rows; ``keep`` (SDG → metric ids) limits them to a methodology's."""
    frame = paper_indicators(prepare(pubs, labels, years, file, rows), load_lmic() if lmic is None else lmic)
    per_inst = (
        frame.explode("institutions")
        .rename({"institutions": "institution_id"})
        .filter(pl.col("institution_id").is_not_null() & (pl.col("institution_id") != ""))
        .unique(["work_id", "institution_id"], keep="first", maintain_order=True)
    )
    institutions = per_inst.select("institution_id").unique()
    by_sdg = (
        per_inst.explode("sdgs")
        .rename({"sdgs": "sdg"})
        .filter(pl.col("sdg").is_between(1, 16))
        .unique(["work_id", "institution_id", "sdg"], keep="first", maintain_order=True)
    )
    grid = institutions.join(pl.DataFrame({"sdg": list(range(1, 17))}, schema={"sdg": pl.Int64}), how="cross")
    agg = by_sdg.group_by("institution_id", "sdg").agg(
        sdg_publications=pl.len().cast(pl.Float64),
        sdg_fwci=pl.col("fwci").mean(),
        sdg_top10_journals=pl.col("top10").mean(),
        lmic_coauthorship=pl.col("lmic").mean(),
    )
    wide = grid.join(agg, on=["institution_id", "sdg"], how="left").with_columns(
        pl.col("sdg_publications").fill_null(0.0)
    )
    any_sdg = per_inst.filter(pl.col("sdgs").list.eval(pl.element().is_between(1, 17)).list.any())
    sdg17 = institutions.join(
        any_sdg.group_by("institution_id").agg(
            all_sdg_publications=pl.len().cast(pl.Float64), lmic_coauthorship=pl.col("lmic").mean()
        ),
        on="institution_id",
        how="left",
    ).with_columns(sdg=pl.lit(17, pl.Int64), all_sdg_publications=pl.col("all_sdg_publications").fill_null(0.0))
    long = pl.concat(
        [
            wide.unpivot(index=["institution_id", "sdg"], on=list(METRICS_ORDER[:4]), variable_name="metric"),
            sdg17.unpivot(
                index=["institution_id", "sdg"],
                on=["lmic_coauthorship", "all_sdg_publications"],
                variable_name="metric",
            ),
        ]
    ).filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())
    if keep is not None:
        allowed = pl.DataFrame(
            [{"sdg": s, "metric": m} for s, ms in keep.items() for m in ms],
            schema={"sdg": pl.Int64, "metric": pl.String},
        )
        long = long.join(allowed, on=["sdg", "metric"], how="semi")
    order = pl.DataFrame({"metric": list(METRICS_ORDER), "_o": list(range(len(METRICS_ORDER)))})
    return (
        long.with_columns(pl.col("value").round(6))
        .join(order, on="metric", how="left")
        .sort("institution_id", "sdg", "_o")
        .select(list(OUTPUT_SCHEMA))
        .cast(OUTPUT_SCHEMA)  # type: ignore[arg-type]
    )


def methodology_metrics(ref: str | Path) -> dict[int, set[str]]:
    """SDG → bibliometric metric ids of a methodology, so the output only holds what ``build`` accepts."""
    from impactrank.methodology.load import load_methodology

    m = load_methodology(ref)
    return {s.sdg: {x.id for x in s.metrics if x.id in METRICS_ORDER} for s in m.sdgs}


def write_metrics(metrics: pl.DataFrame, out: Path | str) -> None:
    with atomic_path(out) as tmp:
        metrics.write_csv(tmp, float_precision=6)
