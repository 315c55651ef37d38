"""Edition-over-edition comparison that reads bands as intervals and ranks relative to the field's size.

Rules (documented in the README; the summary uses only these words):

* **Status.** ``both`` when the institution (same ``institution_id``, or a new id whose ``aliases`` name an
  institution of the same country that left: a renaming) is in both overall tables; ``new`` when only in the
  later one; ``left`` when only in the earlier one.
* **Rank interval.** An exact rank r (tied or not) is the interval [r, r]; a band "301–400" is [301, 400];
  an open band "1001+" runs to the field size.
* **Percentile interval.** A rank interval [lo, hi] in a field of N is [100·lo/N, 100·hi/N]: "in the top
  x %", smaller is better. 301–400 of 766 is 39.3–52.2 %; 301–400 of 1,115 is 27.0–35.9 %.
* **Movement** (status ``both``), on percentile intervals, compared exactly (integer cross-multiplication):
  ``progressed`` when the whole later interval lies above (strictly better than) the whole earlier one;
  ``declined`` when the whole later interval lies below it; ``maintained`` otherwise — equal or
  overlapping intervals, where the bands' width does not allow a claim either way. So 301–400 of 766 →
  301–400 of 1,115 keeps its band and *progressed* relative to the field; 101–200 of 766 → 201–300 of
  1,115 drops a band but is *maintained* relative to the field (13.2–26.1 % vs 18.0–26.9 % overlap). The
  classification depends only on the two percentile intervals, so it is invariant to field growth when the
  percentile interval is unchanged.
* **Rank change** (``rank_change``), on the rank intervals alone, ignoring field size: ``better``,
  ``worse``, ``same`` (identical interval: the same band or exact rank) or ``overlapping``.
* **Unreadable ranks.** An imported row whose rank could not be parsed is still ``both``/``new``/``left``
  by presence, with a null movement (never a guess).
* **When a field size is unknown** (a one-country compilation), percentiles are null and movement falls
  back to the rank intervals (``basis`` = "rank").
* **Significance** (``significant``): null unless both editions carry ``rank_uncertainty`` rows of the
  overall table for the institution; then True exactly when the two 90 % intervals [p05, p95], as
  percentiles of their field sizes, do not overlap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError

MOVEMENTS = ("progressed", "maintained", "declined", "new", "left")
_S, _I, _F = pl.String, pl.Int64, pl.Float64
COLUMNS: dict[str, pl.DataType] = {  # a comparison's table, in order
    **{"institution_id": _S, "name": _S, "country": _S, "status": _S, "rank_from": _S, "rank_to": _S},
    **{f"rank_{end}_{side}": _I for side in ("from", "to") for end in ("low", "high")},
    **{f"pct_{end}_{side}": _F for side in ("from", "to") for end in ("low", "high")},
    **{"movement": _S, "rank_change": _S, "significant": pl.Boolean, "basis": _S, "renamed_from": _S, "name_from": _S},
}


@dataclass
class Comparison:
    """Every institution of either edition with status, rank and percentile intervals and movement."""

    table: pl.DataFrame
    field_from: int | None
    field_to: int | None
    edition_from: str = ""
    edition_to: str = ""
    sdg: int | None = None  # the SDG table compared; None for the overall table

    def counts(self) -> dict[str, int]:
        """Institutions per movement (progressed, maintained, declined, new, left), zeros included."""
        got = dict(self.table.group_by("movement").len().iter_rows())
        return {m: int(got.get(m, 0)) for m in MOVEMENTS}


def _fold(text: str | None) -> str:
    """Name comparison key (accents, case and punctuation folded), as in io.identity but engine-local."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
    return re.sub(r"[^0-9a-z\u0080-\uffff]+", "-", text).strip("-")


def _ranked(edition: Edition, sdg: int | None) -> pl.DataFrame:
    """The rows of the table compared: the overall table, or one SDG table."""
    if sdg is None:
        return edition.overall
    return edition.sdg_table(sdg).unique("institution_id", keep="first", maintain_order=True)


def _side(edition: Edition, suffix: str, n: int | None, sdg: int | None = None) -> pl.DataFrame:
    names = edition.institutions.select("institution_id", "name", "country", "aliases").unique(
        "institution_id", keep="first", maintain_order=True
    )
    high = pl.col("rank_high")
    if n is not None:
        high = pl.coalesce(high, pl.lit(n, pl.Int64))
    frame = (
        _ranked(edition, sdg)
        .select("institution_id", "rank", "rank_low", high.alias("rank_high"), present=pl.lit(True))
        .join(names, on="institution_id", how="left")
    )
    unc = (
        edition.rank_uncertainty.filter(pl.col("table") == ("overall" if sdg is None else f"sdg{sdg}"))
        .select("institution_id", "rank_p05", "rank_p95")
        .unique("institution_id", keep="first")
    )
    frame = frame.join(unc, on="institution_id", how="left")
    return frame.rename({c: f"{c}_{suffix}" for c in frame.columns if c != "institution_id"})


