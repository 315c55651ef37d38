"""``impactrank sdg``: label publications with SDG queries, score query systems, derive research metrics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from impactrank.cli.common import command_group, console, console_err, out_format, progress_bar
from impactrank.cli.options import DecimalOption, LangOption, check_lang
from impactrank.cli.text import _, ngettext, num
from impactrank.errors import N_, InputError

sdg_app = command_group(
    "sdg", "SDG research mapping: Scopus-syntax query systems (Aurora, Elsevier, …) run on your publications."
)

QueriesOption = Annotated[
    list[str],
    typer.Option(
        "--queries",
        "-q",
        help="Query set: a named set (aurora-v5, elsevier, auckland, siris, sdsn, "
        "sdgo) or a path (Aurora XML file/folder, CSV table). Repeat for several systems.",
    ),
]
QueriesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--queries-dir",
        help="Folder holding the named query sets (default: $IMPACTRANK_SDG_DATA or "
        "../shared/data/sdg beside the repository).",
    ),
]


def _load_sets(specs: list[str], queries_dir: Path | None):
    from impactrank.sdgmap.loaders import load_queries

    return [load_queries(s, queries_dir) for s in specs]


@sdg_app.command("classify")
def classify(
    queries: QueriesOption,
    input_path: Annotated[
        Path,
        typer.Option(
            "--in", help="Publications: .csv, .parquet or .jsonl (with --engine dask: Parquet file or folder)."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="Labels (work_id, sdgs, query_lines) as .parquet, .csv (lists as 3;13) or .jsonl."),
    ],
    queries_dir: QueriesDirOption = None,
    min_agree: Annotated[
        int, typer.Option("--min-agree", help="With several query sets: an SDG needs this many systems to agree.")
    ] = 1,
    id_col: Annotated[
        str | None, typer.Option("--id-col", help="Work id column (default: work_id, id, eid or doi).")
    ] = None,
    title_col: Annotated[str | None, typer.Option("--title-col", help="Title column (default: title).")] = None,
    abstract_col: Annotated[
        str | None, typer.Option("--abstract-col", help="Abstract column (default: abstract).")
    ] = None,
    keywords_col: Annotated[
        str | None, typer.Option("--keywords-col", help="Keywords column (default: keywords).")
    ] = None,
    text_col: Annotated[
        str | None, typer.Option("--text-col", help="One text column instead of title/abstract/keywords.")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="local (one process) or dask.")] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Dask local cluster size.")] = 2,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of a running Dask scheduler.")] = None,
    lang: LangOption = "en",
) -> None:
    """Label each publication with the SDGs its title, abstract and keywords match, and why."""
    check_lang(lang)
    from impactrank.sdgmap.classify import LABEL_FORMATS, classify_table, write_labels
    from impactrank.sdgmap.publications import TextColumns, read_publications

    out_format(out, LABEL_FORMATS)
    if engine not in ("local", "dask"):
        raise InputError(N_("unknown engine %(engine)r (local or dask)"), field="engine", params={"engine": engine})
    sets = _load_sets(queries, queries_dir)
    columns = TextColumns(id_col, title_col, abstract_col, keywords_col, text_col)
    with progress_bar() as bar:
        if engine == "dask":
            import pyarrow.parquet as pq

            from impactrank.sdgmap.distributed import classify_parquet_dask, parquet_parts

            parts = parquet_parts(input_path)
            total = sum(pq.ParquetFile(f).metadata.row_group(g).num_rows for f, g in parts)
            task = bar.add_task("classifying (dask)", total=total)
            client = None
            if scheduler:
                from distributed import Client

                client = Client(scheduler)
            labels = classify_parquet_dask(
                input_path,
                sets,
                columns,
                min_agree,
                client=client,
                n_workers=workers,
                progress=lambda n: bar.advance(task, n),
            )
        else:
            pubs = read_publications(input_path)
            task = bar.add_task(_("classifying"), total=pubs.frame.height)
            labels = classify_table(
                pubs.frame,
                sets,
                columns,
                min_agree,
                progress=lambda n: bar.advance(task, n),
                file=str(input_path),
                rows=pubs.rows,
            )
    write_labels(labels, out)
    labelled = int((labels["sdgs"].list.len() > 0).sum())
    console.print(
        ngettext(
            "%(count)s publication, %(labelled)s with at least one SDG → %(out)s",
            "%(count)s publications, %(labelled)s with at least one SDG → %(out)s",
            labels.height,
            labelled=num(labelled),
            out=out,
        ),
        highlight=False,
    )


def _pct(x: float) -> str:
    return num(x, 1)


@sdg_app.command("evaluate")
def evaluate(
    queries: QueriesOption,
    queries_dir: QueriesDirOption = None,
    benchmark: Annotated[
        Path | None,
        typer.Option(
            "--benchmark", help="Benchmark CSV (default: the one the sdgclassification-benchmark package ships)."
        ),
    ] = None,
    published: Annotated[
        Path | None, typer.Option("--published", help="Published per-model figures (evaluation_stats_all_models.csv).")
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--text2sdg-predictions", help="text2sdg's published predictions, for an agreement check."),
    ] = None,
    min_agree: Annotated[
        int | None, typer.Option("--min-agree", help="Also score the k-of-n vote of the given query sets.")
    ] = None,
    best_ensemble: Annotated[
        bool,
        typer.Option(
            "--best-ensemble",
            help="Search every subset and threshold for the best-accuracy ensemble (chosen on the benchmark itself).",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write all per-SDG figures: .csv, .xlsx, .parquet, .json or .jsonl."),
    ] = None,
    lang: LangOption = "en",
) -> None:
    """Score query systems on the SDG Classification Benchmark, as its harness does, beside published models."""
    check_lang(lang)
    from impactrank.io.exports import EXPORT_FORMATS, export_table
    from impactrank.sdgmap import evaluate as ev

    if out is not None:
        out_format(out, EXPORT_FORMATS)
    sets = _load_sets(queries, queries_dir)
    bench = ev.load_benchmark(benchmark)
    preds = {}
    with progress_bar() as bar:
        task = bar.add_task(_("matching"), total=len(sets))
        for qs in sets:
            preds[qs.name] = ev.predict(bench, qs)
            bar.advance(task)
    results = {name: ev.score(bench, p) for name, p in preds.items()}
    voted = {}
    if min_agree is not None:
        if not 1 <= min_agree <= len(sets):
            raise InputError(
                N_("--min-agree must be between 1 and %(count)s (the number of query sets)"),
                field="min-agree",
                params={"count": len(sets)},
            )
        name = f"vote {min_agree}-of-{len(sets)}"  # a system's name, as the exported figures give it
        voted[name] = ev.vote(list(preds.values()), min_agree)
        results[name] = ev.score(bench, voted[name])
    if best_ensemble:
        if len(sets) < 2:
            raise InputError(N_("--best-ensemble needs at least two query sets"), field="best-ensemble")
        ens, res = ev.best_ensemble(bench, preds)
        voted[ens.name] = ev.vote([preds[s] for s in ens.systems], ens.k)
        results[ens.name] = res

    title = ngettext(
        "SDG Classification Benchmark (%(count)s row): accuracy %% / F1 per SDG",
        "SDG Classification Benchmark (%(count)s rows): accuracy %% / F1 per SDG",
        bench.height,
    )
    table = Table(title=title)
    table.add_column(_("SDG"), justify="right")
    for name in results:
        table.add_column(name, justify="right")
    for sdg in ["Average", *map(str, ev.SDGS)]:
        shown = _("Average") if sdg == "Average" else sdg
        table.add_row(shown, *(f"{_pct(r[sdg].accuracy)} / {num(r[sdg].f1, 2)}" for r in results.values()))
    console.print(table)

    pub = ev.published_stats(published)
    if pub is None:
        console.print("[dim]" + _("published figures not found: comparison skipped (give --published)") + "[/]")
    else:
        import polars as pl

        ours = [
            {
                "system": n,
                "accuracy": r["Average"].accuracy,
                "precision": r["Average"].precision,
                "recall": r["Average"].recall,
                "f1": r["Average"].f1,
                "source": "impactrank",
            }
            for n, r in results.items()
        ]
        theirs = pub.filter(pl.col("sdg") == "Average").select(
            "system", "accuracy", "precision", "recall", "f1", source=pl.lit("published")
        )
        both = pl.concat(
            [pl.DataFrame(ours), theirs.cast({c: pl.Float64 for c in ("accuracy", "precision", "recall", "f1")})]
        )
        both = both.sort(["accuracy", "system"], descending=[True, False])
        cmp_table = Table(
            title=_("Mean over SDGs, beside published classifiers"),
            caption=_("published F1 is rounded to one decimal in the benchmark's stats files"),
        )
        for col in (N_("system"), N_("source"), N_("accuracy %"), N_("precision %"), N_("recall %"), N_("F1")):
            cmp_table.add_column(_(col), justify="left" if col in ("system", "source") else "right")
        for row in both.iter_rows(named=True):
            style = "bold" if row["source"] == "impactrank" else None
            cmp_table.add_row(
                row["system"],
                _("published") if row["source"] == "published" else row["source"],
                _pct(row["accuracy"]),
                _pct(row["precision"]),
                _pct(row["recall"]),
                num(row["f1"], 2 if row["source"] == "impactrank" else 1),
                style=style,
            )
        console.print(cmp_table)

    theirs_pred = ev.load_text2sdg_predictions(predictions)
    if theirs_pred is not None:
        agr = Table(title=_("Agreement with text2sdg's published predictions (its detect_sdg() ensemble)"))
        for col in (
            N_("system"),
            N_("same decision %"),
            N_("both yes"),
            N_("both no"),
            N_("only ours"),
            N_("only text2sdg"),
            N_("SDG-set Jaccard"),
            N_("identical sets %"),
        ):
            agr.add_column(_(col), justify="left" if col == "system" else "right")
        for name, p in {**preds, **voted}.items():
            a = ev.agreement(bench, p, theirs_pred)
            agr.add_row(
                name,
                _pct(a.decision_agreement * 100),
                num(a.both_yes),
                num(a.both_no),
                num(a.only_ours),
                num(a.only_text2sdg),
                num(a.set_jaccard, 3),
                _pct(a.exact_sets * 100),
            )
        console.print(agr)
    if out is not None:
        export_table(ev.stats_frame(results), out)
        console.print(_("figures → %(out)s", out=out), highlight=False)


_YEARS = re.compile(r"^\s*(\d{4})\s*[-–:]\s*(\d{4})\s*$")


@sdg_app.command("metrics")
def metrics(
    publications: Annotated[
        Path,
        typer.Option(
            "--publications",
            help="Publications: work_id, year, "
            "institution_ids, citations, expected_citations (or field), "
            "journal_percentile, countries; sdgs unless --labels.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Research metrics .csv in the submissions long format.")],
    labels: Annotated[Path | None, typer.Option("--labels", help="Labels from 'sdg classify'.")] = None,
    lmic: Annotated[Path | None, typer.Option("--lmic", help="Own list of LMIC economies (iso2 column).")] = None,
    years: Annotated[str | None, typer.Option("--years", help="Publication years to count, e.g. 2015-2019.")] = None,
    methodology: Annotated[
        str, typer.Option("--methodology", "-m", help="Keep the metrics this methodology uses per SDG.")
    ] = "the-2021",
    all_metrics: Annotated[bool, typer.Option("--all-metrics", help="Write every metric for every SDG.")] = False,
    decimal: DecimalOption = None,
    lang: LangOption = "en",
) -> None:
    """Per institution and SDG: publications, FWCI, top-10% journal share, LMIC co-authorship."""
    check_lang(lang)
    from impactrank.sdgmap.publications import read_publications, read_table
    from impactrank.sdgmap.research import (
        NUMERIC_COLUMNS,
        load_lmic,
        methodology_metrics,
        research_metrics,
        write_metrics,
    )

    out_format(out, ("csv",))
    span = None
    if years:
        m = _YEARS.match(years)
        if not m or int(m.group(1)) > int(m.group(2)):
            raise InputError(
                N_("--years wants FROM-TO, e.g. 2015-2019, not %(years)r"), field="years", params={"years": years}
            )
        span = (int(m.group(1)), int(m.group(2)))
    pubs = read_publications(publications, numeric=NUMERIC_COLUMNS, decimal=decimal)
    lab = read_table(labels) if labels else None
    keep = None if all_metrics else methodology_metrics(methodology)
    lmic_codes = load_lmic(lmic) if lmic else None
    result = research_metrics(pubs.frame, lab, lmic_codes, span, keep, file=str(publications), rows=pubs.rows)
    write_metrics(result, out)
    console.print(
        ngettext(
            "%(values)s metric values for %(count)s institution → %(out)s",
            "%(values)s metric values for %(count)s institutions → %(out)s",
            result["institution_id"].n_unique(),
            values=num(result.height),
            out=out,
        ),
        highlight=False,
    )


__all__ = ["console_err", "sdg_app"]
