"""Reading query systems: Aurora XML, text2sdg-style tables and plain ``sdg,query`` CSV files.

Named sets (``aurora-v5``, ``elsevier``, …) are never shipped in the package: they resolve inside a
folder the user supplies (``--queries-dir`` or ``IMPACTRANK_SDG_DATA``).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from impactrank.errors import N_, InputError
from impactrank.io.delimited import read_text_table
from impactrank.sdgmap.ast import Node
from impactrank.sdgmap.parser import QuerySyntaxError, parse

ENV_DATA_DIR = "IMPACTRANK_SDG_DATA"
_AQD = "{http://aurora-network.global/queries/namespace/}"
_DC = "{http://dublincore.org/documents/dcmi-namespace/}"


@dataclass(frozen=True)
class QueryLine:
    """One query line: a document matches its SDG when any line of that SDG matches."""

    system: str
    sdg: int
    line_id: str
    query: str
    ast: Node = field(compare=False, repr=False)
    target: str | None = None


@dataclass(frozen=True)
class QuerySet:
    name: str
    lines: tuple[QueryLine, ...]

    @property
    def sdgs(self) -> list[int]:
        return sorted({q.sdg for q in self.lines})

    def counts(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for q in self.lines:
            out[q.sdg] = out.get(q.sdg, 0) + 1
        return dict(sorted(out.items()))


def _parse_line(text: str, file: Path, row: int | None) -> Node:
    try:
        return parse(text)
    except QuerySyntaxError as exc:
        raise QuerySyntaxError(exc.message, file=str(file), row=row, field="query", position=exc.position) from None


def _sdg_number(value: str, file: Path, row: int) -> int:
    m = re.search(r"(\d+)", value or "")
    if not m or not 1 <= int(m.group(1)) <= 17:
        raise InputError(
            N_("not an SDG number: %(value)r"), file=str(file), row=row, field="sdg", params={"value": value}
        )
    return int(m.group(1))


def load_aurora_xml(path: Path | str, system: str = "aurora-v5") -> QuerySet:
    """A folder of ``query_SDG*.xml`` files or one such file; every ``query-line`` becomes a QueryLine."""
    path = Path(path)
    files = sorted(path.glob("query_SDG*.xml"), key=_sdg_of_file) if path.is_dir() else [path]
    if not files:
        raise InputError(N_("no query_SDG*.xml files in folder"), file=str(path))
    lines: list[QueryLine] = []
    for file in files:
        try:
            root = ET.parse(file).getroot()
        except (OSError, ET.ParseError) as exc:
            raise InputError(
                N_("cannot read Aurora XML: %(reason)s"), file=str(file), params={"reason": str(exc)}
            ) from None
        sdg_text = next((e.text for e in root.iter(f"{_DC}identifier") if e.get("type") == "sdg"), None)
        sdg = _sdg_number(sdg_text or str(_sdg_of_file(file)), file, 0)
        for definition in root.iter(f"{_AQD}query-definition"):
            sub = (definition.findtext(f"{_AQD}subquery-identifier") or "").strip()
            target = f"{sdg}.{sub}"
            for n, el in enumerate(definition.iter(f"{_AQD}query-line"), start=1):
                text = " ".join((el.text or "").split())
                field_code = (el.get("field") or "TITLE-ABS-KEY").upper()
                query = f"{field_code}({text})"
                ast = _parse_line(query, file, None)
                lines.append(QueryLine(system, sdg, f"{system}:{target}:{n}", text, ast, target))
    return QuerySet(system, tuple(lines))


def _sdg_of_file(file: Path) -> int:
    m = re.search(r"(\d+)", file.stem)
    return int(m.group(1)) if m else 0


_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(text: str) -> str:
    # One SIRIS row carries JSON-style escapes (\" and \u00f1) from its conversion.
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text.replace('\\"', '"'))


def load_query_table(path: Path | str, system: str | None = None) -> QuerySet:
    """A CSV with ``sdg`` and ``query`` columns (text2sdg tables and our own format).

    SIRIS-style tables (``keyword`` + optional ``extra`` context) are composed as
    ``("keyword") AND (extra)``; every other table uses its ``query`` column.
    """
    path = Path(path)
    table = read_text_table(path, name=str(path))
    names, records = table.records()
    header = [h.strip() for h in names]
    if "sdg" not in header:
        raise InputError(N_("query table needs an 'sdg' column"), file=str(path), row=table.header_row, field="sdg")
    siris = {"keyword", "extra"} <= set(header)
    if not siris and "query" not in header:
        raise InputError(N_("query table needs a 'query' column"), file=str(path), row=table.header_row, field="query")
    rows = [(i, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))) for i, cells in records]
    if not rows:
        raise InputError(N_("the query table has a header but no rows"), file=str(path))
    name = system or (rows[0][1].get("system") or path.stem.removesuffix("_queries")).lower()
    lines, seen = [], {}  # seen: line id → its row (a label names its query lines by id)
    for n, (i, row) in enumerate(rows, start=1):  # i: the row as a spreadsheet shows it (header = 1)
        sdg = _sdg_number(row["sdg"], path, i)
        if siris:
            keyword = _unescape(row["keyword"]).replace('"', " ").strip()
            extra = _unescape(row.get("extra") or "").strip()
            text = f'("{keyword}") AND ({extra})' if extra else f'"{keyword}"'
        else:
            text = _unescape(row["query"] or "")
        qid = row.get("query_id") or row.get("id") or str(n)
        line_id = f"{name}:{sdg}:{qid}"
        if line_id in seen:
            raise InputError(
                N_("query id %(id)r of SDG %(sdg)s is on row %(first)s already"),
                file=str(path), row=i, field="query_id" if "query_id" in header else "id",
                params={"id": qid, "sdg": sdg, "first": seen[line_id]},
            )  # fmt: skip
        seen[line_id] = i
        lines.append(QueryLine(name, sdg, line_id, text, _parse_line(text, path, i)))
    return QuerySet(name, tuple(lines))


# Named sets and where they live inside a data folder laid out like shared/data/sdg.
NAMED_SETS = {
    "aurora-v5": ("aurora_queries_v5.0.3", None),
    "aurora-v5-text2sdg": ("text2sdg_1.1.1", "aurora_queries.csv"),
    "elsevier": ("text2sdg_1.1.1", "elsevier_queries.csv"),
    "auckland": ("text2sdg_1.1.1", "auckland_queries.csv"),
    "siris": ("text2sdg_1.1.1", "siris_queries.csv"),
    "sdsn": ("text2sdg_1.1.1", "sdsn_queries.csv"),
    "sdgo": ("text2sdg_1.1.1", "sdgo_queries.csv"),
}


def default_data_dir() -> Path | None:
    """``$IMPACTRANK_SDG_DATA``, else ``../shared/data/sdg`` beside the repository or the working folder."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    for base in (repo, Path.cwd()):
        candidate = base / ".." / "shared" / "data" / "sdg"
        if candidate.is_dir():
            return candidate.resolve()
    return None


