"""Compare the tables of two builds of the project, one on DuckDB and one on Spark, row for row.

Usage (after a DuckDB build and a Spark build with their own --target-path):

    segments engine-parity --duckdb segments.duckdb --duckdb-manifest target/manifest.json \
        --spark-warehouse spark-warehouse --spark-manifest target-spark/manifest.json

Which tables: every seed, and every model that the Spark build stored as a table (or incremental) and the DuckDB
build as a table or a view: the marts, the audit tables and, because the `spark` target
materializes staging and intermediate models as tables, those too. The Spark side is read from
its parquet files (`<warehouse>/<schema>.db/<table>/`) with DuckDB, so no second JVM is started.
A model enabled on DuckDB only (a Python model) is reported as such.

What "equal" means: the same column names in the same order, the same column types after
normalising the engines' names for them (Spark `string`/`int` read back as VARCHAR/INTEGER,
timestamp precisions; for a model without an enforced contract only the family: an uncast
count is HUGEINT on DuckDB and BIGINT on Spark, a sum of decimals DECIMAL(38,2) and (29,2)),
the same number of rows, and, with both sides sorted on every column,
each pair of rows equal: text, integers, booleans, decimals and timestamps exactly, doubles
within a relative tolerance (the engines may sum in a different order).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

FLOAT_RELATIVE_TOLERANCE = 1e-9
# Doubles are rounded to this many decimals for sorting only, so that two values within the
# tolerance sort to the same place.
FLOAT_SORT_DECIMALS = 6
MAX_REPORTED_ROWS = 5
# Rows only a DuckDB build can hold, left out of its side before comparing: the audiences drawn
# from customer_predictions, a Python model built on DuckDB only.
DUCKDB_ONLY_ROWS: dict[str, str] = {
    model: "audience_family not in ('churn_risk_band', 'likely_buyer')"
    for model in ("audience_members", "audience_history", "audience_deltas")
}
# Columns only a DuckDB build fills (from customer_predictions); null on other engines, so they
# are compared as null.
DUCKDB_ONLY_COLUMNS: dict[str, tuple[str, ...]] = {
    "custom_segment_profiles": ("predicted_clv", "probability_alive", "churn_risk_band"),
}


@dataclass(frozen=True)
class Table:
    """A table as read back: column names, normalised type names, rows."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class BuiltModel:
    """A model of a manifest: its name, where the build put it and how."""

    name: str
    schema: str
    alias: str
    materialized: str
    has_contract: bool
    # Spark's partition columns (partition_by): stored as folders <column>=<value>, after the others.
    partition_by: tuple[str, ...] = ()

    @property
    def is_stored(self) -> bool:
        """Whether the build wrote the rows (a table), rather than a view or nothing."""
        return self.materialized in STORED_MATERIALIZATIONS

    @property
    def is_readable(self) -> bool:
        """Whether the relation can be selected from (a table or a view)."""
        return self.materialized in STORED_MATERIALIZATIONS + ("view",)


STORED_MATERIALIZATIONS: tuple[str, ...] = ("table", "incremental")


def normalise_type(type_name: str) -> str:
    """One spelling per logical type, whichever engine wrote the table."""
    upper = type_name.upper().strip()
    if upper.startswith("TIMESTAMP") and "TIME ZONE" not in upper:
        return "TIMESTAMP"
    if upper in ("STRING", "TEXT"):
        return "VARCHAR"
    if upper == "INT":
        return "INTEGER"
    return upper.replace(" ", "")


INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")


def type_family(type_name: str) -> str:
    """The logical family of a normalised type: integers alike, decimals by their scale."""
    normalised = normalise_type(type_name)
    if normalised in INTEGER_TYPES:
        return "INTEGER"
    if normalised.startswith("DECIMAL(") and "," in normalised:
        return "DECIMAL(scale " + normalised.rstrip(")").split(",")[1] + ")"
    return normalised


def _sort_key(value: object) -> tuple[int, object]:
    """Sorts NULL last and makes values of one column comparable."""
    if value is None:
        return (1, 0)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, float):
        return (0, round(value, FLOAT_SORT_DECIMALS) if math.isfinite(value) else value)
    if isinstance(value, (int, Decimal, datetime, str)):
        return (0, value)
    return (0, str(value))


