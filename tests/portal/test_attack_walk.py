"""The attack walk: every route of the OpenAPI spec, called by an anonymous client, by each role (operator,
reviewer, and an admin, a contributor and an observer of institution A), by a session token bought with an API
token of each institution role, with institution B's ids in an open cycle and in a cycle under review, where the
reviewer is assigned to B in one cycle under review and to A in another. Each answer is the expected one, nothing
of B leaks, and the database changes only by the callers' own sign-ins; the counts are printed. Then the admin's
API token itself walks every route: refused with a 401 saying to exchange it, except at the exchange."""

from __future__ import annotations

import collections
from datetime import timedelta

from portal_helpers import cycle_in_review, put
from portal_results import attach_results
from portal_world import PASSWORD
from test_isolation import NOT_TENANT_DATA, api_routes, b_world, bodies, fill

ANONYMOUS_ALLOWED = {  # what a stranger may reach: signing in, and the links sent by e-mail
    ("POST", "/api/login"),
    ("POST", "/api/login/key"),  # the challenge for a security key, after the password
    ("GET", "/api/invitations/{token}"),
    ("POST", "/api/invitations/{token}"),
    ("GET", "/api/password-reset"),
    ("POST", "/api/password-reset"),
    ("GET", "/api/password-reset/{token}"),
    ("POST", "/api/password-reset/{token}"),
    ("POST", "/api/password-strength"),  # the new-password forms' meter
}
OPERATOR_ONLY = {
    "/api/cycles/{cycle}/progress",
    "/api/cycles/{cycle}/assignments",
    "/api/cycles/{cycle}/assignments/auto",
    "/api/cycles/{cycle}/institutions/{institution}/extension",
    "/api/cycles/{cycle}/close",
    "/api/cycles/{cycle}/publish",
    "/api/audit",
    "/api/audit.csv",
    "/api/cycles/{cycle}/exports",
    "/api/cycles/{cycle}/exports/{name}",
    "/api/corrections/{correction_id}/decision",
    "/api/outbox",
}
REVIEWER_READS = {  # what the reviewer assigned to (B, SDG 3) in a cycle under review reads there
    ("GET", "/api/cycles/{cycle}/institutions/{institution}"),
    ("GET", "/api/cycles/{cycle}/institutions/{institution}/records"),
    ("GET", "/api/cycles/{cycle}/institutions/{institution}/records/{sdg}/{metric}"),
    ("GET", "/api/cycles/{cycle}/institutions/{institution}/records/{sdg}/{metric}/history"),
}
# what the walk itself may change: the callers' sign-ins, a token's last use, one's own second factor begun (an
# authenticator app's secret, a security key's challenge)
OWN_TABLES = {"web_session", "audit_log", "sign_in_attempts", "api_token", "second_factor", "key_challenge"}
EXCHANGE = "/api/tokens/session"  # takes an API token, and nothing else
ACCOUNT_BODIES = {  # one's own account's changes, with valid bodies: only the credential can refuse them
    "/api/me/password": {"current_password": PASSWORD, "new_password": "a new and long passphrase"},
    "/api/me/sessions/end-others": {"current_password": PASSWORD},
    "/api/me/confirm": {"current_password": PASSWORD},
    "/api/me/second-factor/confirm": {"code": "123456"},
    "/api/me/security-keys": {"name": "key", "credential": "{}"},
}
OWN_ACTIONS = {"user.sign_in", "user.second_factor.begin"}
RESULTS = {  # an institution's results: found by its own members only, a 404 to anyone else, signed in or not
    "/api/results",
    "/api/cycles/{cycle}/institutions/{institution}/results",
    "/api/cycles/{cycle}/institutions/{institution}/results/presskit.zip",
}
OPERATOR_REFUSED = {"/api/institutions/{institution}/team", "/api/conflicts"}  # an admin's team, a reviewer's own
LEAKS = ("Beta Institute", "B's policy", "b.edu")


def setting(world, results) -> tuple[dict[str, dict], dict[str, str]]:
    """B's ids in the open cycle 2025 and in 2026 (under review, the reviewer assigned to B's SDG 3); 2024 under
    review with the reviewer assigned to A only; A's and B's results attached to 2025, under embargo. Then A's
    admin makes an API token of each institution role."""
    in_2025 = b_world(world) | {"token": "not-a-token-anyone-was-sent"}
    attach_results(world, results, world.clock.now() + timedelta(days=30))
    cycle_in_review(world, "2024", "A", "reviewer")
    cycle_in_review(world, "2026", "B", "reviewer")
    in_2026 = in_2025 | {"cycle": "2026", "sdg": "3", "metric": "pubs"}
    in_2024 = in_2025 | {"cycle": "2024", "sdg": "3", "metric": "pubs"}
    admin = world.client("A.admin")
    tokens = {}
    for role in ("admin", "contributor", "observer"):
        r = admin.post("/api/institutions/A/tokens", json={"name": f"{role} script", "role": role})
        if r.status_code == 201:
            tokens[f"session token:{role}"] = r.json()["token"]
    return {"B in open 2025": in_2025, "B in 2026 (reviewed)": in_2026, "B in 2024 (A reviewed)": in_2024}, tokens


