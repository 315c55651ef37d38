"""The dashboard's one core object: a read-only, in-memory cache of the workspace's editions with the
indexes that keep filtered table requests fast on a 100,000-institution edition.

Every page and its JSON twin read from here (datasette's "one core object" pattern): the HTML templates
and the ``/api`` routes render the same dictionaries.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from impactrank.countries import country_key
from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import visible
from impactrank.engine.views.explain import InstitutionRows, scaling_by_sdg
from impactrank.engine.views.lists import OVERALL_SCORES
from impactrank.errors import N_, InputError
from impactrank.i18n import DEFAULT
from impactrank.io.workspace import Workspace
from impactrank.pages import Plain, json_text, plain_rows
from impactrank.report.names import local_names

SDGS = tuple(range(1, 18))
LOAD_WAIT = 10.0  # seconds a request waits to load an edition while a command writes the workspace (then a 503)

# on what a reader sees (engine.tables.shown): a band's first place and its score range, not the place or score
# behind it
OVERALL_SORTS = {
    "rank": ["rank_low", "name"],
    "name": ["name_key", "rank_low"],
    "country": ["country", "rank_low"],
    "score": ["overall_high", "name"],
    "sdg17": ["sdg17_high", "name"],
}
SDG_SORTS = {
    "rank": ["rank_low", "name"],
    "name": ["name_key", "rank_low"],
    "country": ["country", "rank_low"],
    "score": ["score_high", "name"],
}

_WHO = ["rank", "rank_interval", "institution_id", "name", "country", "groups"]  # how every table row starts
OVERALL_COLUMNS = [
    *_WHO,
    *OVERALL_SCORES,
    "band",
    "rank_position",
    "quality",
]
SDG_COLUMNS = [*_WHO, "score", "score_low", "score_high", "scaled_score", "counted", "band", "rank_position"]


class SortedIndex:
    """A table sorted on a key column with each key's row range in a dict: one key's rows in O(1)."""

    def __init__(self, frame: pl.DataFrame, key: str = "institution_id") -> None:
        self.frame = frame.sort(key, maintain_order=True)
        runs = (
            self.frame.select(pl.col(key))
            .with_row_index("_i")
            .group_by(key, maintain_order=True)
            .agg(pl.col("_i").first().alias("start"), pl.len().alias("n"))
        )
        self.offsets: dict[str, tuple[int, int]] = {k: (start, n) for k, start, n in runs.iter_rows() if k is not None}

    def rows(self, value: str) -> pl.DataFrame:
        start, n = self.offsets.get(value, (0, 0))
        return self.frame.slice(start, n)


def _with_edition_columns(view: pl.DataFrame, overall: pl.DataFrame) -> pl.DataFrame:
    """The display rows with the edition's overall columns the view leaves out (the single-year score), so that
    an institution's row is also a row of the edition's own table."""
    missing = [c for c in overall.columns if c not in view.columns]
    extra = overall.select("institution_id", *missing).unique("institution_id", keep="first", maintain_order=True)
    return view.join(extra, on="institution_id", how="left", maintain_order="left")


def _for_display(view: pl.DataFrame, edition: Edition) -> pl.DataFrame:
    """A view with what the table pages filter and sort on: the groups, a rank_interval in every row (the view's
    own when the edition has uncertainty results, else the rank) and a lower-case name key."""
    groups = edition.institutions.select("institution_id", "groups").unique(
        "institution_id", keep="first", maintain_order=True
    )
    interval = [] if "rank_interval" in view.columns else [pl.col("rank").alias("rank_interval")]
    return view.join(groups, on="institution_id", how="left", maintain_order="left").with_columns(
        *interval, pl.col("name").fill_null("").str.to_lowercase().alias("name_key")
    )


@dataclass
class EditionData:
    """One loaded edition plus display tables and indexes built once."""

    edition: Edition
    overall: pl.DataFrame  # display table, sorted by rank, with one boolean column per SDG ("in_sdg_N") and _row
    by_country: dict[str, pl.DataFrame]
    sdg_index: SortedIndex  # sdg_scores by institution (sorted by SDG within)
    institutions: pl.DataFrame  # id, name, country, groups
    members: pl.DataFrame  # group, institution_id, name, country: from a groups file, or the groups column
    groups: dict[str, list[str]]  # group name → member ids
    countries: list[str]
    overall_index: SortedIndex  # the display rows in the edition's overall columns: what an explanation reads
    visible_index: SortedIndex  # the same rows as a reader may see them (engine.tables.shown.visible)
    metric_index: SortedIndex
    uncertainty_index: SortedIndex
    institution_index: SortedIndex
    previous_index: SortedIndex  # last years' single-year scores (averaging editions)
    field_size: int | None  # the edition's, computed once: every institution page shows it for every edition
    sdg_sizes: dict[int, int]  # rows of each SDG table the edition holds whole
    sdgs: list[int]  # the SDG tables the pages offer (Edition.sdgs)
    scaling: dict[int, dict]  # the edition's scaling rows by SDG (engine.views.explain.scaling_by_sdg)
    overall_json: list[bytes] = field(default_factory=list)  # each overall row (by _row) as the API shows it, encoded
    _sdg_tables: dict[int, pl.DataFrame] = field(default_factory=dict)
    rules: dict = field(default_factory=dict)  # previous edition id → THE's reproduced rule (or why none), found once
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, edition: Edition, members: pl.DataFrame | None = None) -> EditionData:
        """``members`` (a groups file's, resolved over every edition) replaces the institutions' groups column."""
        from impactrank.engine.views.lists import groups_from_institutions

        members = groups_from_institutions(edition) if members is None else members
        inst = edition.institutions.select("institution_id", "name", "country", "groups")
        presence = (
            edition.sdg_table_rows()
            .select("institution_id", "sdg")
            .unique()
            .with_columns(pl.lit(True).alias("present"))
            .pivot(on="sdg", index="institution_id", values="present")
        )
        from impactrank.engine.views.lists import overall_view

        overall = _for_display(overall_view(edition), edition).join(  # published order: position, then name
            presence, on="institution_id", how="left", maintain_order="left"
        )
        for sdg in SDGS:
            col = str(sdg)
            expr = pl.col(col).fill_null(False) if col in overall.columns else pl.lit(False)
            overall = overall.with_columns(expr.alias(f"in_sdg_{sdg}"))
        shown = overall.drop([str(s) for s in SDGS if str(s) in overall.columns])
        overall = shown.with_row_index("_row")  # a row's place, by which a page finds its JSON text
        by_country = {
            key[0]: frame
            for key, frame in overall.partition_by("country", as_dict=True, maintain_order=True).items()
            if key[0] is not None
        }
        groups: dict[str, list[str]] = {}
        for g, iid in members.select("group", "institution_id").iter_rows():
            groups.setdefault(g, []).append(iid)
        countries = sorted(c for c in inst["country"].unique().to_list() if c)
        with_edition = _with_edition_columns(shown, edition.overall)
        data = cls(
            edition=edition,
            overall=overall,
            by_country=by_country,
            sdg_index=SortedIndex(edition.sdg_scores.sort(["institution_id", "sdg"])),
            institutions=inst,
            members=members,
            groups=dict(sorted(groups.items())),
            countries=countries,
            overall_index=SortedIndex(with_edition[:, edition.overall.columns]),
            visible_index=SortedIndex(visible(with_edition)),
            metric_index=SortedIndex(edition.metric_scores.sort(["institution_id", "sdg"], maintain_order=True)),
            uncertainty_index=SortedIndex(edition.rank_uncertainty),
            institution_index=SortedIndex(edition.institutions),
            previous_index=SortedIndex(edition.previous_scores),
            field_size=edition.field_size,
            sdg_sizes=edition.sdg_table_sizes(),
            sdgs=edition.sdgs(),
            scaling=scaling_by_sdg(edition),
        )
        data.overall_json = data._encoded_rows()
        return data

    def _encoded_rows(self) -> list[bytes]:
        """Each row of the overall table as an API page shows it (the columns of OVERALL_COLUMNS, English names),
        as JSON text in UTF-8: what a page would encode per request, encoded once (in slices: the rows as dicts are
        several times the size of their text)."""
        columns = [c for c in OVERALL_COLUMNS if c in self.overall.columns]
        out: list[bytes] = []
        for part in self.overall[columns].iter_slices(10_000):
            out += [json_text(row).encode("utf-8") for row in named(plain_rows(part), self, DEFAULT)]
        return out

    def sdg_table(self, sdg: int) -> pl.DataFrame:
        """The SDG table for display, built on first use and kept."""
        with self._lock:
            if sdg not in self._sdg_tables:
                from impactrank.engine.views.lists import sdg_view

                # ranked order, or by score for imported editions without SDG ranks
                self._sdg_tables[sdg] = _for_display(sdg_view(self.edition, sdg), self.edition)
            return self._sdg_tables[sdg]

    def institution_rows(self, institution_id: str) -> pl.DataFrame:
        """The institution's SDG rows (edition schema)."""
        return self.sdg_index.rows(institution_id)

    def has(self, institution_id: str) -> bool:
        """Whether the institution is in the edition: a dict look-up, where its row costs a frame slice."""
        return institution_id in self.institution_index.offsets

    def visible_row(self, institution_id: str) -> dict | None:
        """The institution's overall row as a reader may see it, with its first and last possible place as shares
        of the field (engine.tables.shown.visible_row's, made for the whole table at once where one row at a time costs
        a frame each)."""
        rows = self.visible_index.rows(institution_id)
        if not rows.height:
            return None
        row, size = rows.row(0, named=True), self.field_size
        if size is not None and {"rank_low", "rank_high"} <= row.keys():
            low, high = row["rank_low"], size if row["rank_high"] is None else row["rank_high"]
            row |= {"share_low": None if low is None else 100.0 * low / size, "share_high": 100.0 * high / size}
        return row

    def explained_rows(self, institution_id: str) -> InstitutionRows:
        """The institution's rows as its explanation reads them (engine.views.explain), found by the indexes; the
        institution must be in the edition."""
        overall = self.overall_index.rows(institution_id)
        return InstitutionRows(
            institution=self.institution_index.rows(institution_id).row(0, named=True),
            overall=overall.row(0, named=True) if overall.height else None,
            sdg_scores=self.sdg_index.rows(institution_id),
            metric_scores=self.metric_index.rows(institution_id),
            previous_scores=self.previous_index.rows(institution_id),
        )

    def uncertainty_rows(self, institution_id: str) -> pl.DataFrame:
        return self.uncertainty_index.rows(institution_id)


def named(rows: list[dict], data: EditionData, lang: str) -> list[dict]:
    """A page's rows, each institution under the name it uses in the page's language where it has one."""
    local = local_names(data.edition, lang)
    out = [r | {"name": local[r["institution_id"]]} if r.get("institution_id") in local else r for r in rows]
    return Plain(out) if type(rows) is Plain else out  # a name is text: still plain


@dataclass(frozen=True)
class TableQuery:
    """Filters, sort and page of a table view; validated by the routes before it gets here."""

    q: str | None = None
    """Part of an institution's name, or its exact id."""
    country: str | None = None
    group: str | None = None
    sdg: int | None = None
    """The overall table: only the institutions ranked in this SDG."""
    sort: str = "rank"
    order: str = "asc"
    page: int = 1
    per_page: int = 50

    def __post_init__(self) -> None:
        # empty form fields mean "no filter"; a country is matched by its code, given as a code or a name
        object.__setattr__(self, "q", self.q or None)
        object.__setattr__(self, "country", country_key(self.country) if self.country else None)
        object.__setattr__(self, "group", self.group or None)

    def params(self) -> dict:
        out = {
            k: v
            for k, v in (("q", self.q), ("country", self.country), ("group", self.group), ("sdg", self.sdg))
            if v not in (None, "")
        }
        if self.sort != "rank":
            out["sort"] = self.sort
        if self.order != "asc":
            out["order"] = self.order
        return out


def filter_table(
    data: EditionData, table: pl.DataFrame | None, query: TableQuery, sorts: dict[str, list[str]]
) -> pl.DataFrame:
    """Apply a query's filters and sort (the whole result, before pagination)."""
    if table is None:  # the overall table: start from the country partition when filtering by country
        frame = data.by_country.get(query.country) if query.country else data.overall
        if frame is None:  # (an empty frame made only then: a frame per request was a twentieth of an API page)
            frame = data.overall.clear()
    else:
        frame = table.filter(pl.col("country") == query.country) if query.country else table
    if query.group:
        members = data.groups.get(query.group, [])
        frame = frame.filter(pl.col("institution_id").is_in(members))
    if query.sdg is not None and table is None:
        frame = frame.filter(pl.col(f"in_sdg_{query.sdg}"))
    if query.q:
        needle = query.q.lower()
        frame = frame.filter(
            pl.col("name_key").str.contains(needle, literal=True)
            | (pl.col("institution_id").str.to_lowercase() == needle)
        )
    if query.sort != "rank" or query.order != "asc":
        keys = sorts[query.sort]
        desc = query.order == "desc"
        frame = frame.sort(keys, descending=[desc] + [False] * (len(keys) - 1), nulls_last=True)
    return frame


class Store:
    """Read-only access to a workspace: the edition list and a cache of loaded editions, kept in step with the
    workspace while it is served (editions imported, rebuilt or removed appear without a restart)."""

    def __init__(
        self, path: str | Path, groups: str | Path | None = None, only: list[str] | None = None, wait: float = LOAD_WAIT
    ) -> None:
        """``only``: the editions shown (a static site of some editions), all the workspace's by default; ``wait``:
        seconds to wait for the workspace while a command writes it."""
        self.path = Path(path)
        self.wait = wait
        self.groups_file = Path(groups) if groups is not None else None
        self.only = None if only is None else set(only)
        self._lock = threading.Lock()
        self._data: dict[str, EditionData] = {}
        self.version = 0  # counts the changes seen; a cache of rendered pages keys on it
        self._watched = (str(self.path), str(self.path.with_name(self.path.name + ".wal")))  # os.stat: every request
        self._seen = self._stat()
        with Workspace(self.path, read_only=True, wait=wait) as ws:
            self._editions, self._revisions, self._members = self._read(ws)

    def _stat(self) -> tuple:
        """What a write changes on disk: the workspace file and DuckDB's write-ahead log beside it."""
        seen = []
        for path in self._watched:
            try:
                st = os.stat(path)
                seen.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except FileNotFoundError:
                seen.append(None)
        return tuple(seen)

    def stale(self) -> bool:
        """Whether the workspace may have changed since it was last read: two stat calls, cheap per request."""
        return self._stat() != self._seen

    def refresh(self) -> int:
        """Read the edition list again if the workspace changed, forget the editions whose content changed or
        which were removed, and count the change; returns the version. While a writer holds the workspace,
        what is loaded is served and the next request looks again."""
        seen = self._stat()
        if seen == self._seen:
            return self.version
        with self._lock:
            if seen == self._seen:
                return self.version
            try:
                with Workspace(self.path, read_only=True, wait=0) as ws:  # held by a writer: look again next time
                    editions, revisions, members = self._read(ws)
            except InputError:
                return self.version
            self._seen = seen
            if revisions == self._revisions:
                return self.version  # touched, not changed (a writer that saved nothing)
            old = self._revisions
            self._editions, self._revisions, self._members = editions, revisions, members
            if members is not None:  # resolved by name over every edition: each edition's groups may change
                self._data.clear()
            for edition_id in list(self._data):
                if revisions.get(edition_id) != old.get(edition_id):
                    del self._data[edition_id]
            self.version += 1
            return self.version

    def _read(self, ws: Workspace) -> tuple[list[dict], dict[str, str], pl.DataFrame | None]:
        """The edition list, each edition's revision, and a groups file's members matched by name against
        every edition's institutions (None without a groups file: each edition's own groups column)."""
        editions = [e for e in ws.editions().to_dicts() if self.only is None or e["edition"] in self.only]
        if self.groups_file is None:
            return editions, ws.revisions(), None
        from impactrank.io.groups import read_groups

        tables = [ws.table("institutions", e["edition"]) for e in editions]
        return editions, ws.revisions(), read_groups(self.groups_file, editions=tables)

    def editions(self) -> list[dict]:
        return self._editions

    def edition_ids(self) -> list[str]:
        return [e["edition"] for e in self._editions]

    def get(self, edition_id: str) -> EditionData:
        """The edition's cached data; raises InputError (a 404) for an unknown id."""
        data = self._data.get(edition_id)
        if data is not None:
            return data
        with self._lock:
            if edition_id not in self._data:
                if edition_id not in self.edition_ids():
                    known = list(self.edition_ids())
                    raise InputError(
                        N_("no edition %(edition)s (editions: %(known)s)"),
                        field="edition",
                        params={"edition": repr(edition_id), "known": known},
                    )
                with Workspace(self.path, read_only=True, wait=self.wait) as ws:
                    self._data[edition_id] = EditionData.build(ws.load(edition_id), self._members)
            return self._data[edition_id]

    def loaded(self, edition_id: str) -> bool:
        """Whether the edition is in memory: reading it waits for nothing (neither the workspace nor a lock)."""
        return edition_id in self._data

    def preload(self) -> None:
        for edition_id in self.edition_ids():
            self.get(edition_id)

    def previous(self, edition_id: str) -> str | None:
        """The latest earlier edition of the same series with an overall table (for movement), or None.

        A series is a kind and an id suffix: built "2021" follows built "2020", imported "2021-taiwan" follows
        "2020-taiwan"; a one-country compilation is never compared with a world table by default."""
        info = {e["edition"]: e for e in self._editions}

        def series(e: dict) -> tuple[str, str]:
            year = str(e["year"])
            return e["kind"], e["edition"].removeprefix(year) if e["edition"].startswith(year) else e["edition"]

        this = info[edition_id]
        earlier = [i for i in self.edition_ids() if info[i]["year"] < this["year"] and series(info[i]) == series(this)]
        # movement is told on overall tables: an edition of SDG tables only is neither compared nor a comparison
        with_overall = [i for i in earlier if info[i]["overall_table"]]
        return with_overall[-1] if with_overall and this["overall_table"] else None
