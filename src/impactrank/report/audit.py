"""An audit of a published table as Markdown for people and JSON for programs."""

from __future__ import annotations

import json

from impactrank.engine.published.audit import AuditReport
from impactrank.i18n import gettext, ngettext, number, sdg_label, shown
from impactrank.report.audit_words import EXCLUDED, ISSUES, MODELS
from impactrank.report.typography import punctuate


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def verdict(d: dict, lang: str = "en") -> str:
    """One sentence in ``lang``: which rule explains the edition, with the figures."""
    f = d["formula"]
    best = next((m for m in f["models"] if m["model"] == f["best_model"]), None)
    if best is None:
        message = gettext("No model can be singled out for edition %(edition)s (%(exact)s exact rows).", lang)
        return message % {"edition": d["edition"], "exact": number(f["exact_rows"], lang)}
    e, iv = best["exact"], best["interval"]
    two_year = best["model"] == "two_year_average" and d.get("previous")
    against = " " + gettext("with %(previous)s", lang) % {"previous": d["previous"]} if two_year else ""
    message = gettext(
        "Edition %(edition)s is explained best by **%(model)s**%(against)s: %(explained)s of %(n)s exact rows "
        "reproduced by interval arithmetic (RMSE %(rmse)s, largest residual %(max_abs)s), %(consistent)s of "
        "%(banded)s banded rows consistent.",
        lang,
    )
    return message % {
        "edition": d["edition"],
        "model": best["model"],
        "against": against,
        "explained": number(e["explained"], lang),
        "n": number(e["n"], lang),
        "rmse": number(e["rmse"], lang, 3),
        "max_abs": number(e["max_abs"], lang, 3),
        "consistent": number(iv["consistent"], lang),
        "banded": number(iv["n"], lang),
    }


def _num(v: float | None, lang: str, digits: int = 2) -> str:
    return number(v, lang, digits)


def _row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _issue(p: dict, lang: str) -> str:
    return gettext(ISSUES[p["issue"]], lang) % {k: v for k, v in p.items() if k != "issue"}


