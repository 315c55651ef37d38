"""An audit of a published table as Markdown for people and JSON for programs, both written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from impactrank.engine.audit import UNEXPLAINED, AuditReport
from impactrank.io.atomic import write_text_atomic


def write_audit(report: AuditReport, out: Path) -> list[Path]:
    data = report.to_dict()
    md = out / f"audit-{report.edition}.md"
    js = out / f"audit-{report.edition}.json"
    write_text_atomic(js, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    write_text_atomic(md, render_markdown(data))
    return [md, js]


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
        lines += [
            "| model | parameters | exact n | mean | sd | RMSE | RMSE leave-one-out | max abs | within 1.0 "
            "| pairs out of order | banded consistent | banded mean gap |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m in f["models"]:
            e, loo, iv = m["exact"], m["exact_leave_one_out"], m["interval"]
            lines.append(
                f"| {m['model']} | {m['parameters']} | {e['n']} | {_num(e['mean'])} | {_num(e['sd'])} | "
                f"{_num(e['rmse'])} | {_num(loo['rmse']) if loo else '–'} | {_num(e['max_abs'])} | "
                f"{e['within_1.0']} | {m['discordant_pairs']['discordant']}/{m['discordant_pairs']['pairs']} | "
                f"{iv['consistent']}/{iv['n']} | {_num(iv['mean_gap'])} |"
            )
        lines += [
            "",
            *(f"- **{m['model']}**: {m['description']}" for m in f["models"]),
            "",
            f"Best on exact rows: **{f['best_model']}**; most banded rows consistent: **{f['best_model_banded']}**.",
            "",
            f"### Rows no model explains within {UNEXPLAINED:g} points ({len(f['unexplained'])})",
            "",
            "| rank | institution | published | smallest residual | quality |",
            "|---|---|---|---:|---|",
            *(
                f"| {u['rank']} | {u['name']} | {u['overall_display']} | "
                f"{_num(min(u['residuals'].values(), key=abs))} | {u['quality']} |"
                for u in f["unexplained"]
            ),
        ]
    lines += ["", "## Notes", "", *(f"- {n}" for n in d["notes"]), ""]
    return "\n".join(lines)
