"""Tenant isolation, generated from the routes themselves: every API route in the OpenAPI spec and every form
route, called with institution B's ids by each role of institution A (and by a reviewer with no assignment),
answers 404 or 403, shows nothing of B, and leaves the database exactly as it was."""

from __future__ import annotations

import re

import pytest
from portal_helpers import PDF, pdf_file, put
from portal_world import PASSWORD
from soft_key import SoftKey

ROLES = ("A.admin", "A.contributor", "A.observer", "reviewer")
NOT_TENANT_DATA = {  # routes that name no institution's data: signing in and out, invitations, one's own account
    ("POST", "/api/login"),
    ("POST", "/api/login/key"),
    ("POST", "/api/logout"),
    ("POST", "/api/tokens/session"),  # a script's API token exchanged: it names no institution
    ("GET", "/api/me"),
    ("GET", "/api/cycles"),
    ("GET", "/api/invitations/{token}"),
    ("POST", "/api/invitations/{token}"),
    ("GET", "/api/cycles/{cycle}/review"),  # a reviewer's own queue
    ("GET", "/api/conflicts"),  # a reviewer's own declarations
    ("GET", "/api/results"),  # one's own institution's results
    ("POST", "/api/conflicts"),
    ("POST", "/api/me/password"),  # one's own password, sessions and second factor
    ("POST", "/api/me/sessions/end-others"),
    ("POST", "/api/me/confirm"),
    ("POST", "/api/me/confirm/key"),
    ("GET", "/api/me/second-factor"),
    ("POST", "/api/me/second-factor"),
    ("DELETE", "/api/me/second-factor"),
    ("POST", "/api/me/second-factor/confirm"),
    ("POST", "/api/me/security-keys/options"),  # one's own security keys
    ("POST", "/api/me/security-keys"),
    ("DELETE", "/api/me/security-keys/{key_id}"),
    ("GET", "/api/password-reset"),  # a forgotten password, by e-mail
    ("POST", "/api/password-reset"),
    ("GET", "/api/password-reset/{token}"),
    ("POST", "/api/password-reset/{token}"),
    ("POST", "/api/password-strength"),  # the new-password forms' meter
}


def b_world(world) -> dict:
    """B's records, an evidence file, a member, a token and its observer's security key, so every id in a path points
    at something real."""
    b = world.client("B.admin")
    assert put(b, "2025", "B", 1, "pubs", value=10).status_code == 200
    r = b.post(
        "/api/cycles/2025/institutions/B/records/1/policy/evidence", data={"title": "B's policy"}, files=pdf_file()
    )
    assert r.status_code == 201
    evidence_id = r.json()["id"]
    token_id = b.post("/api/institutions/B/tokens", json={"name": "B script"}).json()["id"]
    member = next(m for m in b.get("/api/institutions/B/team").json()["members"] if m["role"] == "contributor")
    observer = world.client("B.observer")
    options = observer.post("/api/me/security-keys/options").json()
    key = observer.post("/api/me/security-keys", json={"name": "B's key", "credential": SoftKey().create(options)})
    return {
        "cycle": "2025",
        "institution": "B",
        "sdg": "1",
        "metric": "pubs",
        "evidence_id": str(evidence_id),
        "token_id": str(token_id),
        "user_id": str(member["id"]),
        "correction_id": "1",
        "name": "submissions.csv",
        "key_id": str(key.json()["key"]["id"]),
    }


def bodies(path: str) -> dict:
    """A valid body for each kind of change, so that only the tenant check can refuse it."""
    if path.endswith("/assessment"):
        return {"json": {"verdict": "accepted"}}
    if "/security-keys/" in path and not path.endswith("/options"):
        return {"json": {"current_password": PASSWORD}}
    if path.endswith("/corrections"):
        return {"json": {"sdg": 1, "metric": "pubs", "value": 1, "reason": "typo"}}
    if path.endswith("/decision"):
        return {"json": {"approve": True, "reason": "checked"}}
    if path.endswith("/extension"):
        return {"json": {"until": "2025-12-31", "reason": "flood"}}
    if path.endswith("/assignments"):
        return {"json": {"institution": "B", "sdg": 1, "reviewer": "rev@network.org"}}
    if path.endswith("/auto"):
        return {"json": {"per_item": 1}}
    if path.endswith("/evidence"):
        return {"data": {"title": "mine now"}, "files": pdf_file()}
    if path.endswith("/upload"):
        rows = b"institution_id,sdg,metric,value\nB,1,pubs,99\n"
        return {"files": {"file": ("rows.csv", rows, "text/csv")}}
    if path.endswith("/submit"):
        return {"json": {"sdgs": [1]}}
    if path.endswith("/invitations"):
        return {"json": {"email": "intruder@a.edu", "role": "contributor"}}
    if "/users/" in path:
        return {"json": {"role": "admin"}}
    if path.endswith("/tokens"):
        return {"json": {"name": "stolen"}}
    if "/records/" in path:
        return {"json": {"value": 1, "version": 1}}
    return {}


