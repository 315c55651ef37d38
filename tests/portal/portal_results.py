"""Results for the portal's world: the mini edition built from the test fixtures (institutions A and B, as in the
world), each one's facts and press kits made once for the session, attached to a cycle as an operator would."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KIT_LANGS = ("en", "fr")


@cache
def mini_results(folder: Path) -> tuple[dict, dict]:
    """(institution → facts, institution → lang → press kit bytes) for A and B of the mini edition."""
    from impactrank.io.build import build
    from impactrank.report.institution import institution_facts
    from impactrank.report.presskit import press_kit

    edition = build(
        FIXTURES / "mini_institutions.csv",
        FIXTURES / "mini_submissions.csv",
        methodology=FIXTURES / "mini.yaml",
        workspace=folder / "ws.duckdb",
        edition_id="mini",
    ).edition
    facts = {i: institution_facts(edition, None, i) for i in ("A", "B")}
    kits = {i: {lang: press_kit(edition, None, i, lang) for lang in KIT_LANGS} for i in ("A", "B")}
    return facts, kits


def attach_results(world, results: tuple[dict, dict], public_at: datetime, cycle: str = "2025") -> None:
    from impactrank.portal.results import attach
    from impactrank.portal.tenancy import COMMAND_LINE, Scope

    facts, kits = results
    with world.db.write() as session:
        attach(Scope(session, COMMAND_LINE, world.clock.now()), cycle, "mini", public_at, facts, kits)
