"""Shared fixtures: the hand-computable mini methodology and its inputs, and the real data beside the repo."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class DemoBuild:
    data: object  # impactrank.synthetic.DemoData: the generated inputs
    editions: dict  # year → built Edition
    workspace: Path  # both editions registered
    groups: Path  # group,institution_id


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> DemoBuild:
    """The synthetic demo's 2020 and 2021 editions, built once for the whole session."""
    from impactrank.io.build import build
    from impactrank.synthetic import generate_demo

    data = generate_demo()
    out = tmp_path_factory.mktemp("demo")
    workspace = out / "impactrank.duckdb"
    editions = {}
    for year, fld in data.editions.items():
        fld.institutions.write_csv(out / f"institutions_{year}.csv")
        fld.submissions.write_csv(out / f"submissions_{year}.csv")
        editions[year] = build(
            out / f"institutions_{year}.csv",
            out / f"submissions_{year}.csv",
            methodology=data.methodologies[year],
            workspace=workspace,
            edition_id=str(year),
        ).edition
    data.groups.write_csv(out / "groups.csv")
    return DemoBuild(data, editions, workspace, out / "groups.csv")
