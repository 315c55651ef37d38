"""Shared fixtures: the hand-computable mini methodology and its inputs, and the real data beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"


@pytest.fixture
def mini_paths() -> dict[str, Path]:
    return {
        "methodology": FIXTURES / "mini.yaml",
        "institutions": FIXTURES / "mini_institutions.csv",
        "submissions": FIXTURES / "mini_submissions.csv",
    }


@pytest.fixture
def mini_methodology(mini_paths):
    from impactrank.methodology import load_methodology

    return load_methodology(mini_paths["methodology"])


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared data folder is absent ({SHARED.name}/ beside the repository)")
    return SHARED