def _renamings(before: pl.DataFrame, after: pl.DataFrame) -> dict[str, str]:
    """New id → old id when the new institution lists the old one's name among its aliases (same country),
    so a renamed school is not reported as a first entry. Small: only unmatched rows are examined."""
    left = before.filter(~pl.col("institution_id").is_in(after["institution_id"].implode()))
    new = after.filter(
        ~pl.col("institution_id").is_in(before["institution_id"].implode()) & pl.col("aliases_to").is_not_null()
    )
    if left.height == 0 or new.height == 0:
        return {}
    old_by_key: dict[tuple[str, str], list[str]] = {}
    for iid, name, country, aliases in left.select(
        "institution_id", "name_from", "country_from", "aliases_from"
    ).iter_rows():
        for alias in [name, *((aliases or "").split(";"))]:
            if _fold(alias):
                old_by_key.setdefault((country or "", _fold(alias)), []).append(iid)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for iid, country, aliases in (
        new.sort("institution_id").select("institution_id", "country_to", "aliases_to").iter_rows()
    ):
        for alias in aliases.split(";"):
            hits = [h for h in old_by_key.get((country or "", _fold(alias)), []) if h not in taken]
            if len(set(hits)) == 1:
                mapping[iid] = hits[0]
                taken.add(hits[0])
                break
    return mapping


def _pct(rank: str, n: int | None) -> pl.Expr:
    if n is None or n <= 0:
        return pl.lit(None, pl.Float64)
    return 100.0 * pl.col(rank) / n


