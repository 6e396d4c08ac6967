"""One door into dbt: the Python side learns vars, as_of, paths and settings only from dbt.

No module of the package (src/store_segments/) but the door (store_segments/dbt_door.py) names
the project's or the profile's YAML file; what the door answers is what dbt resolves (--vars over the project's vars,
the profile's environment variables rendered); the benchmark's first reprocessed day is the rule
of macros/incremental.sql, asked of dbt (the dbt unit test
an_incremental_build_finds_old_deliveries_of_new_opens pins the rule itself). One session on a copy
of the built demo serves the file."""

from __future__ import annotations

import ast
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from store_segments.bench import benchmark
from store_segments.runtime import publish
from store_segments.dbt_door import REPO_ROOT, DbtSession, project_settings, set_environment

PACKAGE = REPO_ROOT / "src" / "store_segments"
DOOR = PACKAGE / "dbt_door.py"
# The files only the door may name: dbt reads them, the Python side asks dbt.
DBT_FILES = ("dbt_project.yml", "dbt_project.yaml", "profiles.yml", "profiles.yaml")
# Pinned off the project's default (3), so an answer that ignored the session's vars would differ.
LOOKBACK_DAYS = 5
# Off the profile's defaults (2, 2, 4GB), through the environment variables the profile reads.
MEMORY_LIMIT, DUCKDB_THREADS, DBT_THREADS = "3GB", 1, 3


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of a module, its classes and functions (they may name the files)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def names_dbt_files(source: str) -> list[str]:
    """The string constants (f-string parts and path joins included) that name a dbt file, outside
    docstrings; comments are not in the tree."""
    tree = ast.parse(source)
    skipped = docstrings(tree)
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
            and any(name in node.value for name in DBT_FILES)]


def test_the_scan_sees_a_read_of_dbt_project_yml_but_not_a_mention() -> None:
    read = 'import yaml\nvariables = yaml.safe_load((root / "dbt_project.yml").read_text())["vars"]\n'
    joined = 'def profile(folder):\n    return open(f"{folder}/profiles.yml")\n'
    mentioned = '"""Reads nothing: dbt_project.yml is dbt\'s."""\n# profiles.yml neither\nx = 1\n'
    assert names_dbt_files(read) == ["dbt_project.yml"]
    assert names_dbt_files(joined) == ["/profiles.yml"]
    assert names_dbt_files(mentioned) == []


def modules_naming_dbt_files(package: Path) -> dict[str, list[str]]:
    """Every module of the package but its door (dbt_door.py), with the dbt files it names."""
    door = package / DOOR.name
    return {str(path.relative_to(package)): found
            for path in sorted(package.rglob("*.py")) if path != door
            if (found := names_dbt_files(path.read_text()))}


def test_only_the_door_names_dbt_project_yml_or_profiles_yml() -> None:
    # The scan reads the whole package, its sub-packages included.
    assert {"cli.py", "runtime/build.py", "bench/floor.py", "generators/demo_data/holdouts.py"} <= {
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")}
    naming = modules_naming_dbt_files(PACKAGE)
    assert naming == {}, f"ask dbt through store_segments/dbt_door.py instead: {naming}"


def test_the_scan_finds_a_module_planted_in_a_sub_package(tmp_path: Path) -> None:
    package = tmp_path / "store_segments"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    assert modules_naming_dbt_files(package) == {}
    (package / "runtime" / "planted.py").write_text(
        'from pathlib import Path\nPROFILE = Path.cwd() / "profiles.yml"\n')
    assert modules_naming_dbt_files(package) == {"runtime/planted.py": ["profiles.yml"]}


@pytest.fixture(scope="module")
def session(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtSession]:
    """A session on a copy of the demo, with a pinned lookback and DuckDB settings from the environment."""
    work = tmp_path_factory.mktemp("one_door")
    database = work / "segments.duckdb"
    shutil.copy2(built_database, database)
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("SEGMENTS_DUCKDB_MEMORY_LIMIT", MEMORY_LIMIT)
        environment.setenv("SEGMENTS_DUCKDB_THREADS", str(DUCKDB_THREADS))
        environment.setenv("SEGMENTS_DBT_THREADS", str(DBT_THREADS))
        environment.setenv("SEGMENTS_DUCKDB_PATH", str(database))
        set_environment(database)
        opened = DbtSession(REPO_ROOT, ("--target-path", str(work / "target"), "--log-path", str(work / "logs")),
                            {"segments__incremental_lookback_days": LOOKBACK_DAYS})
        yield opened
        opened.release_database()


def test_the_first_reprocessed_day_is_the_macros_rule(session: DbtSession) -> None:
    """After 2026-10-31 arrives the latest built day is 2026-10-30: minus the lookback (5), minus 2."""
    assert benchmark.first_reprocessed_day(session, ["2026-10-31", "2026-11-01"]) == "2026-10-23"
    assert benchmark.first_reprocessed_day(session, []) is None


def test_the_as_of_of_the_build_is_int_as_of(session: DbtSession, built_database: Path) -> None:
    as_of = session.as_of()
    session.release_database()
    with duckdb.connect(str(built_database), read_only=True) as connection:
        found = connection.execute("select as_of from main_intermediate.int_as_of").fetchall()
    assert isinstance(as_of, datetime) and as_of.tzinfo is None
    assert found == [(as_of,)]


def test_the_settings_are_what_dbt_resolves(session: DbtSession) -> None:
    """--vars over the project's vars; DuckDB's cap from the profile's environment variable."""
    settings = session.settings
    assert settings.vars["segments__incremental_lookback_days"] == LOOKBACK_DAYS
    assert settings.vars[publish.KEEP_VAR] == project_settings().vars[publish.KEEP_VAR] >= 1
    assert settings.duckdb_memory_limit == MEMORY_LIMIT
    assert (settings.target_type, settings.threads, settings.duckdb_threads) == ("duckdb", DBT_THREADS, DUCKDB_THREADS)
    assert settings.database == Path(os.environ["SEGMENTS_DUCKDB_PATH"]).resolve()  # the copy, as the profile says
    assert publish.vars_digest(settings.vars) != publish.vars_digest(project_settings().vars)
