"""One bad row of each kind real exports carry, appended to a copy of the demo seeds, must
neither move as_of, nor change anyone else's segment, nor crash the build: each is quarantined
(or its field nulled) with the reason that names it, and staging still reconciles. And an as_of
that jumps far from the last recorded build stops the build.

The dirty build runs once per module in a copy of the project; the clean demo build is the
session fixture `built_database` of conftest.py.
"""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from conftest import DBT, copy_project, dbt_env
from store_segments.generators.generate_demo_data import END

# A customer that exists in the demo, with the columns new customer rows copy.
NEW_CUSTOMER = {"email": "dirty@example.com", "first_name": "Dirty", "last_name": "Row",
                "country_code": "US", "created_at": "2025-06-01 10:00:00", "email_consent": "subscribed",
                "tracking_consent": "true", "birth_date": "", "acquisition_source": "organic"}
ORDER = {"status": "placed", "currency": "USD", "subtotal": "", "discount": "", "shipping": "",
         "refunded_amount": ""}

CUSTOMERS = [
    {**NEW_CUSTOMER, "customer_id": "\t", "email": "tab@example.com"},
    {**NEW_CUSTOMER, "customer_id": "\u00a0", "email": "nbsp@example.com"},
    {**NEW_CUSTOMER, "customer_id": "dirty-cr", "email": "cr@example.com"},
    {**NEW_CUSTOMER, "customer_id": "dirty-tab\t", "email": "tab-suffix@example.com"},
    {**NEW_CUSTOMER, "customer_id": "dirty-deu", "country_code": "DEU", "tracking_consent": "false",
     "email_consent": "never_subscribed", "created_at": "2026-10-01 10:00:00"},
    {**NEW_CUSTOMER, "customer_id": "dirty-birthday", "birth_date": "2031-11-02"},
    {**NEW_CUSTOMER, "customer_id": "dirty-created-sentinel", "created_at": "9999-12-31 00:00:00"},
    {**NEW_CUSTOMER, "customer_id": "dirty-quote", "first_name": 'Anna "Nan", Berg'},
]
ORDERS = [
    {**ORDER, "order_id": "dirty-sentinel", "customer_id": "dirty-cr", "ordered_at": "9999-12-31", "total": "10.00"},
    {**ORDER, "order_id": "dirty-infinity", "customer_id": "dirty-cr", "ordered_at": "infinity", "total": "10.00"},
    {**ORDER, "order_id": "dirty-future", "customer_id": "dirty-cr", "ordered_at": "2027-03-01 10:00:00",
     "total": "10.00"},
    {**ORDER, "order_id": "dirty-1e15", "customer_id": "dirty-cr", "ordered_at": "2026-10-01 10:00:00",
     "total": "1e15"},
    {**ORDER, "order_id": "dirty-overflow", "customer_id": "dirty-cr", "ordered_at": "2026-10-01 10:00:00",
     "total": "9999999999999999.99"},
    {**ORDER, "order_id": "dirty-gbp", "customer_id": "dirty-cr", "ordered_at": "2026-10-01 10:00:00",
     "currency": "GBP", "total": "10.00"},
    # Cancelled: it joins its customer through the trailing CR / tab but buys nothing, so no
    # RFM quintile moves.
    {**ORDER, "order_id": "dirty-cr-join", "customer_id": "dirty-cr\r", "ordered_at": "2026-10-01 10:00:00",
     "status": "cancelled", "total": "10.00"},
    {**ORDER, "order_id": "dirty-tab-join", "customer_id": "dirty-tab", "ordered_at": "2026-10-01 10:00:00",
     "status": "cancelled", "total": "10.00"},
    {**ORDER, "order_id": "dirty-offset-25h", "customer_id": "dirty-cr", "ordered_at": "2026-10-01T10:00:00+25:00",
     "total": "10.00"},
    # One order exported twice under two customers, the second with 999.00: neither copy counts.
    {**ORDER, "order_id": "dirty-moved", "customer_id": "dirty-cr", "ordered_at": "2026-10-01 10:00:00",
     "total": "10.00"},
    {**ORDER, "order_id": "dirty-moved", "customer_id": "dirty-tab", "ordered_at": "2026-10-01 10:00:00",
     "total": "999.00"},
]
# Four bad products on the demo's 60 put raw_products above max_quarantined_share (5%).
PRODUCT = {"product_name": "Dirty", "category": "coffee", "replenishment_days": ""}
PRODUCTS = [{**PRODUCT, "product_id": f"dirty-price-{n}", "price": price}
            for n, price in enumerate(("1e15", "1000000.01", "-1.00", "n/a"))]
