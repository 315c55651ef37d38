"""Acceptance of the portal's languages: every page type, signed in as the role that sees it, in English, French
and Spanish, has no untranslated catalog entry behind it, no English interface word once its data is taken out
(tests/i18n_words.py) and no number in another language's style; refusals shown on a page (a form's bad value,
an upload's bad row) speak the reader's language and still name the row and field; e-mails go out in the
language their recipient reads the portal in."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from portal_helpers import mailed_token, put, records
from portal_world import PASSWORD

from impactrank.portal.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from test_web_i18n_pages import LANGS, _catalog, check_page

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CYCLE = "/cycles/2025/institutions/A"
HEADER = "institution_id,sdg,metric,value,numerator,denominator,exists,evidence,public,recent"


def test_every_portal_message_is_translated():
    portal = [m for m in _catalog("en") if m.id and any("/portal/" in path for path, _ in m.locations)]
    assert len(portal) > 250
    for locale in ("fr", "es"):
        translated = {
            m.id
            for m in _catalog(locale)
            if m.id and all(m.string if isinstance(m.string, tuple) else (m.string,)) and not m.fuzzy
        }
        assert [m.id for m in portal if m.id not in translated] == [], locale


def open_cycle_world(world) -> dict:
    """Institution A halfway through the cycle: evidence, a rate, a number, a draft with a warning, SDGs 3 and 4
    submitted, a pending invitation, a reviewer's declared conflict; the app serves reset links."""
    world.app = create_app(
        world.served_db, world.files, clock=world.clock, upload_limit=256 * 1024, base_url="https://portal.example"
    )
    contributor, admin = world.client("A.contributor"), world.client("A.admin")
    r = contributor.post(
        f"/api{CYCLE}/records/1/policy/evidence",
        json={"title": "Policy page", "url": "https://a.example/policy", "public": True, "date": "2025-09-30"},
    )
    assert r.status_code == 201, r.text
    values = {
        (1, "pubs"): {"value": 120},
        (1, "policy"): {"exists": 1, "evidence": 1, "public": 1, "recent": 0.5},
        (2, "share"): {"numerator": 300, "denominator": 1200},
        (2, "waste"): {"value": 12.5},
        (3, "pubs"): {"value": 50},
        (4, "pubs"): {"value": 40},
    }
    for (sdg, metric), fields in values.items():
        version = records(contributor, "2025", "A", sdg)[metric]["version"]
        assert put(contributor, "2025", "A", sdg, metric, version=version, **fields).status_code == 200
    assert put(contributor, "2025", "A", 17, "reports", complete=False, evidence=1).json()["warnings"]
    assert admin.post(f"/api{CYCLE}/submit", json={"sdgs": [3, 4]}).status_code == 201
    assert admin.post("/api/institutions/A/invitations", json={"email": "new@a.edu"}).status_code == 201
    assert world.client("reviewer").post("/api/conflicts", json={"country": "DE"}).status_code == 201
    assert world.client().post("/api/password-reset", json={"email": world.users["B.admin"]}).status_code == 201
    return {
        "invitation": mailed_token(world, "new@a.edu", "/invitations"),
        "reset": mailed_token(world, world.users["B.admin"], "/password-reset"),
    }


def open_pages(tokens: dict) -> dict[str, tuple[str | None, str, int]]:
    """Page type → (who, address, status) while the cycle is open."""
    return {
        "sign-in": (None, "/login", 200),
        "password reset": (None, "/password-reset", 200),
        "new password": (None, f"/password-reset/{tokens['reset']}", 200),
        "invitation": (None, f"/invitations/{tokens['invitation']}", 200),
        "error: no such page": (None, "/no-such-page", 404),
        "cycles": ("A.contributor", "/cycles", 200),
        "institution dashboard": ("A.contributor", CYCLE, 200),
        "all records": ("A.contributor", f"{CYCLE}/records", 200),
        "SDG records (rate, lower is better)": ("A.contributor", f"{CYCLE}/records?sdg=2", 200),
        "record with evidence": ("A.contributor", f"{CYCLE}/records/1/policy", 200),
        "record with a warning": ("A.contributor", f"{CYCLE}/records/17/reports", 200),
        "submitted record": ("A.contributor", f"{CYCLE}/records/3/pubs", 200),
        "record history": ("A.contributor", f"{CYCLE}/records/1/pubs/history", 200),
        "account": ("A.contributor", "/me", 200),
        "second factor (optional)": ("A.contributor", "/me/second-factor", 200),
        "error: another tenant": ("A.contributor", "/cycles/2025/institutions/B", 404),
        "team": ("A.admin", "/institutions/A/team", 200),
        "conflicts": ("reviewer", "/conflicts", 200),
        "empty review queue": ("reviewer", "/cycles/2025/review", 200),
        "operator's cycles": ("operator", "/cycles", 200),
        "progress": ("operator", "/cycles/2025/progress", 200),
        "audit log": ("operator", "/audit?cycle=2025", 200),
        "outbox": ("operator", "/outbox", 200),
        "second factor (enrolled)": ("operator", "/me/second-factor", 200),
    }


