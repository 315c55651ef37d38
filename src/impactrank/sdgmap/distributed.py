"""Scale-out: classify partitioned Parquet on a Dask cluster (local in tests, distributed in production).

Each task reads one row group with polars and labels it with the same :class:`Classifier` the single
process uses; the query sets travel once per worker and are compiled there once, then cached. Results
are concatenated and sorted by work_id, so they are identical to the single-process output.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from impactrank.errors import N_, InputError
from impactrank.sdgmap.classify import LABEL_SCHEMA, Classifier
from impactrank.sdgmap.loaders import QuerySet
from impactrank.sdgmap.publications import TextColumns, text_frame

_CLASSIFIERS: dict[tuple[str, tuple[str, ...], int], Classifier] = {}


def parquet_parts(path: Path | str) -> list[tuple[str, int]]:
    """(file, row group) pairs of a Parquet file or a folder of them, in a stable order."""
    path = Path(path)
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    if not files or not all(f.suffix.lower() == ".parquet" for f in files):
        raise InputError(N_("the dask engine reads Parquet (a file or a folder of .parquet files)"), file=str(path))
    parts = []
    for f in files:
        try:
            groups = pq.ParquetFile(f).num_row_groups
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise InputError(
                N_("cannot read as Parquet: %(reason)s"), file=str(f), params={"reason": str(exc)}
            ) from None
        parts.extend((str(f), g) for g in range(groups))
    return parts


def _classifier(key: str, query_sets: Sequence[QuerySet], fields: tuple[str, ...], min_agree: int) -> Classifier:
    ck = (key, fields, min_agree)
    if ck not in _CLASSIFIERS:
        _CLASSIFIERS[ck] = Classifier(query_sets, fields, min_agree)
    return _CLASSIFIERS[ck]


def classify_part(
    part: tuple[str, int], qkey: str, query_sets: Sequence[QuerySet], columns: TextColumns, min_agree: int
) -> pl.DataFrame:
    """One row group → labels; runs on a worker."""
    file, group = part
    table = pq.ParquetFile(file).read_row_group(group)
    frame, fields = text_frame(pl.from_arrow(table), columns, file)  # type: ignore[arg-type]
    return _classifier(qkey, query_sets, tuple(fields), min_agree).classify_frame(frame, fields)


def classify_parquet_dask(
    path: Path | str,
    query_sets: Sequence[QuerySet],
    columns: TextColumns = TextColumns(),
    min_agree: int = 1,
    client=None,
    n_workers: int = 2,
    progress=None,
) -> pl.DataFrame:
    """Labels for partitioned Parquet via Dask; starts a local cluster when no ``client`` is given."""
    from distributed import Client, LocalCluster, as_completed

    parts = parquet_parts(path)
    key = hashlib.sha256(pickle.dumps([(q.name, [x.query for x in q.lines]) for q in query_sets])).hexdigest()
    own = client is None
    cluster = None
    if own:
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
        client = Client(cluster)
    try:
        [qs_future] = client.scatter([list(query_sets)], broadcast=True)
        futures = client.map(
            classify_part,
            parts,
            key=[f"sdg-classify-{key[:12]}-{i}" for i in range(len(parts))],
            qkey=key,
            query_sets=qs_future,
            columns=columns,
            min_agree=min_agree,
            pure=False,
        )
        results: dict[int, pl.DataFrame] = {}
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            df = fut.result()
            results[index[fut.key]] = df
            if progress:
                progress(df.height)
    finally:
        if own:
            client.close()
            cluster.close()  # type: ignore[union-attr]
    if not results:
        return pl.DataFrame(schema=LABEL_SCHEMA)
    out = pl.concat([results[i] for i in range(len(parts))])
    return out.sort("work_id", maintain_order=True)
