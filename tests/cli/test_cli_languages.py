"""``--lang`` on every command that writes text for a reader: run in French and Spanish on the demo workspace and
on THE's real tables, each command's output has no English interface word once its data (institution, group
and metric names, sources, paths) is taken out, SDGs are "ODD"/"ODS", and every number is in the language's
style; English stays the default, and an unsupported language is refused in one line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from i18n_words import ENGLISH_WORDS
from inprocess import run_cli
from the_workbooks import THE_TABLES

LANGS = ("fr", "es")
FOREIGN_NUMBERS = {  # an English decimal point or thousands commas, a glued percent sign; French spacing in Spanish
    "fr": re.compile(r"\d\.\d|\d,\d{3},\d|\d%"),
    "es": re.compile(r"\d\.\d{1,2}(?!\d)|\d,\d{3},\d|\d\u202f\d|\d%"),
}
SDG_LABEL = {"fr": "ODD", "es": "ODS"}
UNCERTAIN_INPUTS = ("weights", "overall_weights", "normalisation", "evidence", "missing", "scaling")  # config ids


def data_of(workspace) -> list[str]:
    """What the commands quote as data: names, groups, metric ids, sources and rubric items."""
    from impactrank.io.workspace import Workspace

    names = ["exists", "evidence", "public", "recent", "minmax", workspace.name, str(workspace), *UNCERTAIN_INPUTS]
    with Workspace(workspace, read_only=True) as ws:
        for edition_id in ws.editions()["edition"].to_list():
            e = ws.load(edition_id)
            names += [*e.institutions["name"].drop_nulls().to_list(), e.source]
            if "groups" in e.institutions.columns:
                names += [g for gs in e.institutions["groups"].drop_nulls().to_list() for g in gs.split(";") if g]
            if e.metric_scores.height:
                names += e.metric_scores["metric"].unique().to_list()
    return sorted({n for n in names if n and n.strip()}, key=len, reverse=True)


def problems(text: str, lang: str, data: list[str]) -> list[str]:
    """What is wrong with a command's output in ``lang``."""
    for name in data:
        text = text.replace(name, " ")
    found = []
    words = sorted({w for w in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})
    if words:
        found.append(f"English words {words}")
    if re.search(r"\bSDGs?\b", text):
        found.append(f"SDG labels are not {SDG_LABEL[lang]}")
    foreign = FOREIGN_NUMBERS[lang].findall(text)
    if foreign:
        found.append(f"numbers in another language's style {foreign[:5]}")
    return found


def check(commands: dict[str, list], workspace, lang: str) -> dict[str, list[str]]:
    data = data_of(workspace)
    wrong = {}
    for name, args in commands.items():
        run = run_cli(*args, "-w", workspace, "--lang", lang)
        assert run.code == 0, (name, lang, run.err)
        found = problems(run.out, lang, data)
        if found:
            wrong[name] = found
    return wrong


@pytest.fixture(scope="module")
def demo(demo_build, tmp_path_factory):
    """The demo workspace and an institution that is in the overall table of both editions."""
    e = demo_build.editions[2021]
    french = e.overall.join(e.institutions, on="institution_id").filter(pl.col("country") == "FR")
    return demo_build, french["institution_id"][0]


@pytest.mark.parametrize("lang", LANGS)
def test_every_command_speaks_the_language_on_the_demo(demo, lang):
    build, iid = demo
    group = build.data.groups["group"][0]
    scores = build.editions[2021].metric_scores
    metric = scores.filter((pl.col("sdg") == 13) & pl.col("raw").is_not_null())["metric"][0]
    commands = {
        "view overall": ["view", "overall", "-e", 2021],
        "view sdg": ["view", "sdg", 13, "-e", 2021],
        "view country": ["view", "country", "FR", "-e", 2021],
        "view country --sdgs": ["view", "country", "FR", "-e", 2021, "--sdgs"],
        "view country --bands": ["view", "country", "FR", "-e", 2021, "--bands"],
        "view group": ["view", "group", group, "-e", 2021, "--groups", build.groups],
        "view group --sdgs": ["view", "group", group, "-e", 2021, "--groups", build.groups, "--sdgs"],
        "compare": ["compare", "--from", 2020, "--to", 2021, "--country", "FR"],
        "compare --sdg": ["compare", "--from", 2020, "--to", 2021, "--sdg", 13, "--country", "FR"],
        "explain": ["explain", "-e", 2021, "-i", iid],
        "advise": ["advise", "-e", 2021, "--institution", iid],
        "whatif": ["whatif", "-e", 2021, "--institution", iid, "--set", f"13.{metric}=1"],
        "editions list": ["editions", "list"],
        "institutions match": ["institutions", "match", "-e", 2021, "-e", 2020],
    }
    assert check(commands, build.workspace, lang) == {}


