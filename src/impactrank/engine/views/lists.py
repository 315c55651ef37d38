"""Views over one edition: the overall and SDG tables with names, a country's institutions with their
national rank, a group's members, and every SDG-table position of a set of institutions.

National ranks follow the displayed world rank, not hidden scores: institutions whose displayed rank is the
same interval (the same exact rank, or the same band) share a national rank, because a published band
gives no order inside it ("IMT Atlantique, Nantes and PSL are joint first in France", not "IMT Atlantique
leads"). The national rank is a competition ranking (1, =2, =2, 4) on the world rank interval.

Pure: tables in, tables out; no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import decimals, visible, with_band_ranges
from impactrank.errors import N_, InputError

_NAMES = ["institution_id", "name", "country"]
_RANK = ("rank", "rank_position", "rank_low", "rank_high", "band")
_RANKED_ROW = (*_RANK, *_NAMES)  # how a ranked row is shown
_NATIONAL = ("national_rank", "national_position", "national_tied")
_SCORED = ("overall_display", "overall_score", "top_sdgs")
OVERALL_SCORES = (
    "overall_display",
    "overall_score",
    "overall_low",
    "overall_high",
    "sdg17_score",
    "sdg17_low",
    "sdg17_high",
    "top_sdgs",
)  # an overall row's scores, in the order every table shows them
_BANDED = pl.col("band").is_not_null() & (pl.col("band") != "")  # "" tolerated as "no band"
_PLACE = pl.coalesce("rank_low", "rank_position")  # the first place a row may hold: a band lists its rows by name


def _overall(edition: Edition) -> pl.DataFrame:
    """The overall table with each band's score range in its rows' low and high scores (see engine.tables.shown)."""
    return with_band_ranges(edition.overall, "overall_low", "overall_high")


def _sdg_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """SDG-table rows (whole tables) with each band's score range in its rows' low and high scores."""
    return with_band_ranges(rows, "score_low", "score_high", by=("sdg",))


def in_published_order(frame: pl.DataFrame, score: pl.Expr, places: int) -> pl.DataFrame:
    """Rows as a published table lists them: by rank (first place, then last, so a rebuilt "=13–15" follows
    "=13"), then the ``score`` a row shows at ``places`` decimals, highest first (a band shows none: its rows go
    by name, as do a tie's), then name."""
    shown = pl.when(_BANDED).then(None).otherwise(score.round(places))
    return frame.sort(
        [_PLACE, pl.col("rank_high"), shown, pl.col("name"), pl.col("institution_id")],
        descending=[False, False, True, False, False],
        nulls_last=True,
    )


def _with_names(frame: pl.DataFrame, edition: Edition) -> pl.DataFrame:
    names = edition.institutions.select(_NAMES).unique("institution_id", keep="first", maintain_order=True)
    return frame.join(names, on="institution_id", how="left", maintain_order="left")


def _order_key(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    """One integer per displayed rank interval, ordering intervals by start then end (open end last)."""
    return low.cast(pl.Int64) * 10_000_000 + high.fill_null(9_999_999).clip(upper_bound=9_999_999).cast(pl.Int64)


def with_national_ranks(overall: pl.DataFrame) -> pl.DataFrame:
    """Add national_position (competition rank within the country on the displayed world rank interval),
    national_tied and national_rank ("=1" when shared). Needs columns country, rank_low, rank_high."""
    key = _order_key(pl.col("rank_low"), pl.col("rank_high"))
    ranked = pl.col("rank_low").is_not_null() & pl.col("country").is_not_null()
    return (
        overall.with_columns(_key=pl.when(ranked).then(key))
        .with_columns(
            national_position=pl.col("_key").rank("min").over("country").cast(pl.Int64),
            national_tied=pl.when(pl.col("_key").is_not_null()).then(pl.len().over("country", "_key") > 1),
        )
        .with_columns(
            national_rank=pl.when(pl.col("national_tied"))
            .then(pl.format("={}", pl.col("national_position")))
            .otherwise(pl.col("national_position").cast(pl.String)),
        )
        .drop("_key")
    )


def rank_interval_expr() -> pl.Expr:
    """ "45 (37–58)": the displayed rank with its simulated 90 % interval widened outward to whole places
    (5th percentile down, 95th up), where ``rank_p05`` and ``rank_p95`` are known; else the displayed rank."""
    return (
        pl.when(pl.col("rank_p05").is_not_null() & pl.col("rank_p95").is_not_null())
        .then(
            pl.format(
                "{} ({}–{})",
                pl.col("rank"),
                pl.col("rank_p05").floor().cast(pl.Int64),
                pl.col("rank_p95").ceil().cast(pl.Int64),
            )
        )
        .otherwise(pl.col("rank"))
        .alias("rank_interval")
    )


def with_rank_intervals(frame: pl.DataFrame, edition: Edition, table: str) -> pl.DataFrame:
    """Add ``rank_interval`` when the edition carries uncertainty results for ``table`` ("overall", "sdg1" …);
    otherwise return ``frame``."""
    unc = edition.rank_uncertainty.filter(pl.col("table") == table)
    if unc.height == 0:
        return frame
    return (
        frame.join(
            unc.select("institution_id", "rank_p05", "rank_p95"), on="institution_id", how="left", maintain_order="left"
        )
        .with_columns(rank_interval_expr())
        .drop("rank_p05", "rank_p95")
    )


def overall_view(edition: Edition) -> pl.DataFrame:
    """The overall table as published, with name and country, in published order (:func:`in_published_order`);
    with ``rank_interval`` when the edition has uncertainty results."""
    frame = with_rank_intervals(_with_names(_overall(edition), edition), edition, "overall")
    extra = ["rank_interval"] if "rank_interval" in frame.columns else []
    frame = in_published_order(frame, pl.col("overall_score"), decimals(edition)).select(
        *extra,
        *_RANKED_ROW,
        *OVERALL_SCORES,
        "quality",
    )
    return visible(frame)


def sdg_table_sizes(edition: Edition) -> pl.DataFrame:
    """sdg, table_size for the SDG tables the edition holds whole (none for a table imported without them)."""
    sizes = edition.sdg_table_sizes()
    return pl.DataFrame(
        {"sdg": list(sizes), "table_size": list(sizes.values())}, schema={"sdg": pl.Int64, "table_size": pl.Int64}
    )


def sdg_view(edition: Edition, sdg: int) -> pl.DataFrame:
    """One SDG table, ranked, when the edition holds it (built, or imported with its SDG tables); otherwise
    the SDG scores the overall table shows (each institution's top three and SDG 17), ordered by score."""
    if not 1 <= int(sdg) <= 17:
        raise InputError(N_("SDG must be 1–17, not %(sdg)s"), field="sdg", params={"sdg": sdg})
    edition.require_sdg(sdg)
    frame = _with_names(_sdg_rows(edition.sdg_table(sdg)), edition)
    frame = visible(with_rank_intervals(frame, edition, f"sdg{int(sdg)}"))
    extra = ["rank_interval"] if "rank_interval" in frame.columns else []
    return in_published_order(frame, pl.coalesce("score", "score_high"), decimals(edition)).select(
        *extra,
        "rank",
        "rank_position",
        "rank_low",
        "rank_high",
        "band",
        "institution_id",
        "name",
        "country",
        "score",
        "score_low",
        "score_high",
        "scaled_score",
        "counted",
        "quality",
    )


def sdg_positions(edition: Edition, institution_ids: list[str]) -> pl.DataFrame:
    """Every SDG table entry of the given institutions: rank, score, table size and the rank as a share of
    the table (``percentile``–``percentile_high``, top x–y %: a band's first and last place; null when the
    edition does not hold that SDG table whole)."""
    ids = pl.Series("institution_id", list(dict.fromkeys(institution_ids)), dtype=pl.String)
    frame = edition.derived("sdg_positions", lambda: _all_sdg_positions(edition))
    return frame.filter(pl.col("institution_id").is_in(ids.implode())).sort(["institution_id", "sdg"])


def _all_sdg_positions(edition: Edition) -> pl.DataFrame:
    """Every institution's SDG positions (what :func:`sdg_positions` picks from): made once per edition."""
    frame = visible(
        _sdg_rows(edition.sdg_table_rows()).join(sdg_table_sizes(edition), on="sdg", how="left"), "table_size"
    )
    frame = _with_names(frame, edition).rename({"share_low": "percentile", "share_high": "percentile_high"})
    return frame.select(
        "institution_id",
        "name",
        "country",
        "sdg",
        "rank",
        "rank_position",
        "rank_low",
        "rank_high",
        "band",
        "table_size",
        "percentile",
        "percentile_high",
        "score",
        "score_low",
        "score_high",
        "counted",
    )


def _band_bucket(frame: pl.DataFrame) -> pl.DataFrame:
    """Band label per ranked row; individually ranked rows fall in "1–k", k the position before the first band.
    Rows without a rank (an imported row whose rank did not read) are left out: they are in no band."""
    frame = frame.filter(pl.col("rank_low").is_not_null())
    first_band = frame.filter(_BANDED)["rank_low"].min()
    top_end = (first_band - 1) if first_band is not None else frame["rank_high"].max()
    top_label = f"1–{top_end}" if top_end is not None else None
    return frame.with_columns(
        bucket=pl.when(_BANDED).then(pl.col("band")).otherwise(pl.lit(top_label, pl.String)),
        bucket_low=pl.when(_BANDED).then(pl.col("rank_low")).otherwise(pl.lit(1, pl.Int64)),
    )


@dataclass
class CountryView:
    """A country's institutions in one edition: national ranks, counts by band, SDG positions."""

    country: str  # ISO alpha-2
    edition: str
    count: int  # institutions of the country in the overall table
    field_size: int | None  # institutions in the whole overall table (None for partial imports)
    table: pl.DataFrame  # national_rank, national_position, national_tied, world rank, name, …
    bands: pl.DataFrame  # band, band_low, count (country), field_count (whole table): ranked rows only
    sdg_positions: pl.DataFrame
    leaders: list[str]  # names sharing national position 1 (more than one means a tie)
    flagged: list[dict]  # the import's country suggestions to or from the country: name, country, suggested, …


def country_flags(edition: Edition, code: str) -> list[dict]:
    """The rows the import flagged as filed under the wrong country, into or out of ``code`` (name, country,
    suggested, flags, evidence): a reader of a country finds its institutions the source filed elsewhere."""
    suggestions = edition.manifest.get("country_suggestions") or []
    return [s for s in suggestions if code in (s.get("country"), s.get("suggested"))]


@dataclass(frozen=True)
class _National:
    """The overall table with names and national ranks, by country, and its ranked rows by band: made once per
    edition, read by every country's view."""

    named: dict[str, pl.DataFrame]
    bucketed: dict[str, pl.DataFrame]
    field_counts: pl.DataFrame
    empty: pl.DataFrame
    empty_bucketed: pl.DataFrame


def _national(edition: Edition) -> _National:
    named = with_national_ranks(_with_names(_overall(edition), edition))
    bucketed = _band_bucket(named)

    def by_country(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
        parts = frame.partition_by("country", as_dict=True, maintain_order=True)
        return {key[0]: part for key, part in parts.items() if key[0] is not None}

    return _National(
        named=by_country(named),
        bucketed=by_country(bucketed),
        field_counts=bucketed.group_by("bucket", "bucket_low").agg(field_count=pl.len()),
        empty=named.clear(),
        empty_bucketed=bucketed.clear(),
    )


def country_view(edition: Edition, country: str) -> CountryView:
    """The institutions of one country (ISO alpha-2 code, case-insensitive) with their national rank."""
    code = (country or "").strip().upper()
    national = edition.derived("national", lambda: _national(edition))
    table = visible(
        national.named.get(code, national.empty)
        .sort(["national_position", "rank_high", "name", "institution_id"], nulls_last=True)
        .select(*_NATIONAL, *_RANKED_ROW, *_SCORED)
    )
    field_counts = national.field_counts
    bands = (
        national.bucketed.get(code, national.empty_bucketed)
        .group_by("bucket", "bucket_low")
        .agg(count=pl.len())
        .join(field_counts, on=["bucket", "bucket_low"], how="left")
        .sort("bucket_low", nulls_last=True)
        .rename({"bucket": "band", "bucket_low": "band_low"})
        .select("band", "band_low", "count", "field_count")
    )
    if edition.field_size is None:  # a partial table: its rows per band are not the whole table's
        bands = bands.with_columns(field_count=pl.lit(None, pl.UInt32))
    all_ids = edition.institutions.filter(pl.col("country") == code)["institution_id"].to_list()
    leaders = table.filter(pl.col("national_position") == 1)["name"].to_list()
    return CountryView(
        country=code,
        edition=edition.id,
        count=table.height,
        field_size=edition.field_size,
        table=table,
        bands=bands,
        sdg_positions=sdg_positions(edition, all_ids),
        leaders=leaders,
        flagged=country_flags(edition, code),
    )


@dataclass
class GroupView:
    """A group's members in one edition: those ranked (with national rank), those absent, SDG positions."""

    group: str
    edition: str
    members: int  # members listed for the group
    ranked: pl.DataFrame  # members in the overall table, best first
    absent: pl.DataFrame  # institution_id, name, country, reason
    sdg_positions: pl.DataFrame


def groups_from_institutions(edition: Edition) -> pl.DataFrame:
    """Members from the institutions' semicolon-separated ``groups`` column."""
    return (
        edition.institutions.select("institution_id", "name", "country", group=pl.col("groups").str.split(";"))
        .explode("group")
        .with_columns(pl.col("group").str.strip_chars())
        .filter(pl.col("group").is_not_null() & (pl.col("group") != ""))
        .select("group", "institution_id", "name", "country")
        .unique(["group", "institution_id"], keep="first", maintain_order=True)
        .sort("group", "institution_id")
    )


def group_members(members: pl.DataFrame, group: str) -> pl.DataFrame:
    """Rows of ``members`` (group, institution_id[, name, country]) for one group, case-insensitively."""
    wanted = group.strip().casefold()
    folded = pl.col("group").str.strip_chars().map_elements(str.casefold, return_dtype=pl.String)
    rows = members.filter(folded == wanted)
    if rows.height == 0:
        known = sorted(set(members["group"].drop_nulls().to_list())) if "group" in members.columns else []
        raise InputError(
            N_("no group %(group)s (groups: %(known)s)"),
            field="group",
            params={"group": repr(group), "known": known},
        )
    return rows.unique("institution_id", keep="first", maintain_order=True)


def group_view(edition: Edition, members: pl.DataFrame, group: str) -> GroupView:
    """Members of ``group`` ranked in the edition (world and national rank, top SDGs) and those absent,
    distinguishing "in SDG tables only" from "not in the edition"."""
    rows = group_members(members, group)
    ids = rows["institution_id"].to_list()
    named = with_national_ranks(_with_names(_overall(edition), edition))
    ranked = visible(
        in_published_order(
            named.filter(pl.col("institution_id").is_in(ids)), pl.col("overall_score"), decimals(edition)
        ).select(*_NAMES, *_RANK, *_NATIONAL, *_SCORED)
    )
    ranked_ids = set(ranked["institution_id"].to_list())
    in_sdg = set(edition.sdg_scores.filter(pl.col("institution_id").is_in(ids))["institution_id"].to_list())
    listed = rows.select(
        "institution_id",
        *(pl.col(c).alias(f"_{c}") for c in ("name", "country") if c in rows.columns),
    )
    absent = _with_names(listed.filter(~pl.col("institution_id").is_in(sorted(ranked_ids))), edition)
    for c in ("name", "country"):
        if f"_{c}" in absent.columns:
            absent = absent.with_columns(pl.coalesce(c, f"_{c}").alias(c)).drop(f"_{c}")
    absent = (
        absent.with_columns(
            reason=pl.when(pl.col("institution_id").is_in(sorted(in_sdg)))
            .then(pl.lit("in SDG tables only"))
            .otherwise(pl.lit("not in the edition"))
        )
        .select("institution_id", "name", "country", "reason")
        .sort("name", "institution_id", nulls_last=True)
    )
    return GroupView(
        group=rows["group"][0],
        edition=edition.id,
        members=len(ids),
        ranked=ranked,
        absent=absent,
        sdg_positions=sdg_positions(edition, ids),
    )
