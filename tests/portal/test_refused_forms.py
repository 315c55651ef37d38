"""A form the server refuses is shown again on its own page, not on an error page with a way back to an empty
form: with what the person typed in its fields, the refusal beside the field it concerns (in the page's
language, tied to it by aria-describedby, the field aria-invalid), a summary at the top (role=alert) linking to
the field, and a title that says what went wrong. Only to the person who posted it, through the checks a GET of
the page runs (a forged post, or one about another institution's record, gets the error page as before); the
JSON API answers as it always did."""

from __future__ import annotations

import re
from html import unescape

import pytest
from portal_helpers import put, records
from portal_tour import open_cycle_world, review_world

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CYCLE = "/cycles/2025/institutions/A"
SDG1 = f"{CYCLE}/records?sdg=1"


def text_of(html: str) -> str:
    return unescape(html).replace("\u00a0", " ").replace("\u202f", " ")


def title(html: str) -> str:
    return text_of(re.search(r"<title>(.*?)</title>", html, re.S)[1])


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with that id."""
    return re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', html)[0]


def message(html: str, element_id: str) -> str:
    return text_of(re.search(rf'id="{re.escape(element_id)}">(.*?)</p>', html, re.S)[1])


def invalid_field(html: str, field_id: str) -> str:
    """The refusal said beside the field: the field is aria-invalid and described by the message."""
    opening = tag(html, field_id)
    assert 'aria-invalid="true"' in opening, opening
    described = re.search(r'aria-describedby="([^"]+)"', opening)[1]
    return message(html, described)


def summary(html: str) -> tuple[str, str]:
    """The summary at the top: its link's target and text."""
    box = re.search(r'<div class="error-summary" role="alert"[^>]*autofocus.*?</div>', html, re.S)[0]
    link = re.search(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', box, re.S)
    return link[1], text_of(link[2])


def post(client, sdg: int, metric: str, data: dict, next_page: str = SDG1):
    return client.post(f"{CYCLE}/records/{sdg}/{metric}", data={"next": next_page, **data})


@SQLITE
def test_a_refused_save_is_shown_again_with_what_was_typed_in_french_and_english(world):
    contributor = world.client("A.contributor")
    contributor.cookies.set("lang", "fr")
    r = post(contributor, 1, "pubs", {"version": "0", "value": "beaucoup", "complete": "true"})
    assert r.status_code == 422 and '<html lang="fr">' in r.text
    assert 'name="value" inputmode="decimal" value="beaucoup"' in r.text  # kept as typed
    assert invalid_field(r.text, "pubs-value") == "un nombre est attendu"
    assert summary(r.text) == ("pubs-value", "Publications — Valeur : un nombre est attendu")
    assert title(r.text).startswith("Non enregistré : Valeur — un nombre est attendu · ODD 1 — ")
    # the page it was posted from, whose forms and language switch name it (not the address posted to)
    assert "<h1>ODD 1 — Alpha University</h1>" in r.text
    assert r.text.count(f'name="next" value="{SDG1}"') == 2
    assert f'href="{SDG1}&amp;lang=en"' in r.text
    assert world.table("record") == []

    contributor.cookies.set("lang", "en")
    r = post(contributor, 1, "pubs", {"version": "0", "value": "-3", "complete": "false"})
    assert r.status_code == 422 and 'value="-3"' in r.text
    beside = invalid_field(r.text, "pubs-value")
    assert "cannot be negative" in beside and "field" not in beside
    assert title(r.text).startswith("Not saved: Value — ")
    assert summary(r.text)[0] == "pubs-value"
    assert world.table("record") == []


@SQLITE
def test_a_rate_keeps_both_numbers_as_typed_and_marks_the_one_refused(world):
    contributor = world.client("A.contributor")
    contributor.cookies.set("lang", "fr")
    typed = {"version": "0", "numerator": "12,5", "denominator": "0"}
    r = post(contributor, 2, "share", typed, f"{CYCLE}/records?sdg=2")
    assert r.status_code == 422
    assert 'id="share-numerator" name="numerator" inputmode="decimal" value="12,5"' in r.text
    assert "aria-invalid" not in tag(r.text, "share-numerator")
    assert "dénominateur" in invalid_field(r.text, "share-denominator")
    assert title(r.text).startswith("Non enregistré : Dénominateur — ")


@SQLITE
def test_an_unanswered_rubric_question_and_unconfirmed_warnings(world):
    contributor = world.client("A.contributor")
    contributor.cookies.set("lang", "fr")
    r = post(contributor, 1, "policy", {"version": "0", "exists": "1.0", "public": "0.5", "complete": "true"})
    assert r.status_code == 422
    assert "checked" in tag(r.text, "policy-exists-yes") and "checked" in tag(r.text, "policy-public-partly")
    assert "checked" not in tag(r.text, "policy-evidence-yes")
    said = invalid_field(r.text, "policy-evidence-yes")  # the question left unanswered, its group described too
    assert said.startswith("une réponse est nécessaire pour enregistrer comme complet")
    assert 'aria-describedby="policy-error"' in r.text.split('name="evidence"')[0].rsplit("<fieldset", 1)[1]
    assert summary(r.text)[0] == "policy-evidence-yes"

    # evidence claimed without an item: the warning shown, its box to tick marked
    answers = {"exists": "1.0", "evidence": "1.0", "public": "0.0", "recent": "1.0"}
    r = post(contributor, 1, "policy", {"version": "0", **answers, "complete": "true"})
    assert r.status_code == 422
    assert "Cochez cette case" in invalid_field(r.text, "policy-acknowledge")
    form = r.text[r.text.index('id="form-1-policy"') :]
    box = re.search(r'<div class="warnings" role="status"[^>]*>(.*?)</div>', form, re.S)
    assert "hidden" not in box[0].split(">")[0] and "aucun n'est joint" in text_of(box[1])
    assert all("checked" in tag(r.text, f"policy-{f}-{'no' if v == '0.0' else 'yes'}") for f, v in answers.items())
    assert title(r.text).startswith("Non enregistré : confirmez les avertissements")
    assert world.table("record") == []


@SQLITE
def test_a_stale_version_keeps_what_was_typed_and_shows_what_is_saved_now(world):
    contributor = world.client("A.contributor")
    assert put(contributor, "2025", "A", 1, "pubs", complete=False, value=7).status_code == 200
    contributor.cookies.set("lang", "fr")
    r = post(contributor, 1, "pubs", {"version": "0", "value": "9", "complete": "false"})
    assert r.status_code == 409
    assert 'value="9"' in tag(r.text, "pubs-value") and "aria-invalid" not in tag(r.text, "pubs-value")
    assert 'name="version" value="1"' in r.text  # the next save of what was typed is taken
    assert "version 0" in message(r.text, "pubs-error") and "Enregistré actuellement : 7" in text_of(r.text)
    assert summary(r.text)[0] == "pubs-error"
    r = post(contributor, 1, "pubs", {"version": "1", "value": "9", "complete": "false"})
    assert r.status_code == 200 and records(contributor, "2025", "A", 1)["pubs"]["value"] == 9  # saved, redirected


@SQLITE
def test_a_metric_page_shows_its_refusal_and_keeps_its_own_address(world):
    contributor = world.client("A.contributor")
    page = f"{CYCLE}/records/2/share"
    r = post(contributor, 2, "share", {"version": "0", "numerator": "lots"}, page)
    assert r.status_code == 422 and "<h1>SDG 2 · Share of graduates — Alpha University</h1>" in r.text
    assert invalid_field(r.text, "share-numerator") == "a number is expected"
    assert summary(r.text) == ("share-numerator", "Numerator: a number is expected")  # one metric: not named


@SQLITE
def test_a_forged_post_or_another_institutions_record_gets_the_error_page_without_the_typed_values(world):
    contributor = world.client("A.contributor")
    del contributor.headers["X-CSRF-Token"]
    r = post(contributor, 1, "pubs", {"version": "0", "value": "planted", "csrf_token": "forged"})
    assert r.status_code == 422 and 'id="error-message"' in r.text and "planted" not in r.text  # refused before
    r = post(contributor, 1, "pubs", {"version": "0", "value": "1", "csrf_token": "forged"})
    assert r.status_code == 403 and "planted" not in r.text and 'id="error-message"' in r.text
    ours = world.client("A.contributor")
    r = ours.post(
        "/cycles/2025/institutions/B/records/1/pubs",
        data={"version": "0", "value": "x", "next": "/cycles/2025/institutions/B/records?sdg=1"},
    )
    assert r.status_code == 422 and 'id="error-message"' in r.text and "error-summary" not in r.text
    assert "Beta" not in r.text and 'value="x"' not in r.text


@SQLITE
def test_the_json_api_answers_as_before(world):
    contributor = world.client("A.contributor")
    r = contributor.put(f"/api{CYCLE}/records/1/pubs", json={"version": 0, "value": "abc"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    assert r.json() == {
        "error": "field 'value': a number is expected",
        "status": 422,
        "field": "value",
        "message": "a number is expected",
    }


@SQLITE
def test_the_evidence_form_keeps_what_was_typed(world):
    contributor = world.client("A.contributor")
    contributor.cookies.set("lang", "fr")
    page = f"{CYCLE}/records/1/policy"
    r = contributor.post(
        f"{page}/evidence", data={"title": "Notre politique", "date": "2025-09-30", "public": "true", "next": page}
    )
    assert r.status_code == 422
    assert 'value="Notre politique"' in tag(r.text, "ev-title") and 'value="2025-09-30"' in tag(r.text, "ev-date")
    assert "checked" in tag(r.text, "ev-public")
    assert "adresse web" in invalid_field(r.text, "ev-file")
    assert "choisissez-le de nouveau" in text_of(r.text)
    assert world.table("evidence_item") == []


@SQLITE
def test_the_reviewers_assessment_form_keeps_the_verdict(world):
    open_cycle_world(world)
    review_world(world)
    reviewer = world.client("reviewer")
    reviewer.cookies.set("lang", "fr")
    page = f"{CYCLE}/records/4/pubs"
    r = reviewer.post(f"{page}/assessment", data={"verdict": "rejected", "next": page})
    assert r.status_code == 422
    assert "checked" in tag(r.text, "verdict-rejected") and "checked" not in tag(r.text, "verdict-accepted")
    assert invalid_field(r.text, "assess-note")
    assert title(r.text).startswith("Non enregistré : Note — ")


@SQLITE
def test_a_refused_upload_is_said_on_the_dashboard(world):
    contributor = world.client("A.contributor")
    contributor.cookies.set("lang", "fr")
    r = contributor.post(
        f"{CYCLE}/upload", data={"complete": "true"}, files={"file": ("rows.txt", b"hello", "text/plain")}
    )
    assert r.status_code == 422 and "<h1>Alpha University — 2025</h1>" in r.text
    assert invalid_field(r.text, "rows-file").startswith("rows.txt : type de fichier non pris en charge")
    assert "checked" in tag(r.text, "rows-complete")
    assert summary(r.text)[0] == "rows-file"


@SQLITE
def test_a_metric_pages_title_and_headings_and_rubric_points(world):
    contributor = world.client("A.contributor")
    contributor.cookies.set("lang", "fr")
    page = contributor.get(f"{CYCLE}/records/1/policy").text
    assert "<h1>ODD 1 · Anti-poverty policy — Alpha University</h1>" in page
    assert "(1 point)" in page
    sdg_page = contributor.get(SDG1).text
    assert "<h3" not in sdg_page and "<h2>Publications</h2>" in sdg_page  # h1, then h2: no level skipped
    every = contributor.get(f"{CYCLE}/records").text
    assert '<h2 id="sdg-h-1">' in every and "<h3>Publications</h3>" in every
    assert 'id="sdg1-pubs-value"' in every and 'id="sdg3-pubs-value"' in every  # one id per form


def test_a_quantity_with_decimals_takes_each_languages_plural():
    from impactrank.i18n.catalogs import ngettext
    from impactrank.portal.app import _plural_count

    def points(value, lang):
        return ngettext("%(num)s point", "%(num)s points", _plural_count(value, lang), lang) % {"num": value}

    assert [points(v, "fr") for v in (0, 0.5, 1, 1.5, 2)] == [
        "0 point",
        "0.5 point",
        "1 point",
        "1.5 point",
        "2 points",
    ]
    assert [points(v, "en") for v in (0, 0.5, 1, 1.5, 2)] == [
        "0 points",
        "0.5 points",
        "1 point",
        "1.5 points",
        "2 points",
    ]
    assert [points(v, "es") for v in (0, 1, 1.5)] == ["0 puntos", "1 punto", "1.5 puntos"]
