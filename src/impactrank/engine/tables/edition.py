"""The tables of one edition, built or imported: the contract every later layer (views, comparison,
reports, dashboard, uncertainty) reads.

Ranks and scores are intervals so that published banded rows ("101–200", "81.9–86.9") and exact rows share
one shape: an exact value has low == high. Built editions fill every column; imported ones leave empty what
the published table does not carry (metric scores, scaled scores, SDG-table ranks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl

from impactrank.errors import N_, InputError

T = TypeVar("T")

INSTITUTIONS_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "name": pl.String,
    "name_original": pl.String,
    "country": pl.String,
    "groups": pl.String,  # semicolon-separated group names
    "aliases": pl.String,  # semicolon-separated former or alternative names
    "ror": pl.String,
    "display_names": pl.String,  # JSON {"fr": "Sorbonne Université"}: names used in other languages
}

OVERALL_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "rank": pl.String,  # as displayed: "1", "=12", "101–200", "1001+"
    "rank_position": pl.Int64,  # competition rank for individual rows; band start for banded rows
    "rank_low": pl.Int64,  # best possible position
    "rank_high": pl.Int64,  # worst possible position (band end, or field size for an open band)
    "band": pl.String,  # band label for banded rows, empty for individually ranked rows
    "overall_score": pl.Float64,  # full precision when known
    "overall_low": pl.Float64,
    "overall_high": pl.Float64,
    "overall_display": pl.String,  # "87.3" or the band's range "77.5–85.2"
    "single_year_score": pl.Float64,  # this year's own score, before any averaging with previous editions
    "sdg17_score": pl.Float64,
    "sdg17_low": pl.Float64,
    "sdg17_high": pl.Float64,
    "top_sdgs": pl.String,  # "5;12;15", best first
    "quality": pl.String,  # "ok" or semicolon-separated flags for imported rows
}

SDG_SCORES_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "sdg": pl.Int64,
    "score": pl.Float64,  # unscaled SDG score (midpoint-free: null when only a range is known)
    "score_low": pl.Float64,
    "score_high": pl.Float64,
    "scaled_score": pl.Float64,  # null when the institution is not in the overall calculation
    "counted": pl.Boolean,  # the SDG counted in the institution's overall score (SDG 17 or one of the best k)
    "rank": pl.String,
    "rank_position": pl.Int64,
    "rank_low": pl.Int64,
    "rank_high": pl.Int64,
    "band": pl.String,
    "quality": pl.String,  # "ok" or semicolon-separated flags for imported rows; null for built ones
}

METRIC_SCORES_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "sdg": pl.Int64,
    "metric": pl.String,
    "raw": pl.Float64,  # value as submitted (a rate is numerator / denominator); null when missing
    "score": pl.Float64,  # 0–100 after normalisation or rubric
    "weight": pl.Float64,
    "contribution": pl.Float64,  # score × weight / 100: its part of the SDG score
    "missing": pl.Boolean,
}

SCALING_SCHEMA: dict[str, pl.DataType] = {
    "sdg": pl.Int64,
    "population": pl.Int64,  # institutions whose scores set the extremes
    "min": pl.Float64,
    "max": pl.Float64,
}

RANK_UNCERTAINTY_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "table": pl.String,  # "overall" or "sdg1" … "sdg17"
    "nominal_rank": pl.Int64,
    "median_rank": pl.Float64,
    "rank_p05": pl.Float64,  # 5th percentile of the simulated ranks (best end of the 90 % interval)
    "rank_p95": pl.Float64,
    "band_probabilities": pl.String,  # JSON object: display band or rank label → probability
    "runs": pl.Int64,
}

PREVIOUS_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "previous_edition": pl.String,  # the edition the score comes from
    "lag": pl.Int64,  # 1 = the edition before this one, 2 = the one before that …
    "single_year_score": pl.Float64,  # that edition's single-year overall score (never its averaged one)
}

SUBMISSIONS_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String,
    "sdg": pl.Int64,
    "metric": pl.String,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "exists": pl.Float64,
    "evidence": pl.Float64,
    "public": pl.Float64,
    "recent": pl.Float64,
}

NOT_IN_SDG_TABLE = "not_in_sdg_table"  # the quality flag of a card's SDG score its imported SDG table does not list

TABLES: dict[str, dict[str, pl.DataType]] = {
    "institutions": INSTITUTIONS_SCHEMA,
    "overall": OVERALL_SCHEMA,
    "sdg_scores": SDG_SCORES_SCHEMA,
    "metric_scores": METRIC_SCORES_SCHEMA,
    "sdg_scaling": SCALING_SCHEMA,
    "rank_uncertainty": RANK_UNCERTAINTY_SCHEMA,
    "submissions": SUBMISSIONS_SCHEMA,  # a built edition's validated inputs, for what-if and uncertainty
    "previous_scores": PREVIOUS_SCHEMA,  # the previous single-year scores an averaging build used (an input too)
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def conform(df: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast to the schema's columns in order, adding missing ones as nulls; NaN becomes null.

    Columns already of the right type are passed through untouched (a large edition is mostly such)."""
    columns = []
    for name, dtype in schema.items():
        if name not in df.columns:
            columns.append(pl.lit(None, dtype).alias(name))
        elif df.schema[name] != dtype:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.col(name))
    out = df.select(columns)
    with_nan = [n for n, t in out.schema.items() if t == pl.Float64 and out[n].is_nan().any()]
    return out.with_columns([pl.col(n).fill_nan(None) for n in with_nan]) if with_nan else out