def review_world(world) -> None:
    """The cycle closed; the reviewer asked A for a revision of SDG 3 and has SDG 4 to assess."""
    operator = world.client("operator")
    assert operator.post("/api/cycles/2025/close").status_code == 201
    for sdg in (3, 4):
        body = {"institution": "A", "sdg": sdg, "reviewer": world.users["reviewer"]}
        assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 201
    r = world.client("reviewer").post(
        f"/api{CYCLE}/records/3/pubs/assessment", json={"verdict": "revision", "note": "which year?"}
    )
    assert r.status_code == 201, r.text


REVIEW_PAGES = {
    "closed dashboard": ("A.contributor", CYCLE, 200),
    "revision request": ("A.admin", f"{CYCLE}/records/3/pubs", 200),
    "review queue": ("reviewer", "/cycles/2025/review", 200),
    "assessment form": ("reviewer", f"{CYCLE}/records/4/pubs", 200),
    "operator's review queue": ("operator", "/cycles/2025/review", 200),
    "progress in review": ("operator", "/cycles/2025/progress", 200),
    "exports": ("operator", "/cycles/2025/exports", 200),
}


def data_of(world) -> list[str]:
    """What the pages show as data, in its own language: names, labels, addresses, the audit log's codes and
    values, the file format's columns, the reviewer's note, e-mail subjects (each in its recipient's language),
    reviewers' pseudonyms."""
    from portal_world import MINI

    from impactrank.methodology.load import parse_methodology

    mini = parse_methodology(MINI.read_text(), "mini")
    data = ["Alpha University", "Beta Institute", "Policy page", "which year?", "impactrank", "mini"]
    data += [HEADER.replace(",", ", ")]  # the submissions format's columns, named as the file names them
    data += [s.label for s in mini.sdgs] + [m.label for s in mini.sdgs for m in s.metrics]
    data += [m.id for s in mini.sdgs for m in s.metrics] + list(world.users.values()) + ["new@a.edu"]
    for entry in world.client("operator").get("/api/audit", params={"cycle": "2025"}).json()["entries"]:
        data += [entry["action"], entry["object"], entry["reason"] or ""]
        for side in (entry["before"], entry["after"]):
            data += [str(v) for v in side.values()] + list(side) if isinstance(side, dict) else [str(side)]
    data += [m["subject"] for m in world.client("operator").get("/api/outbox").json()["messages"]]
    return data + [f"Reviewer {n}" for n in (1, 2)]


def tour(world, pages: dict, data: list[str]) -> dict[str, list[str]]:
    """Each page in each language (the language cookie a switch sets), as its reader: what is wrong with it."""
    problems = {}
    clients = {who: world.client(who) for who in {who for who, _, _ in pages.values()}}
    for lang in LANGS:
        for name, (who, url, status) in pages.items():
            client = clients[who]
            client.cookies.set("lang", lang)
            page = client.get(url)
            assert page.status_code == status, (name, lang, page.text[:300])
            found = check_page(page.text, lang, data)
            if found:
                problems[f"{name} ({lang})"] = found
    return problems


@SQLITE
def test_every_portal_page_type_in_each_language(world):
    tokens = open_cycle_world(world)
    problems = tour(world, open_pages(tokens), data_of(world))
    review_world(world)
    problems |= tour(world, REVIEW_PAGES, data_of(world))
    assert problems == {}


