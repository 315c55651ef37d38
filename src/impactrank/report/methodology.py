"""The report's methodology appendix in words: the overall rules as sentences, and the manifest as readable
rows (what was read, how many rows, what the import flagged) with every hash set apart in a table of its own,
instead of a JSON dump."""

from __future__ import annotations

from typing import Any

from impactrank.i18n import gettext, ngettext, number, sdg_label


def rules_text(rules: dict[str, Any], kind: str, lang: str) -> list[str]:
    """The overall score's rules as sentences; an imported edition's scores are the publisher's own."""
    if not rules:
        if kind == "imported":
            return [gettext("The scores are the published ones, imported as they are; no rule was applied here.", lang)]
        return [gettext("No overall rule is recorded for this edition.", lang)]
    values = {
        "required": sdg_label(rules["required_sdg"], lang),
        "others": number(rules["min_other_sdgs"], lang),
        "best": number(rules["best_k"], lang),
        "required_weight": number(rules["required_weight"], lang, 1),
        "best_weight": number(rules["best_weight"], lang, 1),
    }
    out = [
        gettext(
            "An institution enters the overall table with a score in %(required)s and in at least %(others)s other "
            "SDGs.",
            lang,
        )
        % values,
        gettext(
            "Its overall score adds %(required)s's score weighted %(required_weight)s%% and the %(best)s best other "
            "SDG scores weighted %(best_weight)s%% each.",
            lang,
        )
        % values,
    ]
    scaling = rules.get("scaling") or {}
    if scaling.get("method") == "minmax":
        out.append(
            gettext(
                "Before they are added, SDG scores are rescaled to 0–100 between the lowest and the highest score "
                "of the institutions eligible in each SDG.",
                lang,
            )
        )
    if rules.get("confirmed") is False:
        out.append(gettext("These rules are assumed, not confirmed by the publisher.", lang))
    return out


def _roles(lang: str) -> dict[str, str]:
    """What each file was read as, in the reader's language."""
    return {
        "overall": gettext("Overall table", lang),
        "institutions": gettext("Institutions", lang),
        "submissions": gettext("Submissions", lang),
    }


def _file_rows(entries: list[dict], lang: str) -> tuple[list[dict], list[dict]]:
    rows, hashes = [], []
    for e in entries:
        what = e.get("role") or e.get("table") or ""
        if what.removeprefix("sdg").isdigit():
            what = sdg_label(int(what.removeprefix("sdg")), lang)
        else:
            what = _roles(lang).get(what, what)
        count = e.get("rows")
        file = e.get("file", "")
        rows.append({"label": what, "value": file if count is None else f"{file} · {_rows(count, lang)}"})
        if e.get("sha256"):
            hashes.append({"file": e.get("file", ""), "sha256": e["sha256"]})
    return rows, hashes


def _rows(count: int, lang: str) -> str:
    return ngettext("%(count)s row", "%(count)s rows", count, lang) % {"count": number(count, lang)}


def manifest_tables(manifest: dict[str, Any], lang: str) -> dict[str, list[dict]]:
    """``rows`` (label, value, and ``code``: an identifier shown as written) and ``hashes`` (file, sha256)."""
    rows: list[dict] = []
    hashes: list[dict] = []
    package = manifest.get("package")
    if package:
        software = f"{package['name']} {package['version']}"
        rows.append({"label": gettext("Software", lang), "code": software, "value": ""})
    method = manifest.get("methodology")
    if method:
        rows.append({"label": gettext("Methodology", lang), "value": f"{method['id']} ({method['edition']})"})
        if method.get("sha256"):
            hashes.append({"file": gettext("Methodology", lang), "sha256": method["sha256"]})
    single = []  # an import of one file records it at the top
    if manifest.get("source_file"):
        single = [{"file": manifest["source_file"], "table": "overall", "rows": manifest.get("rows")}]
        single[0]["sha256"] = manifest.get("sha256")
    for entries in (manifest.get("inputs") or [], manifest.get("sources") or [], single):
        files, file_hashes = _file_rows(entries, lang)
        rows += files
        hashes += file_hashes
    if "seed" in manifest and manifest["seed"] is not None:
        rows.append({"label": gettext("Random seed", lang), "value": str(manifest["seed"])})
    if manifest.get("format"):
        rows.append({"label": gettext("Format read", lang), "code": manifest["format"], "value": ""})
    for key, count in sorted((manifest.get("counts") or {}).items()):
        if not isinstance(count, dict):
            rows.append({"label": gettext("Count", lang), "code": key, "value": number(count, lang)})
    for flag, count in sorted((manifest.get("flags") or {}).items()):
        rows.append({"label": gettext("Import flag", lang), "code": flag, "value": _rows(count, lang)})
    suggestions = manifest.get("country_suggestions") or []
    if suggestions:
        rows.append({"label": gettext("Countries to check", lang), "value": number(len(suggestions), lang)})
    return {"rows": rows, "hashes": hashes}
