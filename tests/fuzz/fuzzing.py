"""What the fuzz tests share: inputs as people and accidents make them, the counts of cases run, and the checks.

Inputs come in two kinds: arbitrary bytes, and near-valid files made from a valid seed by a few mutations (a
cell replaced by a wrong type, a huge value, a NUL, a formula, a stray quote; a row dropped, doubled or made
ragged; the delimiter, the decimal mark or the whole encoding changed; invalid UTF-8 or UTF-16 bytes spliced
in; the file cut short). Each test says how many cases it ran per reader or command (``COUNTS``), and the
conftest prints them at the end of the session.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

COUNTS: Counter[str] = Counter()  # reader or command → cases run
SECONDS: defaultdict[str, float] = defaultdict(float)

# Per target: the quick profile runs in `make test`; the long one (x LONG) with `pytest -m slow`.
LONG = 10
PROFILES = [pytest.param(1, id="quick"), pytest.param(LONG, id="long", marks=pytest.mark.slow)]


def examples(request: pytest.FixtureRequest, quick: int) -> settings:
    """Hypothesis settings for ``quick`` examples, or ``LONG`` times as many in the long profile, which runs
    only when slow tests are asked for (``-m slow``)."""
    scale = request.node.callspec.params.get("scale", 1)
    if scale > 1 and "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("the long fuzz profile runs with -m slow")
    return settings(
        max_examples=quick * scale,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


@contextmanager
def counted(target: str):
    """Counts one case of ``target`` and its time."""
    start = time.perf_counter()
    try:
        yield
    finally:
        COUNTS[target] += 1
        SECONDS[target] += time.perf_counter() - start


NASTY = [
    "",
    " ",
    "abc",
    "-1",
    "0",
    "1e999",
    "-1e-999",
    "nan",
    "inf",
    "12,5",
    "1,234",
    "1.5.3",
    "٣",
    "１２",
    "TRUE",
    "SDG 3",
    "18",
    '=HYPERLINK("http://example.invalid","click")',
    "=1+2",
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "\t=1",
    "\r=1",
    '"',
    '""',
    "a\nb",
    "\x00",
    "é",
    "\ufeff",
    "\u202e",
    "[red]x[/red]",
    "x" * 70_000,
    "a;b;c" * 30_000,
]
cell_values = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))


def read_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@st.composite
def mutated_rows(draw, rows: list[list[str]]) -> list[list[str]]:
    """``rows`` (header first) after one to three mutations of cells and rows."""
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "drop", "double", "blank", "ragged", "header", "short"]))
        i = draw(st.integers(0, len(rows) - 1))
        if kind == "cell" and rows[i]:
            rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(cell_values)
        elif kind == "drop" and len(rows) > 1:
            del rows[i]
        elif kind == "double":
            rows.insert(i, list(rows[i]))
        elif kind == "blank":
            rows.insert(i, [])
        elif kind == "ragged":
            rows[i].append(draw(cell_values))
        elif kind == "header" and rows[0]:
            rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(st.sampled_from(["", "name", "Value", "x"]))
        elif kind == "short" and rows[i]:
            rows[i] = rows[i][: draw(st.integers(0, len(rows[i]) - 1))]
    return rows


ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]


@st.composite
def written(draw, rows: list[list[str]]) -> bytes:
    """Rows as a CSV file: a delimiter, maybe decimal commas, line ends, an encoding (unencodable letters
    replaced), then maybe bytes spliced in or the file cut short."""
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    if draw(st.booleans()):
        rows = [[c.replace(".", ",") for c in r] for r in rows]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows(rows)
    data = out.getvalue().encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    for _ in range(draw(st.integers(0, 2))):
        splice = draw(
            st.sampled_from([b"\x00", b"\xe9", b"\xff\xfe", b"\xc3", b'"', codecs.BOM_UTF8, "é".encode("utf-16")])
        )
        at = draw(st.integers(0, len(data)))
        data = data[:at] + splice + data[at:]
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def near_valid_csv(seed: str) -> st.SearchStrategy[bytes]:
    return mutated_rows(read_rows(seed)).flatmap(written)


def csv_inputs(seed: str) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes now and then, near-valid files mostly."""
    return st.one_of(st.binary(max_size=400), near_valid_csv(seed), near_valid_csv(seed), near_valid_csv(seed))


@st.composite
def near_valid_text(draw, seed: str) -> bytes:
    """A text file (YAML, JSON, XML) with lines dropped, doubled or replaced, values made nasty, cut short."""
    lines = seed.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "value", "drop", "double", "indent", "raw"]))
        if kind == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(cell_values)}"
        elif kind == "drop" and len(lines) > 1:
            del lines[i]
        elif kind == "double":
            lines.insert(i, lines[i])
        elif kind == "indent":
            lines[i] = draw(st.sampled_from(["\t", "  ", "    ", "- "])) + lines[i]
        elif kind == "raw":
            lines[i] = draw(st.text(max_size=20))
    data = "\n".join(lines).encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252"])), errors="replace")
    if draw(st.integers(0, 3)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def text_inputs(seed: str) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=400), near_valid_text(seed), near_valid_text(seed))


CREATED = datetime.datetime(2026, 1, 1)


@st.composite
def workbook_inputs(draw, rows: list[list[str]]) -> bytes:
    """An XLSX workbook of mutated rows (numbers as number cells, a blank row first now and then), cut short
    now and then; or arbitrary bytes."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=400))
    import xlsxwriter

    rows = draw(mutated_rows(rows))
    if draw(st.booleans()):
        rows.insert(0, [])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": True})
    book.set_properties({"created": CREATED})  # the same bytes each time: Hypothesis draws from their length
    sheet = book.add_worksheet()
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            sheet.write(i, j, cell[:32_000])  # a cell holds at most 32,767 characters
    book.close()
    data = buffer.getvalue()
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def parquet_inputs(draw, rows: list[list[str]]) -> bytes:
    import polars as pl

    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=400))
    rows = draw(mutated_rows(rows))
    header = [h or f"column {i}" for i, h in enumerate(rows[0])] if rows else ["x"]
    header = [h if header.index(h) == i else f"{h} {i}" for i, h in enumerate(header)]
    body = [(r + [None] * len(header))[: len(header)] for r in rows[1:]]
    buffer = io.BytesIO()
    pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row").write_parquet(buffer)
    data = buffer.getvalue()
    if draw(st.integers(0, 3)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes."""
    return {
        str(Path(root, name).relative_to(folder)): Path(root, name).read_bytes()
        for root, _, names in os.walk(folder)
        for name in names
    }


def check_outcome(run, folder: Path, before: dict[str, bytes], ignore: Callable[[str], bool] = lambda _: False):
    """Success, or exit 2 with one line and no traceback; on failure the folder is as it was, byte for byte
    (no output, no workspace change, no temporary file left)."""
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err
    assert run.code in (0, 2), f"exit {run.code}: {run.err}"
    if run.code == 2:
        lines = run.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), run.err
        after = {k: v for k, v in snapshot(folder).items() if not ignore(k)}
        assert after == {k: v for k, v in before.items() if not ignore(k)}, "the failed command changed files"