def render_markdown(d: dict, lang: str = "en") -> str:
    """The audit for people, every heading, sentence and number in ``lang``."""

    def _(message: str, **params) -> str:
        text = gettext(message, lang)
        return text % params if params else text

    def n(value) -> str:
        return number(value, lang)

    c, f = d["consistency"], d["formula"]
    # the source's own wording (file names, the importer's words) stays in the JSON
    source = _("imported from the published tables") if d["kind"] == "imported" else _("computed from the submissions")
    lines = [
        "# " + _("Audit of edition %(edition)s (%(source)s)", edition=d["edition"], source=source),
        "",
        ngettext("%(count)s row in the overall table.", "%(count)s rows in the overall table.", d["rows"], lang)
        % {"count": n(d["rows"])},
        "",
        "## " + _("Row quality"),
        "",
        _row(_("flag"), _("rows")),
        "|---|---:|",
        *(_row(f"`{k}`", n(v)) for k, v in d["quality"].items()),
        "",
        "## " + _("Consistency"),
        "",
    ]
    rf, ties, bands = c["ranks_follow_scores"], c["ties"], c["bands"]
    lines += [
        "- "
        + _(
            "Individually ranked rows checked: %(rows)s; score inversions: %(inversions)s; competition-rank "
            "mismatches: %(mismatches)s.",
            rows=n(rf["rows_checked"]),
            inversions=n(len(rf["inversions"])),
            mismatches=n(len(rf["competition_rank_mismatches"])),
        ),
        "- "
        + _(
            "Tie groups: %(groups)s; tied rows: %(rows)s; problems: %(problems)s.",
            groups=n(ties["tie_groups"]),
            rows=n(ties["tied_rows"]),
            problems=n(len(ties["problems"])),
        ),
        *(
            "  - "
            + ngettext(
                "position %(position)s (%(rows)s row): %(issue)s",
                "position %(position)s (%(rows)s rows): %(issue)s",
                p["rows"],
                lang,
            )
            % {"position": n(p["position"]), "rows": n(p["rows"]), "issue": _issue(p, lang)}
            for p in ties["problems"]
        ),
        "- "
        + _(
            "Countries: %(distinct)s distinct; rows without a country: %(unknown)s.",
            distinct=n(c["countries"]["distinct"]),
            unknown=n(c["countries"]["unknown"]),
        ),
        "- " + _("Groups of rows sharing a name: %(groups)s.", groups=n(len(c["duplicates"]))),
        *(
            "  - "
            + ngettext("%(name)s: row %(rows)s", "%(name)s: rows %(rows)s", len(g["rows"]), lang)
            % {"name": g["name"], "rows": ", ".join(n(r["row"]) for r in g["rows"])}
            for g in c["duplicates"]
        ),
        "",
        "### " + _("Bands"),
        "",
        _row(_("band"), _("rows"), _("ranked above"), _("positions left"), _("published score range")),
        "|---|---:|---:|---:|---|",
        *(
            _row(
                shown(b["band"], lang),
                n(b["rows"]),
                n(b["rows_ranked_above"]),
                n(b["positions_left"]),
                ", ".join(shown(r, lang) for r in b["ranges"]) or "–",
            )
            for b in bands["bands"]
        ),
        "",
        *(f"- {shown(p['band'], lang)}: {_issue(p, lang)}" for p in bands["problems"]),
        *(
            "- "
            + _(
                "%(band)s holds %(rows)s rows for %(positions)s positions: %(through)s rows end at position %(end)s "
                "(ties across a boundary?)",
                band=shown(s["band"], lang),
                rows=n(s["rows"]),
                positions=n(s["positions_left"]),
                through=n(s["rows_through_band_end"]),
                end=n(s["band_end"]),
            )
            for s in bands["size_mismatches"]
        ),
        "",
        "## " + _("Overall score against the formula"),
        "",
        _(
            "%(required_weight)s × %(required)s + %(best_weight)s × (sum of the three top SDGs), with the SDG scores "
            "transformed by each model. Exact rows: %(exact)s; banded rows (interval arithmetic): %(banded)s; left "
            "out: %(excluded)s.",
            required_weight=number(0.22, lang, 2),
            required=sdg_label(17, lang),
            best_weight=number(0.26, lang, 2),
            exact=n(f["exact_rows"]),
            banded=n(f["interval_rows"]),
            excluded=", ".join(f"{gettext(EXCLUDED[k], lang)} {n(v)}" for k, v in f["rows_excluded"].items()),
        ),
        "",
    ]
    if f["models"]:
        lines += [verdict(d, lang), ""]
        headers = (
            _("model"),
            _("parameters"),
            _("exact n"),
            _("explained (interval)"),
            _("mean"),
            _("sd"),
            _("RMSE"),
            _("RMSE leave-one-out"),
            _("max abs"),
            _("within %(limit)s", limit=number(0.1, lang, 1)),
            _("pairs out of order"),
            _("banded consistent"),
            _("banded mean gap"),
        )
        lines += [_row(*headers), "|---|" + "---:|" * (len(headers) - 1)]
        for m in f["models"]:
            e, loo, iv = m["exact"], m["exact_leave_one_out"], m["interval"]
            pairs = m["discordant_pairs"]
            lines.append(
                _row(
                    f"`{m['model']}`",
                    n(m["parameters"]),
                    n(e["n"]),
                    n(e.get("explained")),
                    _num(e.get("mean"), lang),
                    _num(e.get("sd"), lang),
                    _num(e.get("rmse"), lang),
                    _num(loo["rmse"] if loo else None, lang),
                    _num(e.get("max_abs"), lang),
                    n(e.get("within_0.1")),
                    f"{n(pairs['discordant'])}/{n(pairs['pairs'])}",
                    f"{n(iv['consistent'])}/{n(iv['n'])}",
                    _num(iv["mean_gap"], lang),
                )
            )
        lines += [
            "",
            *(f"- **{m['model']}**: {gettext(MODELS[m['model']], lang)}" for m in f["models"]),
            *(
                "- " + _("*%(model)s* not evaluated: %(why)s.", model=name, why=gettext(why, lang))
                for name, why in f.get("models_not_applicable", {}).items()
            ),
            "",
            _(
                "Best on exact rows: **%(exact)s**; most banded rows consistent: **%(banded)s**.",
                exact=f["best_model"],
                banded=f["best_model_banded"],
            ),
            "",
            "### " + _("Rows no model explains (%(count)s)", count=n(len(f["unexplained"]))),
            "",
            _("Each row's gap is the distance from the nearest model's interval to the published score or range."),
            "",
            _row(_("rank"), _("institution"), _("published"), _("gap"), _("nearest model"), _("quality")),
            "|---|---|---|---:|---|---|",
            *(
                _row(
                    shown(u["rank"], lang),
                    u["name"],
                    shown(u["overall_display"], lang),
                    _num(u["gap"], lang),
                    f"`{min(u['residuals'], key=lambda k: (abs(u['residuals'][k]), k))}`",
                    f"`{u['quality']}`" if u["quality"] else "",
                )
                for u in f["unexplained"]
            ),
        ]
    lines += ["", "## " + _("Notes"), "", *(f"- {gettext(note, lang)}" for note in d["notes"]), ""]
    text = "\n".join(lines)
    return punctuate(text, lang)
