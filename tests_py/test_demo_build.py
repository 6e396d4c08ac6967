"""End-to-end: build the project on the demo seeds in a temporary DuckDB file and check the
customers the generator planted with a known persona and RFM segment, plus the invariants a
user relies on (every raw row accounted for, every persona populated, RFM ready). The build is
the session fixture `built_database` of conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from store_segments.runtime import build_summary
from store_segments.generators.generate_demo_data import END, PLANTED, TABLE_NAMES

PERSONAS = (
    "High Rollers", "Brand Enthusiasts", "Potential High Rollers", "Potential Brand Enthusiasts",
    "Lost High Rollers", "Lapsed Enthusiasts", "One-Hit Wonders", "Just Passing Through",
    "Almost There", "Window Shoppers", "Waiting for Wows", "Espresso Shot", "False Starts", "Dead Weight",
)


@pytest.fixture()
def db(built_database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_database), read_only=True) as connection:
        yield connection


def test_as_of_defaults_to_the_latest_event_of_the_demo(db: duckdb.DuckDBPyConnection) -> None:
    (as_of,) = db.execute("select distinct as_of from main.customer_facts").fetchone() or (None,)
    assert as_of == END


@pytest.mark.parametrize("customer_id", sorted(PLANTED))
def test_planted_customer_gets_its_expected_persona(db: duckdb.DuckDBPyConnection, customer_id: str) -> None:
    row = db.execute(
        "select primary_persona from main.customer_personas where customer_id = ?", [customer_id]
    ).fetchone()
    assert row is not None, f"{customer_id} missing from customer_personas"
    assert row[0] == PLANTED[customer_id].primary_persona


@pytest.mark.parametrize(
    "customer_id", sorted(cid for cid, planted in PLANTED.items() if planted.rfm_segment is not None)
)
def test_planted_customer_gets_its_expected_rfm_segment(db: duckdb.DuckDBPyConnection, customer_id: str) -> None:
    row = db.execute("select rfm_segment from main.customer_rfm where customer_id = ?", [customer_id]).fetchone()
    assert row is not None and row[0] == PLANTED[customer_id].rfm_segment


def test_ids_with_leading_zeros_stay_different_customers(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "select customer_id from main.customer_facts where customer_id in ('00017', '17') order by 1"
    ).fetchall()
    assert [r[0] for r in rows] == ["00017", "17"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_has_at_least_20_primary_members(db: duckdb.DuckDBPyConnection, persona: str) -> None:
    (count,) = db.execute(
        "select count(*) from main.customer_personas where primary_persona = ?", [persona]
    ).fetchone() or (0,)
    assert count >= 20, f"{persona}: {count}"


def test_rfm_report_is_ready_on_the_demo(db: duckdb.DuckDBPyConnection) -> None:
    (is_ready,) = db.execute("select is_ready from main.rfm_report_readiness").fetchone() or (False,)
    assert is_ready


def test_every_raw_row_is_staged_deduplicated_or_quarantined(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "select source_table, rows_in, rows_staged, rows_deduplicated, rows_quarantined "
        "from main_audit.staging_reconciliation"
    ).fetchall()
    assert sorted(row[0] for row in rows) == sorted(TABLE_NAMES)
    for table, rows_in, staged, deduplicated, quarantined in rows:
        assert rows_in == staged + deduplicated + quarantined, table


@pytest.mark.parametrize(
    ("source_table", "reason"),
    [
        ("raw_customers", "duplicate"),
        ("raw_customers", "unparseable_timestamp"),
        ("raw_orders", "duplicate"),
        ("raw_orders", "unknown_customer"),
        ("raw_orders", "missing_key"),
        ("raw_orders", "invalid_amount"),
        ("raw_orders", "unknown_status"),
        ("raw_orders", "unparseable_timestamp"),
        ("raw_order_items", "unknown_order"),
        ("raw_order_items", "invalid_amount"),
        ("raw_email_events", "duplicate"),
        ("raw_email_events", "unknown_customer"),
        ("raw_email_events", "unknown_event_type"),
        ("raw_email_events", "unparseable_timestamp"),
        ("raw_web_events", "duplicate"),
        ("raw_web_events", "unknown_event_type"),
        ("raw_web_events", "unknown_customer"),
        ("raw_web_events", "unparseable_timestamp"),
        ("raw_orders", "conflicting_duplicate"),
        ("raw_order_items", "conflicting_order"),
        ("raw_email_events", "conflicting_duplicate"),
        ("raw_web_events", "conflicting_duplicate"),
    ],
)
def test_each_kind_of_dirty_row_is_quarantined(
    db: duckdb.DuckDBPyConnection, source_table: str, reason: str
) -> None:
    (count,) = db.execute(
        "select count(*) from main_audit.quarantined_rows where source_table = ? and quarantine_reason = ?",
        [source_table, reason],
    ).fetchone() or (0,)
    assert count > 0


def test_conflicting_copies_are_all_quarantined_and_named(db: duckdb.DuckDBPyConnection) -> None:
    """The demo's copies naming another customer (src/store_segments/generators/demo_data/dirt.py): both copies of each
    are kept out, with the key and customer_id among the fields that differ."""
    rows = db.execute(
        "select source_table, duplicate_key, count(*), min(differing_fields), max(differing_fields)"
        " from main_audit.quarantined_rows where quarantine_reason = 'conflicting_duplicate'"
        " group by 1, 2"
    ).fetchall()
    per_table = {table: sum(1 for row in rows if row[0] == table)
                 for table in ("raw_orders", "raw_email_events", "raw_web_events")}
    assert per_table == {"raw_orders": 2, "raw_email_events": 2, "raw_web_events": 2}
    for _, key, copies, first_fields, last_fields in rows:
        assert copies == 2 and first_fields == last_fields == "customer_id", key
        for table in ("stg_shop__orders", "stg_email__events", "stg_web__events"):
            key_column = "order_id" if table == "stg_shop__orders" else "event_id"
            (staged,) = db.execute(
                f"select count(*) from main_staging.{table} where {key_column} = ?", [key]
            ).fetchone() or (0,)
            assert staged == 0, (table, key)


def test_no_demo_table_is_above_the_quarantined_share(db: duckdb.DuckDBPyConnection) -> None:
    """The warn-severity test quarantined_share_is_at_most_max_quarantined_share stays quiet on
    the demo (default max_quarantined_share 0.05)."""
    above = db.execute(
        "select source_table from main_audit.staging_reconciliation"
        " where rows_quarantined > 0.05 * rows_in"
    ).fetchall()
    assert above == []


def test_machine_opens_are_found_by_all_three_rules(db: duckdb.DuckDBPyConnection) -> None:
    reasons = {
        r[0]
        for r in db.execute(
            "select distinct machine_open_reason from main_intermediate.int_email_events_classified "
            "where is_machine_open"
        ).fetchall()
    }
    assert reasons == {"source_flag", "user_agent", "opened_right_after_delivery"}


def test_build_summary_names_the_file_and_counts(built_database: Path) -> None:
    summary = build_summary.read_summary(built_database)
    text = build_summary.format_summary(summary)
    assert str(built_database.resolve()) in text
    assert summary.customers > 2000
    assert summary.purchasers > 500
    assert {name for name, _ in summary.personas} >= set(PERSONAS)
    assert "Champions" in text
    # The cross-journey holds are listed even at zero; one email per customer and build.
    holds = dict(summary.journey_holds)
    assert {"lower_priority", "frequency_cap"} <= set(holds)
    with duckdb.connect(str(built_database), read_only=True) as connection:
        (due, customers_due) = connection.execute(
            "select count(*), count(distinct customer_id) from main.journey_queue where status = 'due'"
        ).fetchone() or (0, 0)
    assert sum(count for _, count in summary.journeys_due) == due == customers_due


# -- Predictive metrics -------------------------------------------------------------


def test_customer_btyd_inputs_equals_lifetimes_on_the_demo(db: duckdb.DuckDBPyConnection) -> None:
    """The whole table against lifetimes' summary_data_from_transaction_data (freq='D') run on
    the demo's valid orders at as_of."""
    # Imported here, not at the top, to keep this block self-contained.
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes is unmaintained (pkg_resources, old pandas idioms)
        from lifetimes.utils import summary_data_from_transaction_data

        orders = db.execute(
            "select customer_id, ordered_at, cast(net_revenue as double) as net_revenue "
            "from main_intermediate.int_orders where is_valid_order"
        ).df()
        (as_of,) = db.execute("select as_of from main_intermediate.int_as_of").fetchone() or (None,)
        expected = summary_data_from_transaction_data(
            orders, "customer_id", "ordered_at", monetary_value_col="net_revenue",
            observation_period_end=as_of, freq="D",
        )
    actual = db.execute(
        "select customer_id, frequency, recency, t, monetary from main.customer_btyd_inputs order by customer_id"
    ).df().set_index("customer_id")
    (purchasers,) = db.execute("select count(*) from main.customer_facts where valid_orders > 0").fetchone() or (0,)
    assert len(actual) == len(expected) == purchasers
    expected = expected.reindex(actual.index)
    np.testing.assert_array_equal(actual["frequency"].to_numpy(), expected["frequency"].to_numpy())
    np.testing.assert_array_equal(actual["recency"].to_numpy(), expected["recency"].to_numpy())
    np.testing.assert_array_equal(actual["t"].to_numpy(), expected["T"].to_numpy())
    np.testing.assert_allclose(actual["monetary"].to_numpy(), expected["monetary_value"].to_numpy(), rtol=1e-12)


def test_predictions_are_sane_on_the_demo(db: duckdb.DuckDBPyConnection) -> None:
    predictions = db.execute("select * from main.customer_predictions").df()
    (purchasers,) = db.execute("select count(*) from main.customer_btyd_inputs").fetchone() or (0,)
    assert len(predictions) == purchasers
    assert predictions["is_reliable"].all()
    alive = predictions["probability_alive"]
    assert alive.notna().all() and ((alive >= 0) & (alive <= 1)).all()
    e30, e90, e365 = (predictions[f"expected_orders_{d}d"] for d in (30, 90, 365))
    assert e30.notna().all() and (e30 >= 0).all() and (e30 <= e90).all() and (e90 <= e365).all()
    assert predictions["predicted_clv"].notna().all() and (predictions["predicted_clv"] >= 0).all()
    assert set(predictions["churn_risk_band"]) == {"low", "medium", "high"}
    likely = int(predictions["is_likely_buyer"].sum())
    assert 0.1 * purchasers - 5 <= likely <= 0.1 * purchasers + 5
    fits = db.execute("select model, bool_and(is_converged) from main.btyd_parameters group by 1").fetchall()
    assert dict(fits) == {"bg_nbd": True, "gamma_gamma": True}
