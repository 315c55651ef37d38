"""``impactrank portal results attach`` and ``impactrank presskit`` on the mini edition, on SQLite: the portal's
institutions found in the edition get their results and kits, the edition's public time is written into the
workspace (where ``publish`` reads it), and bad input is one line naming the field, exit status 2."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from portal_results import FIXTURES
from portal_world import MINI

from impactrank.io.workspace import Workspace
from inprocess import run_cli


def test_attach_stores_each_known_institution_and_marks_the_edition(tmp_path):
    ws = tmp_path / "ws.duckdb"
    run = run_cli(
        "build", "--institutions", FIXTURES / "mini_institutions.csv", "--submissions",
        FIXTURES / "mini_submissions.csv", "--methodology", MINI, "-w", ws, "--edition", "mini",
        "--out", tmp_path / "edition",
    )  # fmt: skip
    assert run.code == 0, run.err
    db = ["--database", f"sqlite:///{tmp_path / 'portal.sqlite'}"]
    for args in (
        ("portal", "init"),
        ("portal", "institution", "add", "--id", "A", "--name", "Alpha University", "--country", "FR"),
        ("portal", "institution", "add", "--id", "Z", "--name", "Not ranked", "--country", "FR"),
        ("portal", "cycle", "open", "--id", "2025", "--methodology", str(MINI), "--closes", "2099-01-01"),
    ):
        assert run_cli(*args, *db).code == 0
    attach = ("portal", "results", "attach", "--cycle", "2025", "-w", ws, "-e", "mini", *db)
    bad = [
        (("--public-at", "soon"), "field 'public-at'"),
        (("--public-at", "2026-04-21T11:00", "--langs", "fr,de"), "field 'langs'"),
        (("--public-at", "2026-04-21T11:00", "--cycle", "2099"), "field 'cycle'"),
    ]
    for extra, says in bad:
        run = run_cli(*attach, *extra)
        assert run.code == 2 and says in run.message and "Traceback" not in run.err, run.err
    run = run_cli(*attach, "--public-at", "2026-04-21T11:00", "--langs", "fr")
    assert run.code == 0, run.err
    assert "institutions in the edition (1: A)" in " ".join(run.out.split())  # A is in the edition, Z is not
    engine = sa.create_engine(db[1])
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT institution_id, public_at FROM result")).all() == [
            ("A", "2026-04-21 11:00:00.000000")
        ]
        assert conn.execute(sa.text("SELECT institution_id, lang FROM press_kit")).all() == [("A", "fr")]
    engine.dispose()
    with Workspace(ws, read_only=True) as store:
        assert store.public_times() == {"mini": datetime(2026, 4, 21, 11, 0, tzinfo=UTC)}


def test_presskit_refuses_an_unknown_institution_and_an_output_that_is_not_a_zip(tmp_path, demo_build):
    run = run_cli("presskit", "-w", demo_build.workspace, "-e", "2021", "-i", "nowhere", "-o", tmp_path / "k.zip")
    assert run.code == 2 and "no institution 'nowhere' in edition 2021" in run.message
    run = run_cli("presskit", "-w", demo_build.workspace, "-e", "2021", "-i", "x", "-o", tmp_path / "k.pdf")
    assert run.code == 2 and "writes .zip" in run.message
    assert not (tmp_path / "k.zip").exists()


def test_report_of_one_institution_has_its_press_summary(tmp_path, demo_build):
    from markupsafe import escape

    from impactrank.report.institution import institution_facts
    from impactrank.report.press import press_summary

    edition = demo_build.editions[2021]
    iid = edition.overall["institution_id"][0]
    out = tmp_path / "one.html"
    args = ("report", "-w", demo_build.workspace, "-e", "2021", "--institution", iid, "-o", out)
    run = run_cli(*args)
    assert run.code == 0, run.err
    html = out.read_text(encoding="utf-8")
    summary = press_summary(institution_facts(edition, None, iid), "en")
    assert str(escape(summary.paragraph)) in html  # no --compare: no previous edition
    run = run_cli(*args, "--country", "FR")
    assert run.code == 2 and "field 'institution'" in run.message
