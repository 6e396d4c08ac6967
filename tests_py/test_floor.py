"""Tests of src/store_segments/bench/floor.py, the benchmark's floor: it must give the project's customer_facts.
The chain on generated Parquet is in test_byod_incremental.py; here, the demo's seeds, whose dirt
(padded and invisible characters, sentinel dates, offsets, duplicates, unknown codes) exercises
every staging rule the floor repeats."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from store_segments.bench import floor
from store_segments.dbt_door import project_settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_floor_gives_the_demo_customer_facts(built_database: Path, tmp_path: Path) -> None:
    timed = floor.run_floor(floor.csv_tables(ROOT / "seeds"), tmp_path / "floor.duckdb")
    agreement = floor.compare(tmp_path / "floor.duckdb", built_database)
    assert agreement.customers > 2_000
    assert agreement.mismatches == 0, agreement.summary()
    assert timed.wall_seconds > 0 and timed.cpu_seconds > 0


def test_compare_counts_each_column_and_each_side(tmp_path: Path) -> None:
    """b differs in clicks, c agrees (NULL = NULL), d is in customer_facts only."""
    floor_database, project_database = tmp_path / "floor.duckdb", tmp_path / "project.duckdb"
    others = ", ".join(f"7 as {column}" for column in floor.COLUMNS if column != "clicks")
    for database, table, rows in ((floor_database, floor.TABLE, "('a', 1), ('b', 2), ('c', null)"),
                                  (project_database, "customer_facts", "('a', 1), ('b', 3), ('c', null), ('d', 1)")):
        with duckdb.connect(str(database)) as connection:
            connection.execute(f"create table {table} as select customer_id, clicks, {others} "
                               f"from (values {rows}) as t(customer_id, clicks)")
    agreement = floor.compare(floor_database, project_database)
    assert (agreement.customers, agreement.only_floor, agreement.only_project) == (4, 0, 1)
    assert agreement.differing["clicks"] == 1 and sum(agreement.differing.values()) == 1
    assert agreement.mismatches == 2
    assert agreement.summary() == ("2 mismatches over 4 customers: only in the floor 0, only in customer_facts 1, "
                                   "differing clicks 1")


@pytest.mark.parametrize(("value", "literal"), [
    ("1990-01-01", "timestamp '1990-01-01 00:00:00'"),
    ("2026-10-31T18:00:00Z", "timestamp '2026-10-31 18:00:00'"),
    ("2026-11-01T01:30:00+02:00", "timestamp '2026-10-31 23:30:00'"),
])
def test_timestamp_vars_are_read_in_utc_like_the_project(value: str, literal: str) -> None:
    assert floor.utc_timestamp(value) == literal


def test_the_floor_reads_the_rules_dbt_resolves() -> None:
    """The project's vars with --vars over them, as dbt resolves them (src/store_segments/dbt_door.py)."""
    variables = project_settings(floor.REPO_ROOT, {"segments__engaged_recent_days": 11}).vars
    statements = "\n".join(floor.floor_statements(floor.parquet_tables(Path("data")), variables, "codes"))
    for pattern in variables["segments__machine_open_user_agent_patterns"]:
        assert f"like '{pattern}'" in statements
    assert "<= 11" in statements
    assert f"cast({floor.utc_timestamp(variables['segments__plausible_timestamp_max'])} as date)" in statements
