"""``impactrank view``, ``compare`` and ``summary`` end to end on a workspace."""

from __future__ import annotations

import io
import json
import sys

import polars as pl
import pytest
from typer.testing import CliRunner

import impactrank.cli.views  # noqa: F401  (registers the commands)
from impactrank.cli.common import app

runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(demo_build):
    """The synthetic demo's two editions in a workspace, with its groups file."""
    return demo_build.workspace, demo_build.groups, demo_build.data


def run(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_view_country_csv(workspace):
    ws, _, data = workspace
    out = run("view", "country", "France", "-e", "2021", "-w", ws, "--format", "csv")
    table = pl.read_csv(io.StringIO(out), infer_schema=False)
    french = set(data.editions[2021].institutions.filter(pl.col("country") == "FR")["institution_id"])
    from impactrank.io.workspace import Workspace

    with Workspace(ws, read_only=True) as w:
        ranked = set(w.load("2021").overall["institution_id"])
    assert set(table["institution_id"]) == french & ranked
    assert table["national_rank"][0] in ("1", "=1")  # a tied rank stays readable, no apostrophe


def test_view_group_and_sdg_and_overall(workspace, tmp_path):
    ws, groups, data = workspace
    name = data.groups["group"][0]
    out = run("view", "group", name.lower(), "-e", "2021", "-w", ws, "--groups", groups, "-f", "json")
    rows = json.loads(out)
    assert {r["institution_id"] for r in rows} == set(data.groups["institution_id"])
    assert run("view", "sdg", "13", "-e", "2021", "-w", ws, "-f", "csv").startswith("rank,")
    target = tmp_path / "overall.xlsx"
    run("view", "overall", "-e", "2021", "-w", ws, "-f", "xlsx", "--out", target)
    assert pl.read_excel(target).height > 1000
    assert "Overall table 2021" in run("view", "overall", "-e", "2021", "-w", ws)


def test_compare_group_json(workspace):
    ws, groups, data = workspace
    out = run(
        "compare",
        "--from",
        "2020",
        "--to",
        "2021",
        "-w",
        ws,
        "--group",
        data.groups["group"][0],
        "--groups",
        groups,
        "-f",
        "json",
    )
    rows = json.loads(out)
    assert {r["institution_id"] for r in rows} <= set(data.groups["institution_id"])
    assert {r["movement"] for r in rows} <= {"progressed", "maintained", "declined", "new", "left"}
    table = run("compare", "--from", "2020", "--to", "2021", "-w", ws, "--country", "FR")
    assert "2020 (766 ranked) → 2021 (1,115 ranked)" in table


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_summary(workspace, lang):
    ws, groups, data = workspace
    out = run(
        "summary",
        "-e",
        "2021",
        "--compare",
        "2020",
        "-w",
        ws,
        "--group",
        data.groups["group"][0],
        "--groups",
        groups,
        "--lang",
        lang,
        "--format",
        "json",
    )
    d = json.loads(out)
    assert d["lang"] == lang and d["data"]["field_size"] == 1115 and d["data"]["previous"]["field_size"] == 766
    assert d["paragraph"] and d["facts"]
    md = run("summary", "-e", "2021", "-w", ws, "--country", "FR", "--lang", lang)
    assert md.startswith("## ")


def test_user_errors_are_one_line_and_exit_2(workspace, monkeypatch, capsys):
    from impactrank.cli import main

    ws, _, _ = workspace
    for args in (
        ["view", "country", "Narnia", "-e", "2021"],
        ["view", "group", "nobody", "-e", "2021"],
        ["summary", "-e", "2021", "--lang", "de"],
        ["view", "overall", "-e", "1999"],
        ["view", "overall", "-e", "2021", "-f", "xlsx"],
    ):
        monkeypatch.setattr(sys, "argv", ["impactrank", *args, "-w", str(ws)])
        with pytest.raises(SystemExit) as exc:
            main()
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and "Traceback" not in err


def test_out_file_must_match_the_format(workspace, tmp_path):
    from impactrank.errors import InputError

    ws, _, _ = workspace
    with pytest.raises(InputError, match=r"does not end in \.json"):
        runner.invoke(
            app,
            ["view", "overall", "-e", "2021", "-w", str(ws), "-f", "json", "--out", str(tmp_path / "x.csv")],
            catch_exceptions=False,
        )
    with pytest.raises(InputError, match="is a directory"):
        runner.invoke(
            app,
            ["view", "overall", "-e", "2021", "-w", str(ws), "-f", "csv", "--out", str(tmp_path)],
            catch_exceptions=False,
        )
    run("view", "overall", "-e", "2021", "-w", ws, "-f", "csv", "--out", tmp_path / "table")
    assert (tmp_path / "table.csv").read_text().startswith("rank")
    # a summary's file: its suffix names the format, and one naming another is refused
    with pytest.raises(InputError, match=r"s\.json does not end in \.md"):
        runner.invoke(
            app, ["summary", "-e", "2021", "-w", str(ws), "-f", "md", "-o", str(tmp_path / "s.json")],
            catch_exceptions=False,
        )  # fmt: skip
    with pytest.raises(InputError, match=r"writes \.md, \.txt, \.json, not \.html"):
        runner.invoke(
            app, ["summary", "-e", "2021", "-w", str(ws), "-o", str(tmp_path / "s.html")], catch_exceptions=False
        )
    run("summary", "-e", "2021", "-w", ws, "-o", tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text())["lang"] == "en"
    assert not (tmp_path / "s.html").exists()


def test_an_earlier_edition_named_later_is_refused(workspace):
    """Movement read backwards would call a decline progress: --from, --compare and --previous-edition name the
    earlier of two editions."""
    from impactrank.errors import InputError

    ws, _, _ = workspace
    for args, option in (
        (["compare", "--from", "2021", "--to", "2020"], "from"),
        (["summary", "-e", "2020", "--compare", "2021"], "compare"),
    ):
        with pytest.raises(InputError, match=f"--{option} names edition 2021, which is not earlier than 2020"):
            runner.invoke(app, [*args, "-w", str(ws)], catch_exceptions=False)
