"""A whole cycle through the CLI and the API, on SQLite and PostgreSQL: set-up by commands, data entered by
people and by a file, SDGs submitted, the cycle closed and exported, and ``impactrank build`` ranking the
institutions with the scores their data gives (computed here by hand, not by the engine)."""

from __future__ import annotations

import csv
import json
import re

import pytest
from portal_helpers import mini_scores, pdf_file, put, records
from portal_world import MINI, TestClient
from typer.testing import CliRunner

from impactrank.cli import app as cli_app

runner = CliRunner()

DATA = {
    "A": {
        1: {"pubs": 120, "policy": (1, 1, 1, 0.5)},
        2: {"share": (30, 100), "waste": 12},
        3: {"pubs": 50},
        17: {"reports": (1, 1, 1, 1)},
    },
    "B": {
        1: {"pubs": 40, "policy": (1, 0.5, 0, 0)},
        3: {"pubs": 100},
        4: {"pubs": 30},
        17: {"reports": (1, 1, 0.5, 0)},
    },
    "C": {
        1: {"pubs": 80, "policy": (1, 1, 1, 1)},
        2: {"share": (10, 40), "waste": 20},
        3: {"pubs": 20},
        4: {"pubs": 60},
        17: {"reports": (1, 0, 0, 0)},
    },
}


