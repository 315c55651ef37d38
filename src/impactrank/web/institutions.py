"""An institution across editions: scores, ranks and bands, its SDG positions in every edition, how its overall
score arises; and, on a published edition, the what-if that recomputes it from SDG scores the user knows."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from impactrank.engine.tables.shown import decimals, score_text, share_text
from impactrank.errors import N_, InputError
from impactrank.i18n import gettext
from impactrank.pages import Later, Pages
from impactrank.report import charts
from impactrank.report.names import local_names
from impactrank.web import institution_tables as tables
from impactrank.web.common import IdPath, edition_info, language
from impactrank.web.forecasts import forecast_ctx
from impactrank.web.store import EditionData, Store


def register(pages: Pages, store: Store) -> None:
    last: list = [None]  # the last institution's facts, with its edition's data: its page in each language shares them

    def institution_ctx(data: EditionData, iid: str, lang: str) -> dict:
        """The page: the institution's facts (the same in every language) and, in the reader's language, its
        forecast and SDG profile chart."""
        held = last[0]
        if held is None or held[0] is not data or held[1] != iid:
            held = (data, iid, facts_of(data, iid))
            last[0] = held
        facts = held[2]
        name = local_names(data.edition, lang).get(iid) or facts["institution"]["name"]  # the reader's language's
        profile = charts.profile_from_rows(facts["_rows"], iid, name, lang)
        return {k: v for k, v in facts.items() if k not in ("links", "_rows")} | {
            "title": name or iid,
            "institution": facts["institution"] | {"name": name},
            "forecast": forecast_ctx(store, data, iid, lang),  # next edition's band, on a published edition
            "chart": profile,
            "links": facts["links"],
            "_sdg_history_rows": Later(lambda: tables.sdg_history_rows(facts, lang)),
            "_sdg_rows": Later(lambda: tables.sdg_rows(facts, data.edition.id, lang)),
            "_metric_sections": Later(lambda: tables.metric_sections(facts, lang)),
            "_figure": Later(lambda: charts.figure_json(profile)),
            "_svg": Later(lambda: charts.svg(profile)),
        }

    def facts_of(data: EditionData, iid: str) -> dict:
        from impactrank.engine.views.explain import METRIC_COLUMNS, explain_rows

        if not data.has(iid):
            raise InputError(
                N_("no institution %(institution)s in edition %(edition)s"),
                field="institution",
                params={"institution": repr(iid), "edition": data.edition.id},
            )
        e = data.edition
        found = data.explained_rows(iid)
        info = found.institution
        ex = explain_rows(e, iid, found, data.scaling, metric_rows=False)  # (read as dicts below)
        metrics: dict[int, list[dict]] = {}  # each SDG's metric rows, as its explanation's, read in one call
        labels = e.derived("metric labels", lambda: metric_labels(e))
        for sdg, m in zip(found.metric_scores["sdg"], found.metric_scores[:, METRIC_COLUMNS].to_dicts(), strict=True):
            metrics.setdefault(sdg, []).append(m | {"label": labels.get((sdg, m["metric"]))})
        overall = data.visible_row(iid)
        places = decimals(e)
        history = []
        sdg_history: dict[int, dict[str, dict]] = {}
        own_rows = found.sdg_scores.to_dicts()  # this edition's SDG rows, for the chart too
        for ed in store.editions():
            other = store.get(ed["edition"])
            here = other is data
            row = overall if here else other.visible_row(iid)  # (its shares of the field unused here)
            sizes = other.sdg_sizes
            sdg_rows = own_rows if here else other.institution_rows(iid).to_dicts()
            present = other.has(iid)
            for r in sdg_rows:
                sdg_history.setdefault(r["sdg"], {})[ed["edition"]] = {
                    "rank": r["rank"],
                    "table_size": sizes.get(r["sdg"]),
                    "score": r["score"],
                    "score_low": r["score_low"],
                    "score_high": r["score_high"],
                    "counted": r["counted"],
                }
            history.append(
                {
                    "edition": ed["edition"],
                    "year": ed["year"],
                    "field_size": other.field_size,
                    "overall_table": ed["overall_table"],
                    "sdg_tables": sorted(sizes),  # the SDG tables the edition has
                    "in_edition": present,
                    "rank": row["rank"] if row else None,
                    "rank_interval": row["rank_interval"] if row else None,
                    "band": row["band"] if row else None,
                    "overall_display": row["overall_display"] if row else None,
                    "overall_score": row["overall_score"] if row else None,
                    "top_percent_low": top_percent(row and row["rank_low"], other.field_size),
                    "top_percent_high": top_percent(row and (row["rank_high"] or other.field_size), other.field_size),
                    "link": f"/editions/{ed['edition']}/institutions/{iid}" if present else None,
                }
            )
        reproduced, not_reproduced = reproduced_of(store, data, iid) if overall is not None else (None, None)
        scaled = {s["sdg"]: s for s in (reproduced or {}).get("sdgs", [])}
        sdgs = []
        for part in ex.sdgs:
            rescaled = scaled.get(part.sdg)
            sdgs.append(
                {
                    "sdg": part.sdg,
                    "score": part.score,
                    "published": score_text(part.score, part.score_low, part.score_high, places),
                    "scaled": part.scaled,
                    "scaled_range": None
                    if rescaled is None
                    else score_text(None, rescaled["scaled_low"], rescaled["scaled_high"], places),
                    "counted": part.counted,
                    "rank": part.rank,
                    "scale_min": part.scale_min,
                    "scale_max": part.scale_max,
                    "metrics": metrics.get(part.sdg, []),
                }
            )
        unc = data.uncertainty_rows(iid).to_dicts()
        return {
            "title": info["name"] or iid,
            "edition": edition_info(store, data),
            "institution": {
                "institution_id": iid,
                "name": info["name"],
                "country": info["country"],
                "groups": [g for g in (info["groups"] or "").split(";") if g],
            },
            "overall": None
            if overall is None
            else {
                k: overall.get(k)
                for k in (
                    "rank",
                    "rank_interval",
                    "rank_position",
                    "band",
                    "overall_score",
                    "overall_display",
                    "sdg17_score",
                    "top_sdgs",
                    "quality",
                    "share_low",
                    "share_high",
                )
            }
            | {
                "sdg17": score_text(overall["sdg17_score"], overall["sdg17_low"], overall["sdg17_high"], places),
                "share": share_text(overall, data.field_size),  # a band's share of the field, not a place in it
                "counted": [int(x) for x in (overall["top_sdgs"] or "").split(";") if x],
            },
            "namesakes": [] if overall is not None else namesakes_of(e, iid, info["name"]),
            "formula": formula_of(ex),
            "reproduced": reproduced,  # an imported edition: THE's formula recomputed from the published tables
            "not_reproduced": not_reproduced and not_reproduced.message,  # why it could not be (English in the API)
            "_not_reproduced": not_reproduced,  # … and the error itself, which a page words in its reader's language
            "rules": ex.rules,
            "sdgs": sdgs,
            "history": history,
            "sdg_history": [
                {"sdg": k, "editions": sdg_history[k]} for k in sorted(sdg_history)
            ],  # every SDG table the institution is in, in every edition (rank, table size, score)
            "rank_uncertainty": unc,
            "links": {
                "html": f"/editions/{e.id}/institutions/{iid}",
                "json": f"/api/editions/{e.id}/institutions/{iid}",
            },
            "_rows": own_rows,  # for the chart
        }

    def whatif_ctx(data: EditionData, iid: str, request: Request) -> dict:
        from impactrank.engine.scenarios.whatif_published import whatif_published

        e = data.edition
        if e.kind != "imported":
            raise InputError(
                N_("edition %(edition)s is built: its what-if changes metric values (impactrank whatif --set)"),
                field="edition",
                params={"edition": e.id},
            )
        settings: dict[int, float] = {}
        for k in range(1, 18):
            text = (request.query_params.get(f"s{k}") or "").strip()
            if text:
                try:
                    settings[k] = float(text.replace(",", "."))
                except ValueError:
                    raise InputError(
                        N_("parameter %(parameter)r: %(text)r is not a score"),
                        field="set-sdg",
                        params={"parameter": f"s{k}", "text": text},
                    ) from None
        result = whatif_published(e, iid, settings, previous_of(store, e))
        return {
            "title": gettext("What if: %(name)s in %(edition)s", language(request))
            % {"name": result.name or iid, "edition": e.id},
            "edition": edition_info(store, data),
            "institution_id": iid,
            "settings": {str(k): v for k, v in settings.items()},
            "result": result.to_dict(),
            "links": {
                "institution": f"/editions/{e.id}/institutions/{iid}",
                "json": f"/api/editions/{e.id}/institutions/{iid}/whatif",
            },
        }

    def quick(a: dict) -> bool:
        """Every edition in memory (the page reads the institution in each) and this one built: the page is then
        dict and index look-ups and a render. An imported edition's page reproduces THE's formula and may first
        make the edition's forecast (about a second): it stays in the thread pool."""
        ids = store.edition_ids()
        in_memory = all(store.loaded(e) for e in ids) and a["edition"] in ids
        return in_memory and store.get(a["edition"]).edition.kind == "built"

    @pages.page(
        "/editions/{edition}/institutions/{institution_id}",
        "institution.html.j2",
        quick=quick,
        quick_html=True,
        summary="An institution: scores, ranks, bands across editions, and how its overall score arises",
    )
    def institution(request: Request, edition: str, institution_id: IdPath) -> dict:
        return institution_ctx(store.get(edition), institution_id, language(request))

    @pages.page(
        "/editions/{edition}/institutions/{institution_id}/whatif",
        "whatif.html.j2",
        summary="A published edition: the institution's overall score and place recomputed from SDG scores "
        "s1…s17 (query parameters), by the edition's reproduced rule",
    )
    def whatif(request: Request, edition: str, institution_id: IdPath) -> dict:
        return whatif_ctx(store.get(edition), institution_id, request)


