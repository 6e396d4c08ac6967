"""Deterministic demo data for the `segments` dbt project (docs/definitions.md §1-§5).

Run ``segments generate-demo-data [--out DIR]``. It writes the eight ``raw_*`` seed CSVs
(default: the project's ``seeds/``), one line per file with its row count. The generator
itself is the package ``store_segments/generators/demo_data/``, one module per step (see its ``__init__``); this file
is its entry point and re-exports the names the tests and other scripts import.

Why it exists: the dbt models need data in which every persona of docs/definitions.md §5 is real, the
boundaries of every window are exercised and the raw exports are dirty the way real exports are.
Each generated customer gets an *archetype* (the primary persona it is built to land in) and a
behaviour plan that respects the precedence of docs/definitions.md §5; nineteen hand-set customers plus
``00017`` and ``17`` (see ``PLANTED``) pin exact expectations for the dbt tests.

Determinism: one ``random.Random(SEED)`` instance is passed everywhere (the targeted win-back
campaigns draw from their own ``Random(SEED + TARGETED_SEED_OFFSET)``), nothing iterates over a set
or reads the clock, so every run writes the same bytes.

Products: a quarter of the baskets (when the order's price class allows it) and 30% of the
multi-product browsing sessions are built around one of ``PLANTED_PAIRS`` (products that go
together), from generators of their own, so every other draw stays where it was; coffee and tea
carry replenishment_days (consumables), equipment and accessories do not.

Email analytics: three A/B tests with known outcomes (``AB_TESTS``: a clear winner, no
difference, too small to call) and three win-back campaigns in the last week, each sent to one
archetype and breaking one deliverability floor (``TARGETED_CAMPAIGNS``). All timestamps are at or before ``END``;
the single latest one (a page view of ``planted-high-roller``) is exactly ``END``.

Dirty rows (docs/definitions.md §2), exact counts for SEED = 20261122, never on a planted customer's row
(the same numbers live in ``DIRT``; a test keeps the two in step):

- customers_duplicate_rows: 10 (same customer_id twice, identical row)
- customers_mixed_case_country: 15 (``se``, ``De``, `` us``)
- customers_mixed_case_email_consent: 12 (``Subscribed``, ``NEVER_SUBSCRIBED``)
- customers_mixed_case_tracking_consent: 12 (``TRUE``, ``False``)
- customers_unparseable_created_at: 3
- orders_duplicate_rows: 12 (same order_id twice, identical row)
- orders_conflicting_copies: 2 (an order copied under another customer, appended at the end)
- orders_mixed_case_status: 40 (``PLACED``, ``Placed``, `` placed``)
- orders_unparseable_ordered_at: 10
- orders_negative_total: 10
- orders_missing_total: 10
- orders_unknown_status: 5 (``on_hold``)
- orders_unknown_customer: 20 (customer_id not in raw_customers)
- orders_missing_customer: 5 (empty customer_id)
- order_items_unknown_order: 5 (order_id not in raw_orders)
- order_items_non_positive_quantity: 5
- email_events_duplicate_rows: 900 (same event_id, every column equal)
- email_events_conflicting_copies: 2 (a `sent` event copied under another customer)
- email_events_mixed_case_type: 150 (``Opened``, ``CLICKED``, ``Delivered``)
- email_events_unparseable_occurred_at: 10
- email_events_unknown_customer: 50
- email_events_unknown_type: 15 (``forwarded``)
- web_events_duplicate_rows: 450
- web_events_conflicting_copies: 2 (an anonymous page view copied under a customer)
- web_events_mixed_case_type: 80 (``Product_View``, ``PAGE_VIEW``)
- web_events_unparseable_occurred_at: 10
- web_events_unknown_customer: 10
- web_events_unknown_type: 15 (``wishlist_add``)

Besides these, about 10% of the timestamps of customers, orders, email events and web events are
ISO with ``Z`` and about 10% carry an offset (``+02:00``, ``-05:00``, ...) that denotes the same UTC
instant; offsets are only used at least a day before END, so no reading of them passes END.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from store_segments.generators.demo_data.constants import (
    ALMOST_THERE, BRAND_ENTHUSIASTS, DEAD_WEIGHT, END, END_DATE, ESPRESSO_SHOT, FALSE_STARTS,
    HEADERS, HIGH_ROLLERS, JUST_PASSING_THROUGH, LAPSED_ENTHUSIASTS, LOST_HIGH_ROLLERS,
    ONE_HIT_WONDERS, PERSONAS, POTENTIAL_BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, SEED, START,
    TABLE_NAMES, UNCLASSIFIED, WAITING_FOR_WOWS, WINDOW_SHOPPERS,
)
from store_segments.generators.demo_data.dirt import DIRT
from store_segments.generators.demo_data.knobs import (
    AB_TESTS, ARCHETYPE_COUNTS, PLANTED_PAIRS, PURCHASE_PROFILES, TARGETED_CAMPAIGNS, AbTest,
    PurchaseProfile, TargetedCampaign,
)
from store_segments.generators.demo_data.output import (
    DEFAULT_OUT, archetype_assignment, build_dataset, write_dataset, write_seeds, write_table,
)
from store_segments.generators.demo_data.planted import (
    PLANTED, PLANTED_CUSTOMERS, PlantedCustomer, PlantedExpectation, PlantedOrder,
)
from store_segments.generators.demo_data.records import Dataset, Table

__all__ = [
    "AB_TESTS", "ALMOST_THERE", "ARCHETYPE_COUNTS", "BRAND_ENTHUSIASTS", "DEAD_WEIGHT", "DEFAULT_OUT",
    "DIRT", "END", "END_DATE", "ESPRESSO_SHOT", "FALSE_STARTS", "HEADERS", "HIGH_ROLLERS",
    "JUST_PASSING_THROUGH", "LAPSED_ENTHUSIASTS", "LOST_HIGH_ROLLERS", "ONE_HIT_WONDERS", "PERSONAS",
    "PLANTED", "PLANTED_CUSTOMERS", "PLANTED_PAIRS", "POTENTIAL_BRAND_ENTHUSIASTS", "POTENTIAL_HIGH_ROLLERS",
    "PURCHASE_PROFILES", "SEED", "START", "TABLE_NAMES", "TARGETED_CAMPAIGNS", "UNCLASSIFIED",
    "WAITING_FOR_WOWS", "WINDOW_SHOPPERS", "AbTest", "Dataset", "PlantedCustomer",
    "PlantedExpectation", "PlantedOrder", "PurchaseProfile", "Table", "TargetedCampaign",
    "archetype_assignment", "build_dataset", "main", "write_dataset", "write_seeds", "write_table",
]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: write the seeds and print one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the raw_*.csv seeds (default: seeds/)")
    args = parser.parse_args(argv)
    for path, count in write_seeds(args.out):
        print(f"{path}: {count} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
