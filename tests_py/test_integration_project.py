"""The project installed as a dbt package: `make integration-test` builds the store project of
integration_tests/ (the package by path; the demo's CSVs as the store's own raw tables, in a schema
per system and under names of its own; vars of the store named like the package's settings) in a
copy of the checkout, and every table and view it builds equals the one the project builds on its
own seeds (session fixture built_database). The store's own model and its data tests show that
its vars stayed its own."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests_py.conftest import copy_checkout, run_make

# Schemas of the raw inputs, which differ by design: the project's demo seeds, the store's tables.
RAW_SCHEMAS = {"main_raw", "main_shopify_raw", "main_klaviyo_raw", "main_site_raw", "main_finance_raw"}
# The store project's own model (integration_tests/models/).
STORE_MODELS = {("main", "store_settings")}


@pytest.fixture(scope="module")
def store_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    checkout = copy_checkout(tmp_path_factory.mktemp("store_project") / "checkout")
    result = run_make(checkout, "integration-test")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return checkout / "integration_tests" / "target" / "integration.duckdb"


def relations(connection: duckdb.DuckDBPyConnection, catalog: str) -> set[tuple[str, str]]:
    rows = connection.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ?",
        [catalog],
    ).fetchall()
    return {(schema, name) for schema, name in rows if schema not in RAW_SCHEMAS}


def test_the_package_in_a_store_project_builds_what_the_project_builds(
    store_build: Path, built_database: Path
) -> None:
    connection = duckdb.connect()
    connection.execute(f"attach '{built_database}' as project (read_only)")
    connection.execute(f"attach '{store_build}' as store (read_only)")
    project, store = relations(connection, "project"), relations(connection, "store")
    assert STORE_MODELS <= store
    store -= STORE_MODELS
    assert store == project, f"only in the project: {sorted(project - store)}; only in the store's: {sorted(store - project)}"
    differing = []
    for schema, name in sorted(project):
        for left, right in (("project", "store"), ("store", "project")):
            extra = connection.execute(
                f'select count(*) from (select * from {left}."{schema}"."{name}" '
                f'except all select * from {right}."{schema}"."{name}")'
            ).fetchone()[0]
            if extra:
                differing.append(f"{schema}.{name}: {extra} rows only in the {left}'s build")
    assert not differing, "\n".join(differing)
    assert len(project) > 100, "the comparison must cover the project's models"
