"""The report's methodology appendix in words: the rules as sentences, the manifest as rows with every hash apart."""

from __future__ import annotations

from impactrank.report.methodology import manifest_tables, rules_text

NNBSP = "\u202f"
RULES = {"required_sdg": 17, "min_other_sdgs": 3, "best_k": 3, "required_weight": 22.0, "best_weight": 26.0}


def test_rules_are_written_out_in_each_language():
    rules = dict(RULES, scaling={"method": "minmax", "population": "eligible"}, confirmed=False)
    english = rules_text(rules, "built", "en")
    assert english[0] == "An institution enters the overall table with a score in SDG 17 and in at least 3 other SDGs."
    assert english[1] == (
        "Its overall score adds SDG 17's score weighted 22.0% and the 3 best other SDG scores weighted 26.0% each."
    )
    assert english[2].startswith("Before they are added, SDG scores are rescaled to 0–100")
    assert english[3] == "These rules are assumed, not confirmed by the publisher."
    french = rules_text(rules, "built", "fr")
    assert "l'ODD 17 pondéré à 22,0\u00a0%" in french[1] and "3 meilleurs autres scores" in french[1]
    assert "el ODS 17" in rules_text(rules, "built", "es")[0]
    assert rules_text({}, "imported", "fr") == [
        "Les scores sont ceux publiés, importés tels quels\u202f; aucune règle n'a été appliquée ici."
    ]


def test_a_single_file_import_is_one_row_and_its_hash_is_in_the_appendix():
    manifest = {
        "source_file": "taiwan.json",
        "format": "the-scrape",
        "sha256": "ab" * 32,
        "rows": 1117,
        "package": {"name": "impactrank", "version": "0.1.0"},
        "flags": {"rank_reconstructed": 57},
    }
    tables = manifest_tables(manifest, "fr")
    assert tables["rows"] == [
        {"label": "Logiciel", "code": "impactrank 0.1.0", "value": ""},
        {"label": "Classement général", "value": f"taiwan.json · 1{NNBSP}117 lignes"},
        {"label": "Format lu", "code": "the-scrape", "value": ""},
        {"label": "Signalement à l'import", "code": "rank_reconstructed", "value": "57 lignes"},
    ]
    assert tables["hashes"] == [{"file": "taiwan.json", "sha256": "ab" * 32}]
    workbook = {"sources": [{"file": "a.xlsx", "table": "sdg13", "rows": 566, "sha256": "cd" * 32}]}
    assert manifest_tables(workbook, "es")["rows"] == [{"label": "ODS 13", "value": "a.xlsx · 566 filas"}]
