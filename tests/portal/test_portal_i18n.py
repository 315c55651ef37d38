"""Acceptance of the portal's languages: every page type, signed in as the role that sees it, in English, French
and Spanish, has no untranslated catalog entry behind it, no English interface word once its data is taken out
(tests/i18n_words.py) and no number in another language's style; refusals shown on a page (a form's bad value,
an upload's bad row) speak the reader's language and still name the row and field; e-mails go out in the
language their recipient reads the portal in."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from portal_helpers import put, records
from portal_results import attach_results
from portal_tour import CYCLE, HEADER, REVIEW_PAGES, data_of, open_cycle_world, open_pages, review_world
from portal_world import PASSWORD, START

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from test_web_i18n_pages import LANGS, check_page

from i18n_words import messages_of, untranslated

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_every_portal_message_is_translated():
    portal = messages_of("/portal/")
    assert len(portal) > 250
    for locale in ("fr", "es"):
        assert untranslated(portal, locale) == [], locale


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
    text = r.text.replace("\u00a0", " ")
    # the form's page again, the field named by its label (tests/portal/test_refused_forms.py)
    assert "<title>Non enregistré : Valeur — un nombre est attendu" in text and 'value="beaucoup"' in text
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


@SQLITE
def test_a_number_is_typed_as_the_readers_language_writes_it(world):
    """A decimal comma in French and Spanish ("12,5", "1.234,5"), a point too; the form shows the saved value
    back with the language's decimal mark; English keeps the point (a comma there is refused, as before)."""
    contributor = world.client("A.contributor")
    for lang, typed, saved in (("fr", "12,5", 12.5), ("fr", "7.25", 7.25), ("es", "1.234,5", 1234.5)):
        contributor.cookies.set("lang", lang)
        version = records(contributor, "2025", "A", 1).get("pubs", {}).get("version", 0)
        r = contributor.post(
            f"{CYCLE}/records/1/pubs", data={"version": str(version), "value": typed, "complete": "true"}
        )
        assert r.status_code < 400, r.text
        assert records(contributor, "2025", "A", 1)["pubs"]["value"] == saved, (lang, typed)
    contributor.cookies.set("lang", "fr")
    page = contributor.get(f"{CYCLE}/records/1/pubs").text
    assert 'name="value" inputmode="decimal" value="1234,5"' in page
    contributor.cookies.set("lang", "en")
    version = records(contributor, "2025", "A", 1)["pubs"]["version"]
    r = contributor.post(f"{CYCLE}/records/1/pubs", data={"version": str(version), "value": "12,5", "complete": "true"})
    assert r.status_code == 422 and "a number is expected" in r.text


@SQLITE
def test_an_operators_refusals_speak_the_readers_language(world):
    """An operator's refusals on a page (a deadline extension without a reason, with a day that is not a date) in
    French and Spanish: the message is the catalog's, the field named, no English word left."""
    operator = world.client("operator")
    said = {
        "fr": ("champ « reason » : une prolongation doit être motivée", "'demain' n’est pas une date (AAAA-MM-JJ"),
        "es": ("campo «reason»: una prórroga necesita un motivo", "'demain' no es una fecha (AAAA-MM-DD"),
    }
    for lang, (no_reason, not_a_date) in said.items():
        operator.cookies.set("lang", lang)
        for form, words in (
            ({"until": "2030-01-01", "reason": " "}, no_reason),
            ({"until": "demain", "reason": "x"}, not_a_date),
        ):
            r = operator.post(f"{CYCLE}/extension", data=form)
            assert r.status_code == 422 and words in unescape(r.text).replace("\u00a0", " "), (lang, r.text[-600:])
            assert check_page(r.text, lang, [*data_of(world), "demain"]) == [], lang


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
            "Votre mot de passe a été changé le 1 octobre 2025 à 09:00 UTC.\n"
            "Si ce n'est pas vous, prévenez immédiatement les opérateurs du portail.\n",
        )
    ]
    # the French admin invites from a French page: the new person's invitation is in French
    assert admin.post("/institutions/A/invitations", data={"email": "nouveau@a.edu", "role": "observer"}).is_success
    subject, body = outbox(world, "nouveau@a.edu")[0]
    assert subject == "Votre invitation au portail impactrank"
    assert body.startswith("Vous êtes invité comme observateur (A). Choisissez votre mot de passe d'ici 7 jours")
    # a revision request goes to the institution's admin in French, and to no one else in another language
    for sdg in (3, 4):
        assert put(world.client("A.contributor"), "2025", "A", sdg, "pubs", value=5).status_code == 200
    assert admin.post(f"/api{CYCLE}/submit", json={"sdgs": [3, 4]}).status_code == 201
    review_world(world)
    subject, body = outbox(world, world.users["A.admin"])[-1]
    assert subject == "Révision demandée\u00a0: ODD 3 · Publications (2025)"
    assert body.startswith("Un évaluateur demande une révision de l'ODD 3 «\u00a0Publications\u00a0» pour A d'ici le")
    assert body.endswith("(tour 1 sur 2)\u00a0:\n\nwhich year?\n")
    assert re.search(r" d'ici le \d{1,2} [a-zéû]+ 20\d\d \(tour", body), body  # the day as French writes it
    # someone who never chose a language gets English
    assert world.client("B.contributor").post("/api/me/password", json=new_password()).status_code == 201
    assert outbox(world, world.users["B.contributor"])[0][0] == "Your impactrank portal sign-in changed"


