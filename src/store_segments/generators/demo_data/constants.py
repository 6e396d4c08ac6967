"""The fixed frame of the demo: seed, time window (END is the latest instant of all data),
persona names (docs/definitions.md §5) and the layouts of the raw seed tables (docs/definitions.md §2).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

SEED = 20261122
END = datetime(2026, 10, 31, 18, 0, 0)
START = END - timedelta(days=700)
END_DATE = END.date()
# Generated (non-planted) activity stays on dates before END's date, so only planted rows touch
# END's date and END itself is the one latest instant.
LATEST_RANDOM = datetime.combine(END_DATE, time(0, 0)) - timedelta(seconds=1)
MAX_DAYS_AGO = 699  # day 699 starts after START (END - 700 days at 18:00)

# Persona names (docs/definitions.md §5); every generated customer has one as its archetype.
HIGH_ROLLERS = "High Rollers"
BRAND_ENTHUSIASTS = "Brand Enthusiasts"
POTENTIAL_HIGH_ROLLERS = "Potential High Rollers"
POTENTIAL_BRAND_ENTHUSIASTS = "Potential Brand Enthusiasts"
LOST_HIGH_ROLLERS = "Lost High Rollers"
LAPSED_ENTHUSIASTS = "Lapsed Enthusiasts"
ONE_HIT_WONDERS = "One-Hit Wonders"
JUST_PASSING_THROUGH = "Just Passing Through"
ALMOST_THERE = "Almost There"
WINDOW_SHOPPERS = "Window Shoppers"
WAITING_FOR_WOWS = "Waiting for Wows"
ESPRESSO_SHOT = "Espresso Shot"
FALSE_STARTS = "False Starts"
DEAD_WEIGHT = "Dead Weight"
UNCLASSIFIED = "Unclassified"

PERSONAS: tuple[str, ...] = (
    HIGH_ROLLERS, BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, POTENTIAL_BRAND_ENTHUSIASTS,
    LOST_HIGH_ROLLERS, LAPSED_ENTHUSIASTS, ONE_HIT_WONDERS, JUST_PASSING_THROUGH, ALMOST_THERE,
    WINDOW_SHOPPERS, WAITING_FOR_WOWS, ESPRESSO_SHOT, FALSE_STARTS, DEAD_WEIGHT, UNCLASSIFIED,
)

# Layouts of the raw seed tables (docs/definitions.md §2).
HEADERS: dict[str, tuple[str, ...]] = {
    "raw_customers": ("customer_id", "email", "first_name", "last_name", "country_code",
                      "created_at", "email_consent", "tracking_consent", "birth_date",
                      "acquisition_source"),
    "raw_products": ("product_id", "product_name", "category", "price", "replenishment_days"),
    "raw_orders": ("order_id", "customer_id", "ordered_at", "status", "currency", "subtotal",
                   "discount", "shipping", "total", "refunded_amount"),
    "raw_order_items": ("order_id", "line_number", "product_id", "quantity", "unit_price"),
    "raw_email_messages": ("message_id", "message_type", "campaign_or_flow_name", "flow_step",
                           "ab_test_id", "variant", "subject", "sent_at"),
    "raw_email_events": ("event_id", "message_id", "customer_id", "event_type", "occurred_at",
                         "bounce_type", "user_agent", "is_machine_open"),
    "raw_web_events": ("event_id", "session_id", "customer_id", "anonymous_id", "event_type",
                       "product_id", "occurred_at"),
    "raw_exchange_rates": ("currency", "rate_date", "rate_to_reporting"),
}
TABLE_NAMES: tuple[str, ...] = tuple(HEADERS)