def caller(world, who: str, tokens: dict[str, str]):
    if who == "anonymous":
        return world.client()
    if who in tokens:
        return world.script(tokens[who])
    return world.client(who)


def expected(who: str, ids_name: str, method: str, path: str) -> set[int]:
    """The answers allowed for this caller, ids and route."""
    if path in RESULTS:
        return {200} if path == "/api/results" and who.startswith(("A.", "session token:")) else {404}
    if path == EXCHANGE:
        return {401}  # a session (a person's, or a script's session token) buys no session token
    if who == "anonymous":  # refused before any body is read, except where a stranger may go
        return {200, 201, 401, 404, 410, 422} if (method, path) in ANONYMOUS_ALLOWED else {401}
    if (method, path) in NOT_TENANT_DATA:
        return {200, 201, 403, 404, 409, 410, 422}  # one's own account and queue: B's ids are not in them
    if path in OPERATOR_ONLY:
        return {403}
    if path.endswith("/assessment"):  # a reviewer's act: refused to others before any id is looked up
        if who != "reviewer":
            return {403}
        return {201} if ids_name.startswith("B in 2026") else {404}
    if who == "reviewer" and ids_name.startswith("B in 2026"):
        return {200} if (method, path) in REVIEWER_READS else {403, 404}  # sees B there, may change nothing
    return {404}


def test_every_route_for_every_caller_with_foreign_ids(world, mini_results, capsys):
    id_sets, tokens = setting(world, mini_results)
    callers = ["anonymous", "operator", "reviewer", "A.admin", "A.contributor", "A.observer", *tokens]
    routes = [r for r in api_routes(world.app) if r != ("POST", "/api/logout")]  # walked signed in, out last
    counts: collections.Counter = collections.Counter()
    wrong: list[str] = []
    for who in callers:
        if who == "operator":
            continue  # the operator sees every institution: checked below on its reads only
        client = caller(world, who, tokens)
        for ids_name, ids in id_sets.items():
            before = world.snapshot()
            for method, path in routes:
                r = client.request(method, fill(path, ids), **bodies(path))
                counts[(who, r.status_code)] += 1
                if r.status_code not in expected(who, ids_name, method, path):
                    wrong.append(f"{who} {ids_name} {method} {path}: {r.status_code} {r.text[:120]}")
                may_show = who == "reviewer" and (
                    (method, path) == ("GET", "/api/cycles")
                    or (ids_name.startswith("B in 2026") and (method, path) in REVIEWER_READS)
                    # the reviewer's own queue names the institution assigned to them there, by its name
                    or (ids_name.startswith("B in 2026") and (method, path) == ("GET", "/api/cycles/{cycle}/review"))
                )
                leaked = [x for x in LEAKS if x in r.text]
                if leaked and not may_show:
                    wrong.append(f"{who} {ids_name} {method} {path}: shows {leaked}")
            assessed = who == "reviewer" and ids_name.startswith("B in 2026")  # the one change the walk allows
            after = world.snapshot()
            changed = (
                {t for t in before if before[t] != after[t]} - OWN_TABLES - ({"assessment"} if assessed else set())
            )
            if changed:
                wrong.append(f"{who} {ids_name}: changed {sorted(changed)}")
            actions = {r[4] for r in after["audit_log"] if r not in before["audit_log"]}
            if actions - OWN_ACTIONS - ({"assessment.accepted"} if assessed else set()):
                wrong.append(f"{who} {ids_name}: logged {sorted(actions)}")
    operator = world.client("operator")
    for method, path in routes:
        if method == "GET" and (method, path) not in ANONYMOUS_ALLOWED:
            r = operator.request(method, fill(path, id_sets["B in 2026 (reviewed)"]))
            counts[("operator", r.status_code)] += 1
            if r.status_code != (403 if path in OPERATOR_REFUSED else 404 if path in RESULTS else 200):
                wrong.append(f"operator GET {path}: {r.status_code} {r.text[:120]}")
    client = world.client()  # the API token itself: only the exchange takes it
    client.headers["Authorization"] = f"Bearer {tokens['session token:admin']}"
    for method, path in [*routes, ("POST", "/api/logout")]:
        if (method, path) in ANONYMOUS_ALLOWED:
            continue  # public: they take no credential
        body = {"json": ACCOUNT_BODIES[path]} if path in ACCOUNT_BODIES else bodies(path)
        r = client.request(method, fill(path, id_sets["B in open 2025"]), **body)
        counts[("api token:admin", r.status_code)] += 1
        refused = (404, "institution") if path in RESULTS else (401, "token")  # results: as to a stranger
        if (r.status_code, r.json().get("field")) != ((201, None) if path == EXCHANGE else refused):
            wrong.append(f"api token:admin {method} {path}: {r.status_code} {r.text[:120]}")
    with capsys.disabled():
        by_caller = collections.defaultdict(dict)
        for (who, status), n in sorted(counts.items()):
            by_caller[who][status] = n
        total = sum(counts.values())
        print(f"\n[{world.db.dialect}] attack walk: {len(routes)} routes, {total} requests")
        for who, statuses in by_caller.items():
            print(f"  {who:16} {sum(statuses.values()):4} requests: {statuses}")
    assert not wrong, "\n".join(wrong[:60])
    assert put(world.client("B.admin"), "2025", "B", 1, "pubs", value=11, version=1).status_code == 200
