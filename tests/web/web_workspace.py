"""Test workspaces for the dashboard: the hand-computed mini edition (2021), an earlier copy (2020) with a
tie and one institution fewer, and a hostile copy whose names are HTML and spreadsheet formulas."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.io.build import build
from impactrank.io.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

HOSTILE = {
    "A": "<script>alert(1)</script>",
    "B": '=HYPERLINK("http://evil.example","x")',
    "C": "+SUM(1;2) & <b>bold</b>",
    "D": "@cmd|' /C calc'!A0",
    "E": "-2+3 </script><img src=x onerror=alert(2)>",
}
HOSTILE_GROUP = "<i>Net</i>"


def build_mini(tmp: Path) -> Edition:
    """The mini edition (2021) built from the test fixtures."""
    ws = tmp / "built.duckdb"
    report = build(
        FIXTURES / "mini_institutions.csv",
        [FIXTURES / "mini_submissions.csv"],
        methodology=FIXTURES / "mini.yaml",
        out=tmp / "built_out",
        workspace=ws,
        edition_id="2021",
    )
    return report.edition


def earlier(edition: Edition) -> Edition:
    """A 2020 edition: D absent from the overall table, A and B tied at '=1', C third; a field of 3."""
    tied = pl.col("institution_id").is_in(["A", "B"])
    overall = edition.overall.filter(pl.col("institution_id") != "D").with_columns(
        rank=pl.when(tied).then(pl.lit("=1")).otherwise(pl.lit("3")),
        rank_position=pl.when(tied).then(pl.lit(1)).otherwise(pl.lit(3)),
        rank_low=pl.when(tied).then(pl.lit(1)).otherwise(pl.lit(3)),
        rank_high=pl.when(tied).then(pl.lit(1)).otherwise(pl.lit(3)),
        band=pl.lit(None, pl.String),
        overall_display=pl.col("overall_score").round(1).cast(pl.String),
    )
    return dataclasses.replace(
        edition,
        id="2020",
        year=2020,
        overall=overall,
        rank_uncertainty=pl.DataFrame(schema=edition.rank_uncertainty.schema),
    )


def with_uncertainty(edition: Edition) -> Edition:
    """Rank intervals for A and B in the overall table, as the uncertainty command would store them."""
    unc = pl.DataFrame(
        {
            "institution_id": ["A", "B"],
            "table": ["overall", "overall"],
            "nominal_rank": [1, 2],
            "median_rank": [1.0, 2.0],
            "rank_p05": [1.0, 1.0],
            "rank_p95": [2.0, 3.0],
            "band_probabilities": ["{}", "{}"],
            "runs": [200, 200],
        }
    )
    return dataclasses.replace(edition, rank_uncertainty=unc)


def hostile(edition: Edition, edition_id: str = "2021") -> Edition:
    inst = edition.institutions.with_columns(
        name=pl.col("institution_id").replace_strict(HOSTILE, default=pl.col("name")),
        groups=pl.when(pl.col("groups").is_not_null()).then(pl.lit(HOSTILE_GROUP)).otherwise(pl.col("groups")),
    )
    return dataclasses.replace(edition, id=edition_id, institutions=inst)


def make_workspace(tmp: Path, kind: str = "normal") -> Path:
    """A read-only-ready workspace file: 'normal' (2020 and 2021) or 'hostile' (2021 with hostile names)."""
    tmp.mkdir(parents=True, exist_ok=True)
    base = build_mini(tmp)
    path = tmp / f"{kind}.duckdb"
    with Workspace(path) as ws:
        if kind == "hostile":
            ws.save_many([earlier(hostile(base)), hostile(base)])
        else:
            ws.save_many([earlier(base), with_uncertainty(base)])
    return path


def assert_security_headers(response, where: str = "") -> None:
    """nosniff, no referrer, and a restrictive policy: nothing framed, no base URL, no inline or remote script."""
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    csp = headers.get("content-security-policy", "")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives.get("frame-ancestors") == "'none'", (where, csp)
    assert directives.get("base-uri") == "'none'", (where, csp)
    assert directives.get("default-src") in ("'self'", "'none'"), (where, csp)
    script = directives.get("script-src", "")
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script, (where, csp)