def previous_of(store: Store, edition):
    """The same series' previous edition when the workspace holds it: THE's two-year rule averages with it."""
    from impactrank.engine.tables.edition import previous_ids

    prev = (previous_ids(edition.id) or [None])[0]
    return store.get(prev).edition if prev in store.edition_ids() else None


def reproduced_of(store: Store, data: EditionData, iid: str) -> tuple[dict | None, InputError | None]:
    """THE's overall formula for an imported institution, reproduced from the edition's tables (or why not)."""
    from impactrank.engine.published.explain import reproduce_institution
    from impactrank.engine.published.rule import edition_rule

    if data.edition.kind != "imported":
        return None, None
    previous = previous_of(store, data.edition)
    key = previous.id if previous is not None else None
    if key not in data.rules:  # the edition's rule, the same for each of its institutions: found once
        try:
            data.rules[key] = edition_rule(data.edition, previous)
        except InputError as exc:
            data.rules[key] = exc
    rule = data.rules[key]
    try:
        if isinstance(rule, InputError):
            raise rule
        return reproduce_institution(data.edition, iid, previous, rule).to_dict(), None
    except InputError as exc:
        return None, exc


def formula_of(ex: Any) -> dict | None:
    """The explanation's formula as terms, or None when the edition lacks scaled scores (imported tables)."""
    try:
        terms = ex.formula
    except (TypeError, KeyError, ValueError):
        return None
    return None if terms is None else terms.to_dict()


