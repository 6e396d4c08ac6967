"""Members of the reference custom segment (docs/custom_segments.md): "viewed product A in the
last 30 days but did not buy it then, lives in the US, and opened a campaign email". The random
store has too few such customers (the busiest product has about 30 viewers a month), so this
step picks REFERENCE_MEMBERS US buyers who never bought REFERENCE_PRODUCT and received a campaign
email, and adds one product view of it and one human open of that email for each. It runs on
the finished tables (after the dirt), consumes no random numbers and touches no other row, so
every other seed row stays as it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .constants import END
from .knobs import HUMAN_USER_AGENTS
from .records import Table

REFERENCE_PRODUCT = "SKU-0001"
REFERENCE_MEMBERS = 30
# The view is this many days before END, inside the segment's 30-day window and before END's
# date (only the planted customers of planted.py touch END's date).
VIEW_DAYS_AGO = 6
CLEAN_TIMESTAMP = "%Y-%m-%d %H:%M:%S"
VALID_STATUSES = {"placed", "fulfilled", "shipped", "delivered"}


def _column(table: Table, name: str) -> int:
    return table.header.index(name)


def _parse(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, CLEAN_TIMESTAMP)
    except ValueError:
        return None


def reference_candidates(tables: dict[str, Table]) -> list[tuple[str, str, datetime]]:
    """(customer_id, campaign message_id, delivered_at) of the first REFERENCE_MEMBERS customers by
    id who live in the US (clean row), placed a valid order, never bought REFERENCE_PRODUCT and
    had a campaign email delivered (clean row) at least a day before the view."""
    customers, orders, items = tables["raw_customers"], tables["raw_orders"], tables["raw_email_events"]
    us = {row[0] for row in customers.rows
          if row[_column(customers, "country_code")] == "US" and row[0].startswith("C")}
    order_customer = {row[0]: row[1] for row in orders.rows}
    buyers = {row[1] for row in orders.rows if row[_column(orders, "status")] in VALID_STATUSES}
    line_items = tables["raw_order_items"]
    bought_it = {order_customer.get(row[0]) for row in line_items.rows
                 if row[_column(line_items, "product_id")] == REFERENCE_PRODUCT}
    campaigns = {row[0] for row in tables["raw_email_messages"].rows if row[1] == "campaign"}
    view_at = END - timedelta(days=VIEW_DAYS_AGO)
    delivered: dict[str, tuple[str, datetime]] = {}
    for row in items.rows:
        _, message_id, customer_id, event_type, occurred_at = row[:5]
        at = _parse(occurred_at)
        if (event_type == "delivered" and message_id in campaigns and at is not None
                and at < view_at - timedelta(days=1) and customer_id not in delivered):
            delivered[customer_id] = (message_id, at)
    chosen = sorted((us & buyers & delivered.keys()) - bought_it)[:REFERENCE_MEMBERS]
    return [(customer_id, *delivered[customer_id]) for customer_id in chosen]


def plant_reference_case(tables: dict[str, Table]) -> list[str]:
    """Append the views and opens of the reference case's members; their ids, in order."""
    web, email = tables["raw_web_events"], tables["raw_email_events"]
    members = reference_candidates(tables)
    for number, (customer_id, message_id, delivered_at) in enumerate(members, start=1):
        viewed_at = (END - timedelta(days=VIEW_DAYS_AGO)).replace(hour=10) + timedelta(minutes=number)
        session_id = f"S-CS{number:04d}"
        for offset, (event_type, product) in enumerate((("page_view", ""), ("product_view", REFERENCE_PRODUCT))):
            web.rows.append([f"W-CS{number:04d}{offset}", session_id, customer_id, f"anon-{9900000000 + number}",
                             event_type, product,
                             (viewed_at + timedelta(seconds=30 * offset)).strftime(CLEAN_TIMESTAMP)])
            web.owners.append(customer_id)
            web.planted.append(True)
        opened_at = delivered_at + timedelta(hours=2)
        email.rows.append([f"E-CS{number:05d}", message_id, customer_id, "opened",
                           opened_at.strftime(CLEAN_TIMESTAMP), "", HUMAN_USER_AGENTS[number % len(HUMAN_USER_AGENTS)],
                           "false"])
        email.owners.append(customer_id)
        email.planted.append(True)
    return [member[0] for member in members]
