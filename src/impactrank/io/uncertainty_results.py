"""The files of ``impactrank uncertainty --out``: rank_uncertainty.csv, sobol.csv and uncertainty.json.

The engine returns the tables and the run's summary; here they become deterministic bytes (fixed float
precision, sorted JSON keys), written together into the folder (staged beside it, then moved in at once). The
workspace keeps the same table and summary with the edition.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.uncertainty import UncertaintyResult
from impactrank.io.atomic import atomic_folder


def _csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv(float_precision=6).encode("utf-8")


def write_uncertainty_outputs(out: Path, edition: Edition, result: UncertaintyResult) -> list[str]:
    """rank_uncertainty.csv, sobol.csv and uncertainty.json: deterministic bytes, appearing in ``out`` together."""
    payloads = {
        "rank_uncertainty.csv": _csv(result.table),
        "sobol.csv": _csv(result.sobol),
    }
    summary = {"edition": edition.id, **result.summary()}
    payloads["uncertainty.json"] = (json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    with atomic_folder(out, list(payloads)) as staging:
        for name, data in payloads.items():
            (staging / name).write_bytes(data)
    return list(payloads)
