"""Small helpers the portal tests share: saving a record through the API, tiny valid files, and the mini
methodology's scores computed independently of the engine (min–max, rubric points, weights, scaling, best three)."""

from __future__ import annotations

import io

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_AS_PDF = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def put(client, cycle: str, inst: str, sdg: int, metric: str, version: int = 0, complete: bool = True, **values):
    body = {"version": version, "complete": complete, **values}
    return client.put(f"/api/cycles/{cycle}/institutions/{inst}/records/{sdg}/{metric}", json=body)


def records(client, cycle: str, inst: str, sdg: int) -> dict[str, dict]:
    r = client.get(f"/api/cycles/{cycle}/institutions/{inst}/records", params={"sdg": sdg})
    assert r.status_code == 200, r.text
    return {x["metric"]: x for x in r.json()["records"]}


def pdf_file(name: str = "policy.pdf", data: bytes = PDF):
    return {"file": (name, io.BytesIO(data), "application/pdf")}


# --- the mini methodology (tests/fixtures/mini.yaml), by hand -------------------------------------------------
MINI_METRICS = {  # sdg → [(metric, weight, kind, lower)]
    1: [("pubs", 60, "number", False), ("policy", 40, "evidence", False)],
    2: [("share", 50, "rate", False), ("waste", 50, "number", True)],
    3: [("pubs", 100, "number", False)],
    4: [("pubs", 100, "number", False)],
    17: [("reports", 100, "evidence", False)],
}


def mini_scores(data: dict[str, dict[int, dict[str, object]]]) -> dict[str, float]:
    """Overall scores from {institution: {sdg: {metric: number | (num, den) | (e, v, p, r)}}}.

    Every submitter gives every metric of its SDGs here, so no missing-value rule is needed.
    """
    sdg_score: dict[tuple[str, int], float] = {}
    for sdg, metrics in MINI_METRICS.items():
        takers = [i for i in data if sdg in data[i]]
        if not takers:
            continue
        totals = dict.fromkeys(takers, 0.0)
        for metric, weight, kind, lower in metrics:
            if kind == "evidence":
                scores = {i: 100 * sum(data[i][sdg][metric]) / 4 for i in takers}
            else:
                raw = {i: (lambda v: v[0] / v[1] if isinstance(v, tuple) else v)(data[i][sdg][metric]) for i in takers}
                lo, hi = min(raw.values()), max(raw.values())
                scores = {
                    i: 100.0 if hi == lo else 100 * ((hi - v) if lower else (v - lo)) / (hi - lo)
                    for i, v in raw.items()
                }
            for i in takers:
                totals[i] += scores[i] * weight / 100
        for i, t in totals.items():
            sdg_score[(i, sdg)] = t
    eligible = [i for i in data if 17 in data[i] and len([s for s in data[i] if s != 17]) >= 3]
    scaled = {}
    for sdg in MINI_METRICS:
        vals = {i: sdg_score[(i, sdg)] for i in eligible if (i, sdg) in sdg_score}
        if not vals:
            continue
        lo, hi = min(vals.values()), max(vals.values())
        for i, v in vals.items():
            scaled[(i, sdg)] = 100.0 if hi == lo else 100 * (v - lo) / (hi - lo)
    overall = {}
    for i in eligible:
        others = sorted(((scaled[(i, s)], -s) for s in data[i] if s != 17), reverse=True)[:3]
        overall[i] = 0.22 * scaled[(i, 17)] + 0.26 * sum(v for v, _ in others)
    return overall


def mailed_token(world, to: str, path: str) -> str:
    """The token of the last link to ``…{path}/TOKEN`` the outbox holds for ``to``."""
    import sqlalchemy as sa

    query = sa.text("SELECT body FROM outbox WHERE to_email = :to ORDER BY id DESC")
    with world.db.engine.connect() as conn:
        body = conn.execute(query, {"to": to}).scalars().first()
    return next(line for line in body.splitlines() if f"{path}/" in line).rsplit("/", 1)[1]


def cycle_in_review(world, cycle: str, inst: str, reviewer: str) -> None:
    """``cycle`` opened, ``inst``'s SDG 3 saved and submitted, the cycle closed and ``reviewer`` assigned."""
    operator = world.client("operator")
    with world.db.write() as session:
        from portal_world import MINI

        from impactrank.portal.cycles import open_cycle
        from impactrank.portal.tenancy import COMMAND_LINE, Scope

        open_cycle(Scope(session, COMMAND_LINE, world.clock.now()), cycle, str(MINI), "2025-11-11")
    admin = world.client(f"{inst}.admin")
    assert put(admin, cycle, inst, 3, "pubs", value=3).status_code == 200
    assert admin.post(f"/api/cycles/{cycle}/institutions/{inst}/submit", json={"sdgs": [3]}).status_code == 201
    assert operator.post(f"/api/cycles/{cycle}/close").status_code in (200, 201)
    body = {"institution": inst, "sdg": 3, "reviewer": world.users[reviewer]}
    assert operator.post(f"/api/cycles/{cycle}/assignments", json=body).status_code == 201
