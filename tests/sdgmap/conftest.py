"""Fixtures for the SDG mapping tests: the real query and benchmark files beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SDG_DATA = REPO / ".." / "shared" / "data" / "sdg"
EXAMPLES = REPO / "examples" / "sdg"


@pytest.fixture(scope="session")
def sdg_data() -> Path:
    if not SDG_DATA.is_dir():
        pytest.skip(f"real SDG query data absent: expected {SDG_DATA} (shared/ beside the repository)")
    return SDG_DATA.resolve()


@pytest.fixture(scope="session")
def aurora(sdg_data):
    from impactrank.sdgmap.loaders import load_queries

    return load_queries("aurora-v5", sdg_data)


@pytest.fixture(scope="session")
def systems(sdg_data):
    from impactrank.sdgmap.loaders import load_queries

    return {
        name: load_queries(name, sdg_data) for name in ("aurora-v5", "elsevier", "auckland", "siris", "sdsn", "sdgo")
    }


@pytest.fixture(scope="session")
def benchmark():
    from impactrank.sdgmap.evaluate import load_benchmark

    return load_benchmark()
