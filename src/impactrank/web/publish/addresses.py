"""Where each dashboard address lives in the static site, and the published pages' links made relative to it.

A page is rendered as ``serve`` renders it, with the dashboard's own addresses (``/editions/2021?page=2``);
:class:`Site` says which file holds each address in each language, and :func:`relative_links` rewrites every
``href`` and ``src`` of a page into a path relative to the page's own file, so the folder works from
``file://``, under a sub-path or on any static host. An address the site does not hold (a filtered table, the
report, the API docs, a language not published) is no link at all in the static page: its text stays.
:func:`published_links` does the same for a JSON twin's links (null where the site holds no file): a twin names
other pages by their JSON twins (``/api/…``, :meth:`impactrank.pages.Pages.twin`), hence by the site's JSON files.

Layout: ``LANG/index.html`` (the editions), ``LANG/editions/E/index.html`` and ``page-N.html`` (overall table,
50 rows a page as the dashboard shows it), ``LANG/editions/E/sdgs/S/…`` likewise, ``LANG/editions/E/
institutions/ID.html``, ``…/countries/CC.html``, ``…/groups/NAME.html``, ``LANG/compare/B--A/index.html``;
the JSON twins under ``api/`` at the same places with ``.json``, each table's downloads as ``table.csv`` and
``table.xlsx`` beside its JSON (``ID.csv`` for a country or group); ``static/`` for the assets.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from impactrank.pages import rewrite_links

PER_PAGE = 50  # the dashboard's page size: its own prev/next links name pages of it
EXPORTS = ("csv", "xlsx")


def file_name(text: str) -> str:
    """An id or a group's name as one portable file name (ASCII, no separator, reversible: ``~`` escapes)."""
    name = quote(text, safe="").replace("~", "%7E").replace("%", "~")
    return "~2E" + name[1:] if name.startswith(".") else name


@dataclass
class Site:
    """What the site holds: editions, their institutions, countries and groups, comparisons, languages."""

    langs: list[str]
    institutions: dict[str, set[str]]  # edition → institution ids
    countries: dict[str, set[str]]  # editions with an overall table → country codes
    groups: dict[str, set[str]]  # editions with an overall table → group names
    sdgs: dict[str, set[int]]  # edition → its SDG tables
    comparisons: set[tuple[str, str]] = field(default_factory=set)  # (before, after)
    assets: set[str] = field(default_factory=set)
    links: dict = field(default_factory=dict, compare=False, repr=False)  # (address, folder, lang) → relative

    def file_for(self, url: str, lang: str) -> str | None:
        """The site file holding a dashboard address in ``lang`` (the address's own ``lang`` wins), or None."""
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        lang = query.pop("lang", lang)
        path = unquote(parts.path)
        if path.startswith("/static/"):
            return path[1:] if path[len("/static/") :] in self.assets and not query else None
        api = path.startswith("/api/")  # the JSON twins and downloads, one set for every language
        if lang not in self.langs and not api:
            return None
        fmt = query.pop("format", "json")
        if path == "/search" and not query:
            return f"{lang}/search.html"
        found = self._place(path.removeprefix("/api") if api else path, query)
        if found is None:
            return None
        place, listing, page = found
        if fmt in EXPORTS and api and page == 1:
            return f"api/{place}/table.{fmt}" if listing else f"api/{place}.{fmt}"
        if fmt != "json":
            return None
        folder, ext = ("api", "json") if api else (lang, "html")
        if not listing:
            return f"{folder}/{place}.{ext}"
        return f"{folder}/{place}/{'index' if page == 1 else f'page-{page}'}.{ext}"

    def _place(self, path: str, query: dict) -> tuple[str, bool, int] | None:
        """(place, is a paginated listing, page) for a path and its query, or None when not published."""
        page = query.pop("page", "1")
        per_page = query.pop("per_page", str(PER_PAGE))
        if not page.isdigit() or int(page) < 1 or per_page != str(PER_PAGE):
            return None
        page_no = int(page)
        if path == "/compare":
            pair = (query.pop("before", ""), query.pop("after", ""))
            return (
                (f"compare/{file_name(pair[0])}--{file_name(pair[1])}", True, page_no)
                if (pair in self.comparisons and not query)
                else None
            )
        if query:
            return None  # a filtered or sorted view: the static site has no server to answer it
        if path in ("/", "/editions"):
            return ("index", False, 1) if page_no == 1 else None
        parts = path.split("/", 4)  # "", "editions", E, kind, rest
        if len(parts) < 3 or parts[1] != "editions" or parts[2] not in self.institutions:
            return None
        edition = parts[2]
        base = f"editions/{file_name(edition)}"
        if len(parts) == 3:
            return (base, True, page_no) if edition in self.countries else None
        if len(parts) != 5 or (parts[3] != "sdgs" and page_no != 1):
            return None
        kind, rest = parts[3], parts[4]
        if kind == "sdgs" and rest.isdigit() and int(rest) in self.sdgs[edition]:
            return f"{base}/sdgs/{int(rest)}", True, page_no
        held = {
            "institutions": self.institutions.get(edition, set()),
            "countries": self.countries.get(edition, set()),
            "groups": self.groups.get(edition, set()),
        }.get(kind, set())
        return (f"{base}/{kind}/{file_name(rest)}", False, 1) if rest in held else None


