"""Bring your own data and incremental builds, end to end on a small generated store.

One chain of builds in a temporary folder:
1. src/store_segments/generators/generate_data.py writes ~1,500 customers as Parquet parts, holding back the rows that
   arrive in the last four days (late events and late re-exported duplicates among them);
2. `raw_source: files` builds the project on the data without those days;
3. two days are appended and an incremental build runs, then two more days and another
   incremental build, this time with every data test (reconciliation, unique event ids);
4. the same final data is loaded into warehouse tables and built with `raw_source: tables` and
   --full-refresh in a second database.
Every mart (and the audit and daily rollup tables) must be identical, row for row, between the
incremental chain and the full refresh.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from store_segments.bench import floor
from store_segments.generators import generate_data

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")
RAW_SEEDS = ("raw_customers", "raw_products", "raw_orders", "raw_order_items", "raw_email_messages",
             "raw_email_events", "raw_web_events", "raw_exchange_rates")
COMPARED = (
    "main.customer_facts", "main.customer_rfm", "main.rfm_report_readiness", "main.segment_memberships",
    "main.customer_personas", "main.winback_test_audiences", "main_audit.quarantined_rows",
    "main_audit.staging_reconciliation", "main_intermediate.int_customer_daily_email_engagement",
    "main_intermediate.int_customer_daily_site_activity", "main_intermediate.int_email_events_flagged",
)


@dataclass(frozen=True)
class Builds:
    """The two databases and what the chain saw."""

    incremental: Path
    full_refresh: Path
    raw_path: Path
    incremental_target: Path


def dbt(command: list[str], database: Path, work: Path, variables: dict[str, object]) -> None:
    """Run dbt on `database` (reference seeds and models; the demo's raw seeds are not loaded)."""
    env = {
        **os.environ,
        "SEGMENTS_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [str(DBT), *command, "--exclude", *RAW_SEEDS, "--exclude-resource-type", "unit_test",
         "--vars", json.dumps(variables), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def load_raw_tables(database: Path, raw_path: Path) -> None:
    """The generated Parquet as a loader would keep it: tables raw.raw_<table>."""
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema if not exists raw")
        for table in generate_data.TABLES:
            connection.execute(
                f"create or replace table raw.raw_{table} as "
                f"select * from read_parquet('{raw_path / table}/*.parquet')"
            )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    work = tmp_path_factory.mktemp("byod")
    raw_path = work / "raw"
    generate_data.generate(
        generate_data.Settings(customers=1_500, out=raw_path, hold_back_days=4), log=False
    )
    files = {"segments__raw_source": "files", "segments__raw_path": str(raw_path), "segments__raw_file_pattern": "{table}/*.parquet"}
    incremental, incremental_work = work / "incremental.duckdb", work / "incremental"
    models_only = ["build", "--exclude-resource-type", "test"]
    dbt(models_only, incremental, incremental_work, files)
    days = generate_data.held_back_days(raw_path)
    assert len(days) == 4
    for day in days[:2]:
        generate_data.deliver_day(raw_path, day)
    dbt(models_only, incremental, incremental_work, files)
    for day in days[2:]:
        generate_data.deliver_day(raw_path, day)
    dbt(["build"], incremental, incremental_work, files)

    full_refresh = work / "full_refresh.duckdb"
    load_raw_tables(full_refresh, raw_path)
    dbt(models_only + ["--full-refresh"], full_refresh, work / "full_refresh", {"segments__raw_source": "tables"})
    return Builds(incremental, full_refresh, raw_path, incremental_work / "target")


@pytest.fixture()
def both(builds: Builds) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(f"attach '{builds.incremental}' as incremental (read_only)")
    connection.execute(f"attach '{builds.full_refresh}' as full_refresh (read_only)")
    yield connection
    connection.close()


def count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    rows = connection.execute(sql).fetchall()
    return int(rows[0][0])


@pytest.mark.parametrize("relation", COMPARED)
def test_incremental_and_full_refresh_give_identical_rows(both: duckdb.DuckDBPyConnection, relation: str) -> None:
    incremental, full = f"incremental.{relation}", f"full_refresh.{relation}"
    rows = count(both, f"select count(*) from {full}")
    assert rows > 0
    assert count(both, f"select count(*) from {incremental}") == rows
    only_incremental = count(both, f"select count(*) from (from {incremental} except all from {full})")
    only_full = count(both, f"select count(*) from (from {full} except all from {incremental})")
    assert (only_incremental, only_full) == (0, 0), relation


def test_every_raw_row_is_accounted_for_after_the_incremental_builds(both: duckdb.DuckDBPyConnection) -> None:
    rows = both.execute(
        "select source_table, rows_in, rows_staged, rows_deduplicated, rows_quarantined "
        "from incremental.main_audit.staging_reconciliation"
    ).fetchall()
    assert len(rows) == 8
    for table, rows_in, staged, deduplicated, quarantined in rows:
        assert rows_in > 0 and rows_in == staged + deduplicated + quarantined, table


def test_the_generated_catalogue_and_currencies_stage(both: duckdb.DuckDBPyConnection) -> None:
    """The generator's own rows are clean where it means them to be: every product stages, and
    every order currency has a rate (its dirt is elsewhere: duplicates, bad timestamps, ...)."""
    reasons = both.execute(
        "select source_table, quarantine_reason from incremental.main_audit.quarantined_rows"
        " where source_table = 'raw_products' or quarantine_reason in ('unknown_currency', 'unknown_product')"
    ).fetchall()
    assert reasons == []


def test_as_of_moved_with_the_appended_days(both: duckdb.DuckDBPyConnection) -> None:
    (as_of,) = both.execute("select as_of from incremental.main_intermediate.int_as_of").fetchall()[0]
    assert str(as_of) > "2026-10-29"


def test_duplicates_arriving_in_a_later_load_are_deduplicated(builds: Builds,
                                                             both: duckdb.DuckDBPyConnection) -> None:
    """Some events were exported again in a later day's part: staged once, counted as duplicate."""
    both.execute(
        f"create temp table copies as select event_id, count(distinct filename) as files, count(*) as rows "
        f"from read_parquet('{builds.raw_path}/email_events/*.parquet', filename = true) "
        f"where event_id in (select event_id from incremental.main_staging.stg_email__events) "
        f"group by event_id having count(distinct filename) > 1"
    )
    assert count(both, "select count(*) from copies") > 0
    duplicates = count(
        both,
        "select count(*) from incremental.main_audit.quarantined_rows "
        "where source_table = 'raw_email_events' and quarantine_reason = 'duplicate' "
        "and row_key in (select event_id from copies)",
    )
    assert duplicates == count(both, "select sum(rows - 1) from copies")


def test_the_last_build_was_incremental(builds: Builds) -> None:
    """The event models replaced days (delete+insert) instead of being rebuilt."""
    for model in ("staging/email/base/base_email__events", "staging/web/base/base_web__events",
                  "staging/email/checked/checked_email__events", "staging/web/checked/checked_web__events",
                  "intermediate/email/int_email_events_flagged", "intermediate/email/int_customer_daily_email_engagement",
                  "intermediate/site/int_customer_daily_site_activity"):
        sql = (builds.incremental_target / "run" / "segments" / "models" / f"{model}.sql").read_text()
        assert "delete from" in sql and "create table" not in sql.lower(), model


def test_data_tests_since_limits_the_event_tests_to_the_reprocessed_days(builds: Builds, tmp_path: Path) -> None:
    """A copy of an old event id breaks `unique` on the whole history; with var segments__data_tests_since
    after that event's day (a nightly build), the test looks at the recent rows only and passes."""
    database = tmp_path / "copy.duckdb"
    shutil.copy(builds.incremental, database)
    with duckdb.connect(str(database)) as connection:
        (first_day,) = connection.execute(
            "select min(cast(occurred_at as date)) from main_staging.stg_email__events"
        ).fetchall()[0]
        connection.execute(
            "insert into main_staging.checked_email__events select * from main_staging.checked_email__events "
            f"where quarantine_reason is null and cast(occurred_at as date) = date '{first_day}' limit 1"
        )
    files = {"segments__raw_source": "files", "segments__raw_path": str(builds.raw_path), "segments__raw_file_pattern": "{table}/*.parquet"}
    unique_event_id = ["test", "--select", "stg_email__events,test_name:unique"]
    with pytest.raises(AssertionError, match="unique_stg_email__events_event_id"):
        dbt(unique_event_id, database, tmp_path, files)
    since = str(first_day + timedelta(days=1))
    dbt(unique_event_id, database, tmp_path, {**files, "segments__data_tests_since": since})


def test_the_benchmark_floor_gives_the_customer_facts_of_the_incremental_chain(builds: Builds, tmp_path: Path) -> None:
    """src/store_segments/bench/floor.py, from the same Parquet (late events and late duplicates included), gives
    the incremental chain's customer_facts on every compared column, customer by customer."""
    floor.run_floor(floor.parquet_tables(builds.raw_path), tmp_path / "floor.duckdb")
    agreement = floor.compare(tmp_path / "floor.duckdb", builds.incremental)
    assert agreement.customers > 1_000 and set(agreement.differing) == set(floor.COLUMNS)
    assert agreement.mismatches == 0, agreement.summary()


def test_the_floor_follows_the_vars_and_its_check_sees_a_difference(builds: Builds, tmp_path: Path) -> None:
    """With opens right after delivery no longer machine opens, the floor counts more human opens
    than the build (which used the default) and the check says where: in the email columns only."""
    floor.run_floor(floor.parquet_tables(builds.raw_path), tmp_path / "floor.duckdb",
                    overrides={"segments__machine_open_max_seconds": 0})
    agreement = floor.compare(tmp_path / "floor.duckdb", builds.incremental)
    assert agreement.differing["human_opens"] > 0
    assert agreement.only_floor == agreement.only_project == 0
    assert {column for column, count in agreement.differing.items() if count} <= {
        "human_opens", "email_engagements_recent", "email_engagements_before_recent",
        "days_since_last_email_engagement", "days_since_last_engagement"}
