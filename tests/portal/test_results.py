"""Results under embargo, on SQLite and PostgreSQL: every results route, for every role and a stranger, with the
caller's own institution's id and the other's, before and after the public time (the portal's clock moved).
Only the institution's own members get its results — before the public time and after it; everyone else gets
the 404 of a page that does not exist, and learns nothing of it. Each view and download is in the audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import sqlalchemy as sa
from portal_results import KIT_LANGS, attach_results
from portal_world import START

PUBLIC_AT = START + timedelta(days=10)
CALLERS = ("anonymous", "operator", "reviewer", "A.admin", "A.contributor", "A.observer", "B.admin", "B.observer")
NAMES = {"A": "Alpha University", "B": "Beta Institute"}


def routes(inst: str) -> list[str]:
    base = f"/cycles/2025/institutions/{inst}/results"
    kits = [f"{base}/presskit.zip?lang={lang}" for lang in KIT_LANGS]
    return [base, "/api" + base, *kits, *("/api" + k for k in kits)]


def member_of(who: str) -> str | None:
    return who.split(".")[0] if "." in who else None


def audit(world, action: str) -> list[tuple]:
    query = sa.text("SELECT actor_email, object_id, after FROM audit_log WHERE action = :a ORDER BY id")
    with world.db.engine.connect() as conn:
        rows = conn.execute(query, {"a": action}).all()
    return [(email, what, json.loads(after) if isinstance(after, str) else after) for email, what, after in rows]


def test_each_institution_sees_its_own_results_only_before_and_after_the_public_time(world, mini_results):
    attach_results(world, mini_results, PUBLIC_AT)
    wrong, views = [], 0
    for moment in ("before", "after"):
        if moment == "after":
            world.clock.t = PUBLIC_AT + timedelta(minutes=1)
        for who in CALLERS:  # signed in at that moment (a session from ten days before has expired)
            client = world.client(None if who == "anonymous" else who)
            for inst in ("A", "B"):
                for url in routes(inst):
                    r = client.get(url, follow_redirects=False)
                    own = member_of(who) == inst
                    if r.status_code != (200 if own else 404):
                        wrong.append(f"{moment} {who} {url}: {r.status_code}")
                    other = NAMES["B" if inst == "A" else "A"]
                    if (own and other in r.text) or (not own and NAMES[inst] in r.text):
                        wrong.append(f"{moment} {who} {url}: shows another institution's name")
                    views += own and "presskit" not in url
            index = client.get("/api/results")
            if index.status_code != (200 if member_of(who) else 404):
                wrong.append(f"{moment} {who} /api/results: {index.status_code}")
            elif member_of(who):
                shown = index.json()["results"]
                assert [(x["institution"], x["embargoed"]) for x in shown] == [(member_of(who), moment == "before")]
    assert not wrong, "\n".join(wrong)
    assert len(audit(world, "results.view")) == views
    downloads = audit(world, "results.download")
    assert len(downloads) == 2 * 5 * 2 * len(KIT_LANGS)  # 2 moments × 5 members × page and API × languages
    assert {d[1] for d in downloads} == {"2025/A", "2025/B"}


def test_the_page_shows_the_facts_and_the_kit_is_the_attached_one(world, mini_results):
    facts, kits = mini_results
    attach_results(world, mini_results, PUBLIC_AT)
    a = world.client("A.observer")
    shown = a.get("/api/cycles/2025/institutions/A/results").json()
    assert shown["facts"] == facts["A"] and shown["embargoed"] is True and shown["press_kits"] == sorted(KIT_LANGS)
    page = a.get("/cycles/2025/institutions/A/results", headers={"Accept-Language": "fr"})
    french_score = facts["A"]["overall"]["score"].replace(".", ",")  # the page's language writes the score
    assert page.status_code == 200 and "embargo" in page.text and french_score in page.text
    kit = a.get("/cycles/2025/institutions/A/results/presskit.zip?lang=fr")
    assert kit.headers["content-type"] == "application/zip"
    assert hashlib.sha256(kit.content).digest() == hashlib.sha256(kits["A"]["fr"]).digest()
    assert a.get("/cycles/2025/institutions/A/results/presskit.zip?lang=es").status_code == 404  # not attached
    (entry,) = [r for r in audit(world, "results.download") if r[0] == world.users["A.observer"]]
    assert entry[1] == "2025/A" and entry[2] == {"lang": "fr"}


def test_attaching_again_replaces_and_is_logged(world, mini_results):
    attach_results(world, mini_results, PUBLIC_AT)
    attach_results(world, mini_results, PUBLIC_AT + timedelta(days=1))
    attached = audit(world, "results.attach")
    assert [a[1] for a in attached] == ["2025/A", "2025/B", "2025/A", "2025/B"]
    assert attached[-1][2]["public_at"] == (PUBLIC_AT + timedelta(days=1)).isoformat()
    assert len(world.table("result")) == 2 and len(world.table("press_kit")) == 2 * len(KIT_LANGS)
