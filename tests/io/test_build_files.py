"""A CSV file's hash is taken while polars writes it: the manifest's hash must be the whole file's, however many
pieces the reader behind the writer takes."""

from __future__ import annotations

import hashlib

import polars as pl

from impactrank.io.build_files import HASH_PIECE, write_csv_hashed


def test_the_hash_taken_behind_the_writer_is_the_whole_files(tmp_path):
    n = 600_000
    frame = pl.DataFrame(
        {"id": range(n), "name": [f"institution {i}" for i in range(n)], "x": [i / 7 for i in range(n)]}
    )
    path = tmp_path / "big.csv"
    digest = write_csv_hashed(frame, path)
    data = path.read_bytes()
    assert len(data) > 5 * HASH_PIECE  # several pieces, read while the file grows
    assert digest == hashlib.sha256(data).hexdigest()
    assert data.startswith(b"id,name,x\n0,institution 0,0.0\n")
    assert write_csv_hashed(frame.head(0), tmp_path / "empty.csv") == hashlib.sha256(b"id,name,x\n").hexdigest()
