"""Shared options: a command opened by a shared opening takes its own options and the opening's, as one
command line."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

from impactrank.cli.options import DEFAULT_WAIT, DEFAULT_WORKSPACE, Stored, opened_by, stored_edition
from impactrank.errors import InputError
from impactrank.i18n.templates import current, rendering


def _app(seen: list) -> typer.Typer:
    app = typer.Typer()

    @opened_by(stored_edition)
    def opening(stored: Stored, out: Annotated[Path | None, typer.Option("--out")] = None) -> tuple:
        return stored, out, current()

    @app.command()
    @opened_by(opening)
    def show(opened: tuple, sdg: Annotated[int, typer.Argument()]) -> None:
        """Show one SDG."""
        seen.append((opened, sdg))

    @app.command()
    def other() -> None:  # a second command, so that ``show`` is called by name
        pass

    return app


def test_the_command_takes_its_own_options_then_the_openings():
    app = _app([])
    show = app.registered_commands[0].callback
    assert list(inspect.signature(show).parameters) == ["sdg", "out", "edition", "workspace", "wait", "lang"]
    assert show.__name__ == "show" and show.__doc__ == "Show one SDG."


def test_values_reach_each_opening_and_the_body():
    seen: list = []
    with rendering("en"):
        result = CliRunner().invoke(
            _app(seen), ["show", "13", "--edition", "2021", "--out", "x.csv", "--wait", "2.5", "--lang", "fr"]
        )
    assert result.exit_code == 0, result.output
    assert seen == [((Stored("2021", DEFAULT_WORKSPACE, 2.5), Path("x.csv"), "fr"), 13)]
    seen.clear()
    with rendering("en"):
        result = CliRunner().invoke(_app(seen), ["show", "1", "-e", "2022", "-w", "other.duckdb"])
    assert result.exit_code == 0, result.output
    assert seen == [((Stored("2022", Path("other.duckdb"), DEFAULT_WAIT), None, "en"), 1)]


def test_a_language_not_shipped_stops_before_the_body():
    seen: list = []
    with rendering("en"):
        result = CliRunner().invoke(_app(seen), ["show", "13", "--edition", "2021", "--lang", "de"])
    assert isinstance(result.exception, InputError) and result.exception.field == "lang"
    assert seen == []


def test_a_groups_file_that_does_not_exist_is_said_even_without_a_group(tmp_path):
    from inprocess import run_cli

    r = run_cli("summary", "-e", "2021", "-w", tmp_path / "none.duckdb", "-g", tmp_path / "nope.csv")
    assert r.code == 2 and "Traceback" not in r.err
    assert r.message.endswith("nope.csv: file not found")