def top_percent(rank: int | None, field: int) -> float | None:
    """A rank as 'top x %' of the field (the words and arithmetic of the comparison)."""
    return round(100.0 * rank / field, 1) if rank and field else None


def namesakes_of(edition, iid: str, name: str | None) -> list[dict]:
    """Institutions of the same name in the edition's overall table under another id: published tables that file
    one university under two countries (its SDG rows under one, its overall row under the other), so that its page
    says so rather than explain its absence by the rules."""
    import polars as pl

    if not name or edition.overall.height == 0:
        return []
    same = edition.institutions.filter((pl.col("name") == name) & (pl.col("institution_id") != iid))
    ranked = same.join(edition.overall.select("institution_id"), on="institution_id", how="semi")
    return [
        {"institution_id": r["institution_id"], "country": r["country"],
         "link": f"/editions/{edition.id}/institutions/{r['institution_id']}"}
        for r in ranked.sort("institution_id").iter_rows(named=True)
    ]  # fmt: skip


def metric_labels(edition) -> dict[tuple[int, str], str]:
    """(SDG, metric id) → the metric's label in the edition's methodology ("Views and downloads of health
    papers"), for pages that would otherwise show "views_downloads"."""
    return {
        (s["sdg"], m["id"]): m["label"]
        for s in (edition.methodology or {}).get("sdgs", [])
        for m in s.get("metrics", [])
        if m.get("label")
    }