def compare_editions(
    before: Edition,
    after: Edition,
    *,
    institution_ids: list[str] | None = None,
    field_from: int | None = None,
    field_to: int | None = None,
    sdg: int | None = None,
) -> Comparison:
    """Compare two editions' overall tables, or with ``sdg`` one SDG table of each (each against that SDG
    table's size, unknown when an edition does not hold the table whole); ``institution_ids`` restricts the
    rows (a country, a group). ``field_from``/``field_to`` supply table sizes an edition cannot know (a
    one-country compilation). Both editions must hold the table compared (an InputError says which does not)."""
    for edition in (before, after):
        if sdg is None and not edition.has_overall_table:
            common = sorted(set(before.sdgs()) & set(after.sdgs()))
            raise InputError(
                N_(
                    "edition %(edition)s has no overall table, only SDG tables: compare one SDG table both editions "
                    "have instead (--sdg N; SDG %(common)s)"
                ),
                field="edition",
                params={"edition": edition.id, "common": common},
            )
        if sdg is not None:
            edition.require_sdg(sdg)

    def size(edition: Edition, supplied: int | None) -> int | None:
        if supplied is not None:
            return supplied
        return edition.field_size if sdg is None else edition.sdg_table_sizes().get(sdg)

    n1, n2 = size(before, field_from), size(after, field_to)
    b = _side(before, "from", n1, sdg)
    a = _side(after, "to", n2, sdg)
    renamed = _renamings(b, a)
    if renamed:
        old_to_new = {v: k for k, v in renamed.items()}
        b = b.with_columns(
            renamed_from=pl.col("institution_id"),
            institution_id=pl.col("institution_id").replace(old_to_new),
        )
    else:
        b = b.with_columns(renamed_from=pl.lit(None, pl.String))
    t = a.join(b, on="institution_id", how="full", coalesce=True)
    t = t.with_columns(
        renamed_from=pl.when(pl.col("renamed_from") != pl.col("institution_id")).then(pl.col("renamed_from")),
    )
    if institution_ids is not None:
        wanted = list(institution_ids)
        t = t.filter(pl.col("institution_id").is_in(wanted) | pl.col("renamed_from").is_in(wanted))

    # presence, not a parsed rank: an imported row whose rank could not be read is still in the table
    in_from = pl.col("present_from").fill_null(False)
    in_to = pl.col("present_to").fill_null(False)
    status = pl.when(in_from & in_to).then(pl.lit("both")).when(in_to).then(pl.lit("new")).otherwise(pl.lit("left"))
    lo1, hi1, lo2, hi2 = (pl.col(c) for c in ("rank_low_from", "rank_high_from", "rank_low_to", "rank_high_to"))
    use_pct = n1 is not None and n2 is not None and n1 > 0 and n2 > 0
    if use_pct:
        # later interval entirely better: hi2/n2 < lo1/n1  <=>  hi2·n1 < lo1·n2 (exact in integers)
        better = hi2 * n1 < lo1 * n2
        worse = lo2 * n1 > hi1 * n2
    else:
        better = hi2 < lo1
        worse = lo2 > hi1
    movement = (
        pl.when(status == "new")
        .then(pl.lit("new"))
        .when(status == "left")
        .then(pl.lit("left"))
        .when(lo1.is_null() | lo2.is_null() | hi1.is_null() | hi2.is_null())
        .then(pl.lit(None, pl.String))
        .when(better)
        .then(pl.lit("progressed"))
        .when(worse)
        .then(pl.lit("declined"))
        .otherwise(pl.lit("maintained"))
    )
    rank_change = (
        pl.when(status != "both")
        .then(pl.lit(None, pl.String))
        .when(lo1.is_null() | lo2.is_null() | hi1.is_null() | hi2.is_null())
        .then(pl.lit(None, pl.String))
        .when((lo1 == lo2) & (hi1 == hi2))
        .then(pl.lit("same"))
        .when(hi2 < lo1)
        .then(pl.lit("better"))
        .when(lo2 > hi1)
        .then(pl.lit("worse"))
        .otherwise(pl.lit("overlapping"))
    )
    has_unc = pl.all_horizontal(
        pl.col(c).is_not_null() for c in ("rank_p05_from", "rank_p95_from", "rank_p05_to", "rank_p95_to")
    )
    if use_pct:
        apart = (pl.col("rank_p95_to") * n1 < pl.col("rank_p05_from") * n2) | (
            pl.col("rank_p05_to") * n1 > pl.col("rank_p95_from") * n2
        )
        significant = pl.when((status == "both") & has_unc).then(apart).otherwise(pl.lit(None, pl.Boolean))
    else:
        significant = pl.lit(None, pl.Boolean)
    t = t.with_columns(
        status=status,
        movement=movement,
        rank_change=rank_change,
        significant=significant,
        basis=pl.lit("percentile" if use_pct else "rank"),
        name=pl.coalesce("name_to", "name_from"),
        name_from=pl.when(pl.col("renamed_from").is_not_null()).then(pl.col("name_from")),
        country=pl.coalesce("country_to", "country_from"),
        pct_low_from=_pct("rank_low_from", n1),
        pct_high_from=_pct("rank_high_from", n1),
        pct_low_to=_pct("rank_low_to", n2),
        pct_high_to=_pct("rank_high_to", n2),
    )
    t = t.sort(["rank_low_to", "rank_high_to", "rank_low_from", "name", "institution_id"], nulls_last=True)
    table = t.select(pl.col(c).cast(dtype) for c, dtype in COLUMNS.items())
    return Comparison(table=table, field_from=n1, field_to=n2, edition_from=before.id, edition_to=after.id, sdg=sdg)


def compare_sdg_tables(before: Edition, after: Edition, institution_ids: list[str]) -> pl.DataFrame:
    """The institutions' position in every SDG table of either edition that both editions hold (a table new this
    year has nothing to compare with), compared table by table: the rows of :func:`compare_editions` with
    ``sdg``, ``table_from`` and ``table_to`` (the tables' sizes) in front."""
    sdgs = sorted(
        (
            set(before.sdg_table_rows().filter(pl.col("institution_id").is_in(institution_ids))["sdg"].to_list())
            | set(after.sdg_table_rows().filter(pl.col("institution_id").is_in(institution_ids))["sdg"].to_list())
        )
        & set(before.sdgs())
        & set(after.sdgs())
    )
    sizes_from, sizes_to = before.sdg_table_sizes(), after.sdg_table_sizes()  # once, not once per SDG
    frames = []
    for k in sdgs:
        comp = compare_editions(
            before,
            after,
            institution_ids=institution_ids,
            sdg=k,
            field_from=sizes_from.get(k),
            field_to=sizes_to.get(k),
        )
        frames.append(
            comp.table.select(
                pl.lit(k, pl.Int64).alias("sdg"),
                pl.lit(comp.field_from, pl.Int64).alias("table_from"),
                pl.lit(comp.field_to, pl.Int64).alias("table_to"),
                pl.all(),
            )
        )
    if not frames:
        return pl.DataFrame(schema={"sdg": pl.Int64, "table_from": pl.Int64, "table_to": pl.Int64, **COLUMNS})
    return pl.concat(frames).sort("institution_id", "sdg")
