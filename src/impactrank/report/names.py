"""Institutions named in the reader's language: where an institution uses a name of its own in that language
(the institutions table's ``display_names``, read from ``name_fr``, ``name_es`` … columns), the texts say it
("Sorbonne Université" in French); ids, groups and matching keep the name of record."""

from __future__ import annotations

import dataclasses

import polars as pl

from impactrank.engine.tables.edition import Edition


def in_language(edition: Edition, locale: str) -> Edition:
    """The edition with each institution's ``name`` in ``locale`` where it has one; the same edition otherwise.
    Made once per language and kept with the edition, so that what pages derive from it (national ranks) is
    made once too."""
    names = edition.institutions
    if names["display_names"].null_count() == names.height:
        return edition
    local = pl.col("display_names").str.json_path_match(f"$.{locale}")
    return edition.derived(
        ("in_language", locale),
        lambda: dataclasses.replace(edition, institutions=names.with_columns(name=pl.coalesce(local, pl.col("name")))),
    )


def local_names(edition: Edition, locale: str) -> dict[str, str]:
    """Institution id → the name it uses in ``locale``, for those that use one (made once per language): a table
    page names its rows after filtering, sorting and paging on the names of record."""

    def make() -> dict[str, str]:
        local = pl.col("display_names").str.json_path_match(f"$.{locale}")
        return dict(edition.institutions.select("institution_id", local).drop_nulls("display_names").iter_rows())

    return edition.derived(("local_names", locale), make)
