"""A store's own vars never break the build: `dbt build` (models, data and unit tests) on a small
hand-written store read as CSV files (`raw_source: files`), with many thresholds away from their
defaults and a pinned as_of, succeeds and every unit test passes (each one pins the vars it
depends on: test_unit_tests_pin_vars.py). The build has its own DuckDB file and target folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

from conftest import ROOT
from test_raw_loading import run_dbt

AS_OF = "2026-03-01T12:00:00Z"

# Five customers: a repeat buyer, an EU buyer paying in euros (one refund), an EU customer without
# tracking consent, one whose only order was cancelled, and one who never bought.
STORE: dict[str, list[dict[str, str]]] = {
    "customers": [
        {"customer_id": "c1", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
         "country_code": "US", "created_at": "2025-06-01 10:00:00", "email_consent": "subscribed",
         "tracking_consent": "true", "birth_date": "1980-03-02", "acquisition_source": "organic"},
        {"customer_id": "c2", "email": "bo@example.com", "first_name": "Bo", "last_name": "Berg",
         "country_code": "de", "created_at": "2025-04-15T09:00:00+02:00", "email_consent": "subscribed",
         "tracking_consent": "true", "birth_date": "", "acquisition_source": "paid_social"},
        {"customer_id": "c3", "email": "cy@example.com", "first_name": "Cy", "last_name": "Roux",
         "country_code": "FR", "created_at": "2025-09-01 08:00:00", "email_consent": "subscribed",
         "tracking_consent": "false", "birth_date": "1990-07-14", "acquisition_source": "organic"},
        {"customer_id": "c4", "email": "di@example.com", "first_name": "Di", "last_name": "Park",
         "country_code": "US", "created_at": "2025-11-20 12:00:00", "email_consent": "unsubscribed",
         "tracking_consent": "true", "birth_date": "", "acquisition_source": "referral"},
        {"customer_id": "c5", "email": "ed@example.com", "first_name": "Ed", "last_name": "Moss",
         "country_code": "GB", "created_at": "2026-02-26 18:00:00", "email_consent": "subscribed",
         "tracking_consent": "true", "birth_date": "", "acquisition_source": "organic"},
    ],
    "products": [
        {"product_id": "p1", "product_name": "House Blend 250 g", "category": "coffee", "price": "18.50",
         "replenishment_days": "30"},
        {"product_id": "p2", "product_name": "Assam Breakfast 100 g", "category": "tea", "price": "9.90",
         "replenishment_days": ""},
        {"product_id": "p3", "product_name": "Pour-over Kettle", "category": "equipment", "price": "140.00",
         "replenishment_days": ""},
    ],
    "orders": [
        {"order_id": "o1", "customer_id": "c1", "ordered_at": "2025-10-20 14:00:00", "status": "delivered",
         "currency": "USD", "subtotal": "37.00", "discount": "0.00", "shipping": "4.95", "total": "41.95",
         "refunded_amount": ""},
        {"order_id": "o2", "customer_id": "c1", "ordered_at": "2026-01-15T16:30:00Z", "status": "fulfilled",
         "currency": "USD", "subtotal": "158.50", "discount": "10.00", "shipping": "0.00", "total": "148.50",
         "refunded_amount": ""},
        {"order_id": "o3", "customer_id": "c1", "ordered_at": "2026-02-20 09:15:00", "status": "placed",
         "currency": "USD", "subtotal": "18.50", "discount": "0.00", "shipping": "4.95", "total": "23.45",
         "refunded_amount": ""},
        {"order_id": "o4", "customer_id": "c2", "ordered_at": "2025-06-01T11:00:00+02:00", "status": "refunded",
         "currency": "EUR", "subtotal": "150.00", "discount": "0.00", "shipping": "0.00", "total": "150.00",
         "refunded_amount": "20.00"},
        {"order_id": "o5", "customer_id": "c3", "ordered_at": "2025-10-01 10:00:00", "status": "shipped",
         "currency": "EUR", "subtotal": "19.80", "discount": "0.00", "shipping": "3.90", "total": "23.70",
         "refunded_amount": ""},
        {"order_id": "o6", "customer_id": "c3", "ordered_at": "2026-02-25 10:00:00", "status": "placed",
         "currency": "EUR", "subtotal": "18.50", "discount": "0.00", "shipping": "3.90", "total": "22.40",
         "refunded_amount": ""},
        {"order_id": "o7", "customer_id": "c4", "ordered_at": "2026-01-05 20:00:00", "status": "cancelled",
         "currency": "USD", "subtotal": "9.90", "discount": "0.00", "shipping": "4.95", "total": "14.85",
         "refunded_amount": ""},
    ],
    "order_items": [
        {"order_id": "o1", "line_number": "1", "product_id": "p1", "quantity": "2", "unit_price": "18.50"},
        {"order_id": "o2", "line_number": "1", "product_id": "p3", "quantity": "1", "unit_price": "140.00"},
        {"order_id": "o2", "line_number": "2", "product_id": "p1", "quantity": "1", "unit_price": "18.50"},
        {"order_id": "o3", "line_number": "1", "product_id": "p1", "quantity": "1", "unit_price": "18.50"},
        {"order_id": "o4", "line_number": "1", "product_id": "p3", "quantity": "1", "unit_price": "150.00"},
        {"order_id": "o5", "line_number": "1", "product_id": "p2", "quantity": "2", "unit_price": "9.90"},
        {"order_id": "o6", "line_number": "1", "product_id": "p1", "quantity": "1", "unit_price": "18.50"},
        {"order_id": "o7", "line_number": "1", "product_id": "p2", "quantity": "1", "unit_price": "9.90"},
    ],
    "email_messages": [
        {"message_id": "m1", "message_type": "campaign", "campaign_or_flow_name": "February Picks",
         "flow_step": "", "ab_test_id": "t1", "variant": "A", "subject": "New roasts",
         "sent_at": "2026-02-10 16:00:00"},
        {"message_id": "m2", "message_type": "campaign", "campaign_or_flow_name": "February Picks",
         "flow_step": "", "ab_test_id": "t1", "variant": "B", "subject": "Our new roasts",
         "sent_at": "2026-02-10 16:00:00"},
        {"message_id": "m3", "message_type": "flow", "campaign_or_flow_name": "Welcome Series",
         "flow_step": "1", "ab_test_id": "", "variant": "", "subject": "Welcome",
         "sent_at": "2026-02-26 18:05:00"},
    ],
    "email_events": [
        {"event_id": "e1", "message_id": "m1", "customer_id": "c1", "event_type": "sent",
         "occurred_at": "2026-02-10 16:00:00", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e2", "message_id": "m1", "customer_id": "c1", "event_type": "delivered",
         "occurred_at": "2026-02-10 16:00:05", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e3", "message_id": "m1", "customer_id": "c1", "event_type": "opened",
         "occurred_at": "2026-02-10 16:00:06", "bounce_type": "",
         "user_agent": "Mozilla/5.0 (Apple Mail Privacy Protection)", "is_machine_open": "true"},
        {"event_id": "e4", "message_id": "m1", "customer_id": "c1", "event_type": "opened",
         "occurred_at": "2026-02-18 08:00:00", "bounce_type": "", "user_agent": "Mozilla/5.0",
         "is_machine_open": "false"},
        {"event_id": "e5", "message_id": "m1", "customer_id": "c1", "event_type": "clicked",
         "occurred_at": "2026-02-18 08:01:00", "bounce_type": "", "user_agent": "Mozilla/5.0",
         "is_machine_open": ""},
        {"event_id": "e6", "message_id": "m2", "customer_id": "c3", "event_type": "sent",
         "occurred_at": "2026-02-10 16:00:00", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e7", "message_id": "m2", "customer_id": "c3", "event_type": "delivered",
         "occurred_at": "2026-02-10 16:00:04", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e8", "message_id": "m2", "customer_id": "c3", "event_type": "opened",
         "occurred_at": "2026-02-11 07:30:00", "bounce_type": "", "user_agent": "Mozilla/5.0",
         "is_machine_open": "false"},
        {"event_id": "e9", "message_id": "m2", "customer_id": "c2", "event_type": "sent",
         "occurred_at": "2026-02-10 16:00:00", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e10", "message_id": "m2", "customer_id": "c2", "event_type": "bounced",
         "occurred_at": "2026-02-10 16:00:03", "bounce_type": "hard", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e11", "message_id": "m3", "customer_id": "c5", "event_type": "sent",
         "occurred_at": "2026-02-26 18:05:00", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e12", "message_id": "m3", "customer_id": "c5", "event_type": "delivered",
         "occurred_at": "2026-02-26 18:05:02", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
        {"event_id": "e13", "message_id": "m3", "customer_id": "c5", "event_type": "unsubscribed",
         "occurred_at": "2026-02-28 10:00:00", "bounce_type": "", "user_agent": "", "is_machine_open": ""},
    ],
    "web_events": [
        {"event_id": "w1", "session_id": "s1", "customer_id": "c1", "anonymous_id": "a1",
         "event_type": "product_view", "product_id": "p2", "occurred_at": "2026-02-27 20:00:00"},
        {"event_id": "w2", "session_id": "s1", "customer_id": "c1", "anonymous_id": "a1",
         "event_type": "add_to_cart", "product_id": "p2", "occurred_at": "2026-02-27 20:02:00"},
        {"event_id": "w3", "session_id": "s2", "customer_id": "c2", "anonymous_id": "a2",
         "event_type": "page_view", "product_id": "", "occurred_at": "2026-02-28 09:00:00"},
        {"event_id": "w4", "session_id": "s2", "customer_id": "c2", "anonymous_id": "a2",
         "event_type": "product_view", "product_id": "p3", "occurred_at": "2026-02-28 09:01:00"},
        {"event_id": "w5", "session_id": "s3", "customer_id": "c3", "anonymous_id": "a3",
         "event_type": "product_view", "product_id": "p1", "occurred_at": "2026-02-28 11:00:00"},
        {"event_id": "w6", "session_id": "s4", "customer_id": "", "anonymous_id": "a9",
         "event_type": "page_view", "product_id": "", "occurred_at": "2026-03-01 08:00:00"},
        {"event_id": "w7", "session_id": "s5", "customer_id": "c5", "anonymous_id": "a5",
         "event_type": "product_view", "product_id": "p1", "occurred_at": "2026-03-01 09:00:00"},
    ],
    "exchange_rates": [
        {"currency": "EUR", "rate_date": "2025-05-01", "rate_to_reporting": "1.0800"},
        {"currency": "EUR", "rate_date": "2026-01-01", "rate_to_reporting": "1.1000"},
    ],
}

# Thresholds away from their defaults (dbt_project.yml), lists and maps included.
VARS: dict[str, object] = {
    "segments__as_of": AS_OF,
    "segments__purchase_recent_days": 90,
    "segments__purchase_lapsed_max_days": 300,
    "segments__purchase_frequent_min": 2,
    "segments__high_aov_threshold": 150,
    "segments__passing_through_min_days": 150,
    "segments__espresso_recent_days": 14,
    "segments__profile_min_age_days": 30,
    "segments__engaged_recent_days": 60,
    "segments__engaged_frequent_min": 2,
    "segments__vip_min_orders": 2,
    "segments__vip_window_days": 120,
    "segments__vip_min_order_value": 150,
    "segments__vip_single_order_window_days": 365,
    "segments__rfm_ready_min_purchasers": 3,
    "segments__rfm_ready_min_history_days": 60,
    "segments__rfm_ready_recent_order_days": 10,
    "segments__welcome_step_days": [0, 2, 5],
    "segments__abandoned_cart_step_hours": [12, 48],
    "segments__winback_step_days": [20, 40, 60],
    "segments__max_journey_emails": 2,
    "segments__journey_cap_days": 5,
    "segments__smart_sending_hours": 8,
    "segments__machine_open_max_seconds": 3,
    "segments__attribution_window_days": 10,
    "segments__attribution_include_opens": True,
    "segments__winback_sample_shares": {"One-Hit Wonders": 0.3, "Just Passing Through": 0.5, "False Starts": 0.2},
    "segments__winback_sample_min_contacts": 2,
    "segments__deliverability_min_delivered": 1,
    "segments__ab_min_sample_size": 1,
    "segments__churn_after_days": 300,
    "segments__consent_required_countries": ["DE", "FR", "GB"],
    "segments__incremental_lookback_days": 5,
    "segments__recommendation_count": 2,
    "segments__association_min_lift": 1.1,
}


def write_store(raw_path: Path) -> None:
    """One CSV per raw table, as a store exports them."""
    raw_path.mkdir()
    for table, rows in STORE.items():
        with (raw_path / f"{table}.csv").open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


class Build(NamedTuple):
    database: Path
    results: list[dict]
    unit_tests: set[str]
    output: str


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The store built once, in its own DuckDB file and target folder."""
    work = tmp_path_factory.mktemp("build_under_vars")
    write_store(work / "raw")
    variables = {**VARS, "segments__raw_source": "files", "segments__raw_file_format": "csv", "segments__raw_path": str(work / "raw")}
    database = work / "segments.duckdb"
    result = run_dbt(ROOT, database, work, "build", "--vars", json.dumps(variables))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    unit_tests = set(json.loads((work / "target" / "manifest.json").read_text())["unit_tests"])
    return Build(database, results, unit_tests, output)