@SQLITE
def test_refusals_on_a_page_speak_the_readers_language_and_name_row_and_field(world):
    contributor = world.client("A.contributor")
    contributor.cookies.set("lang", "fr")
    r = contributor.post(f"{CYCLE}/records/1/pubs", data={"version": "0", "value": "beaucoup", "complete": "true"})
    assert r.status_code == 422 and '<html lang="fr">' in r.text
    assert "<title>Erreur 422" in r.text and "champ « value »" in r.text.replace("\u00a0", " ")
    upload = f"{HEADER}\nA,1,pubs,4,,,,,,\nA,3,pubs,7,,,,,,\n"
    assert put(contributor, "2025", "A", 3, "pubs", value=5).status_code == 200
    assert world.client("A.admin").post(f"/api{CYCLE}/submit", json={"sdgs": [3]}).status_code == 201
    contributor.cookies.set("lang", "es")
    r = contributor.post(f"{CYCLE}/upload", files={"file": ("mine.csv", upload.encode(), "text/csv")})
    text = r.text.replace("\u00a0", " ")
    assert r.status_code == 423 and "mine.csv, fila 3, campo «sdg»: el ODS 3 está enviado y bloqueado" in text
    api = world.client("A.contributor")
    r = api.post(f"/api{CYCLE}/upload", files={"file": ("mine.csv", upload.encode(), "text/csv")})
    assert r.json()["error"] == "mine.csv, row 3, field 'sdg': SDG 3 is submitted and locked"  # the API's English


def sign_in_on_page(world, who: str, lang: str):
    """Sign in through the sign-in form as a browser reading ``lang`` does."""
    client = world.client()
    client.cookies.set("lang", lang)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = {"csrf_token": token, "email": world.users[who], "password": PASSWORD, "next": "/cycles"}
    assert client.post("/login", data=body, follow_redirects=False).status_code == 303
    client.headers["X-CSRF-Token"] = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/me").text).group(1)
    return client


def outbox(world, to: str) -> list[tuple[str, str]]:
    import sqlalchemy as sa

    with world.db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT subject, body FROM outbox WHERE to_email = :t ORDER BY id"), {"t": to})
        return [tuple(r) for r in rows]


@SQLITE
def test_e_mails_arrive_in_the_language_the_person_reads(world):
    admin = sign_in_on_page(world, "A.admin", "fr")
    r = admin.post("/me/password", data={"current_password": PASSWORD, "new_password": "un autre mot de passe"})
    assert r.status_code in (200, 303), r.text
    assert outbox(world, world.users["A.admin"]) == [
        (
            "Votre connexion au portail impactrank a changé",
            "Votre mot de passe a été changé le 2025-10-01 09:00 UTC.\n"
            "Si ce n'est pas vous, prévenez immédiatement les opérateurs du portail.\n",
        )
    ]
    # the French admin invites from a French page: the new person's invitation is in French
    assert admin.post("/institutions/A/invitations", data={"email": "nouveau@a.edu", "role": "observer"}).is_success
    subject, body = outbox(world, "nouveau@a.edu")[0]
    assert subject == "Votre invitation au portail impactrank"
    assert body.startswith("Vous êtes invité comme observateur (A). Choisissez votre mot de passe d'ici 7 jours")
    # a revision request goes to the institution's admin in French, and to no one else in another language
    assert put(world.client("A.contributor"), "2025", "A", 3, "pubs", value=5).status_code == 200
    assert admin.post(f"/api{CYCLE}/submit", json={"sdgs": [3]}).status_code == 201
    review_world_sdg3(world)
    subject, body = outbox(world, world.users["A.admin"])[-1]
    assert subject == "Révision demandée\u00a0: ODD 3 pubs (2025)"
    assert body.startswith("Un évaluateur demande une révision de l'ODD 3 «\u00a0Publications\u00a0» pour A d'ici le")
    assert body.endswith("(tour 1 sur 2)\u00a0:\n\nwhich year?\n")
    # someone who never chose a language gets English
    assert world.client("B.contributor").post("/api/me/password", json=new_password()).status_code == 201
    assert outbox(world, world.users["B.contributor"])[0][0] == "Your impactrank portal sign-in changed"


def new_password() -> dict:
    return {"current_password": PASSWORD, "new_password": "another long password"}


def review_world_sdg3(world) -> None:
    operator = world.client("operator")
    assert operator.post("/api/cycles/2025/close").status_code == 201
    body = {"institution": "A", "sdg": 3, "reviewer": world.users["reviewer"]}
    assert operator.post("/api/cycles/2025/assignments", json=body).status_code == 201
    r = world.client("reviewer").post(
        f"/api{CYCLE}/records/3/pubs/assessment", json={"verdict": "revision", "note": "which year?"}
    )
    assert r.status_code == 201, r.text
