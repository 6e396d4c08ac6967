"""Custom segments, re-derived: every demo definition evaluated in plain Python, from
docs/custom_segments.md and not from the compiler (macros/custom_segments.sql), over the rows of
the staged and intermediate tables the build verified, and matched with custom_segment_members
customer for customer.

The definitions come from dbt itself (`dbt show` of `var('segments__custom_segments')`, reusing the
session build's parse), so what is checked is what the build compiled, whatever dbt_project.yml
or --vars holds. The evaluator reads the rows a condition is about, not the activity model's
pre-computed columns: valid orders and their lines, counted site events, classified email events
with their message, the facts, personas, RFM, lifecycle and cadence; windows are counted in
whole UTC days from the timestamps and as_of, anniversaries from the dates.
"""

from __future__ import annotations

import calendar
import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests_py.conftest import DBT, ROOT, dbt_env
from tests_py.custom_segment_examples import ExamplesBuild, example_definitions

Row = dict[str, Any]


def resolved_definitions(database: Path) -> list[dict[str, Any]]:
    """var('segments__custom_segments') as dbt resolves it for the build of `database` (its target's parse)."""
    work = database.parent
    sql = "select '{{ tojson(var('segments__custom_segments')) | replace(\"'\", \"''\") }}' as definitions"
    result = subprocess.run(
        [str(DBT), "--quiet", "show", "--inline", sql, "--output", "json", "--limit", "1",
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=ROOT, env=dbt_env(database), capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(json.loads(result.stdout)["show"][0]["definitions"])


# ------------------------------------------------------------------------------------------
# The rows, read once
# ------------------------------------------------------------------------------------------


class Store:
    """The built tables a condition is about, as plain Python rows keyed by customer."""

    def __init__(self, database: Path) -> None:
        with duckdb.connect(str(database), read_only=True) as connection:
            def rows(sql: str) -> list[Row]:
                cursor = connection.execute(sql)
                names = [column[0] for column in cursor.description]
                return [dict(zip(names, values)) for values in cursor.fetchall()]

            self.as_of: datetime = connection.execute(
                "select as_of from main_intermediate.int_as_of").fetchone()[0]
            self.customers = {row["customer_id"]: row for row in rows(
                """select facts.*, profile.acquisition_source, profile.birth_date
                   from main.customer_facts as facts
                   left join main_staging.stg_shop__customers as profile using (customer_id)""")}
            self.lifecycle = {row["customer_id"]: row for row in rows("select * from main.customer_lifecycle")}
            self.cadence = {row["customer_id"]: row for row in rows("select * from main.customer_purchase_cadence")}
            self.personas = {row["customer_id"]: row for row in rows("select * from main.customer_personas")}
            self.rfm = {row["customer_id"]: row for row in rows("select * from main.customer_rfm")}
            self.predictions = {row["customer_id"]: row for row in rows("select * from main.customer_predictions")}
            self.memberships: dict[str, set[str]] = defaultdict(set)
            for row in rows("select customer_id, persona_name from main_intermediate.int_persona_memberships"):
                self.memberships[row["customer_id"]].add(row["persona_name"])
            categories = {row["product_id"]: row["category"] for row in rows(
                "select product_id, category from main_staging.stg_shop__products")}
            # Valid orders at or before as_of: the rows `orders` counts.
            orders = rows("select order_id, customer_id, ordered_at, net_revenue from main_intermediate.int_orders "
                          "where is_valid_order")
            self.orders = [order for order in orders if order["ordered_at"] <= self.as_of]
            by_order = {order["order_id"]: order for order in self.orders}
            # A matching line of a valid order: products_bought counts its order, sums its units
            # (the staged lines' quantities) and its share of the order's net revenue.
            revenue = {(row["order_id"], row["product_id"]): row["net_revenue"] for row in rows(
                "select order_id, product_id, net_revenue from main_intermediate.int_order_products")}
            self.order_lines: list[Row] = []
            units: dict[tuple[str, str], int] = defaultdict(int)
            for line in rows("select order_id, product_id, quantity from main_staging.stg_shop__order_items"):
                if line["order_id"] in by_order:
                    units[(line["order_id"], line["product_id"])] += line["quantity"]
            for (order_id, product_id), quantity in units.items():
                order = by_order[order_id]
                self.order_lines.append({
                    "customer_id": order["customer_id"], "order_id": order_id, "occurred_at": order["ordered_at"],
                    "product": product_id, "category": categories.get(product_id), "units": quantity,
                    "revenue": revenue[(order_id, product_id)]})
            for order in self.orders:
                order.update(occurred_at=order["ordered_at"], revenue=order["net_revenue"])
            self.site_events = [
                {**row, "category": categories.get(row["product"])}
                for row in rows("select customer_id, event_type, product_id as product, occurred_at "
                                "from main_intermediate.int_site_events_counted where is_counted")
                if row["occurred_at"] <= self.as_of]
            messages = {row["message_id"]: row for row in rows(
                "select message_id, message_type, campaign_or_flow_name from main_staging.stg_email__messages")}
            self.email_events = []
            for row in rows("select customer_id, message_id, event_type, is_human_open, is_click, occurred_at "
                            "from main_intermediate.int_email_events_classified"):
                if row["occurred_at"] <= self.as_of:
                    message = messages.get(row["message_id"], {})
                    self.email_events.append({**row, "message_type": message.get("message_type"),
                                              "name": message.get("campaign_or_flow_name")})


# ------------------------------------------------------------------------------------------
# The evaluator, written from docs/custom_segments.md
# ------------------------------------------------------------------------------------------

SITE_TYPES = {"product_views": "product_view", "adds_to_cart": "add_to_cart", "checkouts_started": "checkout_started"}
EMAIL_KINDS: dict[str, Callable[[Row], bool]] = {
    "email_deliveries": lambda row: row["event_type"] == "delivered",
    "email_opens": lambda row: bool(row["is_human_open"]),
    "email_clicks": lambda row: bool(row["is_click"]),
}


def yearly_days_until(start: date | datetime | None, as_of: date, skip_own_day: bool) -> int | None:
    """Days from as_of to the next yearly recurrence of `start` (29 February on 28 February in
    other years); the date's own day is not one of its anniversaries when skip_own_day."""
    if start is None:
        return None
    start = start.date() if isinstance(start, datetime) else start
    year = max(start.year + (1 if skip_own_day else 0), as_of.year - 1)
    while True:
        day = min(start.day, calendar.monthrange(year, start.month)[1])
        recurrence = date(year, start.month, day)
        if recurrence >= as_of:
            return (recurrence - as_of).days
        year += 1


def like(pattern: str, text: str | None) -> bool:
    """SQL LIKE, case-insensitive: % any run, _ one character."""
    if text is None:
        return False
    expression = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern.lower())
    return re.fullmatch(expression, text.lower(), re.DOTALL) is not None


def compare(value: Any, op: str, target: Any = None) -> bool:
    """One comparison with two-valued logic: a missing value satisfies only `is null`."""
    if op == "is null":
        return value is None
    if op == "is not null":
        return value is not None
    if value is None:
        return False
    if isinstance(value, Decimal) and isinstance(target, float):
        value = float(value)
    operations: dict[str, Callable[[], bool]] = {
        "=": lambda: value == target, "!=": lambda: value != target,
        "<": lambda: value < target, "<=": lambda: value <= target,
        ">": lambda: value > target, ">=": lambda: value >= target,
        "between": lambda: target[0] <= value <= target[1],
        "in": lambda: value in target, "not in": lambda: value not in target,
    }
    return operations[op]()


class Evaluator:
    """Membership of every customer in every definition, with the value behind each leaf."""

    def __init__(self, store: Store, definitions: list[dict[str, Any]]) -> None:
        self.store = store
        self.definitions = {definition["name"]: definition for definition in definitions}
        self.as_of_date = store.as_of.date()
        self.event_totals: dict[str, dict[str, float]] = {}

    def days_since(self, occurred_at: datetime) -> int:
        return (self.as_of_date - occurred_at.date()).days

    def in_window(self, row: Row, window: Any) -> bool:
        if window == "all_time":
            return True
        if "last_days" in window:
            return self.days_since(row["occurred_at"]) <= window["last_days"]
        if "since" in window:
            return row["occurred_at"] >= datetime.fromisoformat(str(window["since"]))
        return window["to_days_ago"] <= self.days_since(row["occurred_at"]) <= window["from_days_ago"]

    def event_rows(self, event: str) -> Iterable[Row]:
        if event == "orders":
            return self.store.orders
        if event == "products_bought":
            return self.store.order_lines
        if event in SITE_TYPES:
            return (row for row in self.store.site_events if row["event_type"] == SITE_TYPES[event])
        return (row for row in self.store.email_events if EMAIL_KINDS[event](row))

    def event_total(self, node: dict[str, Any]) -> dict[str, float]:
        """The leaf's measure per customer (absent = 0) over the rows its filters and window keep."""
        key = json.dumps({k: v for k, v in node.items() if k not in ("op", "value")}, sort_keys=True)
        if key in self.event_totals:
            return self.event_totals[key]
        measure = node.get("measure", "count")
        totals: dict[str, Any] = defaultdict(int)
        orders_seen: dict[str, set[str]] = defaultdict(set)
        for row in self.event_rows(node["event"]):
            if not self.in_window(row, node["window"]):
                continue
            if any(row[f] not in ([node[f]] if isinstance(node[f], str) else node[f])
                   for f in ("product", "category", "message_type") if f in node):
                continue
            if "name_like" in node and not like(node["name_like"], row["name"]):
                continue
            if node["event"] == "products_bought" and measure == "count":
                orders_seen[row["customer_id"]].add(row["order_id"])
                totals[row["customer_id"]] = len(orders_seen[row["customer_id"]])
            else:
                totals[row["customer_id"]] += 1 if measure == "count" else row[measure]
        self.event_totals[key] = totals
        return totals

    def attribute(self, customer_id: str, name: str) -> Any:
        facts = self.store.customers[customer_id]
        sources = {
            "days_since_sign_up": facts["days_since_created"],
            "lifecycle_stage": self.store.lifecycle.get(customer_id, {}).get("lifecycle_stage"),
            "is_vip": self.store.lifecycle.get(customer_id, {}).get("is_vip"),
            "cadence_status": self.store.cadence.get(customer_id, {}).get("cadence_status"),
            "primary_persona": self.store.personas.get(customer_id, {}).get("primary_persona"),
            "rfm_segment": self.store.rfm.get(customer_id, {}).get("rfm_segment"),
            "rfm_group": self.store.rfm.get(customer_id, {}).get("rfm_group"),
        }
        for prediction in ("predicted_clv", "probability_alive", "churn_risk_band"):
            sources[prediction] = self.store.predictions.get(customer_id, {}).get(prediction)
        return sources[name] if name in sources else facts[name]

    def leaf_value(self, customer_id: str, node: dict[str, Any]) -> Any:
        """What a leaf compares for one customer (for the failure message too)."""
        if "attribute" in node:
            return self.attribute(customer_id, node["attribute"])
        if "event" in node:
            return self.event_total(node).get(customer_id, 0)
        if "anniversary" in node:
            facts = self.store.customers[customer_id]
            start = {"birthday": facts["birth_date"], "sign_up": facts["created_at"],
                     "first_order": facts["first_order_at"]}[node["anniversary"]]
            return yearly_days_until(start, self.as_of_date, skip_own_day=node["anniversary"] != "birthday")
        kind, name = next(iter(node["member_of"].items()))
        if kind == "persona":
            return sorted(self.store.memberships.get(customer_id, ()))
        if kind == "custom_segment":
            return self.holds(customer_id, self.definitions[name]["condition"])
        return self.attribute(customer_id, kind)

    def holds(self, customer_id: str, node: dict[str, Any]) -> bool:
        if "all" in node:
            return all(self.holds(customer_id, child) for child in node["all"])
        if "any" in node:
            return any(self.holds(customer_id, child) for child in node["any"])
        if "not" in node:
            return not self.holds(customer_id, node["not"])
        value = self.leaf_value(customer_id, node)
        if "anniversary" in node:
            return compare(value, "<=", node["within_next_days"])
        if "member_of" in node:
            kind, name = next(iter(node["member_of"].items()))
            return value if kind == "custom_segment" else (name in value if kind == "persona" else value == name)
        return compare(value, node["op"], node.get("value"))

    def members(self, name: str) -> set[str]:
        condition = self.definitions[name]["condition"]
        return {customer_id for customer_id in self.store.customers if self.holds(customer_id, condition)}

    def explain(self, customer_id: str, node: dict[str, Any], depth: int = 0) -> list[str]:
        """The condition tree with each leaf's value and outcome for one customer."""
        pad = "    " * (depth + 1)
        for kind in ("all", "any"):
            if kind in node:
                lines = [f"{pad}{kind}: {self.holds(customer_id, node)}"]
                for child in node[kind]:
                    lines += self.explain(customer_id, child, depth + 1)
                return lines
        if "not" in node:
            return [f"{pad}not: {self.holds(customer_id, node)}", *self.explain(customer_id, node["not"], depth + 1)]
        leaf = {k: v for k, v in node.items()}
        return [f"{pad}{json.dumps(leaf, default=str)} -> value {self.leaf_value(customer_id, node)!r}: "
                f"{self.holds(customer_id, node)}"]


def sql_members(database: Path) -> dict[str, set[str]]:
    """custom_segment_members of a built database, by segment."""
    members: dict[str, set[str]] = defaultdict(set)
    with duckdb.connect(str(database), read_only=True) as connection:
        for customer_id, name in connection.execute(
                "select customer_id, segment_name from main.custom_segment_members").fetchall():
            members[name].add(customer_id)
    return members


def differences(evaluator: Evaluator, built: dict[str, set[str]]) -> list[str]:
    """Each segment whose Python members differ from the SQL's, with up to five differing
    customers and the value behind every leaf of the definition for each."""
    report = []
    for name, definition in evaluator.definitions.items():
        python = evaluator.members(name)
        differing = python ^ built.get(name, set())
        for customer_id in sorted(differing)[:5]:
            report.append(f"{name}: {customer_id} ({'only Python' if customer_id in python else 'only SQL'})")
            report += evaluator.explain(customer_id, definition["condition"])
        if differing:
            report.append(f"{name}: {len(differing)} customer(s) differ in all "
                          f"(Python {len(python)}, SQL {len(built.get(name, set()))})")
    return report


@pytest.fixture(scope="module")
def evaluated(built_database: Path) -> tuple[Evaluator, dict[str, set[str]]]:
    """The Python evaluator over the session build, and the SQL's members per segment."""
    evaluator = Evaluator(Store(built_database), resolved_definitions(built_database))
    return evaluator, sql_members(built_database)


def test_the_definitions_come_from_dbt(evaluated: tuple[Evaluator, dict[str, set[str]]]) -> None:
    """The evaluator has every segment the SQL built (none missed, none made up)."""
    evaluator, built = evaluated
    assert evaluator.definitions, "var segments__custom_segments is empty: nothing would be checked"
    assert set(built) <= set(evaluator.definitions), sorted(set(built) - set(evaluator.definitions))


def test_every_definition_matches_the_sql_member_for_member(
        evaluated: tuple[Evaluator, dict[str, set[str]]]) -> None:
    """Each demo segment's members from Python equal custom_segment_members' exactly; on a
    difference, each differing customer is printed with the value behind every leaf."""
    evaluator, built = evaluated
    for name in evaluator.definitions:
        # A segment with no member, or with everyone, would agree with nearly any SQL.
        size = len(evaluator.members(name))
        assert 0 < size < len(evaluator.store.customers), f"{name}: {size} members in Python"
    report = differences(evaluator, built)
    assert not report, "\n".join(report)


def test_the_documented_and_benchmark_definitions_match_the_sql(custom_segment_examples_build: ExamplesBuild) -> None:
    """The docs' examples and the benchmark's twenty segments (every operator, measure and
    condition kind), built on a copy of the demo by test_custom_segments_docs.py, re-derived."""
    if custom_segment_examples_build.result.returncode != 0:
        pytest.fail("the examples did not build: see test_every_example_compiles_and_builds")
    evaluator = Evaluator(Store(custom_segment_examples_build.database), example_definitions())
    report = differences(evaluator, sql_members(custom_segment_examples_build.database))
    assert not report, "\n".join(report)


def test_the_anniversary_rule_in_python() -> None:
    """The evaluator's own rule at its edges, so a match with the SQL is not a shared mistake."""
    as_of = date(2026, 6, 30)
    assert yearly_days_until(date(1990, 6, 30), as_of, skip_own_day=False) == 0
    assert yearly_days_until(date(1990, 6, 29), as_of, skip_own_day=False) == 364
    assert yearly_days_until(datetime(2026, 6, 30, 8), as_of, skip_own_day=True) == 365
    assert yearly_days_until(datetime(2025, 6, 30, 8), as_of, skip_own_day=True) == 0
    assert yearly_days_until(date(2024, 2, 29), as_of, skip_own_day=True) == 243
    assert yearly_days_until(None, as_of, skip_own_day=True) is None
