"""The build's inputs, validated: institutions and submissions, each error naming file, row and field."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from impactrank.countries import to_alpha2
from impactrank.engine.scoring.evidence import RUBRIC_FIELDS
from impactrank.engine.scoring.metrics import SUBMISSION_COLUMNS, VALUE_COLUMNS, encode, metric_catalogue
from impactrank.errors import N_, InputError
from impactrank.io import display_names
from impactrank.io.tables import UserTable, first_bad, read_user_table, require_columns
from impactrank.methodology.schema import Methodology

INSTITUTION_COLUMNS = ["institution_id", "name", "country"]
OPTIONAL_INSTITUTION_COLUMNS = ["groups", "aliases", "ror"]
SUBMISSION_KEYS = ["institution_id", "sdg", "metric"]


def read_institutions(path: str | Path) -> pl.DataFrame:
    table = read_user_table(path)
    require_columns(table, INSTITUTION_COLUMNS)
    frame = table.frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    for col in INSTITUTION_COLUMNS:
        first_bad(table, frame[col].is_null(), N_("empty value"), col)
    ids = frame["institution_id"]
    dup = ~ids.is_first_distinct()
    if dup.any():
        first = int((ids == ids.filter(dup)[0]).arg_true()[0])
        first_bad(
            table,
            dup,
            N_("duplicate institution_id %(id)s (first on row %(first)s)"),
            "institution_id",
            params={"id": repr(ids.filter(dup)[0]), "first": table.row(first)},
        )

    codes = {text: to_alpha2(text) for text in frame["country"].unique().to_list()}
    country = frame["country"].replace_strict(codes, return_dtype=pl.String)
    if country.is_null().any():
        index = int(country.is_null().arg_true()[0])
        first_bad(
            table,
            country.is_null(),
            N_("unknown country %(country)s (use an ISO 3166 alpha-2 code or an English country name)"),
            "country",
            params={"country": repr(frame["country"][index])},
        )

    def listing(col: str) -> pl.Expr:
        if col not in frame.columns:
            return pl.lit(None, pl.String).alias(col)
        parts = (
            pl.col(col)
            .str.split(";")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
        )
        return pl.when(parts.list.len() > 0).then(parts.list.join(";")).otherwise(None).alias(col)

    return frame.select(
        "institution_id",
        "name",
        pl.col("name").alias("name_original"),
        country.alias("country"),
        listing("groups"),
        listing("aliases"),
        (pl.col("ror") if "ror" in frame.columns else pl.lit(None, pl.String)).alias("ror"),
        display_names.column(frame),
    )


def read_submissions(
    paths: Sequence[str | Path], methodology: Methodology, institutions: pl.DataFrame, *, decimal: str | None = None
) -> pl.DataFrame:
    """Long-form submissions from one or more files (e.g. the institution's data and research metrics). Numbers
    are read with each file's decimal mark (``decimal``, "." or ",", when given for a file that cannot tell)."""
    if not paths:
        raise InputError(N_("no submissions file given"))
    frames = [_read_one_submissions(p, methodology, institutions, decimal) for p in paths]
    if len(frames) == 1:  # duplicates within a file are caught, with their row, by the file's own check
        return frames[0]
    combined = pl.concat(frames, how="vertical")
    dup = combined.select(pl.struct("inst", "code").is_duplicated()).to_series()
    if dup.any():
        row = combined.filter(dup).row(0, named=True)
        raise InputError(
            N_("%(institution)s / SDG %(sdg)s / %(metric)s is given in more than one file"),
            params={"institution": row["institution_id"], "sdg": row["sdg"], "metric": row["metric"]},
            file=", ".join(Path(p).name for p in paths),
            field="metric",
        )
    return combined


def _read_one_submissions(
    path: str | Path, methodology: Methodology, institutions: pl.DataFrame, decimal: str | None
) -> pl.DataFrame:
    # the keys read straight as the codes the engine works with when every cell is one it knows (no column of
    # millions of strings to copy and look up); otherwise as text, for validate_submissions to say which is wrong
    known = {
        "institution_id": pl.Enum(institutions["institution_id"].sort()),
        "sdg": pl.Int64,
        "metric": pl.Enum(sorted(set(metric_catalogue(methodology)["metric"].to_list()))),
    }
    return validate_submissions(
        read_user_table(path, numeric=VALUE_COLUMNS, decimal=decimal, typed=known), methodology, institutions
    )


def validate_submissions(table: UserTable, methodology: Methodology, institutions: pl.DataFrame) -> pl.DataFrame:
    """The build's rules for one table of submissions, wherever its rows come from (a file, a portal form).

    ``table.frame`` holds the key columns as text (or as read by :func:`_read_one_submissions`) and the value
    columns as Float64; errors name ``table.name``, the row and the field.
    """
    require_columns(table, SUBMISSION_KEYS)
    frame = table.frame
    for col in SUBMISSION_KEYS:
        first_bad(table, frame[col].is_null(), N_("empty value"), col)

    sdg = frame["sdg"].cast(pl.Int64, strict=False)
    if sdg.is_null().any():  # accept "SDG 5", "sdg5" and 5.0 as well as 5, but never truncate 4.7
        number = frame["sdg"].str.replace(r"(?i)^\s*sdg\s*", "").str.strip_chars().cast(pl.Float64, strict=False)
        whole = number.is_not_null() & number.is_finite() & (number == number.floor()) & (number.abs() < 1e9)
        first_bad(
            table,
            ~whole,
            N_("%(sdg)s is not an SDG number"),
            "sdg",
            params={"sdg": repr(frame["sdg"].filter(~whole).first())},
        )
        sdg = number.cast(pl.Int64)
    known_sdgs = [s.sdg for s in methodology.sdgs]
    bad_sdg = ~sdg.is_in(known_sdgs)
    if bad_sdg.any():
        first_bad(
            table,
            bad_sdg,
            N_("unknown SDG %(sdg)s in methodology %(methodology)s"),
            "sdg",
            params={"sdg": sdg.filter(bad_sdg)[0], "methodology": methodology.id},
        )

    catalogue = metric_catalogue(methodology)
    ids = institutions["institution_id"].sort()
    frame = encode(frame.with_columns(sdg=sdg), ids, catalogue)
    unknown = frame["inst"].is_null()
    if unknown.any():
        first_bad(
            table,
            unknown,
            N_("unknown institution %(institution)s (not in the institutions file)"),
            "institution_id",
            params={"institution": repr(frame["institution_id"].filter(unknown)[0])},
        )
    unknown_metric = frame["code"].is_null()
    if unknown_metric.any():
        row = frame.filter(unknown_metric).row(0, named=True)
        choices = catalogue.filter(pl.col("sdg") == row["sdg"])["metric"].to_list()
        first_bad(
            table,
            unknown_metric,
            N_("unknown metric %(metric)s for SDG %(sdg)s (known: %(known)s)"),
            "metric",
            params={"metric": repr(row["metric"]), "sdg": row["sdg"], "known": choices},
        )
    key = frame["inst"] * catalogue.height + frame["code"]
    ordered = key.to_numpy()
    if not (ordered[1:] > ordered[:-1]).all():  # rows in key order cannot repeat one; otherwise look
        dup = ~key.is_first_distinct()
    else:
        dup = pl.Series([False] * 0, dtype=pl.Boolean)
    if dup.any():
        row = frame.filter(dup).row(0, named=True)
        first_bad(
            table,
            dup,
            N_("%(institution)s / SDG %(sdg)s / %(metric)s appears twice"),
            "metric",
            params={"institution": row["institution_id"], "sdg": row["sdg"], "metric": row["metric"]},
        )

    frame = frame.with_columns([pl.lit(None, pl.Float64).alias(c) for c in VALUE_COLUMNS if c not in frame.columns])
    code = frame["code"].to_numpy()
    # each row's kind of metric as flags looked up by code (not a text column of millions of copies of "evidence")
    evidence = (catalogue["kind"] == "evidence").to_numpy()
    _check_values(
        table,
        frame.with_columns(
            evidence_metric=pl.Series(evidence[code]), rate=pl.Series(catalogue["rate"].to_numpy()[code])
        ),
    )
    # each institution's id and metric's name as the institutions and the catalogue write them (the same text, as
    # the codes were found by exact match): the rows point into one copy of the names instead of each holding its
    # own, millions at 100,000 institutions
    return frame.with_columns(
        institution_id=ids.gather(frame["inst"]), metric=catalogue["metric"].gather(frame["code"])
    ).select(*SUBMISSION_COLUMNS, "inst", "code")


def _check_values(table: UserTable, joined: pl.DataFrame) -> None:
    def col(name: str) -> pl.Series:
        return joined[name]

    evidence = joined["evidence_metric"]
    rate = joined["rate"] & ~evidence
    plain = ~joined["rate"] & ~evidence
    value, num, den = col("value"), col("numerator"), col("denominator")

    first_bad(
        table,
        evidence & value.is_not_null(),
        N_("an evidence question takes exists / evidence / public / recent, not a value"),
        "value",
    )
    first_bad(
        table,
        rate & value.is_not_null() & num.is_null(),
        N_("this metric is a rate: give numerator and denominator, not value"),
        "value",
    )
    first_bad(
        table,
        rate & (num.is_null() != den.is_null()),
        N_("a rate needs both numerator and denominator"),
        "denominator" if den.is_null().any() else "numerator",
    )
    first_bad(table, rate & den.is_not_null() & (den <= 0), N_("the denominator must be positive"), "denominator")
    first_bad(table, rate & num.is_not_null() & (num < 0), N_("the numerator cannot be negative"), "numerator")
    first_bad(table, plain & value.is_not_null() & (value < 0), N_("a metric value cannot be negative"), "value")
    first_bad(
        table,
        plain & (num.is_not_null() | den.is_not_null()),
        N_("this metric is not a rate: give value, not numerator and denominator"),
        "numerator",
    )
    for field in RUBRIC_FIELDS:
        answer = col(field)
        first_bad(
            table,
            evidence & answer.is_not_null() & ((answer < 0) | (answer > 1)),
            N_("rubric answers are between 0 and 1 (e.g. 1 = yes, 0.5 = partly, 0 = no)"),
            field,
        )
        first_bad(
            table,
            ~evidence & answer.is_not_null(),
            N_("%(column)s applies only to evidence questions"),
            field,
            params={"column": field},  # not "field": the portal passes params on as keywords beside its own field
        )
