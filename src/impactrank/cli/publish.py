"""``impactrank publish``: the dashboard as a static site, for any web server or CDN (no process of ours)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from impactrank.cli.common import app, console, progress_bar
from impactrank.cli.options import DEFAULT_WAIT, DEFAULT_WORKSPACE, GroupsOption, WaitOption, WorkspaceOption
from impactrank.cli.text import _
from impactrank.errors import N_, InputError
from impactrank.i18n import LOCALES


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


@app.command()
def publish(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder of the site (replaced whole when complete).")],
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: Annotated[str, typer.Option("--lang", "-l", help="Languages of the pages, comma-separated.")] = "en",
    editions: Annotated[
        str | None, typer.Option("--editions", help="Editions to publish, comma-separated (default: all).")
    ] = None,
    groups: GroupsOption = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Address the site is served from: adds sitemap.xml and canonical links."),
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Write every page of the dashboard (tables, institutions, countries, groups, comparisons), its JSON twins
    and CSV/XLSX downloads, as static files with relative links and a search over institution names."""
    from impactrank.web.publish.site import publish as write_site

    langs = _list(lang) or []
    wrong = [code for code in langs if code not in LOCALES]
    if not langs or wrong or len(set(langs)) != len(langs):
        raise InputError(
            N_("--lang must list languages among %(languages)s once each, not %(lang)r"),
            field="lang",
            params={"languages": ", ".join(LOCALES), "lang": lang},
        )
    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise InputError(
            N_("--base-url must be an http(s) address, not %(url)r"), field="base-url", params={"url": base_url}
        )
    with progress_bar() as bar:  # a site of thousands of pages takes minutes
        task = bar.add_task(_("writing the site"), total=None)
        done = write_site(
            workspace,
            out,
            langs,
            _list(editions),
            groups,
            base_url,
            wait=wait,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(
        f"{out}: {done.files:,} files, {done.bytes / 1e6:.1f} MB, {done.pages:,} pages in {done.seconds:.1f} s "
        f"({done.pages / done.seconds:.0f} pages/s)",
        highlight=False,
    )
