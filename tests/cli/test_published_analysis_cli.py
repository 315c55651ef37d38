"""``impactrank whatif --set-sdg`` and ``advise`` on a published edition, through the real command: JSON that
a script can read, and one-line errors with exit status 2."""

from __future__ import annotations

import json
from dataclasses import replace

import polars as pl
import pytest

from impactrank.io.workspace import Workspace
from inprocess import run_cli
from published_field import published_field


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    field, truth = published_field()
    ws = tmp_path_factory.mktemp("published") / "ws.duckdb"
    bare = replace(field, id="2021-bare", sdg_scores=field.sdg_scores.filter(pl.col("counted")), manifest={})
    with Workspace(ws) as w:
        w.save_many([field, bare])
    return ws, truth


def run(*args: str) -> tuple[int, str, str]:
    r = run_cli(*args)
    return r.code, r.out, r.err


def test_whatif_json_for_scripts(workspace):
    ws, truth = workspace
    iid = truth["ids"][3]
    code, out, err = run(
        "whatif", "-e", "2021", "--institution", iid, "--set-sdg", "13=99.5", "-f", "json",
        "-w", str(ws),
    )  # fmt: skip
    assert code == 0, err
    body = json.loads(out)
    assert {"institution_id", "overall_low", "overall_high", "rank_low", "rank_high", "band", "inputs"} <= set(body)
    assert body["institution_id"] == iid and body["overall_low"] <= body["overall_high"]
    assert [i for i in body["inputs"] if i["set"]] == [
        {"sdg": 13, "published": f"{truth['scores'][13][3]:.1f}", "used": [99.5, 99.5], "set": True}
    ]


def test_advise_prints_levers(workspace):
    ws, truth = workspace
    code, out, err = run("advise", "-e", "2021", "--institution", truth["ids"][3], "-w", str(ws))
    assert code == 0, err
    assert "target rank" in out or "At the top of the table" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set-sdg", "18=50"], "SDG 18 is not a goal"),
        (["--set-sdg", "13=101"], "outside 0–100"),
        (["--set-sdg", "13"], "is not SDG=SCORE"),
        (["--set-sdg", "13=50", "--set-sdg", "13=60"], "SDG 13 is set twice"),
        (["--set", "13.x=5"], "has no metric values"),
        (["-e", "2021-bare", "--set-sdg", "13=50"], "has no SDG tables"),
        (["--institution", "nobody", "--set-sdg", "13=50"], "no institution 'nobody'"),
    ],
)
def test_bad_whatif_is_one_line_exit_2(workspace, args, message):
    ws, truth = workspace
    base = {"-e": "2021", "--institution": truth["ids"][3]}
    for flag in ("-e", "--institution"):
        if flag in args:
            base.pop(flag)
    cmd = ["whatif", *(x for kv in base.items() for x in kv), *args, "-w", str(ws)]
    code, _, err = run(*cmd)
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
