"""Reading a published static site as a visitor's browser would: every link and asset followed from
``index.html``, relative to the page that names it; and as a program reading its JSON twins would, their links
followed too."""

from __future__ import annotations

import functools
import json
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, dict]] = []  # (tag, address, attributes)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        for name in ("href", "src"):
            if found.get(name) is not None:
                self.links.append((tag, found[name], found))


def links_of(page: str) -> list[tuple[str, str, dict]]:
    parser = _Links()
    parser.feed(page)
    return parser.links


def page_links(path: Path) -> list[tuple[str, str, dict]]:
    """The links of a page file, parsed once for each version of the file: several tests walk the same site."""
    stat = path.stat()
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@functools.cache
def _parsed(path: str, mtime_ns: int, size: int) -> list[tuple[str, str, dict]]:
    return links_of(Path(path).read_text(encoding="utf-8"))


def json_links(content: object) -> list[str]:
    """The addresses a JSON twin gives: its ``links`` entries, its ``link`` and ``html`` values, at any depth."""
    found: list[str] = []
    if isinstance(content, list):
        for value in content:
            found += json_links(value)
    elif isinstance(content, dict):
        for key, value in content.items():
            if key == "links" and isinstance(value, dict):
                found += [v for v in value.values() if isinstance(v, str)]
            elif key in ("link", "html") and isinstance(value, str):
                found.append(value)
            else:
                found += json_links(value)
    return found


def _addresses(site: Path, here: str) -> list[str]:
    if here.endswith(".json"):
        return json_links(json.loads((site / here).read_text(encoding="utf-8")))
    return [address for _, address, _ in page_links(site / here)]


def crawl(site: Path) -> tuple[set[str], list[str]]:
    """(the files reached from index.html, the links that reach no file: "page → address"), the links of the JSON
    twins reached included."""
    seen, broken, todo = {"index.html"}, [], ["index.html"]
    while todo:
        here = todo.pop()
        for address in _addresses(site, here):
            parts = urlsplit(address)
            if not parts.path or parts.scheme:  # a fragment; an outside address is checked by other tests
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(here), unquote(parts.path)))
            if target.startswith("..") or not (site / target).is_file():
                broken.append(f"{here} → {address}")
            elif target not in seen:
                seen.add(target)
                if target.endswith((".html", ".json")):
                    todo.append(target)
    return seen, broken
