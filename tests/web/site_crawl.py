"""Reading a published static site as a visitor's browser would: every link and asset followed from
``index.html``, relative to the page that names it."""

from __future__ import annotations

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


def crawl(site: Path) -> tuple[set[str], list[str]]:
    """(the files reached from index.html, the links that reach no file: "page → address")."""
    seen, broken, todo = {"index.html"}, [], ["index.html"]
    while todo:
        here = todo.pop()
        for _, address, _ in links_of((site / here).read_text(encoding="utf-8")):
            parts = urlsplit(address)
            if not parts.path or parts.scheme:  # a fragment; an outside address is checked by other tests
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(here), unquote(parts.path)))
            if target.startswith("..") or not (site / target).is_file():
                broken.append(f"{here} → {address}")
            elif target not in seen:
                seen.add(target)
                if target.endswith(".html"):
                    todo.append(target)
    return seen, broken
