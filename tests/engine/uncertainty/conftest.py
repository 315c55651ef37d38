"""Fixtures of the rank uncertainty tests: the mini case of tests/engine/test_build.py and a small synthetic field."""

from __future__ import annotations

import pytest

from impactrank.demo import generate_field
from impactrank.io.inputs import read_institutions, read_submissions
from impactrank.methodology import load_methodology


@pytest.fixture
def mini(mini_paths, mini_methodology):
    inst = read_institutions(mini_paths["institutions"])
    subs = read_submissions([mini_paths["submissions"]], mini_methodology, inst)
    return mini_methodology, inst, subs


@pytest.fixture(scope="module")
def small_field():
    methodology = load_methodology("the-2021")
    field = generate_field(methodology, 150, seed=7)
    return methodology, field.institutions, field.submissions
