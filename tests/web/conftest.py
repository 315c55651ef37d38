from __future__ import annotations

import warnings

import pytest
from web_workspace import make_workspace

from impactrank.io.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def ws_path(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("webws"), "normal")


@pytest.fixture(scope="session")
def hostile_path(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("webhostile"), "hostile")


@pytest.fixture(scope="session")
def editions(ws_path):
    with Workspace(ws_path, read_only=True) as ws:
        return {e: ws.load(e) for e in ws.editions()["edition"].to_list()}


@pytest.fixture(scope="session")
def client(ws_path):
    from impactrank.web.app import create_app

    return TestClient(create_app(ws_path), raise_server_exceptions=True)


@pytest.fixture(scope="session")
def hostile_client(hostile_path):
    from impactrank.web.app import create_app

    return TestClient(create_app(hostile_path), raise_server_exceptions=True)
