"""Next edition's band on an institution's page of a published edition: the forecast of the whole edition, made
once per edition and workspace version (about a second), then read for each institution. A static site's worker
processes take the forecasts its planning process made (:func:`made_for`, :func:`keep`) rather than each making
them again."""

from __future__ import annotations

import threading

from impactrank.engine.forecast import Forecast, forecast_edition, rules_for, series_of
from impactrank.errors import InputError
from impactrank.report.forecast_words import assumption_lines, chances_line, fixed_line, next_year_line
from impactrank.web.store import EditionData, Store

_made: dict[tuple[int, int, str], tuple[Forecast, dict[str, dict]] | None] = {}  # with its rows by institution
_lock = threading.Lock()


def _forecast(store: Store, edition_id: str) -> tuple[Forecast, dict[str, dict]] | None:
    """The edition's forecast and its rows by institution (a page reads one: a dict, not a filter of the table),
    or None when its series cannot give one (no earlier pair of overall tables)."""
    key = (id(store), store.version, edition_id)
    with _lock:
        if key not in _made:
            ids, participants = series_of(store.editions(), edition_id)
            series = [store.get(i).edition for i in ids]
            years = [e.year for e in series]
            try:
                fc = forecast_edition(series, rules_for([*years, years[-1] + 1]), participants)
                rows = {}
                for row in fc.table.iter_rows(named=True):
                    rows.setdefault(row["institution_id"], row)  # its first row, as a filter's row(0) was
                _made[key] = fc, rows
            except InputError:
                _made[key] = None
            for old in [k for k in _made if k[:2] != key[:2]]:
                del _made[old]
        return _made[key]


def _forecast_of(data: EditionData) -> bool:
    """Whether the edition's pages show a forecast: a published edition with an overall table."""
    return data.edition.kind == "imported" and data.edition.has_overall_table


def made_for(store: Store) -> dict[str, tuple[Forecast, dict[str, dict]] | None]:
    """The forecast of every edition whose pages show one, made here (picklable: another process keeps them)."""
    return {e: _forecast(store, e) for e in store.edition_ids() if _forecast_of(store.get(e))}


def keep(store: Store, made: dict[str, tuple[Forecast, dict[str, dict]] | None]) -> None:
    """Forecasts made by :func:`made_for` over the same workspace and editions, kept as this store's own."""
    with _lock:
        for edition_id, value in made.items():
            _made[(id(store), store.version, edition_id)] = value


def forecast_ctx(store: Store, data: EditionData, iid: str, lang: str) -> dict | None:
    """The page's lines in the reader's language, or None (a built edition, no overall table, no forecast, or
    the institution has no score this year)."""
    if not _forecast_of(data):
        return None
    made = _forecast(store, data.edition.id)
    row = None if made is None else made[1].get(iid)
    if row is None:
        return None
    fc = made[0]
    return {
        "line": next_year_line(fc, row, lang),
        "chances": chances_line(row, lang),
        "fixed": fixed_line(fc, row, lang),
        "assumptions": assumption_lines(fc, lang),
    }
