"""The Dask engine on a local two-worker cluster gives exactly the single-process labels."""

from __future__ import annotations

import polars as pl
import pytest

from impactrank.errors import InputError
from impactrank.sdgmap.classify import classify_table
from impactrank.sdgmap.distributed import classify_parquet_dask, parquet_parts
from impactrank.sdgmap.publications import read_table


def test_dask_matches_single_process(tmp_path, benchmark, aurora):
    df = benchmark.select(work_id="id", title=pl.lit(""), abstract="text", keywords=pl.lit(None, pl.String)).unique(
        "work_id", keep="first", maintain_order=True
    )
    folder = tmp_path / "pubs"
    folder.mkdir()
    half = df.height // 2
    df.slice(0, half).write_parquet(folder / "part-0.parquet", row_group_size=200)
    df.slice(half).write_parquet(folder / "part-1.parquet", row_group_size=200)
    assert df.height == 1251
    assert len(parquet_parts(folder)) == 8  # 625 + 626 rows in groups of 200
    single = classify_table(read_table(folder), [aurora])
    assert single.equals(classify_table(df, [aurora]))
    distributed = classify_parquet_dask(folder, [aurora], n_workers=2)
    assert distributed.equals(single)
    assert int((single["sdgs"].list.len() > 0).sum()) > 400


def test_dask_engine_wants_parquet(tmp_path):
    (tmp_path / "x.csv").write_text("a\n1\n")
    with pytest.raises(InputError, match="reads Parquet"):
        parquet_parts(tmp_path / "x.csv")
    with pytest.raises(InputError, match="reads Parquet"):
        parquet_parts(tmp_path / "empty")
