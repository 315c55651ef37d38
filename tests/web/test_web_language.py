"""The dashboard answers each reader in their language, also when the page comes from its response cache."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_cached_pages_follow_the_readers_language(client):
    reader = TestClient(client.app)  # the session's app and cache, a cookie jar of its own
    for header, expected in [("fr-FR,fr;q=0.9", "fr"), ("en-GB", "en"), ("es", "es"), ("fr", "fr"), ("de", "en")]:
        r = reader.get("/editions", headers={"Accept-Language": header})
        assert r.status_code == 200 and r.headers["content-language"] == expected, header
        assert r.headers["vary"] == "Accept-Language, Cookie"
    chosen = reader.get("/editions?lang=es", headers={"Accept-Language": "fr"})
    assert chosen.headers["content-language"] == "es" and reader.cookies.get("lang") == "es"
    kept = reader.get("/editions", headers={"Accept-Language": "fr"})
    assert kept.headers["content-language"] == "es"
