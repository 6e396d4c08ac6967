"""The DuckDB/Spark comparison of src/store_segments/bench/engine_parity.py: what counts as equal and what not.
Fast (no Spark): `make test` runs these; the Spark build itself is test_spark_parity.py."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from store_segments.bench.engine_parity import (
    Table,
    compare_builds,
    compare_tables,
    normalise_type,
    partition_columns,
    read_spark_table,
    spark_table_path,
    built_models,
    values_equal,
)

COLUMNS = ("customer_id", "aov", "score", "ratio", "seen_at", "is_emailable")
TYPES = ("VARCHAR", "DECIMAL(18,2)", "INTEGER", "DOUBLE", "TIMESTAMP", "BOOLEAN")
ROWS = (
    ("00017", Decimal("12.50"), 5, 0.1 + 0.2, datetime(2026, 10, 31, 18), True),
    ("17", None, 1, None, None, False),
)


def table(rows: tuple[tuple[object, ...], ...] = ROWS, types: tuple[str, ...] = TYPES) -> Table:
    return Table(columns=COLUMNS, types=types, rows=rows)


def test_same_rows_in_another_order_agree() -> None:
    assert compare_tables(table(), table(tuple(reversed(ROWS)))) == []


def test_doubles_agree_within_the_tolerance_only() -> None:
    close = ((*ROWS[0][:3], 0.3, *ROWS[0][4:]), ROWS[1])
    far = ((*ROWS[0][:3], 0.3001, *ROWS[0][4:]), ROWS[1])
    assert compare_tables(table(), table(close)) == []
    assert compare_tables(table(), table(far)) != []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("customer_id", "017"),  # text exactly: ids with leading zeros are other customers
        ("aov", Decimal("12.51")),  # decimals exactly: one cent is a difference
        ("score", 4),
        ("seen_at", datetime(2026, 10, 31, 18, 0, 1)),
        ("is_emailable", False),
    ],
)
def test_any_other_value_is_a_difference(column: str, value: object) -> None:
    changed = list(ROWS[0])
    changed[COLUMNS.index(column)] = value
    differences = compare_tables(table(), table((tuple(changed), ROWS[1])))
    assert len(differences) == 1 and column in differences[0]


def test_null_differs_from_a_value() -> None:
    changed = (ROWS[0], (*ROWS[1][:1], Decimal("0.00"), *ROWS[1][2:]))
    assert compare_tables(table(), table(changed)) != []
    assert not values_equal(None, 0.0) and values_equal(None, None)


def test_missing_row_and_type_change_are_reported() -> None:
    assert any("row count" in d for d in compare_tables(table(), table(ROWS[:1])))
    other_types = ("VARCHAR", "DOUBLE", "INTEGER", "DOUBLE", "TIMESTAMP", "BOOLEAN")
    assert compare_tables(table(), table(types=other_types)) == [
        "column aov: type DECIMAL(18,2) on duckdb, DOUBLE on spark"
    ]


def test_without_a_contract_only_the_type_family_must_agree() -> None:
    wider = ("VARCHAR", "DECIMAL(38,2)", "HUGEINT", "DOUBLE", "TIMESTAMP", "BOOLEAN")
    assert compare_tables(table(), table(types=wider), exact_types=False) == []
    assert len(compare_tables(table(), table(types=wider), exact_types=True)) == 2
    other_scale = ("VARCHAR", "DECIMAL(18,3)", "INTEGER", "DOUBLE", "TIMESTAMP", "BOOLEAN")
    assert compare_tables(table(), table(types=other_scale), exact_types=False) != []


@pytest.mark.parametrize(
    ("spark_name", "duckdb_name"),
    [("string", "VARCHAR"), ("int", "INTEGER"), ("TIMESTAMP_NS", "TIMESTAMP"), ("decimal(18, 2)", "DECIMAL(18,2)")],
)
def test_type_names_of_both_engines_normalise_alike(spark_name: str, duckdb_name: str) -> None:
    assert normalise_type(spark_name) == normalise_type(duckdb_name)


def _manifest(path: Path, schema: str, tables: dict[str, str]) -> Path:
    nodes = {
        f"model.segments.{name}": {
            "resource_type": "model", "name": name, "alias": name, "schema": schema,
            "config": {"enabled": True, "materialized": materialized, "contract": {"enforced": True}},
        }
        for name, materialized in tables.items()
    }
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def test_seeds_count_as_stored_tables_with_fixed_types(tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"nodes": {"seed.segments.raw_orders": {
        "resource_type": "seed", "name": "raw_orders", "alias": "raw_orders", "schema": "main_raw",
        "config": {"enabled": True, "materialized": "seed"},
    }}}))
    seed = built_models(manifest)["raw_orders"]
    assert seed.is_stored and seed.has_contract


def test_compare_builds_reads_spark_parquet_and_reports_models_built_on_one_side(tmp_path: Path) -> None:
    database = tmp_path / "duck.duckdb"
    warehouse = tmp_path / "spark-warehouse"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table main.facts as select '00017' as customer_id, 12.50::decimal(18,2) as aov")
        connection.execute("create table main.python_only as select 1 as x")
        target = spark_table_path(warehouse, "segments", "facts")
        target.mkdir(parents=True)
        connection.execute(
            f"copy (select '00017' as customer_id, 12.51::decimal(18,2) as aov) to '{target}/part-0.parquet'"
        )
    duckdb_manifest = _manifest(tmp_path / "d.json", "main", {"facts": "table", "python_only": "table", "v": "view"})
    spark_manifest = _manifest(tmp_path / "s.json", "segments", {"facts": "table"})
    assert {name for name, model in built_models(duckdb_manifest).items() if model.is_stored} == {
        "facts", "python_only"
    }
    results = compare_builds(database, duckdb_manifest, warehouse, spark_manifest)
    assert results["python_only"] == ["built on DuckDB only (disabled on Spark?)"]
    assert len(results["facts"]) == 1 and "aov: Decimal('12.50') vs Decimal('12.51')" in results["facts"][0]


def test_partitioned_spark_tables_are_read_with_typed_partition_columns_in_model_order(tmp_path: Path) -> None:
    """Spark writes partition columns as folders (values URL-escaped) and after the other columns."""
    warehouse = tmp_path / "spark-warehouse"
    folder = spark_table_path(warehouse, "segments", "history") / "as_of=2026-10-31 18%3A00%3A00"
    folder.mkdir(parents=True)
    with duckdb.connect() as connection:
        connection.execute(f"copy (select '00017' as customer_id) to '{folder}/part-0.parquet'")
        read = read_spark_table(
            connection, warehouse, "segments", "history",
            partition_types={"as_of": "TIMESTAMP"}, column_order=("as_of", "customer_id"),
        )
    assert read.columns == ("as_of", "customer_id")
    assert read.types == ("TIMESTAMP", "VARCHAR")
    assert read.rows == ((datetime(2026, 10, 31, 18), "00017"),)


@pytest.mark.parametrize(
    ("config", "expected"),
    [({}, ()), ({"partition_by": "event_day"}, ("event_day",)), ({"partition_by": ["a", "b"]}, ("a", "b"))],
)
def test_partition_columns_of_a_config(config: dict[str, object], expected: tuple[str, ...]) -> None:
    assert partition_columns(config) == expected
