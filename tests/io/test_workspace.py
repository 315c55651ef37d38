"""The DuckDB workspace: editions round-trip, inputs kept beside built editions, saves all or nothing."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from impactrank.errors import InputError
from impactrank.io.build import build
from impactrank.io.workspace import Workspace


@pytest.fixture
def built(mini_paths, tmp_path):
    report = build(
        mini_paths["institutions"],
        mini_paths["submissions"],
        methodology=mini_paths["methodology"],
        workspace=tmp_path / "ws.duckdb",
    )
    return report.edition, tmp_path / "ws.duckdb"


def test_an_edition_round_trips(built):
    edition, path = built
    with Workspace(path, read_only=True) as ws:
        stored = ws.load("2021", inputs=True)
    for name in ("institutions", "overall", "sdg_scores", "metric_scores", "sdg_scaling", "submissions"):
        assert getattr(stored, name).equals(getattr(edition, name)), name
    assert stored.manifest == edition.manifest
    assert stored.methodology["id"] == "mini" and stored.methodology == edition.methodology
    assert stored.submissions.height == 25  # the mini case's 25 submitted rows, validated


def test_inputs_load_on_request_and_survive_a_save_without_them(built):
    _, path = built
    with Workspace(path) as ws:
        light = ws.load("2021")
        assert light.submissions.height == 0
        ws.save(dataclasses.replace(light, manifest={**light.manifest, "note": "saved back"}))
        again = ws.load("2021", inputs=True)
    assert again.submissions.height == 25 and again.manifest["note"] == "saved back"


def test_a_failed_save_leaves_the_workspace_as_it_was(built):
    edition, path = built
    broken = dataclasses.replace(edition, id="2022", year=2022)
    broken.overall = broken.overall.with_columns(pl.lit(None, pl.String).alias("institution_id"))
    with Workspace(path) as ws:
        ws.con.execute("ALTER TABLE overall ALTER institution_id SET NOT NULL")
        with pytest.raises(Exception):  # noqa: B017 (DuckDB's constraint error)
            ws.save_many([dataclasses.replace(edition, id="2023", year=2023), broken])
        assert ws.editions()["edition"].to_list() == ["2021"]


def test_tables_written_ahead_are_the_saved_ones_or_go_when_no_save_takes_them(built):
    """A build writes its largest tables before the save: the save names those files, and a file written for a
    save that never came (the build failed meanwhile) is gone once the workspace closes."""
    edition, path = built
    folder = path.with_name("ws.duckdb.tables")
    before = sorted(p.name for p in folder.iterdir())
    with Workspace(path) as ws:
        ws.write_file("submissions", edition.submissions)
        assert len(list(folder.iterdir())) == 4
    assert sorted(p.name for p in folder.iterdir()) == before
    renamed = dataclasses.replace(edition, id="2022", year=2022)
    with Workspace(path) as ws:
        file = ws.write_file("metric_scores", edition.metric_scores)
        ws.save(renamed, ahead={"metric_scores": lambda: file})
        named = ws.con.execute("SELECT file FROM table_files WHERE edition = '2022' AND name = 'metric_scores'")
        assert named.fetchall() == [(file,)]
        assert ws.load("2022").metric_scores.equals(edition.metric_scores)
    assert len(list(folder.iterdir())) == 6  # the 2021 edition's three files and the 2022 one's


def test_a_failed_first_build_leaves_no_workspace_and_a_failed_later_one_the_workspace_as_it_was(mini_paths, tmp_path):
    """The outputs cannot be written (overall.csv is a folder): the workspace the build created goes, with the
    table files it wrote ahead; one that held an edition before keeps it, and only it."""
    out = tmp_path / "out"
    (out / "overall.csv").mkdir(parents=True)
    ws = tmp_path / "new.duckdb"
    args = (mini_paths["institutions"], mini_paths["submissions"])
    with pytest.raises(IsADirectoryError):
        build(*args, methodology=mini_paths["methodology"], out=out, workspace=ws)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    build(*args, methodology=mini_paths["methodology"], workspace=ws)
    files = sorted(p.name for p in ws.with_name("new.duckdb.tables").iterdir())
    with pytest.raises(IsADirectoryError):
        build(*args, methodology=mini_paths["methodology"], out=out, workspace=ws, edition_id="2022")
    with Workspace(ws, read_only=True) as kept:
        assert kept.editions()["edition"].to_list() == ["2021"]
    assert sorted(p.name for p in ws.with_name("new.duckdb.tables").iterdir()) == files


def test_not_a_workspace(tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not an impactrank workspace"):
        Workspace(tmp_path / "table.csv")
    with pytest.raises(InputError, match="no workspace at"):
        Workspace(tmp_path / "absent.duckdb", read_only=True)
    with pytest.raises(InputError, match="no edition '1999'"), Workspace(tmp_path / "new.duckdb") as ws:
        ws.load("1999")


def test_a_workspace_from_before_a_new_column_still_opens(built):
    """An earlier version's workspace lacks the single-year score column and the previous-scores table: it
    reads with them empty, and gains them when opened for writing."""
    import duckdb

    edition, path = built
    con = duckdb.connect(str(path))
    con.execute('ALTER TABLE overall DROP COLUMN "single_year_score"')
    con.execute("DROP TABLE previous_scores")
    con.close()
    with Workspace(path, read_only=True) as ws:
        old = ws.load("2021")
    assert old.overall["single_year_score"].null_count() == old.overall.height == 4
    assert old.overall.drop("single_year_score").equals(edition.overall.drop("single_year_score"))
    with Workspace(path) as ws:
        ws.save(edition)
        assert ws.load("2021").overall.equals(edition.overall)


def test_each_save_is_a_new_revision_and_remove_takes_every_row(built):
    edition, path = built
    with Workspace(path) as ws:
        ws.save(dataclasses.replace(edition, id="2022", year=2022))
        first = ws.revisions()
        ws.save(edition)
        second = ws.revisions()
        assert first.keys() == second.keys() == {"2021", "2022"}
        assert first["2021"] != second["2021"] and first["2022"] == second["2022"]
        ws.remove("2021")
        assert ws.revisions() == {"2022": second["2022"]}
        counts = {
            t: ws.con.execute(f'SELECT count(*) FROM "{t}" WHERE edition = ?', ["2021"]).fetchone()[0]
            for t in ws._stored
        }
        assert set(counts.values()) == {0}
        with pytest.raises(InputError, match=r"no edition '2021'.*editions: 2022"):
            ws.remove("2021")


def test_a_workspace_from_before_revisions_still_tells_editions_apart(built):
    import duckdb

    edition, path = built
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE editions DROP COLUMN revision")
    con.close()
    with Workspace(path, read_only=True) as ws:
        old = ws.revisions()
    assert list(old) == ["2021"] and len(old["2021"]) == 64
    with Workspace(path) as ws:  # opened for writing, it gains the column
        ws.save(edition)
        assert ws.con.execute("SELECT revision FROM editions").fetchone()[0] is not None


def test_large_tables_are_parquet_files_beside_and_rows_from_an_earlier_version_still_read(built):
    """Submissions, metric and SDG scores are saved as Parquet files in the folder beside the workspace, not as rows;
    a replaced or removed edition's files go, and the folder with the last of them. A workspace whose edition
    holds them as rows (saved by an earlier version) reads them, and its next save moves them to files."""
    import duckdb

    from impactrank.io.workspace import PARQUET_TABLES

    edition, path = built
    folder = path.with_name("ws.duckdb.tables")
    with Workspace(path) as ws:
        assert ws.con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
        named = dict(ws.con.execute("SELECT name, file FROM table_files WHERE edition = '2021'").fetchall())
        assert sorted(named) == ["metric_scores", "sdg_scores", "submissions"]
        assert sorted(p.name for p in folder.iterdir()) == sorted(named.values())
        assert pl.read_parquet(folder / named["submissions"]).height == 25
        ws.save(dataclasses.replace(edition, id="2022", year=2022))
        ws.save(edition)  # replaced: new files, the old ones gone
        assert len(list(folder.iterdir())) == 6 and not set(named.values()) & {p.name for p in folder.iterdir()}
        ws.remove("2022")
        assert len(list(folder.iterdir())) == 3
        ws.remove("2021")
        assert not folder.exists()
        ws.save(edition)
    con = duckdb.connect(str(path))
    for name in PARQUET_TABLES:
        rows = getattr(edition, name)  # noqa: F841 (read by DuckDB)
        con.execute(f"INSERT INTO \"{name}\" SELECT '2021', * FROM rows")
    con.execute("DROP TABLE table_files")
    con.close()
    with Workspace(path, read_only=True) as ws:
        old = ws.load("2021", inputs=True)
    assert old.submissions.height == 25 and old.submissions.equals(edition.submissions)
    assert old.metric_scores.equals(edition.metric_scores)
    with Workspace(path) as ws:  # opened for writing, the files no edition names go
        assert not folder.exists()
        ws.save(edition)
        assert ws.con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
        assert len(list(folder.iterdir())) == 3
        again = ws.load("2021", inputs=True)
    assert again.submissions.equals(edition.submissions) and again.metric_scores.equals(edition.metric_scores)


def test_a_workspace_copied_without_its_folder_says_so(built, tmp_path):
    import shutil

    _, path = built
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(path, copy)
    with (
        Workspace(copy, read_only=True) as ws,
        pytest.raises(InputError, match=r"lacks sdg_scores-\w+\.parquet in its folder copy\.duckdb\.tables"),
    ):
        ws.load("2021")
