"""The static site's search over institution names: an index the build writes as ``static/search-index.js``
and ``static/search.js`` reads in the browser, with no server and no library (a few thousand names are
searched by substring in well under a millisecond).

The index is one JavaScript statement, ``window.IMPACTRANK_SEARCH = {...};`` (a script, not a fetch, so it
loads from ``file://`` too), whose object is JSON: ``{"version": 1, "entries": [...]}``, one entry per
institution, sorted by id::

    {"id": "fr-imt-atlantique", "name": "IMT Atlantique", "names": {"fr": "…"}, "country": "FR",
     "key": "imt atlantique", "pages": [["2021", "editions/2021/institutions/fr-imt-atlantique.html"], …]}

``name`` is the name of record, ``names`` the display names by language, ``key`` every one of those names
folded (:func:`fold`), one per line; ``pages`` the institution's page in each edition, relative to a
language's folder. The object's ``small`` lists the small words of names (folded "de", "of", "la" …). A query
matches an entry when each of its folded words other than small ones is in the key: "universite de nantes"
finds "Nantes Université", the name THE publishes since 2022.
"""

from __future__ import annotations

import json
import re
import unicodedata

from impactrank.web.publish.addresses import file_name
from impactrank.web.store import Store

NOT_WORD = re.compile(r"[\W_]+")
SMALL_WORDS = sorted(
    {"a", "and", "at", "d", "de", "del", "des", "di", "du", "e", "el", "en", "et", "for", "in", "l", "la", "las"}
    | {"le", "les", "los", "of", "the", "y"}
)


def fold(text: str) -> str:
    """Accents and case dropped, punctuation as spaces: "Université  d'Évry" → "universite d evry" (the same
    folding as search.js's)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return NOT_WORD.sub(" ", bare.lower()).strip()


def index(store: Store) -> dict:
    """Every institution of the store's editions with its names and pages."""
    entries: dict[str, dict] = {}
    for e in store.editions():
        edition = e["edition"]
        frame = store.get(edition).edition.institutions
        names = frame["display_names"] if "display_names" in frame.columns else [None] * frame.height
        for iid, name, original, country, shown in zip(
            frame["institution_id"], frame["name"], frame["name_original"], frame["country"], names, strict=True
        ):
            entry = entries.setdefault(iid, {"id": iid, "names": {}, "pages": [], "all": set()})
            entry["name"], entry["country"] = name, country  # the latest edition's (editions come by year)
            entry["names"] |= json.loads(shown) if shown else {}
            entry["all"] |= {n for n in (name, original, *entry["names"].values()) if n}
            entry["pages"].append([edition, f"editions/{file_name(edition)}/institutions/{file_name(iid)}.html"])
    for entry in entries.values():
        entry["key"] = "\n".join(sorted({fold(n) for n in entry.pop("all")}))
        entry["names"] = dict(sorted(entry["names"].items()))
    return {"version": 1, "small": SMALL_WORDS, "entries": [entries[i] for i in sorted(entries)]}


def script(data: dict) -> bytes:
    """The index as the script the search page loads."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"window.IMPACTRANK_SEARCH = {text};\n".encode()
