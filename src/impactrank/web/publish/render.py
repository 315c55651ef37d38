"""Rendering the site's pages: each page function of the dashboard called as ``serve`` calls it, its context
rendered by the dashboard's templates (HTML, every language) and as its JSON twin, tables also as CSV and XLSX.

The work is a list of :class:`Task` (one page, or one paginated table with all its pages); a process renders
tasks with its own app over the workspace (:func:`start`, :func:`run`), writes each file into the staging
folder and returns the files' names, sizes and hashes. A file's bytes depend only on its task, so the order
in which processes take tasks changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request

from impactrank.headers import PAGE_HEADERS
from impactrank.i18n import DEFAULT, gettext
from impactrank.pages import JSONBody
from impactrank.web.publish.addresses import EXPORTS, PER_PAGE, Site, published_links, relative_links

META_POLICY = "; ".join(  # frame-ancestors is not allowed in a <meta> policy (a header's job)
    p for p in PAGE_HEADERS["Content-Security-Policy"].split("; ") if not p.startswith("frame-ancestors")
)
HEAD = '<meta charset="utf-8">'
HOME = "/editions"
SEARCH = "/search"  # the static site's own page: its search runs in the browser
ROUTE_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class Task:
    route: str  # the page's registered path, e.g. "/editions/{edition}/sdgs/{sdg}"
    params: dict[str, Any] = field(default_factory=dict)  # its path parameters
    query: dict[str, str] = field(default_factory=dict)  # query parameters naming the page (a comparison's)
    listing: bool = False  # paginated: every page of it
    exports: bool = False  # the view's CSV and XLSX too


@dataclass
class Renderer:
    """One process's renderer: the dashboard's pages over the workspace, and where files go."""

    pages: Any  # impactrank.pages.Pages
    site: Site
    staging: Path
    base_url: str | None
    current: str = ""  # the page under way, for an error
    folders: set[Path] = field(default_factory=set)  # made already: one mkdir per folder, not one per file

    def request(self, path: str, query: dict) -> Request:
        return Request(
            {
                "type": "http",
                "method": "GET",
                "scheme": "http",
                "server": ("localhost", 80),
                "root_path": "",
                "path": path,
                "raw_path": quote(path).encode(),
                "query_string": urlencode(query).encode(),
                "headers": [],
            }
        )

    def task(self, task: Task) -> list[tuple[str, int, str]]:
        """Render one task; the files written, as (name, size, sha256)."""
        if task.route == SEARCH:
            return [self.search_page(lang) for lang in self.site.langs]
        template, fn = self.pages.registered[task.route]
        path = ROUTE_PARAM.sub(lambda m: str(task.params[m[1]]), task.route)
        self.current = path
        written, page, pages = [], 1, 1
        while page <= pages:
            paging = {"page": page, "per_page": PER_PAGE} if task.listing else {}
            query = dict(task.query) | ({"page": page} if page > 1 else {})
            english = None
            for lang in self.site.langs:
                request = self.request(path, query | {"lang": lang})
                ctx = fn(request, **task.params, **task.query, **paging)
                english = ctx if lang == DEFAULT else english
                here = self.site.file_for(f"{quote(path)}?{urlencode(query | {'lang': lang})}", lang)
                body = self.pages.render(request, template, ctx, lang, static_site=True)
                written.append(self.write(here, self.finish(body, here, lang).encode("utf-8")))
                if task.route == HOME and lang == self.site.langs[0]:  # the site's front door: the first language's
                    written.append(self.write("index.html", self.finish(body, "index.html", lang).encode("utf-8")))
                pages = ctx.get("pages", 1) if task.listing else 1
            api = self.request("/api" + path, query)
            ctx = english if english is not None else fn(api, **task.params, **task.query, **paging)
            json_file = self.site.file_for(f"/api{quote(path)}?{urlencode(query)}", DEFAULT)
            written.append(self.write(json_file, self.json(ctx, json_file)))
            if task.exports and page == 1:
                for fmt in EXPORTS:
                    response = fn(api, **task.params, **task.query, **paging, format=fmt)
                    name = self.site.file_for(f"/api{quote(path)}?{urlencode(query | {'format': fmt})}", DEFAULT)
                    written.append(self.write(name, response.body))
            page += 1
        return written

    def json(self, ctx: dict, here: str | None) -> bytes:
        """The page's JSON twin as the dashboard's API answers it, but with its links to the site's files."""
        lang = DEFAULT if DEFAULT in self.site.langs else self.site.langs[0]
        content = published_links(self.pages.twin(ctx), here or "", lang, self.site)
        return JSONBody(content).body  # plain JSON values already (the twin's): encoded as the API's answer

    def search_page(self, lang: str) -> tuple[str, int, str]:
        request = self.request(SEARCH, {"lang": lang})
        ctx = {"title": gettext("Search the institutions", lang)}
        here = f"{lang}/search.html"
        body = self.pages.render(request, "search.html.j2", ctx, lang, static_site=True)
        return self.write(here, self.finish(body, here, lang).encode("utf-8"))

    def finish(self, body: str, here: str, lang: str) -> str:
        """The dashboard's policy as a <meta> (no server sends headers), the canonical address when the site
        has one, and every link relative to the page."""
        head = f'{HEAD}\n<meta http-equiv="Content-Security-Policy" content="{META_POLICY}">'
        head += '\n<meta name="referrer" content="no-referrer">'
        if self.base_url:
            head += f'\n<link rel="canonical" href="{self.base_url}/{here}">'
        return relative_links(body.replace(HEAD, head, 1), here, lang, self.site)

    def write(self, name: str | None, data: bytes) -> tuple[str, int, str]:
        if name is None:  # a task the address map does not hold
            raise ValueError(f"{self.current}: a rendered page has no place in the site")
        path = self.staging / name
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        path.write_bytes(data)
        return name, len(data), hashlib.sha256(data).hexdigest()


_renderer: Renderer | None = None


def start(
    workspace: str, groups: str | None, editions: list[str], site: Site, staging: str, base: str | None, made: dict
):
    """A process's renderer: its own app over the workspace (the dashboard's pages, registered as for serve), with
    the editions' forecasts the planning process made (:func:`impactrank.web.forecasts.made_for`)."""
    global _renderer
    from impactrank.web import forecasts
    from impactrank.web.app import create_app

    app = create_app(workspace, cache=False, groups=groups, editions=editions)
    forecasts.keep(app.state.store, made)
    _renderer = Renderer(app.state.pages, site, Path(staging), base)


def run(tasks: list[Task]) -> list[tuple[str, int, str]]:
    assert _renderer is not None, "start() first"
    return [f for t in tasks for f in _renderer.task(t)]