def _row_key(row: tuple[object, ...]) -> tuple[tuple[int, object], ...]:
    return tuple(_sort_key(value) for value in row)


def values_equal(left: object, right: object) -> bool:
    """Equality of two cell values; doubles within FLOAT_RELATIVE_TOLERANCE."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, float) or isinstance(right, float):
        if not isinstance(left, (int, float, Decimal)) or not isinstance(right, (int, float, Decimal)):
            return False
        return math.isclose(float(left), float(right), rel_tol=FLOAT_RELATIVE_TOLERANCE, abs_tol=1e-12)
    return left == right


def compare_tables(
    left: Table, right: Table, exact_types: bool = True, left_name: str = "duckdb", right_name: str = "spark"
) -> list[str]:
    """The differences between two tables, in words; empty when they agree. exact_types=False
    compares only the type families (for models without an enforced contract)."""
    same_type = (lambda a, b: a == b) if exact_types else (lambda a, b: type_family(a) == type_family(b))
    if left.columns != right.columns:
        return [f"columns differ: {left_name} {list(left.columns)}, {right_name} {list(right.columns)}"]
    differences = [
        f"column {column}: type {left_type} on {left_name}, {right_type} on {right_name}"
        for column, left_type, right_type in zip(left.columns, left.types, right.types)
        if not same_type(left_type, right_type)
    ]
    if len(left.rows) != len(right.rows):
        differences.append(f"row count: {len(left.rows)} on {left_name}, {len(right.rows)} on {right_name}")
        return differences
    mismatched = [
        (left_row, right_row)
        for left_row, right_row in zip(sorted(left.rows, key=_row_key), sorted(right.rows, key=_row_key))
        if not all(values_equal(a, b) for a, b in zip(left_row, right_row))
    ]
    for left_row, right_row in mismatched[:MAX_REPORTED_ROWS]:
        cells = [
            f"{column}: {a!r} vs {b!r}"
            for column, a, b in zip(left.columns, left_row, right_row)
            if not values_equal(a, b)
        ]
        differences.append(f"row {dict(zip(left.columns, left_row))} differs in " + "; ".join(cells))
    if len(mismatched) > MAX_REPORTED_ROWS:
        differences.append(f"... {len(mismatched) - MAX_REPORTED_ROWS} more rows differ")
    return differences


def _read(connection: duckdb.DuckDBPyConnection, relation_sql: str, where: str | None = None) -> Table:
    described = connection.execute(f"describe select * from {relation_sql}").fetchall()
    columns = tuple(str(row[0]) for row in described)
    types = tuple(normalise_type(str(row[1])) for row in described)
    condition = f" where {where}" if where else ""
    rows = tuple(tuple(row) for row in connection.execute(f"select * from {relation_sql}{condition}").fetchall())
    return Table(columns=columns, types=types, rows=rows)


def read_duckdb_table(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, where: str | None = None,
    nulled: tuple[str, ...] = (),
) -> Table:
    """A table of a DuckDB build (the rows `where` keeps, when given; the `nulled` columns null,
    of their own type)."""
    relation = f'"{schema}"."{table}"'
    if nulled:
        replaced = ", ".join(f'case when false then "{column}" end as "{column}"' for column in nulled)
        relation = f"(select * replace ({replaced}) from {relation})"
    return _read(connection, relation, where)


def spark_table_path(warehouse: Path, schema: str, table: str) -> Path:
    """Where Spark's default catalog keeps a managed table of a schema."""
    return warehouse / f"{schema.lower()}.db" / table.lower()


def read_spark_table(
    connection: duckdb.DuckDBPyConnection,
    warehouse: Path,
    schema: str,
    table: str,
    partition_types: dict[str, str] | None = None,
    column_order: tuple[str, ...] = (),
) -> Table:
    """A parquet table of a Spark build, read with DuckDB. A partitioned table keeps its partition
    columns in folder names (`event_day=2026-10-01/`, URL-escaped): partition_types gives their
    SQL types (Spark stores them as text). Spark puts partition columns after the others;
    column_order (when it names the same columns) restores the model's order."""
    folder = spark_table_path(warehouse, schema, table)
    if not partition_types:
        return _read(connection, f"read_parquet('{folder / '*.parquet'}')")
    types = ", ".join(f"'{column}': {type_name}" for column, type_name in partition_types.items())
    relation = f"read_parquet('{folder / '**' / '*.parquet'}', hive_partitioning = true, hive_types = {{{types}}})"
    read = _read(connection, relation)
    if column_order and sorted(column_order) == sorted(read.columns) and column_order != read.columns:
        selected = ", ".join(f'"{column}"' for column in column_order)
        read = _read(connection, f"(select {selected} from {relation})")
    return read