WEB_EVENTS = [
    {"event_id": "dirty-view", "session_id": "dirty-session", "customer_id": "dirty-deu", "anonymous_id": "a-deu",
     "event_type": "product_view", "product_id": "", "occurred_at": "2026-10-30 10:00:00"},
    {"event_id": "dirty-page-sentinel", "session_id": "dirty-session-2", "customer_id": "", "anonymous_id": "a-x",
     "event_type": "page_view", "product_id": "", "occurred_at": "9999-12-31 23:59:59"},
]
EMAIL_EVENTS = [
    {"event_id": "dirty-click-year-one", "message_id": "", "customer_id": "", "event_type": "clicked",
     "occurred_at": "0001-01-01 00:00:00", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
    {"event_id": "dirty-quoted-agent", "message_id": "", "customer_id": "", "event_type": "clicked",
     "occurred_at": "2026-10-30 10:00:00", "bounce_type": "", "user_agent": 'Mozilla "Nan", Berg',
     "is_machine_open": ""},
]

QUARANTINED = {
    ("raw_orders", "dirty-sentinel"): "implausible_timestamp",
    ("raw_orders", "dirty-infinity"): "unparseable_timestamp",
    ("raw_orders", "dirty-1e15"): "implausible_amount",
    ("raw_orders", "dirty-overflow"): "implausible_amount",
    ("raw_orders", "dirty-gbp"): "unknown_currency",
    ("raw_web_events", "dirty-page-sentinel"): "implausible_timestamp",
    ("raw_email_events", "dirty-click-year-one"): "implausible_timestamp",
    ("raw_orders", "dirty-offset-25h"): "unparseable_timestamp",
    ("raw_products", "dirty-price-0"): "implausible_amount",
    ("raw_products", "dirty-price-1"): "implausible_amount",
    ("raw_products", "dirty-price-2"): "invalid_amount",
}


def append_rows(seed: Path, rows: list[dict[str, str]]) -> None:
    """Append `rows` to a seed CSV (RFC 4180 quoting), keeping its column order."""
    with seed.open(newline="", encoding="utf-8") as file:
        header = next(csv.reader(file))
    with seed.open("a", newline="", encoding="utf-8") as file:
        csv.DictWriter(file, header, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)


def fill_email_keys(rows: list[dict[str, str]], message_id: str, customer_id: str) -> list[dict[str, str]]:
    return [{**row, "message_id": message_id, "customer_id": customer_id} for row in rows]


@pytest.fixture(scope="module")
def dirty_project(tmp_path_factory: pytest.TempPathFactory, built_database: Path) -> Path:
    project = copy_project(tmp_path_factory.mktemp("dirty_project"))
    seeds = project / "seeds"
    with duckdb.connect(str(built_database), read_only=True) as clean:
        message_id, customer_id = clean.execute(
            "select message_id, customer_id from main_staging.stg_email__events order by event_id limit 1"
        ).fetchone() or ("", "")
    append_rows(seeds / "raw_customers.csv", CUSTOMERS)
    append_rows(seeds / "raw_orders.csv", ORDERS)
    append_rows(seeds / "raw_products.csv", PRODUCTS)
    append_rows(seeds / "raw_web_events.csv", WEB_EVENTS)
    append_rows(seeds / "raw_email_events.csv", fill_email_keys(EMAIL_EVENTS, message_id, customer_id))
    return project


def run_dbt(project: Path, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**dbt_env(database), "DBT_PROFILES_DIR": str(project)}
    return subprocess.run([str(DBT), *args], cwd=project, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def dirty_database(dirty_project: Path) -> Path:
    database = dirty_project / "segments.duckdb"
    result = run_dbt(dirty_project, database, "build", "--exclude-resource-type", "unit_test")
    assert result.returncode == 0, result.stdout[-4000:]
    (dirty_project / "build_output.txt").write_text(result.stdout, encoding="utf-8")
    return database


def data_test_status(project: Path, test_name: str) -> str:
    """A data test's status in the last build's target/run_results.json."""
    results = json.loads((project / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    (status,) = [r["status"] for r in results if r["unique_id"].split(".")[-1] == test_name]
    return str(status)


@pytest.fixture()
def both(built_database: Path, dirty_database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(dirty_database), read_only=True) as connection:
        connection.execute(f"attach '{built_database}' as clean (read_only)")
        yield connection


def scalar(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = db.execute(sql).fetchone()
    return row[0] if row else None


def test_as_of_is_unchanged(both: duckdb.DuckDBPyConnection) -> None:
    assert scalar(both, "select as_of from main_intermediate.int_as_of") == END
    assert scalar(both, "select as_of from clean.main_intermediate.int_as_of") == END


def test_a_plausible_order_after_the_data_is_left_out_of_the_facts(both: duckdb.DuckDBPyConnection) -> None:
    assert scalar(both, "select rows_after_as_of from main_intermediate.int_as_of") == 1
    assert scalar(both, "select count(*) from main_intermediate.int_orders where order_id = 'dirty-future'") == 0


@pytest.mark.parametrize(("source_table", "row_key"), sorted(QUARANTINED))
def test_each_bad_row_is_quarantined_with_its_reason(
    both: duckdb.DuckDBPyConnection, source_table: str, row_key: str
) -> None:
    reasons = both.execute(
        "select quarantine_reason from main_audit.quarantined_rows where source_table = ? and row_key = ?",
        [source_table, row_key],
    ).fetchall()
    assert reasons == [(QUARANTINED[(source_table, row_key)],)]


def test_copies_of_an_order_under_two_customers_are_both_quarantined(
    both: duckdb.DuckDBPyConnection, dirty_project: Path, dirty_database: Path
) -> None:
    rows = both.execute(
        "select quarantine_reason, duplicate_key, differing_fields from main_audit.quarantined_rows"
        " where source_table = 'raw_orders' and row_key = 'dirty-moved'"
    ).fetchall()
    assert rows == [("conflicting_duplicate", "dirty-moved", "customer_id,total")] * 2
    assert scalar(both, "select count(*) from main_staging.stg_shop__orders where order_id = 'dirty-moved'") == 0
    assert data_test_status(dirty_project, "conflicting_duplicates_are_named") == "warn"
    output = (dirty_project / "build_output.txt").read_text(encoding="utf-8")
    assert "duplicate_key=dirty-moved" in output


def test_a_table_above_the_quarantined_share_warns_and_the_build_succeeds(
    both: duckdb.DuckDBPyConnection, dirty_project: Path, dirty_database: Path
) -> None:
    assert scalar(
        both, "select rows_quarantined * 1.0 / rows_in from main_audit.staging_reconciliation"
        " where source_table = 'raw_products'"
    ) == pytest.approx(4 / 64)
    assert data_test_status(dirty_project, "quarantined_share_is_at_most_max_quarantined_share") == "warn"
    output = (dirty_project / "build_output.txt").read_text(encoding="utf-8")
    assert "source_table=raw_products, rows_in=64, rows_quarantined=4, quarantined_share=0.0625" in output
    assert output.count("quarantined share above max_quarantined_share:") == 1


def test_whitespace_only_ids_are_missing_keys(both: duckdb.DuckDBPyConnection) -> None:
    extra = both.execute(
        "select quarantine_reason, count(*) from main_audit.quarantined_rows where source_table = 'raw_customers'"
        " group by 1 except all select quarantine_reason, count(*) from clean.main_audit.quarantined_rows"
        " where source_table = 'raw_customers' group by 1"
    ).fetchall()
    assert ("missing_key", 2) in extra


def test_ids_with_a_trailing_control_character_still_join(both: duckdb.DuckDBPyConnection) -> None:
    rows = both.execute(
        "select order_id, customer_id from main_staging.stg_shop__orders"
        " where order_id in ('dirty-cr-join', 'dirty-tab-join') order by 1"
    ).fetchall()
    assert rows == [("dirty-cr-join", "dirty-cr"), ("dirty-tab-join", "dirty-tab")]


def test_an_alpha3_country_without_consent_is_not_a_window_shopper(both: duckdb.DuckDBPyConnection) -> None:
    assert scalar(both, "select country_code from main_staging.stg_shop__customers where customer_id = 'dirty-deu'") == "DE"
    assert scalar(both, "select primary_persona from main.customer_personas where customer_id = 'dirty-deu'") \
        != "Window Shoppers"


def test_a_future_birth_date_is_unknown_and_audited(both: duckdb.DuckDBPyConnection) -> None:
    assert scalar(both, "select birth_date from main_staging.stg_shop__customers where customer_id = 'dirty-birthday'") \
        is None
    assert scalar(both, "select count(*) from main_audit.rejected_fields where row_key = 'dirty-birthday'") == 1
    assert scalar(both, "select count(*) from main.journey_birthday where customer_id = 'dirty-birthday'") == 0


def test_a_sentinel_created_at_is_unknown(both: duckdb.DuckDBPyConnection) -> None:
    assert scalar(
        both, "select created_at from main_staging.stg_shop__customers where customer_id = 'dirty-created-sentinel'"
    ) is None


def test_quoted_csv_values_load_as_written(both: duckdb.DuckDBPyConnection) -> None:
    assert scalar(both, "select first_name from main_staging.stg_shop__customers where customer_id = 'dirty-quote'") \
        == 'Anna "Nan", Berg'
    assert scalar(both, "select user_agent from main_staging.stg_email__events where event_id = 'dirty-quoted-agent'") \
        == 'Mozilla "Nan", Berg'


def test_staging_reconciles(both: duckdb.DuckDBPyConnection) -> None:
    assert scalar(both, "select bool_and(is_reconciled) from main_audit.staging_reconciliation") is True


@pytest.mark.parametrize(
    ("table", "column"),
    [("customer_personas", "primary_persona"), ("customer_rfm", "rfm_segment"), ("customer_rfm", "rfm_group"),
     ("customer_lifecycle", "lifecycle_stage")],
)
def test_no_one_else_changes_segment(both: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    changed = both.execute(
        f"select clean_rows.customer_id, clean_rows.{column}, dirty_rows.{column}"
        f" from clean.main.{table} as clean_rows left join main.{table} as dirty_rows using (customer_id)"
        f" where dirty_rows.{column} is distinct from clean_rows.{column}"
    ).fetchall()
    assert changed == []
    added = both.execute(
        f"select customer_id from main.{table} except select customer_id from clean.main.{table}"
    ).fetchall()
    assert {customer_id for (customer_id,) in added} <= {row["customer_id"].strip() for row in CUSTOMERS}


def test_an_as_of_jump_from_the_last_recorded_build_stops_the_build(dirty_project: Path, dirty_database: Path) -> None:
    test_name = "as_of_stays_within_max_jump_of_the_last_recorded_build"
    def record_build_days_after(days: int) -> None:
        with duckdb.connect(str(dirty_database)) as connection:
            connection.execute(
                f"insert into main.segment_history select as_of + interval {days} day, customer_id,"
                " segment_family, segment_name from main.segment_history where as_of = ?", [END]
            )

    assert run_dbt(dirty_project, dirty_database, "test", "--select", test_name).returncode == 0
    record_build_days_after(45)  # as_of_max_jump_days: still fine
    assert run_dbt(dirty_project, dirty_database, "test", "--select", test_name).returncode == 0
    record_build_days_after(46)
    jumped = run_dbt(dirty_project, dirty_database, "test", "--select", test_name)
    assert jumped.returncode != 0 and test_name in jumped.stdout
    # An as_of the user sets is theirs to choose: int_as_of rebuilt with the var passes.
    with_var = run_dbt(dirty_project, dirty_database, "build", "--select", "int_as_of",
                       "--exclude-resource-type", "unit_test", "--vars", "{segments__as_of: '2026-10-31T18:00:00'}")
    assert with_var.returncode == 0, with_var.stdout[-2000:]
