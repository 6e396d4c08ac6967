"""Tests of src/store_segments/bench/model_alone.py: a model's compiled SQL run alone under a memory cap, in a copy
of the demo's built database, reports its time, or that it ran out of memory, and leaves the
database as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from store_segments.bench import model_alone


@pytest.fixture()
def database_copy(built_database: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "segments.duckdb"
    shutil.copy2(built_database, copy)
    return copy


def test_each_model_runs_alone_and_leaves_no_scratch_table(database_copy: Path, built_database: Path) -> None:
    results = list(model_alone.run_alone(database_copy, built_database.parent / "target",
                                    ("customer_facts", "site_sessions"), threads=2, memory_limit="2GB"))
    assert [result.name for result in results] == ["customer_facts", "site_sessions"]
    assert all(result.error is None and result.wall_seconds > 0 for result in results), results
    with duckdb.connect(str(database_copy), read_only=True) as connection:
        schemas = {row[0] for row in connection.execute("select schema_name from information_schema.schemata").fetchall()}
    assert model_alone.SCRATCH_SCHEMA not in schemas


def test_a_model_over_the_cap_is_reported_and_fails_the_command(
    database_copy: Path, built_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = model_alone.main(["site_sessions", "--database", str(database_copy),
                             "--target-path", str(built_database.parent / "target"), "--memory-limit", "1MB"])
    assert code == 1
    assert "FAIL  site_sessions" in capsys.readouterr().out


def test_the_profile_settings_are_those_the_models_run_under(database_copy: Path, built_database: Path) -> None:
    results = model_alone.run_alone(database_copy, built_database.parent / "target", ("customer_facts",),
                                    threads=1, memory_limit="1GB", profile_settings={"TimeZone": "Nowhere/Nothing"})
    with pytest.raises(duckdb.Error, match="Unknown TimeZone 'Nowhere/Nothing'"):
        next(results)


def test_an_unknown_model_is_named(database_copy: Path, built_database: Path) -> None:
    with pytest.raises(SystemExit, match="not models of this build: no_such_model"):
        next(model_alone.run_alone(database_copy, built_database.parent / "target", ("no_such_model",), 1, "1GB"))
