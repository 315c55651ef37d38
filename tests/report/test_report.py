"""The report: self-contained HTML, PDF with static charts, deterministic bytes, atomic writes, escaping."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from web_workspace import build_mini, earlier, hostile

from impactrank.errors import InputError
from impactrank.io.reports import write_report
from impactrank.report.report import render_html, render_pdf, report_context


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return build_mini(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def html(mini):
    return render_html(mini, previous=earlier(mini), country="FR")


def test_context_values_come_from_the_tables(mini):
    ctx = report_context(mini, previous=earlier(mini), country="fr")
    assert ctx["selection"] == {"country": "FR", "group": None, "institutions": 2, "ranked": 2}
    assert [(r["institution_id"], r["rank"], r["overall_display"]) for r in ctx["selected"]] == [
        ("A", "1", "87.0"),
        ("C", "3–4", "12.3–37.0"),
    ]
    assert [p["institution_id"] for p in ctx["charts"]["profiles"]] == ["A", "C"]
    assert [m["institution_id"] for m in ctx["charts"]["distribution"]["marked"]] == ["A", "C"]
    assert {r["institution_id"]: r["movement"] for r in ctx["comparison"]} == {
        "A": "progressed",  # 1 of 3 → 1 of 4
        "C": "maintained",
    }
    assert ctx["summary"]["paragraph"] and ctx["manifest"] == mini.manifest
    assert ctx["rules"]["required_weight"] == 22.0


def test_group_selection_lists_unranked_members(mini):
    ctx = report_context(mini, group="network")
    assert [r["institution_id"] for r in ctx["selected"]] == ["A", "B"]
    assert [r["institution_id"] for r in ctx["unranked"]] == ["E"]
    assert [p["institution_id"] for p in ctx["charts"]["profiles"]] == ["A", "B", "E"]


def test_html_is_self_contained(html):
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    from plotly.offline import get_plotlyjs

    assert len(html) > 1_000_000 and get_plotlyjs()[:5000] in html  # plotly.js inlined
    ours = html.replace(get_plotlyjs().replace("</script", "<\\/script"), "")
    assert len(ours) < len(html) - 1_000_000
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", ours)  # nothing fetched from a network
    for chart in ("distribution", "profile-0", "profile-1", "participation", "movement"):
        assert f'id="chart-{chart}"' in html and f'data-figure-for="chart-{chart}"' in html
    assert html.count("<svg") >= 5  # static twins as fallbacks


def test_html_sections_and_values(html, mini):
    for heading in (
        "Summary",
        "Distribution of overall scores",
        "SDG profiles",
        "Participation and positions per SDG",
        "Movement between editions",
        "Methodology and manifest",
    ):
        assert f">{heading}</h2>" in html
    assert '<td>Alpha University</td><td>France</td><td class="num">87.0</td>' in html  # the country named
    # the manifest as a table, every hash in the appendix (the methodology's and each input file's)
    assert f"<td>Methodology<code>{mini.manifest['methodology']['sha256']}</code></td>" in html
    for source in mini.manifest["inputs"]:
        assert f"<td>{source['file']}<code>{source['sha256']}</code></td>" in html
        assert f"<th>{source['role'].capitalize()}</th><td>{source['file']}" in html
    # the rules in words, from the manifest's numbers
    rules = mini.manifest["overall_rules"]
    assert (
        f"SDG {rules['required_sdg']}&#39;s score weighted {rules['required_weight']:.1f}% and the "
        f"{rules['best_k']} best other SDG scores weighted {rules['best_weight']:.1f}% each"
    ) in html


def test_deterministic_bytes(mini, tmp_path):
    a = write_report(mini, tmp_path / "a.html", previous=earlier(mini), group="Network")
    b = write_report(mini, tmp_path / "b.html", previous=earlier(mini), group="Network")
    assert a.read_bytes() == b.read_bytes()
    p1 = write_report(mini, tmp_path / "a.pdf", country="FR")
    p2 = write_report(mini, tmp_path / "b.pdf", country="FR")
    assert p1.read_bytes() == p2.read_bytes()


def test_pdf_uses_static_images(mini, monkeypatch):
    captured = {}
    import weasyprint

    real = weasyprint.HTML

    def spy(*args, **kwargs):
        captured["html"] = kwargs.get("string")
        return real(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    pdf = render_pdf(mini, previous=earlier(mini), country="FR", lang="fr")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    page = captured["html"]
    assert "Plotly" not in page and "<script" not in page
    assert page.count('src="data:image/svg+xml;base64,') == 5
    assert "<h1>Rapport de classement d'impact 2021</h1>" in page and ">Synthèse</h2>" in page


def test_french_labels(mini):
    out = render_html(mini, country="FR", lang="fr")
    assert '<html lang="fr">' in out and "Distribution des scores globaux" in out
    assert "Scores globaux, édition 2021 (4 établissements)" in out and "Profil ODD\u00a0: Alpha University" in out


def test_hostile_names_escaped(mini):
    ed = hostile(mini)
    out = render_html(ed, previous=earlier(ed), country="FR")
    assert "<script>alert(1)</script>" not in out and "<img src=x" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    for block in re.findall(r'data-figure-for="[^"]+">(.*?)</script>', out, flags=re.S):
        assert "<" not in block
        json.loads(block)


def test_bad_output_and_selection_leave_no_file(mini, tmp_path):
    with pytest.raises(InputError, match=r"\.html or \.pdf"):
        write_report(mini, tmp_path / "r.docx")
    with pytest.raises(InputError, match="no institution from country 'ZZ'"):
        write_report(mini, tmp_path / "r.html", country="ZZ")
    with pytest.raises(InputError, match="no group"):
        write_report(mini, tmp_path / "r.pdf", group="Nobody")
    assert list(tmp_path.iterdir()) == []


def test_failed_render_keeps_the_previous_report(mini, tmp_path, monkeypatch):
    target = write_report(mini, tmp_path / "r.html")
    before = target.read_bytes()
    import impactrank.io.reports as rep

    def boom(*a, **k):
        raise RuntimeError("render failed")

    monkeypatch.setattr(rep, "render_html", boom)
    with pytest.raises(RuntimeError):
        rep.write_report(mini, target)
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["r.html"]