TAG = re.compile(r"<a\b([^>]*)>(.*?)</a>|<(link|script|img)\b([^>]*)>", re.DOTALL)
ATTR = re.compile(r'\b(href|src)="([^"]*)"')


def relative_links(page: str, here: str, lang: str, site: Site) -> str:
    """The page with each site address as a path relative to ``here`` (the page's file in the site); a link
    to an address the site does not hold keeps its text, an alternate or a language switch to it goes."""
    folder = posixpath.dirname(here) or "."

    def target(value: str) -> str | None:
        key = (value, folder, lang)
        if key not in site.links:  # the same links recur on every page of a folder (the menu, the assets)
            url = html.unescape(value)
            if not url.startswith("/") or url.startswith("//"):
                site.links[key] = value  # a fragment, or a page of its own: kept
            else:
                file = site.file_for(url, lang)
                site.links[key] = None if file is None else html.escape(relative(file, folder), quote=True)
        return site.links[key]

    def attrs(text: str) -> str | None:
        """The tag's attributes with its address made relative, or None when the site does not hold it."""
        m = ATTR.search(text)
        if m is None:
            return text
        new = target(m[2])
        return None if new is None else text[: m.start(2)] + new + text[m.end(2) :]

    def one(m: re.Match) -> str:
        if m[1] is not None:
            kept = attrs(m[1])
            if kept is None:  # a language not published goes from the switch; any other link keeps its text
                return "" if "hreflang=" in m[1] else m[2]
            return f"<a{kept}>{m[2]}</a>"
        kept = attrs(m[4])
        if kept is None:
            if m[3] == "link":
                return ""
            raise ValueError(f"{here}: the site has no file for {ATTR.search(m[4])[2]}")
        return f"<{m[3]}{kept}>"

    return TAG.sub(one, page)


def published_links(content: Any, here: str, lang: str, site: Site) -> Any:
    """A JSON twin's content (plain JSON values) with each dashboard address it gives (a ``links`` entry, a
    ``link``, an ``html``) as the path of the site's file relative to ``here`` (the twin's own file), in ``lang``
    for a page; null where the site holds no file for it (a filtered view, the report)."""
    folder = posixpath.dirname(here) or "."

    def address(value: Any) -> Any:
        if not isinstance(value, str) or not value.startswith("/"):
            return value
        file = site.file_for(value, lang)
        return None if file is None else relative(file, folder)

    return rewrite_links(content, lambda name, a: address(a))


def relative(file: str, folder: str) -> str:
    """``file`` (a path in the site) from ``folder`` (another): posixpath.relpath's answer, without its work on
    absolute paths."""
    parts, base = file.split("/"), [] if folder == "." else folder.split("/")
    common = 0
    while common < min(len(parts) - 1, len(base)) and parts[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])