def cli(*args: str, input: str | None = None) -> str:
    result = runner.invoke(cli_app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def fields(value) -> dict:
    if isinstance(value, tuple) and len(value) == 2:
        return {"numerator": value[0], "denominator": value[1]}
    if isinstance(value, tuple):
        return dict(zip(("exists", "evidence", "public", "recent"), value, strict=True))
    return {"value": value}


def test_cycle_from_init_to_build(db_url, tmp_path):
    d = ["--database", db_url]
    cli("portal", "init", *d)
    assert "already" not in cli("portal", "init", *d)  # idempotent
    for inst, name, country in (
        ("A", "Alpha University", "France"),
        ("B", "Beta Institute", "DE"),
        ("C", "Gamma, College", "it"),
    ):
        cli("portal", "institution", "add", "--id", inst, "--name", name, "--country", country, *d)
        cli(
            "portal",
            "user",
            "add",
            f"admin@{inst.lower()}.edu",
            "--role",
            "admin",
            "--institution",
            inst,
            "--password-stdin",
            *d,
            input="admin password 1\n",
        )
    out = cli("portal", "user", "add", "helper@a.edu", "--role", "contributor", "--institution", "A", *d)
    token = re.search(r"/invitations/(\S+)", out).group(1)
    cli("portal", "cycle", "open", "--id", "2025", "--methodology", str(MINI), "--closes", "2099-12-31", *d)

    from impactrank.portal.app import create_app

    app = create_app(db_url, tmp_path / "files")
    helper = TestClient(app)
    r = helper.post(f"/api/invitations/{token}", json={"password": "helper password"})
    assert r.status_code == 200, r.text
    helper.headers["X-CSRF-Token"] = r.json()["csrf_token"]

    # A: the contributor attaches evidence (an uploaded PDF, URLs), then enters every metric by hand
    r = helper.post(
        "/api/cycles/2025/institutions/A/records/1/policy/evidence",
        data={"title": "Policy", "public": "true"},
        files=pdf_file(),
    )
    assert r.status_code == 201, r.text
    for sdg, metric in ((1, "policy"), (17, "reports")):
        r = helper.post(
            f"/api/cycles/2025/institutions/A/records/{sdg}/{metric}/evidence",
            json={"title": "Web page", "url": "https://alpha.example/sdg", "public": True, "date": "2025-03-01"},
        )
        assert r.status_code == 201, r.text
    assert [e["kind"] for e in records(helper, "2025", "A", 1)["policy"]["evidence_items"]] == ["file", "url"]
    for sdg, metrics in DATA["A"].items():
        current = records(helper, "2025", "A", sdg)
        for metric, value in metrics.items():
            version = current[metric]["version"]
            r = put(helper, "2025", "A", sdg, metric, version=version, **fields(value))
            assert r.status_code == 200, r.text
            assert r.json()["version"] == version + 1 and r.json()["state"] == "complete"
    assert (
        helper.post("/api/cycles/2025/institutions/A/submit", json={"sdgs": [1, 2, 3, 17]}).status_code == 403
    )  # admins submit

    admins = {}
    for inst in "ABC":
        c = TestClient(app)
        r = c.post("/api/login", json={"email": f"admin@{inst.lower()}.edu", "password": "admin password 1"})
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        admins[inst] = c

    # B and C: their admins upload their rows as files
    for inst in "BC":
        lines = ["institution_id,sdg,metric,value,numerator,denominator,exists,evidence,public,recent"]
        for sdg, metrics in DATA[inst].items():
            for metric, value in metrics.items():
                f = fields(value)
                cells = [
                    f.get(k, "")
                    for k in ("value", "numerator", "denominator", "exists", "evidence", "public", "recent")
                ]
                lines.append(",".join([inst, f"SDG {sdg}", metric, *map(str, cells)]))
        r = admins[inst].post(
            f"/api/cycles/2025/institutions/{inst}/upload",
            data={"complete": "true"},
            files={"file": (f"{inst}.csv", "\n".join(lines).encode(), "text/csv")},
        )
        assert r.status_code == 201, r.text
    # claims of evidence without an item attached are warnings: those rows stay drafts until acknowledged
    drafts = {"B": {(1, "policy"), (17, "reports")}, "C": {(1, "policy")}}
    for inst in "BC":
        found = set()
        for sdg in DATA[inst]:
            for metric, rec in records(admins[inst], "2025", inst, sdg).items():
                if rec["state"] == "complete":
                    continue
                found.add((sdg, metric))
                assert [w["code"] for w in rec["warnings"]] == ["no_evidence"]
                value = fields(DATA[inst][sdg][metric])
                r = put(admins[inst], "2025", inst, sdg, metric, version=rec["version"], **value)
                assert r.status_code == 422 and r.json()["field"] == "acknowledge_warnings"
                r = put(
                    admins[inst], "2025", inst, sdg, metric, version=rec["version"], acknowledge_warnings=True, **value
                )
                assert r.status_code == 200 and r.json()["state"] == "complete"
        assert found == drafts[inst]

    for inst in "ABC":
        sdgs = sorted(DATA[inst])
        r = admins[inst].post(f"/api/cycles/2025/institutions/{inst}/submit", json={"sdgs": sdgs})
        assert r.status_code == 201, r.text
        assert r.json()["eligibility"]["eligible"] is True
    assert put(helper, "2025", "A", 3, "pubs", version=1, value=1).status_code == 423  # submitted: locked

    cli("portal", "cycle", "close", "--id", "2025", *d)
    cli("portal", "export", "--cycle", "2025", "--out", str(tmp_path / "x1"), *d)
    cli("portal", "export", "--cycle", "2025", "--out", str(tmp_path / "x2"), *d)
    for name in ("institutions.csv", "submissions.csv", "manifest.json"):
        assert (tmp_path / "x1" / name).read_bytes() == (tmp_path / "x2" / name).read_bytes()
    manifest = json.loads((tmp_path / "x1" / "manifest.json").read_text())
    assert manifest["counts"] == {
        "institutions": 3,
        "submitted_sdgs": 13,
        "submission_rows": 18,
        "metrics_without_data": 0,
    }
    with (tmp_path / "x1" / "institutions.csv").open() as fh:
        assert list(csv.reader(fh)) == [
            ["institution_id", "name", "country"],
            ["A", "Alpha University", "FR"],
            ["B", "Beta Institute", "DE"],
            ["C", "Gamma, College", "IT"],
        ]

    cli(
        "build",
        "--institutions", str(tmp_path / "x1" / "institutions.csv"),
        "--submissions", str(tmp_path / "x1" / "submissions.csv"),
        "--methodology", str(tmp_path / "x1" / "methodology.yaml"),
        "--out", str(tmp_path / "edition"),
        "--workspace", str(tmp_path / "ws.duckdb"),
    )  # fmt: skip
    with (tmp_path / "edition" / "overall.csv").open() as fh:
        overall = {row["institution_id"]: row for row in csv.DictReader(fh)}
    expected = mini_scores(DATA)
    assert set(overall) == {"A", "B", "C"}
    for inst, score in expected.items():
        assert float(overall[inst]["overall_score"]) == pytest.approx(score, abs=1e-9)
    order = sorted(expected, key=lambda i: -expected[i])
    assert [int(overall[i]["rank_position"]) for i in order] == [1, 2, 3]
