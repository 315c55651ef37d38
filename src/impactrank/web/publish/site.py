"""``impactrank publish``: the dashboard as a folder of static files (see :mod:`impactrank.web.publish`)."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from impactrank import __version__
from impactrank.errors import N_, InputError
from impactrank.io.atomic import exchange, temp_prefix
from impactrank.io.workspace import Workspace
from impactrank.web import forecasts
from impactrank.web.assets import STATIC, STATIC_FILES
from impactrank.web.publish import render, search
from impactrank.web.publish.addresses import Site
from impactrank.web.publish.render import Task
from impactrank.web.store import LOAD_WAIT, Store

MANIFEST = "manifest.json"
ASSETS = {**{name: path for name, (path, _) in STATIC_FILES.items()}, "search.js": STATIC / "search.js"}
CHUNK = 40  # tasks a process takes at a time: small enough to share the work evenly


@dataclass(frozen=True)
class Published:
    files: int
    bytes: int
    pages: int  # HTML pages
    seconds: float


def refuse_embargoed(
    workspace: Path, editions: list[str], now: datetime | None = None, wait: float = LOAD_WAIT
) -> None:
    """An edition whose results are under embargo is not published before its public time."""
    now = now or datetime.now(UTC)
    with Workspace(workspace, read_only=True, wait=wait) as ws:
        times = ws.public_times()
    for edition in editions:
        if edition in times and now < times[edition]:
            when = times[edition].strftime("%Y-%m-%d %H:%M UTC")
            raise InputError(
                N_("edition %(edition)s is under embargo until %(when)s: it cannot be published before then"),
                params={"edition": edition, "when": when},
            )


def site_of(store: Store, langs: list[str]) -> Site:
    ids = store.edition_ids()
    with_overall = [e["edition"] for e in store.editions() if e["overall_table"]]
    data = {e: store.get(e) for e in ids}
    return Site(
        langs=langs,
        institutions={e: set(d.institutions["institution_id"].to_list()) for e, d in data.items()},
        countries={e: set(data[e].countries) for e in with_overall},
        groups={e: set(data[e].groups) for e in with_overall},
        sdgs={e: set(d.sdgs) for e, d in data.items()},
        comparisons={(store.previous(a), a) for a in with_overall if store.previous(a)},
        assets={*ASSETS, "plotly.min.js", "search-index.js"},
    )


def tasks_of(site: Site) -> list[Task]:
    """Every page of the site: the editions, each edition's tables, institutions, countries and groups, and
    each comparison of consecutive editions."""
    tasks = [Task("/editions"), Task(render.SEARCH)]
    for e in sorted(site.institutions):
        if e in site.countries:
            tasks.append(Task("/editions/{edition}", {"edition": e}, listing=True, exports=True))
        tasks += [
            Task("/editions/{edition}/sdgs/{sdg}", {"edition": e, "sdg": s}, listing=True, exports=True)
            for s in sorted(site.sdgs[e])
        ]
        tasks += [
            Task("/editions/{edition}/countries/{country}", {"edition": e, "country": c}, exports=True)
            for c in sorted(site.countries.get(e, ()))
        ]
        tasks += [
            Task("/editions/{edition}/groups/{group:path}", {"edition": e, "group": g}, exports=True)
            for g in sorted(site.groups.get(e, ()))
        ]
        tasks += [
            Task("/editions/{edition}/institutions/{institution_id}", {"edition": e, "institution_id": i})
            for i in sorted(site.institutions[e])
        ]
    tasks += [
        Task("/compare", query={"before": b, "after": a}, listing=True, exports=True)
        for b, a in sorted(site.comparisons)
    ]
    return tasks


def publish(
    workspace: str | Path,
    out: str | Path,
    langs: list[str],
    editions: list[str] | None = None,
    groups: str | Path | None = None,
    base_url: str | None = None,
    processes: int | None = None,
    now: datetime | None = None,
    wait: float = LOAD_WAIT,
    progress: Callable[[int, int], object] | None = None,
) -> Published:
    """Write the site into a folder beside ``out`` and put it in ``out``'s place when complete. ``progress`` hears
    (addresses written, addresses in all) as the work goes: an address is a page in every language with its JSON
    twin and downloads (a table's with its further pages)."""
    started = time.perf_counter()
    out = Path(out)
    store = Store(workspace, groups, editions, wait)
    if editions is not None:
        unknown = sorted(set(editions) - set(store.edition_ids()))
        if unknown:
            raise InputError(
                N_("no edition %(editions)s in the workspace"),
                field="editions",
                params={"editions": ", ".join(unknown)},
            )
    chosen = store.edition_ids()
    refuse_embargoed(Path(workspace), chosen, now, wait)
    _check_out(out)
    store.preload()
    site = site_of(store, langs)
    base = base_url.rstrip("/") if base_url else None
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=temp_prefix(out.name), suffix=".tmp", dir=out.parent))
    try:
        made = forecasts.made_for(store)  # once here, not once in each process that renders institutions
        files = _render(site, tasks_of(site), staging, str(workspace), groups, chosen, base, made, processes, progress)
        files += _assets(staging, store)
        if base:
            files.append(_write(staging, "sitemap.xml", _sitemap(base, files)))
        manifest = {"impactrank": __version__, "editions": chosen, "langs": langs, "files": _listing(files)}
        _write(staging, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n")
        os.chmod(staging, 0o755)
        _put_in_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pages = sum(1 for f in files if f[0].endswith(".html"))
    return Published(len(files) + 1, sum(f[1] for f in files), pages, time.perf_counter() - started)


def _render(site, tasks, staging, workspace, groups, editions, base, made, processes, progress) -> list:
    args = (workspace, None if groups is None else str(groups), editions, site, str(staging), base, made)
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    processes = processes or min(2, os.cpu_count() or 1)
    if processes == 1:
        render.start(*args)
        return _gathered(map(render.run, chunks), chunks, progress)
    os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one thread per process: the processes share the cores
    context = multiprocessing.get_context("spawn")  # not fork: the parent's polars and DuckDB threads stay its own
    with ProcessPoolExecutor(processes, mp_context=context, initializer=render.start, initargs=args) as pool:
        return _gathered(pool.map(render.run, chunks), chunks, progress)


def _gathered(results: Iterable[list], chunks: list[list[Task]], progress: Callable[[int, int], object] | None) -> list:
    """Every chunk's files in the order of the tasks, telling ``progress`` as each chunk comes in."""
    files: list = []
    done, total = 0, sum(map(len, chunks))
    for chunk, written in zip(chunks, results, strict=True):
        files += written
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return files


def _assets(staging: Path, store: Store) -> list:
    from plotly.offline import get_plotlyjs

    files = [_write(staging, f"static/{name}", path.read_bytes()) for name, path in ASSETS.items()]
    files.append(_write(staging, "static/plotly.min.js", get_plotlyjs().encode("utf-8")))
    files.append(_write(staging, "static/search-index.js", search.script(search.index(store))))
    return files


def _write(staging: Path, name: str, data: bytes) -> tuple[str, int, str]:
    path = staging / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name, len(data), hashlib.sha256(data).hexdigest()


def _listing(files: list) -> dict:
    names = [f[0] for f in files]
    if len(names) != len(set(names)):
        raise ValueError("two pages were written to the same file")
    return {name: {"bytes": size, "sha256": digest} for name, size, digest in sorted(files)}


def _sitemap(base: str, files: list) -> bytes:
    pages = sorted(f[0] for f in files if f[0].endswith(".html"))
    urls = "".join(f"<url><loc>{base}/{p}</loc></url>\n" for p in pages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    ).encode()


def _check_out(out: Path) -> None:
    """``out`` is replaced whole: only an earlier site (its manifest present) or an empty folder may be."""
    if out.exists() and (not out.is_dir() or out.is_symlink()):
        raise InputError(N_("%(path)s is not a folder"), file=str(out), field="out", params={"path": str(out)})
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise InputError(
            N_(
                "%(path)s holds files but no %(manifest)s: publish replaces the whole folder, so give a new or empty "
                "folder, or an earlier site"
            ),
            params={"path": str(out), "manifest": MANIFEST},
            file=str(out),
            field="out",
        )


def _put_in_place(staging: Path, out: Path) -> None:
    """The new site takes the old one's place in one step (renameat2's exchange), else the old one is moved
    aside first; a failure before this leaves the old site as it was."""
    if not out.exists():
        os.rename(staging, out)
    elif not exchange(staging, out):  # after an exchange, staging holds the old site (removed by the caller)
        aside = Path(tempfile.mkdtemp(prefix=temp_prefix(out.name), suffix=".tmp", dir=out.parent))
        os.rename(out, aside)
        os.rename(staging, out)
        shutil.rmtree(aside, ignore_errors=True)
