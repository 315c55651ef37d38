"""A real headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against the dashboard served
by uvicorn on a free loopback port. Screenshots go to test-artifacts/ at the repository root."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from web_workspace import make_workspace

from served import served

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium chromium-driver; CI installs it)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_ws(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("browserws"), "normal")


def _serve(workspace: Path):
    """The dashboard in a uvicorn thread on 127.0.0.1:<free port>; yields the base URL."""
    from impactrank.web.app import create_app

    with served(create_app(workspace, preload=True)) as base:
        yield base


@pytest.fixture(scope="session")
def server(browser_ws):
    yield from _serve(browser_ws)


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory):
    yield from _serve(make_workspace(tmp_path_factory.mktemp("browserhostile"), "hostile"))


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the session: a second sync driver cannot start while one runs."""
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def _chromium(playwright, tmp_path_factory, **options):
    """A persistent Chromium context with a fresh user-data-dir."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=str(CHROMIUM),
        headless=True,
        args=LAUNCH_ARGS,
        viewport={"width": 1280, "height": 900},
        **options,
    )
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture(scope="session")
def browser(playwright, tmp_path_factory):
    yield from _chromium(playwright, tmp_path_factory)


@pytest.fixture(scope="session")
def axe_browser(playwright, tmp_path_factory):
    """A context whose pages let axe-core's script in past their Content-Security-Policy (the policy itself is
    tested with the plain ``browser``)."""
    yield from _chromium(playwright, tmp_path_factory, bypass_csp=True)


@pytest.fixture(autouse=True)
def _no_cookies_left(request):
    """Each test leaves the shared browser without its cookies (a language chosen, a session): servers on 127.0.0.1
    share cookies whatever their port, so a French page of one test made the next test's portal French."""
    yield
    for name in ("browser", "axe_browser"):
        if name in request.fixturenames:
            request.getfixturevalue(name).clear_cookies()