def test_every_unit_test_ran_and_passed(build: Build) -> None:
    statuses = {r["unique_id"]: r["status"] for r in build.results if r["unique_id"] in build.unit_tests}
    assert len(build.unit_tests) >= 100 and set(statuses) == build.unit_tests, build.output[-3000:]
    failed = {r["unique_id"]: r["message"] for r in build.results
              if r["unique_id"] in build.unit_tests and r["status"] != "pass"}
    assert not failed, failed


def test_nothing_was_skipped_or_failed(build: Build) -> None:
    bad = {r["unique_id"]: (r["status"], r["message"]) for r in build.results
           if r["status"] not in ("success", "pass", "warn", "no-op")}
    assert not bad, bad


def test_the_vars_reached_the_models(build: Build) -> None:
    """The build read the store's files under its vars: five customers, as_of as pinned, and c1
    (two valid orders within vip_window_days, a third 132 days ago, none of 150 or more) a VIP
    only because vip_min_orders is 2."""
    with duckdb.connect(str(build.database), read_only=True) as connection:
        customers = connection.execute("select count(*) from main.customer_facts").fetchone()[0]
        as_of = connection.execute("select cast(as_of as varchar) from main_intermediate.int_as_of").fetchone()[0]
        stage = connection.execute(
            "select lifecycle_stage from main.customer_lifecycle where customer_id = 'c1'"
        ).fetchone()[0]
    assert customers == 5
    assert as_of == "2026-03-01 12:00:00"
    assert stage == "loyalty"