def partition_columns(config: dict[str, object]) -> tuple[str, ...]:
    """The partition_by of a model config: none, one column name or a list of them."""
    partition_by = config.get("partition_by")
    if partition_by is None:
        return ()
    if isinstance(partition_by, str):
        return (partition_by,)
    if isinstance(partition_by, list):
        return tuple(str(column) for column in partition_by)
    raise ValueError(f"unexpected partition_by {partition_by!r}")


def built_models(manifest_path: Path) -> dict[str, BuiltModel]:
    """The enabled models and seeds of a dbt manifest, by name. A seed counts as a stored table
    whose types are fixed (its column_types), like a model with an enforced contract."""
    manifest = json.loads(manifest_path.read_text())
    found: dict[str, BuiltModel] = {}
    for node in manifest["nodes"].values():
        config = node.get("config", {})
        resource_type = node.get("resource_type")
        if resource_type not in ("model", "seed") or not config.get("enabled", True):
            continue
        found[node["name"]] = BuiltModel(
            name=node["name"],
            schema=node["schema"],
            alias=node["alias"],
            materialized="table" if resource_type == "seed" else config.get("materialized", ""),
            has_contract=resource_type == "seed" or bool(config.get("contract", {}).get("enforced", False)),
            partition_by=partition_columns(config),
        )
    return found


def compare_model(
    connection: duckdb.DuckDBPyConnection, duckdb_model: BuiltModel, spark_warehouse: Path, spark_model: BuiltModel
) -> list[str]:
    """The differences between the DuckDB and the Spark relation of one model."""
    left = read_duckdb_table(
        connection, duckdb_model.schema, duckdb_model.alias, DUCKDB_ONLY_ROWS.get(duckdb_model.name),
        DUCKDB_ONLY_COLUMNS.get(duckdb_model.name, ()),
    )
    left_types = dict(zip(left.columns, left.types))
    right = read_spark_table(
        connection,
        spark_warehouse,
        spark_model.schema,
        spark_model.alias,
        partition_types={column: left_types.get(column, "VARCHAR") for column in spark_model.partition_by},
        column_order=left.columns,
    )
    return compare_tables(left, right, exact_types=duckdb_model.has_contract or spark_model.has_contract)


def compare_builds(
    duckdb_path: Path, duckdb_manifest: Path, spark_warehouse: Path, spark_manifest: Path
) -> dict[str, list[str]]:
    """Differences per model that both builds made readable and Spark stored (see the module doc)."""
    left_models = {name: m for name, m in built_models(duckdb_manifest).items() if m.is_readable}
    right_models = {name: m for name, m in built_models(spark_manifest).items() if m.is_stored}
    results: dict[str, list[str]] = {
        name: ["built on DuckDB only (disabled on Spark?)"]
        for name in sorted(set(left_models) - set(built_models(spark_manifest)))
        if left_models[name].is_stored
    }
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        for name in sorted(set(left_models) & set(right_models)):
            results[name] = compare_model(connection, left_models[name], spark_warehouse, right_models[name])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duckdb", type=Path, required=True, help="the DuckDB file of the DuckDB build")
    parser.add_argument("--duckdb-manifest", type=Path, required=True)
    parser.add_argument(
        "--spark-warehouse", type=Path, required=True, help="spark.sql.warehouse.dir of the Spark build"
    )
    parser.add_argument("--spark-manifest", type=Path, required=True)
    args = parser.parse_args(argv)
    results = compare_builds(args.duckdb, args.duckdb_manifest, args.spark_warehouse, args.spark_manifest)
    for name, differences in results.items():
        print(f"{name}: {'same' if not differences else 'DIFFERENT'}")
        for difference in differences:
            print(f"  {difference}")
    return 0 if not any(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