def load_queries(spec: str | Path, data_dir: Path | str | None = None) -> QuerySet:
    """A named set (``aurora-v5``, ``elsevier``, …) or a path: XML file/folder, or CSV table."""
    key = str(spec)
    if key in NAMED_SETS:
        base = Path(data_dir) if data_dir else default_data_dir()
        if base is None:
            raise InputError(
                N_("query set %(name)r is not shipped; point --queries-dir or $%(variable)s at a folder holding it"),
                params={"name": key, "variable": ENV_DATA_DIR},
            )
        sub, file = NAMED_SETS[key]
        for folder in (base / sub, base):
            target = folder / file if file else folder
            if (file and target.is_file()) or (not file and any(target.glob("query_SDG*.xml"))):
                return load_aurora_xml(target, key) if not file else load_query_table(target, key)
        raise InputError(N_("query set %(name)r not found"), file=str(base), params={"name": key})
    path = Path(spec)
    if not path.exists():
        raise InputError(
            N_("no such query file or named set (known: %(known)s)"),
            file=str(path),
            params={"known": ", ".join(NAMED_SETS)},
        )
    if path.is_dir() or path.suffix.lower() == ".xml":
        return load_aurora_xml(path, path.stem if path.is_file() else "aurora")
    return load_query_table(path)
