"""The quickstart example as spreadsheets save CSV files builds to the outputs of the example itself.

Each variant is written by the test from ``examples/quickstart`` (no converted copy is kept in the repository):
a French Excel "CSV UTF-8" (semicolons, decimal commas, CRLF, byte-order mark), the same without the mark,
Excel's comma "CSV UTF-8", and its "Unicode text" (UTF-16 with byte-order mark, tab-separated) with a decimal
point and with a decimal comma. The real ``impactrank build`` runs on the example and on each variant, and the
outputs are compared: ``overall.csv``, ``sdg_scores.csv`` and ``metric_scores.csv`` byte for byte, and
``manifest.json`` byte for byte once the SHA-256 of each input file is taken out (those differ by design: the
input files' bytes differ, and the manifest records them).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest

from inprocess import run_cli

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
NUMBERS = {"value", "numerator", "denominator", "exists", "evidence", "public", "recent"}
OUTPUTS = ("overall.csv", "sdg_scores.csv", "metric_scores.csv")


def saved_as(source: Path, delimiter: str, decimal: str, encode) -> bytes:
    """``source`` as a spreadsheet saves it: cells holding the delimiter quoted, numbers with ``decimal``."""
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows[1:]:
        writer.writerow(c.replace(".", decimal) if h in NUMBERS else c for h, c in zip(header, row, strict=True))
    return encode(out.getvalue())


VARIANTS = {
    "french-excel-csv-utf8": (";", ",", lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
    "semicolon-csv-without-bom": (";", ",", lambda t: t.encode("utf-8")),
    "excel-csv-utf8": (",", ".", lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
    "excel-unicode-text": ("\t", ".", lambda t: t.encode("utf-16")),
    "french-excel-unicode-text": ("\t", ",", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
}


def build(folder: Path, institutions: Path, submissions: Path, *extra: str):
    return run_cli(
        "build", "-i", str(institutions), "-s", str(submissions), "-o", str(folder / "out"),
        "-w", str(folder / "ws.duckdb"), *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("comma")
    result = build(folder, QUICKSTART / "institutions.csv", QUICKSTART / "submissions.csv")
    assert result.code == 0, result.err
    return folder / "out"


def without_input_hashes(manifest: Path) -> bytes:
    text = manifest.read_text(encoding="utf-8")
    for entry in json.loads(text)["inputs"]:
        assert text.count(entry["sha256"]) == 1
        text = text.replace(entry["sha256"], "<sha256 of the input file>")
    return text.encode("utf-8")


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_quickstart_saved_by_a_spreadsheet_builds_to_the_same_bytes(tmp_path, reference, variant):
    delimiter, decimal, encode = VARIANTS[variant]
    for name in ("institutions.csv", "submissions.csv"):
        (tmp_path / name).write_bytes(saved_as(QUICKSTART / name, delimiter, decimal, encode))
    written = (tmp_path / "submissions.csv").read_bytes()
    assert written != (QUICKSTART / "submissions.csv").read_bytes()
    if decimal == ",":
        assert "8046,0".encode("utf-16-le" if delimiter == "\t" else "utf-8") in written

    result = build(tmp_path, tmp_path / "institutions.csv", tmp_path / "submissions.csv")

    assert result.code == 0, result.err
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (reference / name).read_bytes(), name
    ours, theirs = tmp_path / "out" / "manifest.json", reference / "manifest.json"
    assert ours.read_bytes() != theirs.read_bytes()  # the input hashes differ ...
    assert without_input_hashes(ours) == without_input_hashes(theirs)  # ... and nothing else


def test_the_older_excel_csv_in_windows_1252_is_refused_with_how_to_save_it(tmp_path):
    """French Excel's plain "CSV (séparateur: point-virgule)" is Windows-1252: the second institution, École …,
    is on row 3."""
    for name in ("institutions.csv", "submissions.csv"):
        (tmp_path / name).write_bytes(saved_as(QUICKSTART / name, ";", ",", lambda t: t.encode("cp1252")))
    result = build(tmp_path, tmp_path / "institutions.csv", tmp_path / "submissions.csv")
    assert result.code == 2 and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "institutions.csv, row 3: not UTF-8 text (byte 0xc9, 'É' in Windows-1252)" in result.message
    assert "'CSV UTF-8'" in result.message
    assert not (tmp_path / "out").exists() and not (tmp_path / "ws.duckdb").exists()


def test_decimal_commas_a_file_cannot_tell_need_the_option(tmp_path, mini_paths):
    (tmp_path / "i.csv").write_text("institution_id,name,country\nA,Alpha,FR\nB,Beta,DE\n")
    (tmp_path / "s.csv").write_text('institution_id,sdg,metric,value\nA,1,pubs,"1,250"\nB,1,pubs,"2,500"\n')
    method = ("-m", str(mini_paths["methodology"]))
    refused = build(tmp_path, tmp_path / "i.csv", tmp_path / "s.csv", *method)
    assert refused.code == 2 and "s.csv, row 2, field 'value': cannot tell whether the comma" in refused.message
    assert not (tmp_path / "out").exists() and not (tmp_path / "ws.duckdb").exists()
    assert build(tmp_path, tmp_path / "i.csv", tmp_path / "s.csv", *method, "--decimal", ";").code == 2
    built = build(tmp_path, tmp_path / "i.csv", tmp_path / "s.csv", *method, "--decimal", ",")
    assert built.code == 0, built.err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["decimal"] == ","
    with (tmp_path / "out" / "metric_scores.csv").open(encoding="utf-8") as fh:
        raw = {r["institution_id"]: r["raw"] for r in csv.DictReader(fh) if (r["sdg"], r["metric"]) == ("1", "pubs")}
    assert raw == {"A": "1.25", "B": "2.5"}
