"""``impactrank portal …`` with bad input: one line naming the field, exit status 2, no traceback, and
nothing half-saved; the same on both databases."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from portal_world import MINI

from impactrank.cli import main


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["impactrank", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_bad_input_through_every_command(db_url, capsys, monkeypatch, tmp_path):
    d = ["--database", db_url]
    code, _, err = run(
        capsys, monkeypatch, "portal", "institution", "add", "--id", "A", "--name", "A", "--country", "FR", *d
    )
    assert code == 2 and "run 'impactrank portal init'" in err
    assert run(capsys, monkeypatch, "portal", "init", *d)[0] == 0
    ok = [
        ("portal", "institution", "add", "--id", "A", "--name", "Alpha", "--country", "FR"),
        ("portal", "cycle", "open", "--id", "2025", "--methodology", str(MINI), "--closes", "2099-01-01"),
    ]
    for args in ok:
        assert run(capsys, monkeypatch, *args, *d)[0] == 0
    bad = [
        (("portal", "institution", "add", "--id", "A", "--name", "Again", "--country", "FR"), "", "field 'id'"),
        (("portal", "institution", "add", "--id", "bad id!", "--name", "X", "--country", "FR"), "", "field 'id'"),
        (("portal", "institution", "add", "--id", "Z", "--name", "X", "--country", "Atlantis"), "", "field 'country'"),
        (("portal", "institution", "add", "--id", "Z", "--name", " ", "--country", "FR"), "", "field 'name'"),
        (("portal", "user", "add", "not-an-email", "--role", "admin", "--institution", "A"), "", "field 'email'"),
        (("portal", "user", "add", "x@a.edu", "--role", "boss", "--institution", "A"), "", "field 'role'"),
        (("portal", "user", "add", "x@a.edu", "--role", "admin"), "", "field 'institution'"),
        (("portal", "user", "add", "x@a.edu", "--role", "admin", "--institution", "Q"), "", "field 'institution'"),
        (("portal", "user", "add", "x@a.edu", "--role", "operator", "--institution", "A"), "", "field 'institution'"),
        (
            ("portal", "user", "add", "x@a.edu", "--role", "admin", "--institution", "A", "--password-stdin"),
            "short\n",
            "field 'password'",
        ),
        (("portal", "cycle", "open", "--id", "2025", "--closes", "2099-01-01"), "", "field 'id'"),
        (("portal", "cycle", "open", "--id", "2026", "--closes", "2001-01-01"), "", "field 'closes'"),
        (("portal", "cycle", "open", "--id", "2026", "--closes", "soon"), "", "field 'closes'"),
        (("portal", "cycle", "open", "--id", "2026", "--closes", "2099-01-01", "--methodology", "nope"), "", "nope"),
        (("portal", "cycle", "close", "--id", "1999"), "", "field 'cycle'"),
        (("portal", "export", "--cycle", "1999", "--out", str(tmp_path / "x")), "", "field 'cycle'"),
    ]
    for args, stdin, named in bad:
        code, out, err = run(capsys, monkeypatch, *args, *d, stdin=stdin)
        assert code == 2, (args, out, err)
        assert named in err and err.startswith("error: ") and err.count("\n") == 1, (args, err)
        assert "Traceback" not in err
    assert run(capsys, monkeypatch, "portal", "cycle", "close", "--id", "2025", *d)[0] == 0
    code, _, err = run(capsys, monkeypatch, "portal", "cycle", "close", "--id", "2025", *d)
    assert code == 2 and "already closed" in err
    assert not (tmp_path / "x").exists()

    from impactrank.portal.db import Database

    db = Database(db_url)
    with db.read() as session:
        from sqlalchemy import text

        assert session.execute(text("SELECT id FROM institution")).scalars().all() == ["A"]
        assert session.execute(text("SELECT count(*) FROM portal_user")).scalar_one() == 0
        assert session.execute(text("SELECT id FROM cycle")).scalars().all() == ["2025"]
    db.dispose()


def test_unusable_database_urls(capsys, monkeypatch, tmp_path):
    for url, named in (
        ("mysql://x/y", "unsupported database"),
        ("sqlite://", "needs a database file"),
        ("nonsense", "not a database URL"),
    ):
        code, _, err = run(capsys, monkeypatch, "portal", "init", "--database", url)
        assert code == 2 and named in err and "field 'database'" in err
    code, _, err = run(capsys, monkeypatch, "portal", "init", "--database", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2 and "cannot use the database" in err and err.count("\n") == 1


def test_the_real_command_prints_one_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from impactrank.cli import main; main()",
            "portal",
            "export",
            "--cycle",
            "x",
            "--out",
            "o",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        result.stderr == "error: field 'database': no portal database at portal.sqlite: run 'impactrank portal init'\n"
    )
    assert sorted(tmp_path.iterdir()) == []


def test_review_deadline_audit_and_mail_commands(world, capsys, monkeypatch, tmp_path):
    import csv

    from portal_helpers import put

    d = ["--database", world.url]
    contributor, admin = world.client("A.contributor"), world.client("A.admin")
    assert put(contributor, "2025", "A", 3, "pubs", value=5).status_code == 200
    assert admin.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [3]}).status_code == 201
    bad = [
        (
            (
                "portal",
                "cycle",
                "extend",
                "--id",
                "2025",
                "--institution",
                "A",
                "--until",
                "2025-12-01",
                "--reason",
                " ",
            ),
            "field 'reason'",
        ),
        (
            (
                "portal",
                "cycle",
                "extend",
                "--id",
                "2025",
                "--institution",
                "Q",
                "--until",
                "2025-12-01",
                "--reason",
                "x",
            ),
            "field 'institution'",
        ),
        (
            ("portal", "cycle", "extend", "--id", "2025", "--institution", "A", "--until", "later", "--reason", "x"),
            "field 'until'",
        ),
        (("portal", "review", "assign", "--cycle", "2025", "--institution", "A", "--sdg", "3"), "field 'reviewer'"),
        (
            (
                "portal",
                "review",
                "assign",
                "--cycle",
                "2025",
                "--institution",
                "A",
                "--sdg",
                "3",
                "--reviewer",
                "A.admin@x.org",
            ),
            "field 'reviewer'",
        ),
        (("portal", "review", "close", "--cycle", "2025"), "not under review"),
        (("portal", "audit", "--cycle", "2025", "--out", str(tmp_path / "audit.txt")), "--out audit.txt"),
        (("portal", "audit", "--cycle", "nope", "--out", str(tmp_path / "audit.csv")), "field 'cycle'"),
        (("portal", "mail", "--smtp", "localhost", "--from", "p@n.org"), "field 'smtp'"),
        (("portal", "mail", "--smtp", "localhost:25", "--from", "nobody"), "field 'email'"),
    ]
    for args, named in bad:
        code, out, err = run(capsys, monkeypatch, *args, *d)
        assert code == 2 and named in err and err.count("\n") == 1, (args, err)
    ok = [
        (
            "portal",
            "cycle",
            "extend",
            "--id",
            "2025",
            "--institution",
            "A",
            "--until",
            "2099-12-01",
            "--reason",
            "outage",
        ),
        ("portal", "cycle", "close", "--id", "2025"),
        ("portal", "review", "assign", "--cycle", "2025", "--per-item", "1"),
    ]
    for args in ok:
        code, out, err = run(capsys, monkeypatch, *args, *d)
        assert code == 0, (args, err)
    assert "assigned 1 reviews over 1 submitted" in out
    code, _, err = run(capsys, monkeypatch, "portal", "export", "--cycle", "2025", "--out", str(tmp_path / "x"), *d)
    assert code == 2 and "1 items are not assessed" in err and not (tmp_path / "x").exists()
    code, out, _ = run(
        capsys,
        monkeypatch,
        "portal",
        "export",
        "--cycle",
        "2025",
        "--out",
        str(tmp_path / "x"),
        "--allow-unassessed",
        *d,
    )
    assert code == 0 and "1 unassessed claims exported as claimed" in out
    code, out, _ = run(
        capsys, monkeypatch, "portal", "audit", "--cycle", "2025", "--out", str(tmp_path / "audit.csv"), *d
    )
    assert code == 0
    with (tmp_path / "audit.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["at", "actor", "action", "object", "before", "after", "reason"]
    extend = next(r for r in rows if r["action"] == "deadline.extend")
    assert (extend["actor"], extend["object"], extend["reason"]) == ("command line", "deadline:2025/A", "outage")
    assert (
        extend["before"] == '{"until": "2025-11-11T23:59:59"}' and extend["after"] == '{"until": "2099-12-01T23:59:59"}'
    )
    assert [r["action"] for r in rows if r["action"].startswith(("cycle.", "record.", "sdg."))] == [
        "cycle.open",
        "record.save",
        "sdg.submit",
        "cycle.close",
    ]
