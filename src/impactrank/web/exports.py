"""Any table view as a CSV or XLSX download: the ``format=csv|xlsx`` of a page's JSON twin."""

from __future__ import annotations

import polars as pl
from fastapi.responses import Response

from impactrank.errors import N_, InputError
from impactrank.io.exports import export_table

EXPORT_MAX = 200_000
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(frame: pl.DataFrame, fmt: str, filename: str) -> Response:
    """The whole view, formula-like text neutralised by the io layer (tied ranks such as "=12" kept)."""
    if frame.height > EXPORT_MAX:
        raise InputError(
            N_("export is limited to %(limit)s rows; this view has %(rows)s — filter it first"),
            field="format",
            params={"limit": EXPORT_MAX, "rows": frame.height},
        )
    return Response(
        content=export_table(frame, fmt),
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )
