"""Rows of the raw tables and the dirt in them (docs/definitions.md §2). ``DIRT`` holds the exact count of
each kind of dirt; the docstring of store_segments/generators/generate_demo_data.py lists the same numbers (a test
keeps the two in step).
"""

from __future__ import annotations

import random
from datetime import datetime
from operator import itemgetter

from .constants import (
    BRAND_ENTHUSIASTS, HEADERS, HIGH_ROLLERS, LAPSED_ENTHUSIASTS, LOST_HIGH_ROLLERS, SEED,
)
from .helpers import format_ts, money, plain_ts, rint
from .knobs import PURCHASE_PERSONAS
from .records import Customer, EmailEvent, Message, Order, Product, Session, Table

DIRT: dict[str, int] = {
    "customers_duplicate_rows": 10,
    "customers_mixed_case_country": 15,
    "customers_mixed_case_email_consent": 12,
    "customers_mixed_case_tracking_consent": 12,
    "customers_unparseable_created_at": 3,
    "orders_duplicate_rows": 12,
    "orders_conflicting_copies": 2,
    "orders_mixed_case_status": 40,
    "orders_unparseable_ordered_at": 10,
    "orders_negative_total": 10,
    "orders_missing_total": 10,
    "orders_unknown_status": 5,
    "orders_unknown_customer": 20,
    "orders_missing_customer": 5,
    "order_items_unknown_order": 5,
    "order_items_non_positive_quantity": 5,
    "email_events_duplicate_rows": 900,
    "email_events_conflicting_copies": 2,
    "email_events_mixed_case_type": 150,
    "email_events_unparseable_occurred_at": 10,
    "email_events_unknown_customer": 50,
    "email_events_unknown_type": 15,
    "web_events_duplicate_rows": 450,
    "web_events_conflicting_copies": 2,
    "web_events_mixed_case_type": 80,
    "web_events_unparseable_occurred_at": 10,
    "web_events_unknown_customer": 10,
    "web_events_unknown_type": 15,
}

# Owner marker of rows of ids the customer export does not know (kept out of other dirt).
UNKNOWN_OWNER = "?"
EMAIL_TYPE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "opened": ("Opened", "OPENED", " opened"),
    "clicked": ("CLICKED", "Clicked", "clicked "),
    "delivered": ("Delivered", "DELIVERED", "delivered "),
}
BAD_TIMESTAMPS: tuple[str, ...] = ("not a date", "2026-13-45 25:00:00", "31/02/2026")
# Conflicting copies draw from a generator of their own and are appended after every other
# dirt, so every other row of the seeds stays where it was.
CONFLICT_SEED_OFFSET = 7


def with_conflicting_copies(table: Table, id_column: int, ids: list[str], customer_column: int,
                            other_customers: list[str], rng: random.Random) -> None:
    """Append a copy of each row whose id is in `ids` naming another customer (a re-export that
    moved the row): staging quarantines both copies as conflicting_duplicate."""
    for row_id in ids:
        i = next(n for n, row in enumerate(table.rows) if row[id_column] == row_id)
        copy = list(table.rows[i])
        copy[customer_column] = rng.choice([c for c in other_customers if c != copy[customer_column]])
        table.rows.append(copy)
        table.owners.append(table.owners[i])
        table.planted.append(False)


def pick(rng: random.Random, candidates: list[int], n: int, used: set[int]) -> list[int]:
    """`n` row indexes from `candidates` not used by another dirt kind (then marked used)."""
    free = [i for i in candidates if i not in used]
    chosen = sorted(rng.sample(free, n))
    used.update(chosen)
    return chosen


def with_duplicates(table: Table, indexes: list[int]) -> None:
    """Repeat the chosen rows verbatim right after themselves (a retried export)."""
    rows: list[list[str]] = []
    owners: list[str] = []
    planted: list[bool] = []
    previous = 0
    for i in sorted(indexes) + [len(table.rows)]:
        rows += table.rows[previous:i + 1]
        owners += table.owners[previous:i + 1]
        planted += table.planted[previous:i + 1]
        if i < len(table.rows):
            rows.append(list(table.rows[i]))
            owners.append(table.owners[i])
            planted.append(table.planted[i])
        previous = i + 1
    table.rows, table.owners, table.planted = rows, owners, planted


def mixed_case(value: str, rng: random.Random) -> str:
    """The same code in another spelling: capitalised, upper, or padded with a space."""
    variant = rint(rng, 0, 2)
    if variant == 0:
        return value[:1].upper() + value[1:]
    if variant == 1:
        return value.upper()
    return f" {value}" if rng.random() < 0.5 else f"{value} "


def customers_table(customers: list[Customer], rng: random.Random) -> Table:
    """raw_customers with its dirt."""
    table = Table(HEADERS["raw_customers"])
    for c in customers:
        table.rows.append([c.customer_id, c.email, c.first_name, c.last_name, c.country_code,
                           format_ts(c.created_at, rng, varied=not c.planted), c.email_consent,
                           "true" if c.tracking_consent else "false", c.birth_date,
                           c.acquisition_source])
        table.owners.append(c.archetype)
        table.planted.append(c.planted)
    used: set[int] = set()
    buyers = [i for i, o in enumerate(table.owners)
              if o in PURCHASE_PERSONAS and not table.planted[i]]
    anyone = [i for i in range(len(table.rows)) if not table.planted[i]]
    for i in pick(rng, buyers, DIRT["customers_mixed_case_country"], used):
        code = table.rows[i][4]
        table.rows[i][4] = rng.choice((code.lower(), code[0] + code[1].lower(), f" {code}"))
    for i in pick(rng, anyone, DIRT["customers_mixed_case_email_consent"], used):
        table.rows[i][6] = mixed_case(table.rows[i][6], rng)
    for i in pick(rng, buyers, DIRT["customers_mixed_case_tracking_consent"], used):
        table.rows[i][7] = table.rows[i][7].upper() if rng.random() < 0.5 else \
            table.rows[i][7].capitalize()
    for n, i in enumerate(pick(rng, buyers, DIRT["customers_unparseable_created_at"], used)):
        table.rows[i][5] = BAD_TIMESTAMPS[n % len(BAD_TIMESTAMPS)]
    with_duplicates(table, pick(rng, anyone, DIRT["customers_duplicate_rows"], used))
    return table


def products_table(products: list[Product]) -> Table:
    """raw_products (clean)."""
    table = Table(HEADERS["raw_products"])
    for p in products:
        table.rows.append([p.product_id, p.name, p.category, money(p.price),
                           "" if p.replenishment_days is None else str(p.replenishment_days)])
        table.owners.append("")
        table.planted.append(False)
    return table


def order_row(o: Order, rng: random.Random) -> list[str]:
    """One raw_orders row; refunded_amount empty or 0.00 when nothing was refunded."""
    refunded = "" if o.refunded is None else money(o.refunded)
    return [o.order_id, o.customer_id, format_ts(o.ordered_at, rng, varied=not o.planted),
            o.status, o.currency, money(o.subtotal), money(o.discount), money(o.shipping),
            money(o.total), refunded]


def orders_table(orders: list[Order], customers: list[Customer], rng: random.Random) -> Table:
    """raw_orders with its dirt.

    Rows that would be quarantined or zeroed (bad timestamp, bad amount, unknown status) are
    taken from frequent customers with 4+ valid orders and never their last order, so each still
    keeps 3+ valid orders and its recency; amount dirt only hits low-AOV customers.
    """
    table = Table(HEADERS["raw_orders"])
    for o in orders:
        table.rows.append(order_row(o, rng))
        table.owners.append(o.owner)
        table.planted.append(o.planted)
    by_id = {c.customer_id: c for c in customers}
    last_order: dict[str, datetime] = {}
    for o in orders:
        if o.kind == "valid" and not o.planted:
            last_order[o.customer_id] = max(o.ordered_at, last_order.get(o.customer_id, o.ordered_at))
    spare: list[int] = []
    spare_low: list[int] = []
    seen: set[str] = set()
    for i, o in enumerate(orders):
        c = by_id.get(o.customer_id)
        if (c is None or o.planted or o.kind != "valid" or o.status == "refunded"
                or len(c.order_days) < 4 or o.ordered_at == last_order[o.customer_id]
                or c.customer_id in seen):
            continue
        if c.archetype in (HIGH_ROLLERS, LOST_HIGH_ROLLERS):
            spare.append(i)
            seen.add(c.customer_id)
        elif c.archetype in (BRAND_ENTHUSIASTS, LAPSED_ENTHUSIASTS):
            spare_low.append(i)
            seen.add(c.customer_id)
    used: set[int] = set()
    for n, i in enumerate(pick(rng, spare, DIRT["orders_unparseable_ordered_at"], used)):
        table.rows[i][2] = BAD_TIMESTAMPS[n % len(BAD_TIMESTAMPS)]
    for i in pick(rng, spare_low, DIRT["orders_negative_total"], used):
        table.rows[i][8] = money(-rng.choice((2500, 1299, 4000, 999)))
    for i in pick(rng, spare_low, DIRT["orders_missing_total"], used):
        table.rows[i][8] = ""
    for i in pick(rng, spare, DIRT["orders_unknown_status"], used):
        table.rows[i][3] = "on_hold"
    placed = [i for i, o in enumerate(orders)
              if o.status == "placed" and o.kind == "valid" and not o.planted and o.owner]
    for i in pick(rng, placed, DIRT["orders_mixed_case_status"], used):
        table.rows[i][3] = rng.choice(("PLACED", "Placed", " placed", "placed "))
    frequent = [i for i, o in enumerate(orders)
                if o.owner in (HIGH_ROLLERS, BRAND_ENTHUSIASTS, LOST_HIGH_ROLLERS,
                               LAPSED_ENTHUSIASTS) and not o.planted]
    with_duplicates(table, pick(rng, frequent, DIRT["orders_duplicate_rows"], used))
    # A non-last order of a frequent customer untouched by other dirt, copied to another
    # customer of the same kind: both copies are quarantined, the owner keeps 3+ valid orders.
    conflict_rng = random.Random(SEED + CONFLICT_SEED_OFFSET)
    moved = pick(conflict_rng, spare + spare_low, DIRT["orders_conflicting_copies"], used)
    with_conflicting_copies(table, 0, [orders[i].order_id for i in moved], 1,
                            sorted({orders[i].customer_id for i in spare + spare_low}), conflict_rng)
    return table


def order_items_table(orders: list[Order], rng: random.Random) -> Table:
    """raw_order_items with lines of unknown orders and non-positive quantities."""
    table = Table(HEADERS["raw_order_items"])
    for o in orders:
        for line, item in enumerate(o.items, start=1):
            table.rows.append([o.order_id, str(line), item.product_id, str(item.quantity),
                               money(item.unit_price)])
            table.owners.append(o.owner)
            table.planted.append(o.planted)
    used: set[int] = set()
    anyone = [i for i in range(len(table.rows)) if not table.planted[i]]
    for i in pick(rng, anyone, DIRT["order_items_non_positive_quantity"], used):
        table.rows[i][3] = rng.choice(("0", "-1", "-2"))
    template = [table.rows[i] for i in pick(rng, anyone, DIRT["order_items_unknown_order"], used)]
    for n, row in enumerate(template, start=1):
        table.rows.append([f"O-9{n:05d}", "1", row[2], row[3], row[4]])
        table.owners.append("")
        table.planted.append(False)
    return table


def messages_table(messages: list[Message]) -> Table:
    """raw_email_messages (clean)."""
    table = Table(HEADERS["raw_email_messages"])
    for m in messages:
        table.rows.append([m.message_id, m.message_type, m.name,
                           "" if m.flow_step is None else str(m.flow_step), m.ab_test_id,
                           m.variant, m.subject, plain_ts(m.sent_at)])
        table.owners.append("")
        table.planted.append(False)
    return table


