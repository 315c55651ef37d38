"""Finding, parsing and validating methodology files (bundled editions or the user's own)."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

from impactrank.declarations import parse_declaration
from impactrank.errors import N_, InputError
from impactrank.methodology.schema import Methodology

EDITIONS = resources.files("impactrank.methodology") / "editions"
DEFAULT_ID = "the-2021"


def bundled_ids() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in EDITIONS.iterdir() if p.name.endswith(".yaml"))


def load_methodology(ref: str | Path = DEFAULT_ID) -> Methodology:
    """Load a bundled edition by id (``the-2021``) or a user's YAML file by path; raise InputError if invalid."""
    ref_str = str(ref)
    if ref_str in bundled_ids():
        text = (EDITIONS / f"{ref_str}.yaml").read_text(encoding="utf-8")
        name = f"{ref_str}.yaml"
    else:
        path = Path(ref_str)
        if not path.is_file():
            known = ", ".join(bundled_ids())
            raise InputError(
                N_("no methodology file or bundled edition named %(name)r (bundled: %(known)s)"),
                params={"name": ref_str, "known": known},
            )
        name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                N_("not UTF-8 text (%(reason)s at byte %(byte)s)"),
                file=name,
                params={"reason": exc.reason, "byte": exc.start},
            ) from None
    return parse_methodology(text, name)


def parse_methodology(text: str, name: str = "<methodology>") -> Methodology:
    return parse_declaration(text, name, Methodology, N_("a methodology file must be a YAML mapping"), locate=_loc)


def _loc(data: dict, loc: tuple) -> str:
    """Turn a pydantic location into a readable path, naming SDGs and metrics rather than list indexes."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            if isinstance(node, dict) and "sdg" in node:
                parts.append(f"SDG {node['sdg']}")
            elif isinstance(node, dict) and "id" in node:
                parts.append(str(node["id"]))
            else:
                parts.append(f"[{key}]")
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def methodology_hash(methodology: Methodology) -> str:
    """Content hash of the rules (not of the file's formatting), so equivalent files hash alike."""
    canonical = json.dumps(methodology.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