def new_password() -> dict:
    return {"current_password": PASSWORD, "new_password": "another long password"}


@SQLITE
def test_the_results_page_writes_its_time_and_formula_in_the_readers_language(world, mini_results):
    """The embargo's time as the reader's calendar writes it and the overall formula with the reader's decimals
    and SDG labels, on the results page and the results index, in each language."""
    public_at = START + timedelta(days=10)
    attach_results(world, mini_results, public_at)
    terms = mini_results[0]["A"]["explanation"]["formula"]  # stored as terms, worded by the page
    assert terms["required"] == {"sdg": 17, "value": {"low": 100.0, "high": 100.0, "decimals": 2}}
    best = " + ".join(f"{t['value']['low']:.2f} (SDG {t['sdg']})" for t in terms["best"])
    english = f"0.22 × 100.00 (SDG 17) + 0.26 × ({best}) = {terms['total']['low']:.1f}"
    assert terms["total"]["decimals"] == 1 and len(terms["best"]) == 3
    when = {"en": "2025-10-11 09:00", "fr": "11 octobre 2025 à 09:00", "es": "11 de octubre de 2025, 09:00"}
    label = {"en": "SDG", "fr": "ODD", "es": "ODS"}
    client = world.client("A.observer")
    for lang in LANGS:
        client.cookies.set("lang", lang)
        page = client.get(f"{CYCLE}/results").text
        index = client.get("/results").text
        assert f"{when[lang]} UTC" in page and f"{when[lang]} UTC" in index, lang
        comma = english if lang == "en" else re.sub(r"(\d)\.(\d)", r"\1,\2", english)
        expected = comma.replace("SDG", label[lang])
        assert re.search(r'<code id="formula">(.*?)</code>', page, re.S)[1] == expected, lang
        for html in (page, index):
            assert check_page(html, lang, [*data_of(world), "Alpha University"]) == [], lang


def test_every_denominator_of_the_bundled_methodologies_is_named_in_words():
    """A rate's denominator reads as words in every language ("GJ d'énergie consommée"), never as its id
    ("total energy gj"): each bundled methodology's denominators are in the portal's list."""
    from impactrank.methodology import load_methodology
    from impactrank.portal.terms import UNITS

    for edition in ("the-2020", "the-2021", "the-2022", "the-2023"):
        method = load_methodology(edition)
        used = {m.denominator for sdg in method.sdgs for m in sdg.metrics if getattr(m, "denominator", None)}
        assert used and used <= set(UNITS), (edition, used - set(UNITS))


def test_a_records_history_reads_in_the_readers_words(world):
    """The institution's own history of a metric: what happened, which field, its values and when, as the page's
    language writes them (it showed the audit log's codes: "record.save", "True", "1000000000.0", ISO times)."""
    contributor = world.client("A.contributor")
    assert put(contributor, "2025", "A", 3, "pubs", value=12.5).status_code == 200
    page = contributor.get("/cycles/2025/institutions/A/records/3/pubs/history?lang=fr").text
    entry = re.search(r'<tr class="entry">(.*?)</tr>', page, re.S)[1]
    assert 'data-action="record.save">enregistré<' in entry
    assert "Valeur\u00a0: – → 12,5" in unescape(entry) and "Non\u00a0: – → non" not in entry
    assert re.search(r"<td>\d{1,2} \w+ 20\d\d", entry)  # a day as French writes it, not an ISO time
    assert "record.save<" not in entry and "True" not in entry and "draft" not in entry
