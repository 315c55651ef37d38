"""The README's figures for THE's 2023 overall table are the ones ``impactrank audit`` prints on the imported
workbooks: the same count of exact rows in the averaging rule's sentence and in the audit table."""

from __future__ import annotations

import json
from pathlib import Path

from inprocess import run_cli

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_2023_audit_figures_in_the_readme_are_the_audits(the_workspace, tmp_path):
    r = run_cli("audit", "--edition", "2023", "-w", the_workspace, "--out", tmp_path)
    assert r.code == 0, r.err
    formula = json.loads((tmp_path / "audit-2023.json").read_text())["formula"]
    assert formula["best_model"] == "two_year_average"
    model = next(m for m in formula["models"] if m["model"] == "two_year_average")
    exact, banded = model["exact"], model["interval"]
    assert exact["explained"] == exact["n"] == exact["within_0.1"]  # every exact row, to rounding
    readme = " ".join(README.read_text().split())
    assert f"the mean of the two years ({exact['explained']} of {exact['n']} exact 2023 rows within 0.07" in readme
    assert f"{exact['max_abs']:.2f}" == "0.07"
    cell = f"**{exact['explained']}/{exact['n']}, {exact['rmse']:.3f}, {exact['max_abs']:.2f}**"
    assert f"{cell}; {banded['consistent']:,}/{banded['n']:,} |" in readme
    assert (
        f"Edition 2023 is explained best by **two_year_average** with 2022: {exact['n']} of {exact['n']}"
        in (tmp_path / "audit-2023.md").read_text()
    )