@pytest.mark.shared
@pytest.mark.parametrize("lang", LANGS)
def test_every_command_speaks_the_language_on_the_tables(the_workspace, the_tables, tmp_path, lang):
    """THE's real editions as imported: IMT Atlantique in 2021 (a band, its SDG ranges, THE's formula reproduced)."""
    e2021 = next(e for e in the_tables.editions if e.id == "2021")
    imt = e2021.institutions.filter(e2021.institutions["name"] == "IMT Atlantique")["institution_id"][0]
    commands = {
        "view overall": ["view", "overall", "-e", 2021],
        "view sdg": ["view", "sdg", 17, "-e", 2021],
        "view country": ["view", "country", "FR", "-e", 2021],
        "view country --sdgs": ["view", "country", "FR", "-e", 2021, "--sdgs"],
        "view country --bands": ["view", "country", "FR", "-e", 2021, "--bands"],
        "view country, rows filed elsewhere": ["view", "country", "NG", "-e", 2021],  # filed under Niger by THE
        "compare": ["compare", "--from", 2020, "--to", 2021, "--country", "FR"],
        "compare --sdg": ["compare", "--from", 2022, "--to", 2023, "--sdg", 17, "--country", "FR"],
        "explain": ["explain", "-e", 2021, "-i", imt],
        "explain (two-year rule)": ["explain", "-e", 2023, "-i", imt],
        "advise": ["advise", "-e", 2021, "--institution", imt],
        "advise (two-year rule)": ["advise", "-e", 2023, "--institution", imt],
        "whatif": ["whatif", "-e", 2021, "--institution", imt, "--set-sdg", "13=80"],
        "audit": ["audit", "-e", 2021, "--out", tmp_path],
        "editions list": ["editions", "list"],
    }
    assert check(commands, the_workspace, lang) == {}
    audit = (tmp_path / "audit-2021.md").read_text(encoding="utf-8")  # the report the audit wrote, in the language
    title = {
        "fr": "# Contrôle de l’édition 2021 (importée des classements publiés)",
        "es": "# Auditoría de la edición 2021 (importada de las clasificaciones publicadas)",
    }
    assert audit.splitlines()[0] == title[lang]
    codes = re.compile(r"`[^`]*`|\*\*[a-z0-9_]+\*\*")  # the models' and row flags' identifiers
    assert problems(codes.sub(" ", audit), lang, data_of(the_workspace)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_uncertainty_and_import_speak_the_language(demo, the_tables, tmp_path, lang):
    """The commands that write a workspace: uncertainty on a copy of the demo's, import of THE's overall
    workbook into a new one."""
    build, _ = demo
    workspace = tmp_path / "ws.duckdb"
    shutil.copyfile(build.workspace, workspace)
    shutil.copytree(build.workspace.with_name(build.workspace.name + ".tables"), tmp_path / "ws.duckdb.tables")
    run = run_cli("uncertainty", "-e", 2021, "--runs", 8, "-w", workspace, "--lang", lang)
    assert run.code == 0, run.err
    assert problems(run.out, lang, data_of(workspace)) == []
    overall = next(THE_TABLES.glob("*overall*.xlsx"))
    fresh = tmp_path / "imported.duckdb"
    run = run_cli("import", overall, "-w", fresh, "--lang", lang)
    assert run.code == 0, run.err
    assert problems(run.out.replace(overall.name, " "), lang, data_of(fresh)) == []


def test_the_checks_find_english_words_labels_and_numbers(demo):
    """The detector itself: English output read as French is caught on each count."""
    build, iid = demo
    english = run_cli("explain", "-e", 2021, "-i", iid, "-w", build.workspace).out
    found = problems(english, "fr", data_of(build.workspace))
    assert [f.split(" ")[0] for f in found] == ["English", "SDG", "numbers"], found


def test_english_by_default_and_an_unknown_language_refused(demo):
    build, _ = demo
    english = run_cli("view", "country", "FR", "-e", 2021, "-w", build.workspace)
    french = run_cli("view", "country", "FR", "-e", 2021, "-w", build.workspace, "--lang", "fr")
    assert english.out.startswith("France in 2021: ") and "┃ national_rank ┃ rank " in english.out
    assert french.out.startswith("France en 2021\u00a0: ") and "┃ rang national ┃ rang " in french.out
    refused = run_cli("view", "overall", "-e", 2021, "-w", build.workspace, "--lang", "de")
    assert refused.code == 2 and refused.message == "error: field 'lang': --lang must be one of en, fr, es, not 'de'"


def test_errors_in_the_readers_language(demo):
    """A user error is the catalog's message with its parameters: French and Spanish, the file, row and field
    named as in English."""
    build, _ = demo
    args = ("view", "overall", "-e", 1999, "-w", build.workspace, "--lang")
    english = run_cli(*args, "en").message
    assert english == "error: no edition '1999' in workspace impactrank.duckdb (editions: 2020, 2021)"
    assert run_cli(*args, "fr").err.strip() == (
        "erreur\u00a0: pas d'édition '1999' dans l'espace de travail impactrank.duckdb (éditions\u00a0: 2020, 2021)"
    )
    spanish = run_cli("view", "sdg", 18, "-e", 2021, "-w", build.workspace, "--lang", "es")
    assert spanish.code == 2 and spanish.message == "error: campo «sdg»: el ODS debe estar entre 1 y 17, no 18"


def test_the_readers_of_the_users_files_refuse_in_the_readers_language(tmp_path, mini_paths):
    """A repeated column and an unsupported file type, in French and Spanish: the file and field named, the
    message the catalog's."""
    header, *rows = mini_paths["institutions"].read_text().splitlines()
    first = header.split(",")[0]
    (tmp_path / "institutions.csv").write_text("\n".join([f"{header},{first}", *(f"{r}," for r in rows)]) + "\n")
    (tmp_path / "submissions.txt").write_text(mini_paths["submissions"].read_text())
    said, subs_csv = {}, str(mini_paths["submissions"])
    for lang in ("en", *LANGS):
        for inst, subs in ((mini_paths["institutions"], "submissions.txt"), ("institutions.csv", subs_csv)):
            args = ("build", "-i", inst, "-s", subs, "--out", "out", "-m", mini_paths["methodology"])
            run = run_cli(*args, "--workspace", "ws.duckdb", "--lang", lang, cwd=tmp_path)
            assert run.code == 2 and "Traceback" not in run.err, run.err
            said[lang, subs.endswith(".txt")] = " ".join(run.err.split())
    assert "unsupported file type '.txt': use .csv, .parquet or .xlsx" in said["en", True]
    assert "type de fichier non pris en charge '.txt' : utilisez .csv, .parquet ou .xlsx" in said["fr", True]
    assert "tipo de archivo no admitido '.txt': use .csv, .parquet o .xlsx" in said["es", True]
    assert (
        f"institutions.csv, row 1, field '{first}': the header names column '{first}' more than once"
        in said["en", False]
    )
    assert f"l’en-tête nomme la colonne '{first}' plusieurs fois" in said["fr", False]
    assert f"el encabezado nombra la columna '{first}' más de una vez" in said["es", False]
    (tmp_path / "excel.csv").write_bytes("institution_id,name\nA,École\n".encode("cp1252"))
    for lang, words in {
        "fr": "excel.csv, ligne 2 : ce n’est pas du texte UTF-8 (octet 0xc9, 'É' en Windows-1252) ; enregistrez-le en "
        "UTF-8 : dans Excel, Fichier > Enregistrer sous > « CSV UTF-8 »",
        "es": "excel.csv, fila 2: no es texto UTF-8 (byte 0xc9, 'É' en Windows-1252); guárdelo en UTF-8: en Excel, "
        "Archivo > Guardar como > «CSV UTF-8»",
    }.items():
        args = ("build", "-i", "excel.csv", "-s", subs_csv, "--out", "out", "-m", mini_paths["methodology"])
        run = run_cli(*args, "--workspace", "ws.duckdb", "--lang", lang, cwd=tmp_path)
        assert run.code == 2 and words in " ".join(run.err.split()), run.err
    unknown = run_cli(*args[:-2], "-m", "the-1999", "--lang", "fr", cwd=tmp_path)
    assert unknown.code == 2 and "aucun fichier de méthodologie ni édition fournie nommé 'the-1999'" in unknown.message
    nowhere = {
        lang: run_cli("view", "overall", "-e", 2021, "-w", "nowhere.duckdb", "--lang", lang, cwd=tmp_path)
        for lang in LANGS
    }
    assert nowhere["fr"].code == 2 and nowhere["fr"].message == (
        "erreur : aucun espace de travail à nowhere.duckdb (construisez ou importez d’abord une édition)"
    )
    assert (
        nowhere["es"].message
        == "error: no hay espacio de trabajo en nowhere.duckdb (construya o importe antes una edición)"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_an_averaged_score_is_explained_in_the_language(tmp_path, evidence_pair, lang):
    """THE's 2023 rule built on 2022: the averaged score's terms in the reader's words and numbers ("cette
    édition", "édition 2022", a comma; its scores at the published precision, one decimal), and a newcomer's
    single-year score said to be the published one."""
    for year in (2022, 2023):
        inst, subs = evidence_pair[year]
        args = ("build", "-i", inst, "-s", subs, "--out", f"out{year}", "-m", f"the-{year}", "--workspace", "ws.duckdb")
        assert run_cli(*args, cwd=tmp_path).code == 0
    said = {}
    for iid in ("B", "N"):
        run = run_cli("explain", "-w", "ws.duckdb", "-e", 2023, "-i", iid, "--lang", lang, cwd=tmp_path)
        assert run.code == 0, run.err
        said[iid] = " ".join(run.out.split())
        assert problems(run.out, lang, data_of(tmp_path / "ws.duckdb")) == [], iid
    words = {  # French spaces ";" with a narrow no-break space (a space once the output's spacing is normalised)
        "fr": (
            "= 65,0 (sur une année) ; publié = 0,5 × 65,0 (cette édition) + 0,5 × 39,0 (édition 2022) = 52,0",
            "c’est donc le score",
        ),
        "es": (
            "= 65,0 (de un año); publicado = 0,5 × 65,0 (esta edición) + 0,5 × 39,0 (edición 2022) = 52,0",
            "es por tanto la",
        ),
    }[lang]
    assert words[0] in said["B"] and words[1] in said["N"]
    inst, subs = evidence_pair[2023]
    args = ("build", "-i", inst, "-s", subs, "--out", "again", "-m", "the-2023", "--workspace", "ws.duckdb")
    itself = run_cli(*args, "--previous-edition", "2023", "--lang", lang, cwd=tmp_path)
    assert (
        itself.code == 2
        and itself.message
        == {
            "fr": "erreur : champ « previous_edition » : l’édition 2023 ne peut pas être sa propre édition précédente",
            "es": "error: campo «previous_edition»: la edición 2023 no puede ser su propia edición anterior",
        }[lang]
    )


SDG_EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sdg"
METHOD_IDS = ["minmax", "submitters", "competition_on_display", "zscore_cdf", "zero", "open_last_band"]


def methodology_data(ref: str, lang: str) -> list[str]:
    """What ``methodology show`` quotes as written: the edition's title and prose, metric ids and method names;
    and the SDG and metric labels as the catalog translates them (tests/test_i18n.py finds one left untranslated;
    THE's French names use words English has too, "institutions")."""
    from impactrank.i18n import label
    from impactrank.methodology import load_methodology

    m = load_methodology(ref)
    quoted = [m.label, m.description or "", m.overall.source, *METHOD_IDS]
    quoted += [x for s in m.sdgs for metric in s.metrics for x in (metric.id, metric.denominator or "")]
    quoted += [label(x.label, lang) for s in m.sdgs for x in (s, *s.metrics)]
    return sorted({" ".join(q.split()) for q in quoted if q}, key=len, reverse=True)


@pytest.mark.parametrize("lang", LANGS)
def test_methodology_and_sdg_commands_speak_the_language(tmp_path, lang):
    """methodology show and validate (the SDG labels are the catalog's), sdg classify and metrics on the examples."""
    shown = run_cli("methodology", "show", "the-2021", "--lang", lang)
    assert shown.code == 0, shown.err
    said = re.sub(r"│[^│]*…", "│", " ".join(shown.out.split()))  # the prose unwrapped, a label cut to its column
    assert problems(said, lang, methodology_data("the-2021", lang)) == []
    climate = {"fr": "ODD 13\u00a0: Lutte contre les changements climatiques", "es": "ODS 13: Acción por el clima"}[
        lang
    ]
    assert climate in shown.out and {"fr": "22\u00a0%", "es": "22\u00a0%"}[lang] in shown.out
    valid = run_cli("methodology", "validate", "src/impactrank/methodology/editions/the-2021.yaml", "--lang", lang)
    assert valid.code == 0 and problems(valid.out, lang, methodology_data("the-2021", lang)) == []
    labels = tmp_path / "labels.csv"
    queries, pubs = SDG_EXAMPLES / "queries.csv", SDG_EXAMPLES / "publications.csv"
    classified = run_cli("sdg", "classify", "-q", queries, "--in", pubs, "--out", labels, "--lang", lang)
    assert classified.code == 0, classified.err
    said = " ".join(classified.out.split())
    assert said.startswith(
        {"fr": "10 publications, 8 avec au moins un ODD", "es": "10 publicaciones, 8 con al menos"}[lang]
    )
    metrics = run_cli(
        "sdg", "metrics", "--publications", pubs, "--labels", labels, "--out", tmp_path / "m.csv", "--lang", lang
    )
    assert metrics.code == 0 and problems(metrics.out, lang, [str(tmp_path / "m.csv")]) == [], metrics.err


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_demo_speaks_the_language(tmp_path, lang):
    from impactrank.demo import GROUP_NAME

    run = run_cli("demo", "--out", tmp_path / "demo", "--lang", lang)
    assert run.code == 0, run.err
    names = [GROUP_NAME, "the-2020", "the-2021", *data_of(tmp_path / "demo" / "impactrank.duckdb")]
    text = run.out.split("\n\n")[0]  # the summary; then paths and example commands
    assert problems(text, lang, [str(tmp_path / "demo"), *names]) == []


@pytest.mark.parametrize("lang", LANGS)
def test_refusals_of_the_sdg_and_methodology_commands_in_the_readers_language(tmp_path, lang):
    """A few of the refusals converted to catalog messages, each in French and Spanish with no English word left:
    an unknown engine, a bad --years, a methodology file that is not a mapping, an unreadable query set."""
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    pubs = SDG_EXAMPLES / "publications.csv"
    runs = {
        "engine": run_cli("sdg", "classify", "-q", SDG_EXAMPLES / "queries.csv", "--in", pubs, "--out",
                          tmp_path / "l.csv", "--engine", "spark", "--lang", lang),
        "years": run_cli("sdg", "metrics", "--publications", pubs, "--out", tmp_path / "m.csv", "--years", "2019",
                         "--lang", lang),
        "mapping": run_cli("methodology", "validate", tmp_path / "list.yaml", "--lang", lang),
        "queries": run_cli("sdg", "classify", "-q", tmp_path / "none.xml", "--in", pubs, "--out", tmp_path / "l.csv",
                           "--lang", lang),
    }  # fmt: skip
    for name, run in runs.items():
        assert run.code == 2 and "Traceback" not in run.err, (name, run.err)
        assert problems(run.message, lang, [str(tmp_path), "spark", "list.yaml", "none.xml", "aurora-v5"]) == [], name
    expected = {
        "fr": ("champ « engine » : moteur inconnu 'spark' (local ou dask)", "doit être un dictionnaire YAML"),
        "es": ("campo «engine»: motor desconocido 'spark' (local o dask)", "debe ser un diccionario YAML"),
    }[lang]
    assert expected[0] in runs["engine"].message.replace("\u00a0", " ") and expected[1] in runs["mapping"].message