def email_events_table(events: list[EmailEvent], rng: random.Random) -> Table:
    """raw_email_events with ids E-0000001... and its dirt."""
    table = Table(HEADERS["raw_email_events"])
    table.rows = [[f"E-{number:07d}", e.message_id, e.customer_id, e.event_type,
                   format_ts(e.occurred_at, rng, not e.planted), e.bounce_type, e.user_agent,
                   e.is_machine_open] for number, e in enumerate(events, start=1)]
    table.owners = [e.owner for e in events]
    table.planted = [e.planted for e in events]
    used: set[int] = set()
    own = [i for i, e in enumerate(events)
           if e.owner and not e.planted and e.event_type != "forwarded"]
    buyers_sent = [i for i in own if events[i].owner in PURCHASE_PERSONAS
                   and events[i].event_type == "sent"]
    for n, i in enumerate(pick(rng, buyers_sent, DIRT["email_events_unparseable_occurred_at"],
                               used)):
        table.rows[i][4] = BAD_TIMESTAMPS[n % len(BAD_TIMESTAMPS)]
    clicks = [i for i in own if events[i].event_type == "clicked"]
    opens = [i for i in own if events[i].event_type in ("opened", "delivered")]
    n_clicks = DIRT["email_events_mixed_case_type"] // 5
    for i in pick(rng, clicks, n_clicks, used) + pick(
            rng, opens, DIRT["email_events_mixed_case_type"] - n_clicks, used):
        table.rows[i][3] = rng.choice(EMAIL_TYPE_SPELLINGS[table.rows[i][3]])
    with_duplicates(table, pick(rng, own, DIRT["email_events_duplicate_rows"], used))
    # A `sent` event (it counts in no persona) copied to another recipient of the same message.
    conflict_rng = random.Random(SEED + CONFLICT_SEED_OFFSET)
    sends = [i for i in own if events[i].event_type == "sent" and events[i].owner in PURCHASE_PERSONAS]
    moved = pick(conflict_rng, sends, DIRT["email_events_conflicting_copies"], used)
    with_conflicting_copies(table, 0, [f"E-{i + 1:07d}" for i in moved], 2,
                            sorted({events[i].customer_id for i in sends}), conflict_rng)
    return table


def web_events_table(sessions: list[Session], rng: random.Random) -> Table:
    """raw_web_events with ids W-0000001... in time order and its dirt."""
    flat: list[tuple[datetime, int, int, Session, str, str]] = []
    for s_index, s in enumerate(sessions):
        for e_index, (event_type, product, ts) in enumerate(s.events):
            flat.append((ts, s_index, e_index, s, event_type, product))
    flat.sort(key=itemgetter(0, 1, 2))
    table = Table(HEADERS["raw_web_events"])
    table.rows = [[f"W-{number:07d}", s.session_id, s.customer_id, s.anonymous_id, event_type,
                   product, format_ts(ts, rng, not s.planted)]
                  for number, (ts, _, _, s, event_type, product) in enumerate(flat, start=1)]
    table.owners = [f[3].owner for f in flat]
    table.planted = [f[3].planted for f in flat]
    used: set[int] = set()
    own = [i for i, f in enumerate(flat) if not f[3].planted and f[3].owner != UNKNOWN_OWNER
           and f[4] != "wishlist_add"]
    buyer_pages = [i for i in own if flat[i][3].owner in PURCHASE_PERSONAS
                   and flat[i][4] == "page_view"]
    for n, i in enumerate(pick(rng, buyer_pages, DIRT["web_events_unparseable_occurred_at"],
                               used)):
        table.rows[i][6] = BAD_TIMESTAMPS[n % len(BAD_TIMESTAMPS)]
    for i in pick(rng, own, DIRT["web_events_mixed_case_type"], used):
        value = table.rows[i][4]
        table.rows[i][4] = rng.choice(("_".join(w.capitalize() for w in value.split("_")),
                                       value.upper()))
    with_duplicates(table, pick(rng, own, DIRT["web_events_duplicate_rows"], used))
    # An anonymous page view (it counts for no one) copied as a known customer's.
    conflict_rng = random.Random(SEED + CONFLICT_SEED_OFFSET)
    anonymous = [i for i in own if not flat[i][3].customer_id and flat[i][4] == "page_view"]
    moved = pick(conflict_rng, anonymous, DIRT["web_events_conflicting_copies"], used)
    with_conflicting_copies(table, 0, [f"W-{i + 1:07d}" for i in moved], 2,
                            sorted({flat[i][3].customer_id for i in buyer_pages}), conflict_rng)
    return table