def api_routes(app) -> list[tuple[str, str]]:
    spec = app.openapi()
    return [(m.upper(), p) for p, ops in spec["paths"].items() for m in ops]


def form_routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith(("/api", "/static", "/docs", "/openapi")) or path in ("/", "/login", "/logout"):
            continue
        if path in {p.removeprefix("/api") for _, p in NOT_TENANT_DATA} or path.startswith("/me/"):
            continue  # the routes above, and one's own account's forms
        for method in sorted(getattr(route, "methods", ()) - {"HEAD"}):
            out.append((method, path))
    return out


def fill(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def test_every_route_refuses_another_tenant(world):
    ids = b_world(world)
    routes = api_routes(world.app)
    tenant_routes = [r for r in routes if r not in NOT_TENANT_DATA]
    assert set(routes) - set(tenant_routes) == NOT_TENANT_DATA  # nothing else is exempt
    forms = form_routes(world.app)
    assert {
        ("PUT", "/api/cycles/{cycle}/institutions/{institution}/records/{sdg}/{metric}"),
        ("POST", "/api/cycles/{cycle}/institutions/{institution}/records/{sdg}/{metric}/evidence"),
        ("GET", "/api/evidence/{evidence_id}/file"),
        ("POST", "/api/cycles/{cycle}/institutions/{institution}/submit"),
        ("POST", "/api/cycles/{cycle}/institutions/{institution}/upload"),
    } <= set(tenant_routes)
    assert len(forms) >= len(tenant_routes)  # every API route has its page or form twin
    before = world.snapshot()
    for role in ROLES:
        client = world.client(role)
        csrf = client.headers["X-CSRF-Token"]
        for method, path in tenant_routes:
            r = client.request(method, fill(path, ids), **bodies(path))
            assert r.status_code in (403, 404), f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
            assert "Beta Institute" not in r.text and "B's policy" not in r.text
        for method, path in forms:
            kwargs = bodies(path)
            if method == "POST":
                form = dict(kwargs.get("data", {}))
                for k, v in kwargs.get("json", {}).items():
                    form[k] = str(v[0]) if isinstance(v, list) else str(v)
                kwargs = {
                    "data": form | {"csrf_token": csrf},
                    **({"files": kwargs["files"]} if "files" in kwargs else {}),
                }
            r = client.request(method, fill(path, ids), follow_redirects=False, **kwargs)
            assert r.status_code in (403, 404), f"{role} {method} {path} (form): {r.status_code} {r.text[:200]}"
            assert "Beta Institute" not in r.text and "B's policy" not in r.text
        after = world.snapshot()
        changed = {t for t in before if before[t] != after[t]}
        # only their own sign-in (and for a second factor, the step of the code it took)
        assert changed <= {"web_session", "audit_log", "second_factor"}, f"{role} changed {changed}"
        assert [r for r in after["audit_log"] if r not in before["audit_log"]] == [
            r for r in after["audit_log"] if r not in before["audit_log"] and r[4] == "user.sign_in"
        ]
        before = after


@pytest.mark.parametrize("role", ["A.admin", "A.observer"])
def test_files_of_another_tenant_are_not_served(world, role):
    ids = b_world(world)
    client = world.client(role)
    for url in (f"/api/evidence/{ids['evidence_id']}/file", f"/evidence/{ids['evidence_id']}/file"):
        r = client.get(url)
        assert r.status_code == 404 and PDF not in r.content


def test_another_tenants_token_is_not_found(world):
    """Revoking B's token as A's admin answers 404 exactly as for a token never issued — by the API and by the
    form, through B's path or A's — so the answer does not show that B's token exists; and B's token still works."""
    made = world.client("B.admin").post("/api/institutions/B/tokens", json={"name": "B script"}).json()
    a = world.client("A.admin")
    csrf = a.headers["X-CSRF-Token"]
    answers = set()
    for token_id in (made["id"], made["id"] + 1000):
        for inst in ("B", "A"):
            r = a.delete(f"/api/institutions/{inst}/tokens/{token_id}")
            assert r.status_code == 404, f"{inst} {token_id}: {r.status_code} {r.text[:200]}"
            answers.add(r.text.replace(str(token_id), "ID"))
            r = a.post(
                f"/institutions/{inst}/tokens/{token_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
            )
            assert r.status_code == 404, f"{inst} {token_id} (form): {r.status_code}"
    assert len(answers) == 1
    script = world.script(made["token"])
    assert script.get("/api/cycles/2025/institutions/B/records", params={"sdg": 1}).status_code == 200