@dataclass
class Edition:
    id: str  # the key users type: "2021", or e.g. "2023-taiwan" for a second source of one year
    year: int
    kind: str  # "built" or "imported"
    source: str  # methodology id for built editions; file name and format for imported ones
    institutions: pl.DataFrame
    overall: pl.DataFrame
    sdg_scores: pl.DataFrame
    metric_scores: pl.DataFrame = field(default_factory=lambda: empty(METRIC_SCORES_SCHEMA))
    sdg_scaling: pl.DataFrame = field(default_factory=lambda: empty(SCALING_SCHEMA))
    rank_uncertainty: pl.DataFrame = field(default_factory=lambda: empty(RANK_UNCERTAINTY_SCHEMA))
    submissions: pl.DataFrame = field(default_factory=lambda: empty(SUBMISSIONS_SCHEMA))
    previous_scores: pl.DataFrame = field(default_factory=lambda: empty(PREVIOUS_SCHEMA))
    manifest: dict[str, Any] = field(default_factory=dict)
    methodology: dict[str, Any] = field(default_factory=dict)  # the rules a built edition used, in full

    def __post_init__(self) -> None:
        for name, schema in TABLES.items():
            setattr(self, name, conform(getattr(self, name), schema))

    @property
    def field_size(self) -> int | None:
        """Institutions in the whole overall table, or None when the edition holds only part of it.

        A compilation of one country's rows (the Taiwan file) has ranks far beyond its own row count, so its row
        count is not the field size; ``manifest["field_size"]`` overrides when an importer knows the number.
        """
        known = self.manifest.get("field_size")
        if isinstance(known, int) and known > 0:
            return known
        if self.manifest.get("overall_table") is False:  # an edition imported from its SDG tables only
            return None
        n = self.overall.height
        if n == 0 or self.overall["rank_low"].null_count() == n:
            return n
        worst = self.overall.select(pl.max_horizontal(pl.col("rank_low").max(), pl.col("rank_high").max())).item()
        return None if worst is not None and worst > n else n

    def derived(self, key: Hashable, make: Callable[[], T]) -> T:
        """What ``make`` derives from the edition's tables, made on first use and kept with the edition (its tables
        are not changed once it is made): every country's view, page and summary reads the same national ranks."""
        kept = self.__dict__.setdefault("_derived", {})
        if key not in kept:
            kept[key] = make()
        return kept[key]

    def sdg_table_rows(self) -> pl.DataFrame:
        """The rows of the edition's SDG tables, the one rule every table, size and chart reads: each SDG score
        but a card's SDG that its imported table does not list (kept for the institution, flagged
        ``not_in_sdg_table``, yet no row of THE's table)."""
        outside = pl.col("quality").str.split(";").list.contains(NOT_IN_SDG_TABLE).fill_null(False)
        return self.sdg_scores.filter(~outside)

    def sdg_table(self, sdg: int) -> pl.DataFrame:
        """The rows of one SDG table (see :meth:`sdg_table_rows`)."""
        return self.sdg_table_rows().filter(pl.col("sdg") == int(sdg))

    def sdg_table_sizes(self) -> dict[int, int]:
        """Rows of each SDG table the edition holds whole: every table of a built edition, the imported SDG
        tables of an imported one (a card's top SDGs are not a table, so they have no size)."""
        counts = dict(self.sdg_table_rows().group_by("sdg").len().sort("sdg").iter_rows())
        if self.kind == "built":
            return counts
        return {int(k): counts.get(int(k), 0) for k in sorted(self.manifest.get("sdg_tables") or {}, key=int)}

    @property
    def has_overall_table(self) -> bool:
        """Whether the edition holds an overall table (2019, imported from its SDG tables, does not)."""
        return self.overall.height > 0

    def sdgs(self) -> list[int]:
        """The SDGs the edition has rows for (its SDG tables, or the SDG scores an overall table imported alone
        shows): the SDG tables pages, views and comparisons offer."""
        return sorted(self.sdg_table_rows()["sdg"].unique().drop_nulls().to_list())

    def require_overall(self) -> None:
        """Refuse, in one line, to show or compare an overall table the edition does not have."""
        if not self.has_overall_table:
            raise InputError(
                N_(
                    "edition %(edition)s has no overall table, only SDG tables (SDG %(tables)s): use one SDG table "
                    "instead"
                ),
                field="edition",
                params={"edition": self.id, "tables": self.sdgs()},
            )

    def require_sdg(self, sdg: int) -> None:
        """Refuse, in one line, an SDG table the edition does not have."""
        if int(sdg) not in self.sdgs():
            raise InputError(
                N_("edition %(edition)s has no SDG %(sdg)s table (its SDG tables: %(tables)s)"),
                field="sdg",
                params={"edition": self.id, "sdg": sdg, "tables": self.sdgs()},
            )

    def institution(self, institution_id: str) -> dict:
        """The institution's row, or a one-line refusal naming it and the edition."""
        found = self.institutions.filter(pl.col("institution_id") == institution_id)
        if found.height == 0:
            raise InputError(
                N_("no institution %(institution)s in edition %(edition)s"),
                field="institution",
                params={"institution": repr(institution_id), "edition": self.id},
            )
        return found.row(0, named=True)

    @property
    def participants(self) -> int:
        """Institutions in any table of the edition."""
        return self.institutions.height


def previous_ids(edition_id: str, years: int = 1) -> list[str] | None:
    """The same series' previous editions, most recent first: "2023" → "2022", "2023-net" → "2022-net"; None for
    an id that does not start with a year."""
    match = re.fullmatch(r"(\d{4})(.*)", edition_id)
    if not match:
        return None
    year, suffix = int(match[1]), match[2]
    return [f"{year - lag}{suffix}" for lag in range(1, years + 1)]


_EDITION_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))*")


def check_edition_id(edition_id: str) -> str:
    """An edition id names files and folders (``audit-2021.md``, a site's ``2021/``) and goes into addresses:
    letters, digits, ``-``, ``_`` and single dots, starting with a letter or digit."""
    if not _EDITION_ID.fullmatch(edition_id):
        raise InputError(
            N_("edition id %(edition)s: use letters, digits, '-', '_' or '.', starting with a letter or digit"),
            field="edition",
            params={"edition": repr(edition_id)},
        )
    return edition_id
