"""Assembly and output: every table from one seeded Random, written as UTF-8 CSV seeds."""

from __future__ import annotations

import csv
import math
import random
from datetime import timedelta
from pathlib import Path

from store_segments.dbt_door import REPO_ROOT

from .constants import END_DATE, HEADERS, SEED, START, TABLE_NAMES
from .customers import build_customers, build_planted_customers
from .custom_segments import plant_reference_case
from .dirt import (
    customers_table, email_events_table, messages_table, order_items_table, orders_table,
    products_table, web_events_table,
)
from .email_events import build_email_events
from .email_sends import build_messages
from .journey_effects import plant_cart_effect
from .orders import build_orders
from .products import build_products
from .records import Dataset, Table
from .sessions import build_sessions
from .winback_effect import plant_winback_effect

DEFAULT_OUT = REPO_ROOT / "seeds"


def exchange_rates_table() -> Table:
    """EUR -> USD (the reporting currency) on every weekday from a week before START to END.

    No rates on weekends, as in a central bank's feed: a weekend order takes Friday's rate (the
    latest on or before its date). The rate drifts slowly around 1.08, so the conversion shows
    in the amounts; it draws nothing from the seeded Random, so the other tables are unchanged.
    """
    table = Table(HEADERS["raw_exchange_rates"])
    day = START.date() - timedelta(days=7)
    while day <= END_DATE:
        if day.weekday() < 5:
            offset = (day - START.date()).days
            rate = 1.08 + 0.04 * math.sin(2 * math.pi * offset / 730)
            table.rows.append(["EUR", day.isoformat(), f"{rate:.4f}"])
            table.owners.append("")
            table.planted.append(False)
        day += timedelta(days=1)
    return table


def build_dataset(seed: int = SEED) -> Dataset:
    """Generate every table from one seeded Random; the same seed gives the same rows."""
    rng = random.Random(seed)
    products = build_products(rng)
    customers = build_customers(rng) + build_planted_customers()
    orders = build_orders(customers, products, rng)
    sessions = plant_cart_effect(customers, orders, build_sessions(customers, orders, products, rng),
                                 products, seed)
    messages, flows = build_messages(rng)
    email_events = build_email_events(customers, messages, flows, sessions, rng)
    # Page views only, after the emails: the emails' draws stay where they were.
    sessions = plant_winback_effect(customers, orders, sessions, email_events, seed)
    tables = {
        "raw_customers": customers_table(customers, rng),
        "raw_products": products_table(products),
        "raw_orders": orders_table(orders, customers, rng),
        "raw_order_items": order_items_table(orders, rng),
        "raw_email_messages": messages_table(messages),
        "raw_email_events": email_events_table(email_events, rng),
        "raw_web_events": web_events_table(sessions, rng),
        "raw_exchange_rates": exchange_rates_table(),
    }
    plant_reference_case(tables)
    return Dataset(tables, {c.customer_id: c.archetype for c in customers})


def archetype_assignment(seed: int = SEED) -> dict[str, str]:
    """customer_id -> the primary persona the customer was generated to have."""
    return build_dataset(seed).archetypes


def write_table(path: Path, table: Table) -> None:
    """UTF-8 CSV, header first, "\\n" line ends, every value as text."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows(table.rows)


def write_dataset(dataset: Dataset, out_dir: Path) -> list[tuple[Path, int]]:
    """Write the eight seeds of `dataset` into `out_dir`; (path, data row count) per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int]] = []
    for name in TABLE_NAMES:
        path = out_dir / f"{name}.csv"
        write_table(path, dataset.tables[name])
        written.append((path, len(dataset.tables[name].rows)))
    return written


def write_seeds(out_dir: Path, seed: int = SEED) -> list[tuple[Path, int]]:
    """Generate and write all eight seeds into `out_dir`."""
    return write_dataset(build_dataset(seed), out_dir)
