"""axe-core in the browser tests: the npm package installed by `make` (package.json, package-lock.json) is
injected into a page by Playwright and run against the WCAG 2.0/2.1 A and AA rules, as the French public
sector's standard (RGAA, built on WCAG 2.1 AA) asks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass(frozen=True)
class Finding:
    rule: str
    impact: str | None
    help: str
    targets: tuple[str, ...]  # the CSS selectors of the elements concerned, as axe names them

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}, {len(self.targets)}×): {self.help} — {', '.join(self.targets[:3])}"


@dataclass(frozen=True)
class Audit:
    violations: list[Finding]
    incomplete: list[Finding]  # what axe could not decide alone (a contrast over an image…): for a person to check

    def counts(self) -> dict[str, int]:
        """Elements in violation, per rule."""
        return {f.rule: len(f.targets) for f in self.violations}


def _findings(results: list[dict]) -> list[Finding]:
    return [
        Finding(r["id"], r.get("impact"), r["help"], tuple(" ".join(map(str, n["target"])) for n in r["nodes"]))
        for r in results
    ]


def run_axe(page) -> Audit:
    """The WCAG 2.1 AA audit of the page as it is now (load it and wait for its scripts first); the page must
    come from the ``axe_browser`` context, whose pages take the injected script past their policy."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run 'make test' (it installs axe-core with npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']})",
        WCAG_AA,
    )
    return Audit(_findings(result["violations"]), _findings(result["incomplete"]))
