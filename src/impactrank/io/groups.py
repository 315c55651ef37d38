"""Groups of institutions (a network of schools, a national body) from a groups file or from the
institutions' ``groups`` column.

A groups file has either ``group,institution_id`` rows or ``group,name,country`` rows (both forms may be
mixed when all three id/name/country columns are present), with an optional ``aliases`` column of other
names the member is published under, separated by semicolons ("Mines Saint-Étienne" listed by THE as
"École des Mines de Saint-Étienne"). A name row is resolved against the editions given (its normalised name
or one of its aliases, against the editions' names and aliases, within the same country); when no edition
knows it, it gets the stable id an import would give it (``fr-imt-atlantique``) and is kept as a member: a
member missing from an edition is a fact to report ("absent this year"), not an error. Malformed rows (no
group, no name, a country that is not a country) are InputErrors naming the file and row.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from impactrank.countries import to_alpha2
from impactrank.engine.tables.edition import Edition
from impactrank.engine.views.lists import groups_from_institutions
from impactrank.errors import N_, InputError
from impactrank.io.identity import institution_id, name_key
from impactrank.io.tables import read_user_table, require_columns

MEMBERS_SCHEMA = {"group": pl.String, "institution_id": pl.String, "name": pl.String, "country": pl.String}


def _index(editions: Iterable[Edition | pl.DataFrame]) -> dict[tuple[str, str], str]:
    """(country, name key) → institution_id over the editions' names and aliases (an edition or its
    institutions table); first edition wins."""
    index: dict[tuple[str, str], str] = {}
    for ed in editions:
        table = ed if isinstance(ed, pl.DataFrame) else ed.institutions
        rows = table.select("institution_id", "name", "country", "aliases").iter_rows()
        for iid, name, country, aliases in rows:
            for text in [name, *((aliases or "").split(";"))]:
                if text and text.strip():
                    index.setdefault((country or "", name_key(text)), iid)
    return index


def read_groups(
    path: str | Path, *, editions: Edition | Iterable[Edition | pl.DataFrame] | None = None
) -> pl.DataFrame:
    """Members as rows of group, institution_id, name, country (name and country null for id rows)."""
    table = read_user_table(path)
    frame = table.frame
    require_columns(table, ["group"])
    has_id = "institution_id" in frame.columns
    if not has_id and not {"name", "country"} <= set(frame.columns):
        raise InputError(
            N_("a groups file needs columns group,institution_id or group,name,country (found: %(found)s)"),
            params={"found": ", ".join(frame.columns)},
            file=table.name,
        )
    if isinstance(editions, Edition):
        editions = [editions]
    index = _index(editions or [])
    rows = []
    for i, rec in enumerate(frame.iter_rows(named=True)):  # a groups file is small (tens of rows)
        group = rec.get("group")
        if not group:
            raise table.error(N_("empty group name"), i, "group")
        iid = rec.get("institution_id") if has_id else None
        name, country_text = rec.get("name"), rec.get("country")
        country = None
        if country_text:
            country = to_alpha2(country_text)
            if country is None:
                raise table.error(
                    N_("%(country)s is not a country name or ISO code"),
                    i,
                    "country",
                    params={"country": repr(country_text)},
                )
        if not iid:
            if not name:
                raise table.error(
                    N_("a member needs an institution_id, or a name and a country"),
                    i,
                    "institution_id" if has_id else "name",
                )
            if not country:
                raise table.error(
                    N_("member %(name)s needs a country to be matched"), i, "country", params={"name": repr(name)}
                )
            names = [name, *(a.strip() for a in (rec.get("aliases") or "").split(";") if a.strip())]
            found = [index[(country, name_key(n))] for n in names if (country, name_key(n)) in index]
            iid = found[0] if found else institution_id(name, country)
        rows.append({"group": group, "institution_id": iid, "name": name, "country": country})
    return pl.DataFrame(rows, schema=MEMBERS_SCHEMA).unique(
        ["group", "institution_id"], keep="first", maintain_order=True
    )


def members_for(editions: Iterable[Edition], groups_file: str | Path | None = None) -> pl.DataFrame:
    """The members known for the editions: from the file when given, else from their ``groups`` columns."""
    editions = list(editions)
    if groups_file is not None:
        return read_groups(groups_file, editions=editions)
    frames = [groups_from_institutions(ed) for ed in editions]
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=MEMBERS_SCHEMA)
    return pl.concat(frames).unique(["group", "institution_id"], keep="first", maintain_order=True)
