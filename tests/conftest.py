"""Shared fixtures: the hand-computable mini methodology and its inputs, and the real data beside the repo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from the_workbooks import THE_TABLES

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


@pytest.fixture(scope="session")
def the_tables():
    """THE's 18 table workbooks imported once for the session (an ImportResult: editions and report); the tests
    only read it."""
    if not THE_TABLES.is_dir():
        pytest.skip(f"THE's table workbooks not found at {THE_TABLES} (../shared is absent)")
    from impactrank.io.published import read_published

    return read_published(THE_TABLES)


@pytest.fixture(scope="session")
def the_workspace(the_tables, tmp_path_factory) -> Path:
    """A workspace holding THE's imported editions (2019, of SDG tables only, to 2023), for commands and pages."""
    from impactrank.io.workspace import Workspace

    path = tmp_path_factory.mktemp("the-tables") / "ws.duckdb"
    with Workspace(path) as ws:
        ws.save_many(the_tables.editions)
    return path


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared data folder is absent ({SHARED.name}/ beside the repository)")
    return SHARED


@dataclass(frozen=True)
class DemoBuild:
    data: object  # impactrank.demo.DemoData: the generated inputs
    editions: dict  # year → built Edition
    workspace: Path  # both editions registered
    groups: Path  # group,institution_id


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> DemoBuild:
    """The synthetic demo's 2020 and 2021 editions, built once for the whole session."""
    from impactrank.demo import generate_demo
    from impactrank.io.build import build

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


# A field scored by evidence questions only, each SDG through one question worth 3 points in the bundled THE
# editions (rubric: exists, evidence, public; every other metric of a submitted SDG is missing and scores 0), so
# that with min–max scaling an SDG's scaled score is 100 × (p − lowest p) / (highest p − lowest p) for p points.
EVIDENCE_QUESTIONS = {
    17: "sdg_reports",
    1: "community_anti_poverty_programmes",
    2: "national_hunger",
    3: "health_collaborations",
    4: "public_educational_resources",
}

# Two editions by hand (the-2022, then the-2023 averaging with it); single-year scores, 0.22 × SDG 17 + 0.26 × 3:
# 2022: A 22 + 0.26 (100 + 100 + 50) = 87; B 0.26 (50 + 0 + 100) = 39; L (leaves) 11 + 0.26 · 100 = 37.
# 2023: A 22 + 0.26 (50 + 100 + 0) = 61; B 0.26 (100 + 100 + 50) = 65; N (new) 11 + 0.26 · 100 = 37.
# Published 2023: A (61 + 87) / 2 = 74; B (65 + 39) / 2 = 52; N 37 (its single-year score).
PAIR_POINTS = {
    2022: {"A": {17: 3, 1: 3, 2: 3, 3: 2}, "B": {17: 1, 1: 2, 2: 1, 3: 3}, "L": {17: 2, 1: 1, 2: 3, 3: 1}},
    2023: {"A": {17: 3, 1: 2, 2: 3, 3: 1}, "B": {17: 1, 1: 3, 2: 3, 3: 2}, "N": {17: 2, 1: 1, 2: 0, 3: 3}},
}


def write_evidence_field(directory: Path, points: dict[str, dict[int, int]], tag: str = "") -> tuple[Path, Path]:
    """institutions.csv and submissions.csv for institutions → SDG → points (0–3) of the SDG's one question."""
    directory.mkdir(parents=True, exist_ok=True)
    inst, subs = directory / f"institutions{tag}.csv", directory / f"submissions{tag}.csv"
    inst.write_text("institution_id,name,country\n" + "".join(f"{i},{i} University,FR\n" for i in points))
    rows = ["institution_id,sdg,metric,exists,evidence,public,recent"]
    for i, sdgs in points.items():
        for sdg, p in sdgs.items():
            answers = ",".join(["1"] * p + ["0"] * (4 - p))
            rows.append(f"{i},{sdg},{EVIDENCE_QUESTIONS[sdg]},{answers}")
    subs.write_text("\n".join(rows) + "\n")
    return inst, subs


@pytest.fixture
def evidence_pair(tmp_path) -> dict[int, tuple[Path, Path]]:
    """The two hand-computed editions' input files, by year."""
    return {year: write_evidence_field(tmp_path / "inputs", pts, f"_{year}") for year, pts in PAIR_POINTS.items()}


@pytest.fixture
def evidence_field():
    """write_evidence_field(directory, points, tag): a hand-computable field's input files."""
    return write_evidence_field


PUBLISHED_EDITIONS = ["2020", "2021"]  # two editions with overall tables: one comparison
PUBLISHED_GROUP = ("Institut Mines-Télécom", ("IMT Atlantique", "IMT Mines Alès", "École des Mines de Saint-Étienne"))


@pytest.fixture(scope="session")
def published_site(the_workspace, tmp_path_factory) -> Path:
    """THE's 2020 and 2021 editions published as a static site in French and English, with one group, once for
    the session (the page and browser tests only read it)."""
    from impactrank.web.publish.site import publish

    folder = tmp_path_factory.mktemp("published")
    groups = folder / "groups.csv"
    name, members = PUBLISHED_GROUP
    groups.write_text("group,name,country\n" + "".join(f"{name},{m},FR\n" for m in members), encoding="utf-8")
    publish(the_workspace, folder / "site", ["fr", "en"], PUBLISHED_EDITIONS, groups)
    return folder / "site"
