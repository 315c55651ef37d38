"""An institution's results under embargo: its own results page and press kit downloads, each logged. Anyone but
the institution's own members — signed in or not — gets the 404 of a page that does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from impactrank.i18n import N_, gettext
from impactrank.portal import results
from impactrank.portal.errors import PortalError, not_found
from impactrank.portal.http import Portal, add_download, attachment, language
from impactrank.portal.params import INSTITUTION, IdPath
from impactrank.portal.tenancy import Scope

RESULTS = INSTITUTION + "/results"
LangQuery = Annotated[str, Query(max_length=8, description="Language of the press kit: en, fr or es")]


def register(app: FastAPI, portal: Portal) -> None:
    pages = portal.pages

    @contextmanager
    def members_only(request: Request) -> Iterator[Scope]:
        """The page's scope; not signed in, or refused for any reason, reads as nothing there."""
        try:
            with portal.page_scope(request) as scope:
                yield scope
        except PortalError as exc:
            if exc.status in (401, 403):
                raise not_found(N_("no results"), "institution") from None
            raise

    def logged(scope: Scope, action: str, cycle: str, institution: str, **after) -> None:
        with portal.db.write() as session:
            results.log_read(session, scope.actor, portal.clock.now(), action, cycle, institution, **after)

    @pages.page("/results", "results_index.html", summary="Your institution's results, under embargo until public")
    def index(request: Request) -> dict:
        with members_only(request) as scope:
            return {"title": gettext("Results", language(request)), "results": results.own_results(scope)}

    @pages.page(RESULTS, "results.html", summary="Your institution's results in a cycle (its members only)")
    def page(request: Request, cycle: IdPath, institution: IdPath) -> dict:
        with members_only(request) as scope:
            shown = results.results(scope, cycle, institution)
        logged(scope, "results.view", cycle, institution)
        return {"title": gettext("Results", language(request)), **shown}

    def download(request: Request, cycle: IdPath, institution: IdPath, lang: LangQuery = "en") -> Response:
        with members_only(request) as scope:
            data = results.press_kit(scope, cycle, institution, lang)
        logged(scope, "results.download", cycle, institution, lang=lang)
        return attachment(data, "application/zip", f"presskit-{institution}-{cycle}-{lang}.zip")

    add_download(app, RESULTS + "/presskit.zip", download, "Download your institution's press kit (its members only)")
