"""A group's members in an edition: ranked and absent, their SDG positions, a summary."""

from __future__ import annotations

from urllib.parse import urlencode

import polars as pl
from fastapi import Request

from impactrank.errors import N_, InputError
from impactrank.i18n import gettext
from impactrank.pages import Pages, is_api, jsonable
from impactrank.web.common import (
    FormatParam,
    GroupPath,
    edition_info,
    language,
    quoted,
    safe_name,
    summary_of,
)
from impactrank.web.exports import export
from impactrank.web.store import EditionData, Store, named


def register(pages: Pages, store: Store) -> None:
    def group_of(data: EditionData, group: str):
        from impactrank.engine.views.lists import group_view

        data.edition.require_overall()
        if group not in data.groups:
            known = list(data.groups)
            raise InputError(
                N_("no group %(group)s in edition %(edition)s (groups: %(known)s)"),
                field="group",
                params={"group": repr(group), "edition": data.edition.id, "known": known},
            )
        return group_view(data.edition, data.members, group)

    def group_ctx(data: EditionData, group: str, lang: str) -> dict:
        view = group_of(data, group)
        summary = summary_of(store, data, group=group, members=data.members, lang=lang)
        e = data.edition
        q = urlencode({"group": group})
        return {
            "title": gettext("%(group)s in edition %(edition)s", lang) % {"group": group, "edition": e.id},
            "edition": edition_info(store, data),
            "group": view.group,
            "members": view.members,
            "ranked": named(jsonable(view.ranked), data, lang),
            "absent": named(jsonable(view.absent), data, lang),
            "sdg_positions": jsonable(view.sdg_positions),
            "summary": summary,
            "links": {
                "html": f"/editions/{e.id}/groups/{quoted(group)}",
                "json": f"/api/editions/{e.id}/groups/{quoted(group)}",
                "csv": f"/api/editions/{e.id}/groups/{quoted(group)}?format=csv",
                "xlsx": f"/api/editions/{e.id}/groups/{quoted(group)}?format=xlsx",
                "table": f"/editions/{e.id}?{q}",
                "report": f"/report?edition={e.id}&{q}&lang={lang}",
            },
        }

    @pages.page(
        "/editions/{edition}/groups/{group:path}", "group.html.j2", summary="A group's members, ranked and absent"
    )
    def group(request: Request, edition: str, group: GroupPath, format: FormatParam = "json"):
        data = store.get(edition)
        if is_api(request) and format != "json":  # the ranked members alone: no summary to write
            ranked = jsonable(group_of(data, group).ranked)
            return export(pl.DataFrame(ranked), format, f"group-{safe_name(group)}-{safe_name(edition)}")
        return group_ctx(data, group, language(request))
