"""Shared by the demo generator's tests: the demo generated once, and both of its editions built through the
real input validation."""

from pathlib import Path

import pytest

from impactrank.demo import generate_demo
from impactrank.io.build import build


def _write(field, directory: Path, year: int) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    inst, subs = directory / f"institutions_{year}.csv", directory / f"submissions_{year}.csv"
    field.institutions.write_csv(inst)
    field.submissions.write_csv(subs)
    return inst, subs


@pytest.fixture(scope="session")
def write_field():
    """Writes a field's two CSV files into a folder and returns their paths (institutions, submissions)."""
    return _write


@pytest.fixture(scope="session")
def demo():
    return generate_demo()


@pytest.fixture(scope="session")
def built(demo, tmp_path_factory):
    """Both editions built through the real input validation."""
    root = tmp_path_factory.mktemp("demo")
    return {
        year: build(*_write(field, root, year), methodology=demo.methodologies[year]).edition
        for year, field in demo.editions.items()
    }
