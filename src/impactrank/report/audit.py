"""An audit of a published table as Markdown for people and JSON for programs."""

from __future__ import annotations

import json

from impactrank.engine.published.audit import AuditReport
from impactrank.i18n import gettext, number


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


def _num(v: float | None, digits: int = 2) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def render_markdown(d: dict) -> str:
    c, f = d["consistency"], d["formula"]
    lines = [
        f"# Audit of edition {d['edition']} ({d['kind']}, {d['source']})",
        "",
        f"{d['rows']} rows in the overall table.",
        "",
        "## Row quality",
        "",
        "| flag | rows |",
        "|---|---:|",
        *(f"| {k} | {v} |" for k, v in d["quality"].items()),
        "",
        "## Consistency",
        "",
    ]
    rf, ties, bands = c["ranks_follow_scores"], c["ties"], c["bands"]
    lines += [
        f"- Individually ranked rows checked: {rf['rows_checked']}; "
        f"score inversions: {len(rf['inversions'])}; "
        f"competition-rank mismatches: {len(rf['competition_rank_mismatches'])}.",
        f"- Ties: {ties['tie_groups']} groups holding {ties['tied_rows']} rows; problems: {len(ties['problems'])}.",
        *(f"  - position {p['position']} ({p['rows']} rows): {p['issue']}" for p in ties["problems"]),
        f"- Countries: {c['countries']['distinct']} distinct; {c['countries']['unknown']} rows without a country.",
        f"- Rows sharing a name: {len(c['duplicates'])} groups.",
        *(f"  - {g['name']}: rows {', '.join(str(r['row']) for r in g['rows'])}" for g in c["duplicates"]),
        "",
        "### Bands",
        "",
        "| band | rows | ranked above | positions left | published score range |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {b['band']} | {b['rows']} | {b['rows_ranked_above']} | "
            f"{'–' if b['positions_left'] is None else b['positions_left']} | "
            f"{', '.join(b['ranges']) or '–'} |"
            for b in bands["bands"]
        ),
        "",
        *(f"- {p['band']}: {p['issue']}" for p in bands["problems"]),
        *(
            f"- {s['band']} holds {s['rows']} rows for {s['positions_left']} positions: "
            f"{s['rows_through_band_end']} rows end at position {s['band_end']} (ties across a boundary?)"
            for s in bands["size_mismatches"]
        ),
        "",
        "## Overall score against the formula",
        "",
        "0.22 × SDG 17 + 0.26 × (sum of the three top SDGs), with the SDG scores transformed by each model. "
        f"Exact rows: {f['exact_rows']}; banded rows (interval arithmetic): {f['interval_rows']}; "
        f"left out: " + ", ".join(f"{k} {v}" for k, v in f["rows_excluded"].items()) + ".",
        "",
    ]
    if f["models"]:
        lines += [verdict(d), ""]
        lines += [
            "| model | parameters | exact n | explained (interval) | mean | sd | RMSE | RMSE leave-one-out | max abs "
            "| within 0.1 | pairs out of order | banded consistent | banded mean gap |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m in f["models"]:
            e, loo, iv = m["exact"], m["exact_leave_one_out"], m["interval"]
            lines.append(
                f"| {m['model']} | {m['parameters']} | {e['n']} | {e.get('explained', '–')} | {_num(e.get('mean'))} | "
                f"{_num(e.get('sd'))} | {_num(e.get('rmse'))} | {_num(loo['rmse']) if loo else '–'} | "
                f"{_num(e.get('max_abs'))} | {e.get('within_0.1', '–')} | "
                f"{m['discordant_pairs']['discordant']}/{m['discordant_pairs']['pairs']} | "
                f"{iv['consistent']}/{iv['n']} | {_num(iv['mean_gap'])} |"
            )
        lines += [
            "",
            *(f"- **{m['model']}**: {m['description']}" for m in f["models"]),
            *(f"- *{name}* not evaluated: {why}." for name, why in f.get("models_not_applicable", {}).items()),
            "",
            f"Best on exact rows: **{f['best_model']}**; most banded rows consistent: **{f['best_model_banded']}**.",
            "",
            f"### Rows no model explains ({len(f['unexplained'])})",
            "",
            "Each row's gap is the distance from the nearest model's interval to the published score or range.",
            "",
            "| rank | institution | published | gap | nearest model | quality |",
            "|---|---|---|---:|---|---|",
            *(
                f"| {u['rank']} | {u['name']} | {u['overall_display']} | {_num(u['gap'])} | "
                f"{min(u['residuals'], key=lambda k: (abs(u['residuals'][k]), k))} | {u['quality']} |"
                for u in f["unexplained"]
            ),
        ]
    lines += ["", "## Notes", "", *(f"- {n}" for n in d["notes"]), ""]
    return "\n".join(lines)
