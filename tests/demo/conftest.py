"""Shared by the demo generator's tests: the session's demo (generated once, both editions built through the real
input validation), and a writer of a field's CSV files."""

from pathlib import Path

import pytest


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
def demo(demo_build):
    return demo_build.data


@pytest.fixture(scope="session")
def built(demo_build):
    """Both editions built through the real input validation (the session's demo build)."""
    return demo_build.editions
