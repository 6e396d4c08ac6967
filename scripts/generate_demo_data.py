"""Deterministic demo data for the `segments` dbt project (SPEC.md sections 1-5).

Run ``python scripts/generate_demo_data.py [--out DIR]``. It writes the eight ``raw_*`` seed CSVs
(default: ``seeds/`` next to ``scripts/``), one line per file with its row count.

Why it exists: the dbt models need data in which every persona of SPEC section 5 is real, the
boundaries of every window are exercised and the raw exports are dirty the way real exports are.
Each generated customer gets an *archetype* (the primary persona it is built to land in) and a
behaviour plan that respects the precedence of SPEC section 5; nineteen hand-set customers plus
``00017`` and ``17`` (see ``PLANTED``) pin exact expectations for the dbt tests.

Determinism: one ``random.Random(SEED)`` instance is passed everywhere (the targeted win-back
campaigns draw from their own ``Random(SEED + TARGETED_SEED_OFFSET)``), nothing iterates over a set
or reads the clock, so every run writes the same bytes.

Email analytics (issue #4): three A/B tests with known outcomes (``AB_TESTS``: a clear winner, no
difference, too small to call) and three win-back campaigns in the last week, each sent to one
archetype and breaking one deliverability floor (``TARGETED_CAMPAIGNS``). All timestamps are at or before ``END``;
the single latest one (a page view of ``planted-high-roller``) is exactly ``END``.

Dirty rows (SPEC section 2), exact counts for SEED = 20261122, never on a planted customer's row
(the same numbers live in ``DIRT``; a test keeps the two in step):

- customers_duplicate_rows: 10 (same customer_id twice, identical row)
- customers_mixed_case_country: 15 (``se``, ``De``, `` us``)
- customers_mixed_case_email_consent: 12 (``Subscribed``, ``NEVER_SUBSCRIBED``)
- customers_mixed_case_tracking_consent: 12 (``TRUE``, ``False``)
- customers_unparseable_created_at: 3
- orders_duplicate_rows: 12 (same order_id twice, identical row)
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
- email_events_mixed_case_type: 150 (``Opened``, ``CLICKED``, ``Delivered``)
- email_events_unparseable_occurred_at: 10
- email_events_unknown_customer: 50
- email_events_unknown_type: 15 (``forwarded``)
- web_events_duplicate_rows: 450
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
import csv
import math
from bisect import bisect_right
from itertools import accumulate
from operator import itemgetter
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Callable, Sequence

SEED = 20261122
END = datetime(2026, 10, 31, 18, 0, 0)
START = END - timedelta(days=700)
END_DATE = END.date()
# Generated (non-planted) activity stays on dates before END's date, so only planted rows touch
# END's date and END itself is the one latest instant.
LATEST_RANDOM = datetime.combine(END_DATE, time(0, 0)) - timedelta(seconds=1)
MAX_DAYS_AGO = 699  # day 699 starts after START (END - 700 days at 18:00)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "seeds"

# --------------------------------------------------------------------------------------------
# Personas (SPEC section 5), archetype mix and planted expectations
# --------------------------------------------------------------------------------------------

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

# How many generated customers get each archetype. Every persona keeps a wide margin over 40 so
# that dirt (a quarantined row, a lost engagement) cannot empty it.
ARCHETYPE_COUNTS: tuple[tuple[str, int], ...] = (
    (HIGH_ROLLERS, 110),
    (BRAND_ENTHUSIASTS, 230),
    (POTENTIAL_HIGH_ROLLERS, 120),
    (POTENTIAL_BRAND_ENTHUSIASTS, 430),
    (LOST_HIGH_ROLLERS, 90),
    (LAPSED_ENTHUSIASTS, 180),
    (ONE_HIT_WONDERS, 110),
    (JUST_PASSING_THROUGH, 230),
    (ALMOST_THERE, 90),
    (WINDOW_SHOPPERS, 140),
    (WAITING_FOR_WOWS, 140),
    (ESPRESSO_SHOT, 70),
    (FALSE_STARTS, 80),
    (DEAD_WEIGHT, 280),
    (UNCLASSIFIED, 90),
)


@dataclass(frozen=True)
class PlantedExpectation:
    """What the dbt models must say about one planted customer."""

    primary_persona: str
    rfm_segment: str | None


PLANTED: dict[str, PlantedExpectation] = {
    "planted-high-roller": PlantedExpectation(HIGH_ROLLERS, "Champions"),
    "planted-brand-enthusiast": PlantedExpectation(BRAND_ENTHUSIASTS, None),
    "planted-potential-high-roller": PlantedExpectation(POTENTIAL_HIGH_ROLLERS, None),
    "planted-potential-enthusiast": PlantedExpectation(POTENTIAL_BRAND_ENTHUSIASTS, None),
    "planted-recent-boundary": PlantedExpectation(POTENTIAL_BRAND_ENTHUSIASTS, None),
    "planted-lost-high-roller": PlantedExpectation(LOST_HIGH_ROLLERS, None),
    "planted-lapsed-enthusiast": PlantedExpectation(LAPSED_ENTHUSIASTS, None),
    "planted-lapsed-boundary": PlantedExpectation(LAPSED_ENTHUSIASTS, None),
    "planted-one-hit-wonder": PlantedExpectation(ONE_HIT_WONDERS, None),
    "planted-passing-through": PlantedExpectation(JUST_PASSING_THROUGH, None),
    "planted-almost-there": PlantedExpectation(ALMOST_THERE, None),
    "planted-machine-opener": PlantedExpectation(WAITING_FOR_WOWS, None),
    "planted-window-shopper": PlantedExpectation(WINDOW_SHOPPERS, None),
    "planted-eu-no-consent": PlantedExpectation(DEAD_WEIGHT, None),
    "planted-waiting-for-wows": PlantedExpectation(WAITING_FOR_WOWS, None),
    "planted-espresso": PlantedExpectation(ESPRESSO_SHOT, None),
    "planted-false-start": PlantedExpectation(FALSE_STARTS, None),
    # Scores 1-1-1, the "Lost" cell (SPEC §4 tries Lost before Hibernating, which contains it).
    "planted-dead-weight": PlantedExpectation(DEAD_WEIGHT, "Lost"),
    "planted-unclassified": PlantedExpectation(UNCLASSIFIED, None),
    "00017": PlantedExpectation(POTENTIAL_BRAND_ENTHUSIASTS, None),
    "17": PlantedExpectation(WINDOW_SHOPPERS, None),
}


@dataclass(frozen=True)
class PlantedOrder:
    """One hand-set order: placed, USD, subtotal = total, no discount, shipping or refund."""

    days_ago: int
    total_cents: int
    hour: int = 12


@dataclass(frozen=True)
class PlantedCustomer:
    """The customer row and orders of one planted customer (emails and web events are in code)."""

    customer_id: str
    created_days_ago: int = 600
    country_code: str = "US"
    tracking_consent: bool = True
    orders: tuple[PlantedOrder, ...] = ()


def _orders(total_cents: int, *days: int) -> tuple[PlantedOrder, ...]:
    """Orders of one amount at noon on each of `days` days ago."""
    return tuple(PlantedOrder(d, total_cents) for d in days)


PLANTED_CUSTOMERS: tuple[PlantedCustomer, ...] = (
    PlantedCustomer("planted-high-roller",
                    orders=_orders(40000, 300, 200, 100, 60, 20) + (PlantedOrder(0, 40000, 10),)),
    PlantedCustomer("planted-brand-enthusiast", orders=_orders(3000, 100, 70, 40, 10)),
    PlantedCustomer("planted-potential-high-roller", orders=_orders(50000, 20)),
    PlantedCustomer("planted-potential-enthusiast", orders=_orders(2500, 60)),
    PlantedCustomer("planted-recent-boundary", orders=_orders(2500, 120)),
    PlantedCustomer("planted-lost-high-roller", orders=_orders(40000, 400, 330, 260, 200)),
    PlantedCustomer("planted-lapsed-enthusiast", created_days_ago=600,
                    orders=_orders(3000, 500, 400, 300)),
    PlantedCustomer("planted-lapsed-boundary", orders=_orders(3000, 300, 200, 121)),
    PlantedCustomer("planted-one-hit-wonder", orders=_orders(45000, 150)),
    PlantedCustomer("planted-passing-through", orders=_orders(3500, 300, 250)),
    PlantedCustomer("planted-almost-there"),
    PlantedCustomer("planted-machine-opener"),
    PlantedCustomer("planted-window-shopper"),
    PlantedCustomer("planted-eu-no-consent", created_days_ago=200, country_code="DE",
                    tracking_consent=False),
    PlantedCustomer("planted-waiting-for-wows"),
    PlantedCustomer("planted-espresso", orders=_orders(3000, 150)),
    PlantedCustomer("planted-false-start", created_days_ago=400),
    PlantedCustomer("planted-dead-weight", created_days_ago=690, orders=_orders(500, 680)),
    PlantedCustomer("planted-unclassified", created_days_ago=10),
    PlantedCustomer("00017", orders=_orders(4000, 30)),
    PlantedCustomer("17"),
)

# Campaign days that planted customers' emails hang on; the schedule always contains them.
ANCHOR_CAMPAIGN_DAYS: tuple[int, ...] = (200, 190, 180, 170, 80, 57, 50, 40, 30, 20, 12, 5)

# --------------------------------------------------------------------------------------------
# Dirt (module docstring lists the same numbers)
# --------------------------------------------------------------------------------------------

DIRT: dict[str, int] = {
    "customers_duplicate_rows": 10,
    "customers_mixed_case_country": 15,
    "customers_mixed_case_email_consent": 12,
    "customers_mixed_case_tracking_consent": 12,
    "customers_unparseable_created_at": 3,
    "orders_duplicate_rows": 12,
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
    "email_events_mixed_case_type": 150,
    "email_events_unparseable_occurred_at": 10,
    "email_events_unknown_customer": 50,
    "email_events_unknown_type": 15,
    "web_events_duplicate_rows": 450,
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

# --------------------------------------------------------------------------------------------
# Table layouts (SPEC section 2)
# --------------------------------------------------------------------------------------------

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

# --------------------------------------------------------------------------------------------
# Behaviour knobs
# --------------------------------------------------------------------------------------------

NON_CONSENT_COUNTRIES: tuple[str, ...] = ("US", "CA", "AU")
CONSENT_COUNTRIES: tuple[str, ...] = ("SE", "DE", "PL", "FR", "NL", "GB", "CH", "NO", "ES", "IT")
ACQUISITION_SOURCES: tuple[str, ...] = ("organic", "paid_social", "paid_search", "referral",
                                        "email_popup", "marketplace")
ACQUISITION_WEIGHTS: tuple[float, ...] = (30, 20, 20, 10, 12, 8)
HOUR_WEIGHTS: tuple[float, ...] = (1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7,
                                   6, 5, 3, 2)

CAMPAIGN_AUDIENCE_RATE = 0.25
SOFT_BOUNCE_RATE = 0.017
MPP_SHARE = 0.40
HARD_BOUNCE_CUSTOMERS = 60
UNSUBSCRIBE_CUSTOMERS = 24
SPAM_CUSTOMERS = 5
WEB_ORDER_SHARE = 0.45
ANONYMOUS_SESSION_SHARE = 0.30
ABANDONED_CART_SHARE = 0.6
WIN_BACK_SHARE = 0.5
WIN_BACK_AFTER_DAYS = 120

HUMAN_USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148",
)
MPP_FLAGGED_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
MPP_NAMED_UA = "Mozilla/5.0 (Macintosh) AppleWebKit (Apple Mail Privacy Protection)"
MPP_PLAIN_UA = "Mozilla/5.0 (iPhone) AppleWebKit Mail"

FIRST_NAMES: tuple[str, ...] = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason",
    "Isabella", "Ethan", "Charlotte", "Logan", "Amelia", "James", "Harper", "Benjamin", "Evelyn",
    "Henry", "Åsa", "Jörg", "Zoë", "François", "Łukasz", "Søren", "Inés", "Matteo", "Giulia",
    "Lars", "Ingrid", "Pieter", "Sanne", "Hannah", "Felix", "Clara", "Mateo", "Lucía", "Oskar",
    "Maja", "Aiko", "Ravi", "Priya", "Chloé", "Théo", "Freya", "Nils", "Elin", "Marta", "Kacper",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Walker", "Müller", "Schmidt",
    "Nowak", "Kowalski", "Lindqvist", "Johansson", "García", "Martínez", "Rossi", "Bianchi",
    "Dubois", "Lefèvre", "de Vries", "Jansen", "Hansen", "Nilsen", "O'Brien", "Murphy", "Tanaka",
    "Patel", "Nguyen", "Kim", "Fischer", "Weber", "Berg", "Dahl", "Horvat", "Novák", "Costa",
)

COFFEE_ORIGINS: tuple[str, ...] = ("Ethiopia Yirgacheffe", "Colombia Huila", "Kenya Nyeri",
                                   "Brazil Cerrado", "Guatemala Antigua", "Sumatra Mandheling",
                                   "Costa Rica Tarrazu", "Rwanda Kivu", "Peru Cajamarca",
                                   "Honduras Marcala")
TEAS: tuple[str, ...] = ("Sencha", "Gyokuro", "Darjeeling First Flush", "Assam Breakfast",
                         "Earl Grey", "Jasmine Pearls", "Oolong Tieguanyin", "Rooibos Vanilla",
                         "Chamomile", "Peppermint", "Matcha Ceremonial", "Lapsang Souchong",
                         "Genmaicha", "Chai Masala")
EQUIPMENT: tuple[tuple[str, int], ...] = (
    ("Burr Grinder", 18900), ("Espresso Machine", 34900), ("Pour-Over Kettle", 8900),
    ("French Press 1 l", 3900), ("AeroPress", 4500), ("Drip Brewer", 12900),
    ("Cold Brew Tower", 21900), ("Milk Frother", 7900), ("Scale with Timer", 5900),
    ("Moka Pot", 3500), ("Siphon Brewer", 14900), ("Tea Maker", 11900),
)
ACCESSORIES: tuple[tuple[str, int], ...] = (
    ("Paper Filters (100)", 690), ("Ceramic Cup Set", 2400), ("Espresso Tamper", 2900),
    ("Knock Box", 2200), ("Dosing Cup", 1800), ("Airtight Coffee Tin", 1400),
    ("Tea Infuser", 990), ("Vacuum Flask", 3200), ("Cleaning Tablets", 1250),
    ("Travel Mug", 1900),
)
GIFT_CARDS: tuple[int, ...] = (2500, 5000, 10000, 20000)

CAMPAIGN_THEMES: tuple[tuple[str, str], ...] = (
    ("New Arrivals", "Fresh from the roaster: this week's new arrivals"),
    ("Brew Guide", "Brew it better: our guide to {topic}"),
    ("Origin Story", "Meet the farmers behind {topic}"),
    ("Weekend Offer", "10% off {topic} this weekend"),
    ("Tea Time", "Slow down with {topic}"),
    ("Gear Spotlight", "Upgrade your setup: {topic}"),
    ("Staff Picks", "What our baristas drink: {topic}"),
    ("Subscription Saver", "Never run out of {topic}"),
)
FLOWS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Welcome Series", ("Welcome to the roastery", "How we roast", "A treat for your first order"),
     MAX_DAYS_AGO),
    ("Abandoned Cart", ("You left something in your cart", "Still thinking it over?"), 690),
    ("Win-back", ("We miss you", "Something new to try", "A last nudge, with 15% off"), 680),
)


@dataclass(frozen=True)
class AbTest:
    """One A/B test of a campaign: variant A is the control, B the challenger.

    The dbt project judges each test on the metric of seeds/reference/ab_test_metrics.csv.
    `b_open_boost` is added to the open probability of B's recipients (0 = no real difference);
    `b_hour` sends B at another hour of the same day (a send-time test).
    """

    target_day: int
    test_id: str
    subject_a: str
    subject_b: str
    b_open_boost: float = 0.0
    b_hour: int | None = None


# Three tests with a known outcome (issue #4): about 75 deliveries per arm 520 days ago, 155 at
# 240 days and 185 at 110 days, against ab_min_sample_size = 100.
AB_TESTS: tuple[AbTest, ...] = (
    # Too small to call: 3 pm really opens better, but each arm is below the minimum sample.
    AbTest(520, "ab-send-time-3pm", "Your spring coffee edit", "Your spring coffee edit",
           b_open_boost=0.25, b_hour=15),
    # No significant difference: the button colour changes nothing (judged on clicks).
    AbTest(240, "ab-cta-button-colour", "New: washed Ethiopians", "New: washed Ethiopians"),
    # A clear winner: B's subject line makes many more people open.
    AbTest(110, "ab-summer-subject-line", "Summer cold brew is back",
           "Cold brew season starts now: 3 recipes inside", b_open_boost=0.25),
)
AB_OPEN_BOOST: dict[tuple[str, str], float] = {(t.test_id, "B"): t.b_open_boost for t in AB_TESTS}



@dataclass(frozen=True)
class TargetedCampaign:
    """A win-back campaign sent to every eligible customer of one archetype, `day` days ago.

    It exists so that deliverability_health has campaigns (and segments) below each floor of the
    win-back guidance: `unsubscribes` and `spam_complaints` recipients opt out (chosen among
    recipients with no later email), and `human_opens` False means nobody opens as a person.
    """

    day: int
    name: str
    subject: str
    archetype: str
    human_opens: bool = True
    unsubscribes: int = 0
    spam_complaints: int = 0


TARGETED_CAMPAIGNS: tuple[TargetedCampaign, ...] = (
    # Open rate floor: Dead Weight does not open (only Apple MPP prefetches "open" it).
    TargetedCampaign(4, "Win-back: list clean-up", "Do you still want to hear from us?",
                     DEAD_WEIGHT, human_opens=False),
    # Unsubscribe floor: a pushy discount to Lapsed Enthusiasts.
    TargetedCampaign(3, "Win-back: 15% off for Lapsed Enthusiasts", "LAST CHANCE: 15% off ends tonight",
                     LAPSED_ENTHUSIASTS, unsubscribes=12),
    # Spam complaint floor: One-Hit Wonders who forgot they signed up.
    TargetedCampaign(2, "Win-back: One-Hit Wonders", "It's been a while - here's 20% off",
                     ONE_HIT_WONDERS, spam_complaints=2),
)
TARGETED_SEED_OFFSET = 4  # the targeted campaigns draw from Random(SEED + this)

PURCHASE_ARCHETYPES: tuple[str, ...] = (
    HIGH_ROLLERS, BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, POTENTIAL_BRAND_ENTHUSIASTS,
    LOST_HIGH_ROLLERS, LAPSED_ENTHUSIASTS, ONE_HIT_WONDERS, JUST_PASSING_THROUGH, ESPRESSO_SHOT,
)
# The eight purchase personas: dirt that may cost a row (a bad timestamp) goes to these, where
# email and site activity cannot change the persona.
PURCHASE_PERSONAS: tuple[str, ...] = PURCHASE_ARCHETYPES[:8]
# Archetypes whose persona does not depend on email at all: only these bounce or opt out.
FATE_ARCHETYPES: tuple[str, ...] = (
    HIGH_ROLLERS, BRAND_ENTHUSIASTS, POTENTIAL_HIGH_ROLLERS, POTENTIAL_BRAND_ENTHUSIASTS,
    LOST_HIGH_ROLLERS, LAPSED_ENTHUSIASTS, ONE_HIT_WONDERS, JUST_PASSING_THROUGH,
    WINDOW_SHOPPERS, DEAD_WEIGHT, UNCLASSIFIED,
)
NEEDS_EMAIL: tuple[str, ...] = (ALMOST_THERE, WAITING_FOR_WOWS, ESPRESSO_SHOT, FALSE_STARTS)
# No human engagement on or after this many days ago (keeps "none within 90 days" safe).
QUIET_DAYS = 100


@dataclass(frozen=True)
class PurchaseProfile:
    """Valid orders an archetype gets: price class, how many, and when the last one falls."""

    high: bool
    min_orders: int
    max_orders: int
    last_min_days: int
    last_max_days: int


PURCHASE_PROFILES: dict[str, PurchaseProfile] = {
    HIGH_ROLLERS: PurchaseProfile(True, 3, 16, 1, 115),
    BRAND_ENTHUSIASTS: PurchaseProfile(False, 3, 16, 1, 115),
    POTENTIAL_HIGH_ROLLERS: PurchaseProfile(True, 1, 2, 1, 115),
    POTENTIAL_BRAND_ENTHUSIASTS: PurchaseProfile(False, 1, 2, 1, 115),
    LOST_HIGH_ROLLERS: PurchaseProfile(True, 3, 14, 126, 390),
    LAPSED_ENTHUSIASTS: PurchaseProfile(False, 3, 14, 126, 390),
    ONE_HIT_WONDERS: PurchaseProfile(True, 1, 2, 126, 390),
    JUST_PASSING_THROUGH: PurchaseProfile(False, 1, 2, 186, 390),
    ESPRESSO_SHOT: PurchaseProfile(False, 1, 2, 126, 175),
}
# Dead Weight customers who bought once or twice, long before the lapsed window.
DEAD_WEIGHT_BUYER_SHARE = 0.35
DEAD_WEIGHT_BUYER_PROFILE = PurchaseProfile(False, 1, 2, 405, 680)
# Dead Weight customers in consent countries without tracking consent who browse recently:
# their site events must not count (SPEC section 1).
UNTRACKED_BROWSERS = 25

CREATED_RANGES: dict[str, tuple[int, int]] = {
    ALMOST_THERE: (20, MAX_DAYS_AGO),
    WINDOW_SHOPPERS: (10, MAX_DAYS_AGO),
    WAITING_FOR_WOWS: (10, MAX_DAYS_AGO),
    FALSE_STARTS: (250, MAX_DAYS_AGO),
    DEAD_WEIGHT: (100, MAX_DAYS_AGO),
    UNCLASSIFIED: (3, 85),
}

# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue row; prices in cents so sums never drift."""

    product_id: str
    name: str
    category: str
    price: int
    replenishment_days: int | None


@dataclass(slots=True)
class Customer:
    """A customer with the plan that makes its archetype come true."""

    key: int
    archetype: str
    created_at: datetime
    created_days: int
    country_code: str
    tracking_consent: bool
    email_consent: str
    birth_date: str
    acquisition_source: str
    first_name: str
    last_name: str
    mpp: bool
    open_rate: float
    human_ua: str
    order_days: list[int]
    high: bool
    planted: bool = False
    fate: str = ""
    untracked_browser: bool = False
    customer_id: str = ""
    email: str = ""

    @property
    def mailable(self) -> bool:
        """Subscribed at signup (an unsubscribe event may end that later)."""
        return self.email_consent == "subscribed" or self.fate == "unsubscribe"

    @property
    def last_order_days(self) -> int | None:
        """Days ago of the latest planned valid order, None for non-buyers."""
        return min(self.order_days) if self.order_days else None


@dataclass(slots=True)
class OrderItem:
    """One order line."""

    product_id: str
    quantity: int
    unit_price: int


@dataclass(slots=True)
class Order:
    """An order with amounts in cents; `kind` says why it exists (valid, cancelled, ...)."""

    customer_id: str
    ordered_at: datetime
    status: str
    currency: str
    subtotal: int
    discount: int
    shipping: int
    refunded: int | None
    items: list[OrderItem]
    owner: str
    kind: str = "valid"
    web: bool = False
    planted: bool = False
    order_id: str = ""

    @property
    def total(self) -> int:
        """subtotal - discount + shipping."""
        return self.subtotal - self.discount + self.shipping


@dataclass(slots=True)
class Session:
    """A browsing session: (event_type, product_id, occurred_at) in time order."""

    customer_id: str
    anonymous_id: str
    events: list[tuple[str, str, datetime]]
    owner: str
    planted: bool = False
    session_id: str = ""


@dataclass(slots=True)
class Message:
    """One send of a campaign or flow step (per A/B variant)."""

    message_type: str
    name: str
    flow_step: int | None
    ab_test_id: str
    variant: str
    subject: str
    sent_at: datetime
    message_id: str = ""
    audience: str = ""  # the archetype of a targeted campaign; "" = the usual random quarter


@dataclass(slots=True)
class Send:
    """A message going to one customer; forced sends exist to carry a planned engagement."""

    message: Message
    at: datetime
    forced: bool = False


@dataclass(slots=True)
class EmailEvent:
    """One email platform event."""

    message_id: str
    customer_id: str
    event_type: str
    occurred_at: datetime
    bounce_type: str = ""
    user_agent: str = ""
    is_machine_open: str = ""
    owner: str = ""
    planted: bool = False


@dataclass
class Table:
    """Rows of one seed plus, per row, the metadata dirt selection needs."""

    header: tuple[str, ...]
    rows: list[list[str]] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    planted: list[bool] = field(default_factory=list)


@dataclass
class Dataset:
    """Everything one run produces: the eight tables and the archetype of every customer."""

    tables: dict[str, Table]
    archetypes: dict[str, str]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def days_ago(ts: datetime) -> int:
    """Calendar days from the UTC date of `ts` to END's date (SPEC section 1)."""
    return (END_DATE - ts.date()).days


def midnight(days: int) -> datetime:
    """00:00:00 on the date `days` days before END's date."""
    return datetime.combine(END_DATE - timedelta(days=days), time(0, 0))


def noon(days: int, hour: int = 12) -> datetime:
    """The planted customers' clock: `hour`:00:00 on the date `days` days ago."""
    return midnight(days) + timedelta(hours=hour)


def rint(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in [low, high]: one draw of rng.random(), cheaper than randint()."""
    return low + int(rng.random() * (high - low + 1))


HOUR_CUMULATIVE: tuple[float, ...] = tuple(accumulate(HOUR_WEIGHTS))


def day_at(days: int, rng: random.Random) -> datetime:
    """A random instant, weighted to waking hours, on the date `days` days ago."""
    hour = bisect_right(HOUR_CUMULATIVE, rng.random() * HOUR_CUMULATIVE[-1])
    return midnight(days) + timedelta(seconds=hour * 3600 + rint(rng, 0, 3599))


def money(cents: int) -> str:
    """Cents as a two-decimal string ("12.50", "-25.00")."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


ASCII_FOLD: dict[int, str] = {ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o", ord("Ø"): "O",
                              ord("ß"): "ss"}


def ascii_slug(text: str) -> str:
    """Lower-case ASCII for email local parts (names keep their accents elsewhere)."""
    text = text.translate(ASCII_FOLD)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def plain_ts(ts: datetime) -> str:
    """The common export format, UTC without a marker (all instants are whole seconds)."""
    return ts.isoformat(" ")


OFFSETS_MINUTES: tuple[int, ...] = (60, 120, -300, -240, 330)
LATEST_VARIED = END - timedelta(days=1)


def format_ts(ts: datetime, rng: random.Random, varied: bool = True) -> str:
    """Write `ts` (UTC) in one of the export formats; all denote the same instant.

    Only instants at least a day before END get a `Z` or offset form, so that neither the UTC
    instant nor the local wall clock of an offset form is after END.
    """
    if not varied or ts > LATEST_VARIED:
        return ts.isoformat(" ")
    draw = rng.random()
    if draw < 0.10:
        return ts.isoformat() + "Z"
    if draw < 0.20:
        offset = rng.choice(OFFSETS_MINUTES)
        local = ts + timedelta(minutes=offset)
        sign = "+" if offset >= 0 else "-"
        hours, minutes = divmod(abs(offset), 60)
        return f"{local.isoformat()}{sign}{hours:02d}:{minutes:02d}"
    return ts.isoformat(" ")


def clamp_latest(ts: datetime) -> bool:
    """Whether a generated instant is allowed (non-planted activity ends before END's date)."""
    return ts <= LATEST_RANDOM


def send_fits(ts: datetime) -> bool:
    """Whether a send leaves room for its delivery and prefetch before the cut-off."""
    return ts <= LATEST_RANDOM - timedelta(minutes=5)


# --------------------------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------------------------


def build_products(rng: random.Random) -> list[Product]:
    """About 60 products; consumables carry replenishment_days, durable goods do not."""
    drafts: list[tuple[str, str, int, int | None]] = []
    for origin in COFFEE_ORIGINS:
        for style in ("Filter Roast 250 g", "Espresso Roast 250 g"):
            drafts.append((f"{origin} {style}", "coffee", rng.randrange(1150, 1990, 10),
                           rint(rng, 21, 45)))
    for tea in TEAS:
        drafts.append((f"{tea} 100 g", "tea", rng.randrange(790, 2400, 10), rint(rng, 30, 60)))
    for name, price in EQUIPMENT:
        drafts.append((name, "equipment", price, None))
    for name, price in ACCESSORIES:
        drafts.append((name, "accessories", price, None))
    for amount in GIFT_CARDS:
        drafts.append((f"Gift Card {amount // 100}", "gift_cards", amount, None))
    return [Product(f"SKU-{i:04d}", name, category, price, days)
            for i, (name, category, price, days) in enumerate(drafts, start=1)]


LINE_COUNTS: tuple[int, ...] = (0, 0, 1, 1, 2)  # extra lines: 40% / 40% / 20%


def build_basket(products: list[Product], high: bool,
                 rng: random.Random) -> list[tuple[Product, int]]:
    """Lines for one order whose subtotal lands in the high (~180-400) or low (~20-70) class.

    High orders carry one piece of equipment (or a large gift card) plus up to two consumables;
    low orders are one to three consumables or accessories.
    """
    consumables = [p for p in products if p.category in ("coffee", "tea", "accessories")]
    anchors = [p for p in products if p.price >= 8500]
    low, top = (18000, 40000) if high else (2000, 6500)
    basket: list[tuple[Product, int]] = []
    for _ in range(200):
        extra_lines = rng.choice(LINE_COUNTS) + (0 if high else 1)
        quantities = (1, 1, 2, 3) if high else (1, 1, 2)
        basket = [(rng.choice(anchors), 1)] if high else []
        basket += [(p, rng.choice(quantities)) for p in rng.sample(consumables, extra_lines)]
        subtotal = sum(p.price * q for p, q in basket)
        if low <= subtotal <= top:
            return basket
    return basket


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------


def plan_order_days(profile: PurchaseProfile, rng: random.Random) -> tuple[int, list[int]]:
    """(created days ago, valid order days ago): last order in the profile's window, the rest
    spread between signup and the last order."""
    last = rint(rng, profile.last_min_days, profile.last_max_days)
    if profile.min_orders >= 3:
        n = min(profile.max_orders, profile.min_orders + int(rng.expovariate(1 / 6.0)))
        span = min(MAX_DAYS_AGO - last, 25 * n)
        created = rint(rng, last + span, MAX_DAYS_AGO)
    else:
        n = 1 if rng.random() < 0.68 else 2
        created = min(MAX_DAYS_AGO, last + 2 + int(rng.expovariate(1 / 90)))
    others = [rint(rng, last + 1, created - 1) for _ in range(n - 1)]
    return created, sorted([last, *others], reverse=True)


def pick_country(rng: random.Random) -> tuple[str, bool]:
    """Country and tracking consent: ~45% non-consent countries, 60% consent where required."""
    if rng.random() < 0.45:
        return rng.choices(NON_CONSENT_COUNTRIES, weights=(60, 20, 20))[0], rng.random() < 0.85
    return rng.choice(CONSENT_COUNTRIES), rng.random() < 0.60


def draft_customer(key: int, archetype: str, rng: random.Random) -> Customer:
    """One generated customer with the order plan and traits its archetype needs."""
    profile = PURCHASE_PROFILES.get(archetype)
    high = False
    order_days: list[int] = []
    if profile is None and archetype == DEAD_WEIGHT and rng.random() < DEAD_WEIGHT_BUYER_SHARE:
        profile = DEAD_WEIGHT_BUYER_PROFILE
    if profile is not None:
        created_days, order_days = plan_order_days(profile, rng)
        high = profile.high
    else:
        created_days = rint(rng, *CREATED_RANGES[archetype])
    country, tracking = pick_country(rng)
    while archetype == WINDOW_SHOPPERS and country in CONSENT_COUNTRIES and not tracking:
        country, tracking = pick_country(rng)
    if archetype in NEEDS_EMAIL:
        consent = "subscribed"
    else:
        consent = rng.choices(("subscribed", "never_subscribed", "unsubscribed"),
                              weights=(78, 13, 9))[0]
    birth = ""
    if rng.random() < 0.70:
        birth = (END_DATE - timedelta(days=rint(rng, 18 * 365, 75 * 365))).isoformat()
    return Customer(
        key=key, archetype=archetype, created_at=day_at(created_days, rng),
        created_days=created_days, country_code=country, tracking_consent=tracking,
        email_consent=consent, birth_date=birth,
        acquisition_source=rng.choices(ACQUISITION_SOURCES, weights=ACQUISITION_WEIGHTS)[0],
        first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
        mpp=rng.random() < MPP_SHARE,
        open_rate=rng.choices((0.05, 0.12, 0.25, 0.4, 0.6), weights=(20, 25, 25, 20, 10))[0],
        human_ua=rng.choice(HUMAN_USER_AGENTS), order_days=order_days, high=high,
    )


def assign_fates(customers: list[Customer], rng: random.Random) -> None:
    """Hard bounces, unsubscribes and spam complaints, only where email cannot change a persona."""
    eligible = [c for c in customers if c.archetype in FATE_ARCHETYPES and c.mailable]
    chosen = rng.sample(eligible, HARD_BOUNCE_CUSTOMERS + UNSUBSCRIBE_CUSTOMERS + SPAM_CUSTOMERS)
    for i, customer in enumerate(chosen):
        if i < HARD_BOUNCE_CUSTOMERS:
            customer.fate = "hard_bounce"
        elif i < HARD_BOUNCE_CUSTOMERS + UNSUBSCRIBE_CUSTOMERS:
            customer.fate = "unsubscribe"
            customer.email_consent = "unsubscribed"
        else:
            customer.fate = "spam"


def assign_untracked_browsers(customers: list[Customer], rng: random.Random) -> None:
    """Dead Weight customers in consent countries, without tracking consent, who browse lately."""
    dead = [c for c in customers if c.archetype == DEAD_WEIGHT and not c.order_days]
    for customer in rng.sample(dead, UNTRACKED_BROWSERS):
        customer.country_code = rng.choice(CONSENT_COUNTRIES)
        customer.tracking_consent = False
        customer.untracked_browser = True


def build_customers(rng: random.Random) -> list[Customer]:
    """All generated customers, ids C000001... in signup order."""
    drafts: list[Customer] = []
    for archetype, count in ARCHETYPE_COUNTS:
        for _ in range(count):
            drafts.append(draft_customer(len(drafts), archetype, rng))
    assign_fates(drafts, rng)
    assign_untracked_browsers(drafts, rng)
    drafts.sort(key=lambda c: (c.created_at, c.key))
    for number, customer in enumerate(drafts, start=1):
        customer.customer_id = f"C{number:06d}"
        customer.email = (f"{ascii_slug(customer.first_name)}.{ascii_slug(customer.last_name)}"
                          f".{number}@example.com")
    return drafts


def build_planted_customers() -> list[Customer]:
    """The hand-set customers of PLANTED: US, subscribed, tracking consent unless said."""
    planted: list[Customer] = []
    for spec in PLANTED_CUSTOMERS:
        slug = spec.customer_id.replace("-", ".")
        planted.append(Customer(
            key=-1, archetype=PLANTED[spec.customer_id].primary_persona,
            created_at=noon(spec.created_days_ago) - timedelta(hours=3),
            created_days=spec.created_days_ago, country_code=spec.country_code,
            tracking_consent=spec.tracking_consent, email_consent="subscribed",
            birth_date="1985-06-15", acquisition_source="organic", first_name="Test",
            last_name=spec.customer_id, mpp=False, open_rate=0.0,
            human_ua=HUMAN_USER_AGENTS[0], order_days=[o.days_ago for o in spec.orders],
            high=False, planted=True, customer_id=spec.customer_id,
            email=f"{slug if not slug.isdigit() else 'customer.' + slug}@example.org",
        ))
    return planted


# --------------------------------------------------------------------------------------------
# Orders
# --------------------------------------------------------------------------------------------


def currency_of(country: str) -> str:
    """USD for the non-consent countries, EUR for the rest."""
    return "USD" if country in NON_CONSENT_COUNTRIES else "EUR"


def make_order(customer_id: str, currency: str, at: datetime, high: bool, owner: str,
               products: list[Product], rng: random.Random) -> Order:
    """One order of the given price class with a realistic status, discount and shipping."""
    basket = build_basket(products, high, rng)
    subtotal = sum(p.price * q for p, q in basket)
    discount = round(subtotal * 0.10) if rng.random() < 0.12 else 0
    shipping = 495 if subtotal < 4000 else 0
    status = rng.choices(("placed", "delivered", "shipped", "fulfilled"),
                         weights=(72, 12, 8, 8))[0]
    return Order(customer_id=customer_id, ordered_at=at, status=status, currency=currency,
                 subtotal=subtotal, discount=discount, shipping=shipping,
                 refunded=None if rng.random() < 0.6 else 0,
                 items=[OrderItem(p.product_id, q, p.price) for p, q in basket], owner=owner)


def valid_orders(customers: list[Customer], products: list[Product],
                 rng: random.Random) -> list[Order]:
    """The planned valid orders of every generated customer."""
    orders: list[Order] = []
    for c in customers:
        for d in c.order_days:
            order = make_order(c.customer_id, currency_of(c.country_code), day_at(d, rng), c.high,
                               c.archetype, products, rng)
            order.web = c.acquisition_source != "marketplace" and rng.random() < WEB_ORDER_SHARE
            orders.append(order)
    return orders


def add_partial_refunds(orders: list[Order], customers: dict[str, Customer],
                        rng: random.Random) -> None:
    """~2% of orders refunded in part (5-30%): still valid, net revenue lower.

    High-class customers with fewer than 3 orders are spared so one refund cannot pull their
    AOV toward the store-wide AOV.
    """
    candidates = [o for o in orders
                  if o.owner in PURCHASE_ARCHETYPES
                  and (not customers[o.customer_id].high
                       or len(customers[o.customer_id].order_days) >= 3)]
    for order in rng.sample(candidates, round(0.02 * len(orders))):
        order.status = "refunded"
        order.refunded = max(100, round(order.total * rng.uniform(0.05, 0.30)))


def extra_order(c: Customer, day: int, kind: str, products: list[Product],
                rng: random.Random) -> Order:
    """A cancelled, fully refunded or free order of customer `c` on day `day` ago."""
    order = make_order(c.customer_id, currency_of(c.country_code), day_at(day, rng), c.high,
                       c.archetype, products, rng)
    order.kind = kind
    order.web = c.acquisition_source != "marketplace" and rng.random() < WEB_ORDER_SHARE
    if kind == "cancelled":
        order.status, order.refunded = "cancelled", None
    elif kind == "full_refund":
        order.status, order.refunded = "refunded", order.total
    elif kind == "free":
        order.discount, order.shipping, order.refunded = order.subtotal, 0, None
        order.status = "placed"
    return order


def add_extra_orders(orders: list[Order], customers: list[Customer], products: list[Product],
                     rng: random.Random) -> list[Order]:
    """Cancelled (~3%), fully refunded (~1%) and a few free orders of purchase archetypes.

    Cancelled orders fall anywhere in the customer's life (they never count). Full refunds and
    free orders fall before the last valid order so that recency cannot depend on them.
    """
    buyers = [c for c in customers if c.archetype in PURCHASE_ARCHETYPES]
    base = len(orders)
    extras: list[Order] = []
    for _ in range(round(0.031 * base)):
        c = rng.choice(buyers)
        extras.append(extra_order(c, rint(rng, 1, c.created_days - 1), "cancelled",
                                  products, rng))
    refundable = [c for c in buyers if not c.high or len(c.order_days) >= 5]
    for _ in range(round(0.01 * base)):
        c = rng.choice(refundable)
        last = min(c.order_days)
        extras.append(extra_order(c, rint(rng, last + 1, c.created_days - 1), "full_refund",
                                  products, rng))
    frequent_low = [c for c in buyers if c.archetype in (BRAND_ENTHUSIASTS, LAPSED_ENTHUSIASTS)]
    for _ in range(15):
        c = rng.choice(frequent_low)
        last = min(c.order_days)
        extras.append(extra_order(c, rint(rng, last + 1, c.created_days - 1), "free",
                                  products, rng))
    return extras


def unknown_customer_orders(products: list[Product], rng: random.Random) -> list[Order]:
    """Orders of customers missing from the export, and orders with no customer at all."""
    orders: list[Order] = []
    ids = rng.sample(range(900001, 999999), DIRT["orders_unknown_customer"])
    for number in ids:
        orders.append(make_order(f"C{number:06d}", "USD", day_at(rint(rng, 1, MAX_DAYS_AGO), rng),
                                 rng.random() < 0.3, "", products, rng))
    for _ in range(DIRT["orders_missing_customer"]):
        orders.append(make_order("", "EUR", day_at(rint(rng, 1, MAX_DAYS_AGO), rng),
                                 False, "", products, rng))
    for order in orders:
        order.kind = "unknown_customer"
    return orders


def planted_orders(products: list[Product]) -> list[Order]:
    """The hand-set orders: placed, USD, one line, subtotal = total, nothing else."""
    by_category = {p.category: p for p in products}
    orders: list[Order] = []
    for spec in PLANTED_CUSTOMERS:
        for o in spec.orders:
            product = by_category["equipment" if o.total_cents >= 10000 else "coffee"]
            orders.append(Order(customer_id=spec.customer_id, ordered_at=noon(o.days_ago, o.hour),
                                status="placed", currency="USD", subtotal=o.total_cents,
                                discount=0, shipping=0, refunded=None,
                                items=[OrderItem(product.product_id, 1, o.total_cents)],
                                owner=PLANTED[spec.customer_id].primary_persona, planted=True))
    return orders


def build_orders(customers: list[Customer], products: list[Product],
                 rng: random.Random) -> list[Order]:
    """Every order, ids O-000001... in time order."""
    generated = [c for c in customers if not c.planted]
    by_id = {c.customer_id: c for c in generated}
    orders = valid_orders(generated, products, rng)
    add_partial_refunds(orders, by_id, rng)
    orders += add_extra_orders(orders, generated, products, rng)
    orders += unknown_customer_orders(products, rng)
    orders += planted_orders(products)
    orders.sort(key=lambda o: (o.ordered_at, o.customer_id))
    for number, order in enumerate(orders, start=1):
        order.order_id = f"O-{number:06d}"
    return orders


# --------------------------------------------------------------------------------------------
# Web sessions
# --------------------------------------------------------------------------------------------


def anonymous_id(rng: random.Random) -> str:
    """A cookie id."""
    return f"anon-{rng.getrandbits(40):010x}"


def browse_events(start: datetime, kind: str, products: list[Product],
                  rng: random.Random) -> list[tuple[str, str, datetime]]:
    """Events of a session that does not end in an order.

    kind: "light" (pages and categories only), "product" (views, maybe a cart),
    "cart" (always an add to cart, sometimes a checkout started).
    """
    events: list[tuple[str, str, datetime]] = [("page_view", "", start)]
    at = start

    def step() -> datetime:
        nonlocal at
        at = at + timedelta(seconds=rint(rng, 20, 300))
        return at

    if rng.random() < 0.6:
        events.append(("category_view", "", step()))
    if kind == "light":
        if rng.random() < 0.5:
            events.append(("page_view", "", step()))
        return events
    viewed = rng.sample(products, rint(rng, 1, 3))
    for product in viewed:
        events.append(("product_view", product.product_id, step()))
    if kind == "cart" or rng.random() < 0.3:
        events.append(("add_to_cart", viewed[-1].product_id, step()))
        if rng.random() < 0.3:
            events.append(("checkout_started", "", step()))
    return events


def purchase_session(order: Order, device: str, rng: random.Random) -> Session:
    """Views, cart and checkout of an order, ending with order_completed at ordered_at."""
    items = [i.product_id for i in order.items]
    steps: list[tuple[str, str]] = [("page_view", "")]
    if rng.random() < 0.5:
        steps.append(("category_view", ""))
    # Repeat buys often skip the product page: only the first line is always viewed.
    steps += [("product_view", p) for n, p in enumerate(items) if n == 0 or rng.random() < 0.5]
    steps += [("add_to_cart", p) for p in items]
    steps.append(("checkout_started", ""))
    at = order.ordered_at
    events: list[tuple[str, str, datetime]] = [("order_completed", "", at)]
    for event_type, product in reversed(steps):
        at = at - timedelta(seconds=rint(rng, 30, 240))
        events.append((event_type, product, at))
    events.reverse()
    return Session(order.customer_id, device, events, order.owner)


def session_days(customer: Customer, archetype_rule: str, rng: random.Random) -> list[int]:
    """Days ago of a customer's browse sessions outside the archetype's forced window."""
    first, last = 1, customer.created_days - 1
    if archetype_rule == "old_only":
        first = QUIET_DAYS
    if last < first:
        return []
    count = rng.choices((0, 1, 2, 3, 4), weights=(40, 30, 18, 8, 4))[0]
    return [rint(rng, first, last) for _ in range(count)]


def customer_sessions(c: Customer, products: list[Product], rng: random.Random,
                      device: str) -> list[Session]:
    """Browse sessions (no order) of one generated customer, shaped by its archetype."""
    sessions: list[Session] = []

    def add(day: int, kind: str) -> None:
        start = day_at(day, rng)
        if start <= c.created_at:
            start = c.created_at + timedelta(minutes=rint(rng, 5, 120))
        events = browse_events(start, kind, products, rng)
        if all(clamp_latest(ts) for _, _, ts in events):
            sessions.append(Session(c.customer_id, device, events, c.archetype))

    recent_top = min(85, c.created_days - 1)
    if c.archetype == UNCLASSIFIED:
        return sessions
    if c.archetype in (FALSE_STARTS, DEAD_WEIGHT, WAITING_FOR_WOWS, WINDOW_SHOPPERS):
        for day in session_days(c, "old_only", rng):
            add(day, rng.choice(("light", "product", "cart")))
    else:
        for day in session_days(c, "any", rng):
            add(day, rng.choice(("light", "product", "product", "cart")))
    if c.archetype == WINDOW_SHOPPERS or c.untracked_browser:
        for _ in range(rint(rng, 1, 3)):
            add(rint(rng, 2, recent_top), rng.choice(("product", "cart")))
    if c.archetype == WAITING_FOR_WOWS and rng.random() < 0.3 and recent_top >= 2:
        for _ in range(rint(rng, 1, 2)):
            add(rint(rng, 2, recent_top), "light")
    return sessions


def anonymous_sessions(count: int, products: list[Product], rng: random.Random) -> list[Session]:
    """Visitors who never logged in; their cookie ids are never seen on a known customer."""
    pool = [anonymous_id(rng) for _ in range(max(1, int(count * 0.7)))]
    sessions: list[Session] = []
    for _ in range(count):
        start = day_at(rint(rng, 1, MAX_DAYS_AGO), rng)
        kind = rng.choices(("light", "product", "cart"), weights=(45, 40, 15))[0]
        events = browse_events(start, kind, products, rng)
        if all(clamp_latest(ts) for _, _, ts in events):
            sessions.append(Session("", rng.choice(pool), events, ""))
    return sessions


def planted_sessions(rng: random.Random, products: list[Product]) -> list[Session]:
    """The site events the planted customers are specified with, and nothing else."""
    views = [p.product_id for p in products if p.category == "equipment"]

    def product_views(customer_id: str, day: int, n: int) -> Session:
        events = [("product_view", views[i], noon(day) + timedelta(minutes=2 * i))
                  for i in range(n)]
        return Session(customer_id, anonymous_id(rng), events, PLANTED[customer_id].primary_persona,
                       planted=True)

    return [
        Session("planted-high-roller", anonymous_id(rng), [("page_view", "", END)], HIGH_ROLLERS,
                planted=True),
        product_views("planted-window-shopper", 10, 2),
        product_views("planted-eu-no-consent", 10, 2),
        product_views("17", 5, 3),
    ]


def build_sessions(customers: list[Customer], orders: list[Order], products: list[Product],
                   rng: random.Random) -> list[Session]:
    """All sessions (with their dirt events), ids S-000001... by start time."""
    devices = {c.customer_id: anonymous_id(rng) for c in customers}
    sessions: list[Session] = []
    for order in orders:
        if order.web and not order.planted and order.customer_id in devices:
            sessions.append(purchase_session(order, devices[order.customer_id], rng))
    for c in customers:
        if not c.planted:
            sessions += customer_sessions(c, products, rng, devices[c.customer_id])
    anonymous_count = round(len(sessions) * ANONYMOUS_SESSION_SHARE / (1 - ANONYMOUS_SESSION_SHARE))
    sessions += anonymous_sessions(anonymous_count, products, rng)
    wishlist_events(sessions, rng)
    sessions += unknown_customer_sessions(products, rng)
    sessions += planted_sessions(rng, products)
    sessions.sort(key=lambda s: (s.events[0][2], s.customer_id, s.anonymous_id))
    for number, session in enumerate(sessions, start=1):
        session.session_id = f"S-{number:06d}"
    return sessions


# --------------------------------------------------------------------------------------------
# Email: messages and sends
# --------------------------------------------------------------------------------------------


def campaign_days(rng: random.Random) -> list[int]:
    """Roughly weekly campaign days over the history, always including the anchor days."""
    days: list[int] = []
    day = 694
    while day > 2:
        if all(abs(day - anchor) > 3 for anchor in ANCHOR_CAMPAIGN_DAYS):
            days.append(day)
        day -= rint(rng, 6, 9)
    return sorted(set(days) | set(ANCHOR_CAMPAIGN_DAYS), reverse=True)


def nearest(days: list[int], target: int) -> int:
    """The campaign day closest to `target` (the earlier-listed one on a tie)."""
    return min(days, key=lambda d: (abs(d - target), d))


def build_messages(rng: random.Random) -> tuple[list[Message], dict[str, list[Message]]]:
    """Flow steps (live early in the history) and campaigns: three A/B tests, three targeted.

    Returns all messages (ids M-0001... by sent_at) and the flow steps by flow name.
    """
    messages: list[Message] = []
    flows: dict[str, list[Message]] = {}
    for name, subjects, live_days in FLOWS:
        steps = [Message("flow", name, step, "", "", subject, noon(live_days, 9))
                 for step, subject in enumerate(subjects, start=1)]
        flows[name] = steps
        messages += steps
    days = campaign_days(rng)
    ab_days = {nearest(days, test.target_day): test for test in AB_TESTS}
    for number, day in enumerate(days, start=1):
        sent = noon(day, 10) if day in ANCHOR_CAMPAIGN_DAYS else noon(day, rint(rng, 8, 16))
        theme, template = rng.choice(CAMPAIGN_THEMES)
        topic = rng.choice(COFFEE_ORIGINS + TEAS)
        name = f"{sent:%Y-%m-%d} {theme} #{number}"
        if day in ab_days:
            test = ab_days[day]
            sent_a = noon(day, 10) if test.b_hour is not None else sent
            sent_b = noon(day, test.b_hour) if test.b_hour is not None else sent
            messages.append(Message("campaign", name, None, test.test_id, "A", test.subject_a,
                                    sent_a))
            messages.append(Message("campaign", name, None, test.test_id, "B", test.subject_b,
                                    sent_b))
        else:
            messages.append(Message("campaign", name, None, "", "",
                                    template.format(topic=topic), sent))
    for targeted in TARGETED_CAMPAIGNS:
        sent = noon(targeted.day, 11)
        messages.append(Message("campaign", f"{sent:%Y-%m-%d} {targeted.name}", None, "", "",
                                targeted.subject, sent, audience=targeted.archetype))
    messages.sort(key=lambda m: (m.sent_at, m.name, m.flow_step or 0, m.variant))
    for number, message in enumerate(messages, start=1):
        message.message_id = f"M-{number:04d}"
    return messages, flows


def campaigns_by_test(messages: list[Message]) -> list[list[Message]]:
    """Random-audience campaign sends grouped per campaign (one list, two for an A/B test)."""
    groups: list[list[Message]] = []
    for message in messages:
        if message.message_type != "campaign" or message.audience:
            continue
        if groups and groups[-1][0].name == message.name:
            groups[-1].append(message)
        else:
            groups.append([message])
    return groups


def campaign_sends(customers: list[Customer], messages: list[Message],
                   rng: random.Random) -> dict[str, list[Send]]:
    """Each campaign to a random ~quarter of the customers subscribed and signed up by then."""
    sends: dict[str, list[Send]] = {c.customer_id: [] for c in customers}
    mailable = sorted((c for c in customers if c.mailable), key=lambda c: (c.created_at, c.key))
    for group in campaigns_by_test(messages):
        sent_at = group[0].sent_at
        draw = rng.random
        for c in mailable:
            if c.created_at >= sent_at:
                break
            if draw() < CAMPAIGN_AUDIENCE_RATE:
                message = group[rint(rng, 0, len(group) - 1)] if len(group) > 1 else group[0]
                sends[c.customer_id].append(
                    Send(message, message.sent_at + timedelta(seconds=rint(rng, 0, 1800))))
    return sends


def flow_sends(customers: list[Customer], flows: dict[str, list[Message]],
               sessions: list[Session], rng: random.Random,
               sends: dict[str, list[Send]]) -> None:
    """Welcome Series at signup, Abandoned Cart after a cart without order, Win-back at lapse."""
    by_id = {c.customer_id: c for c in customers}
    welcome, cart, win_back = flows["Welcome Series"], flows["Abandoned Cart"], flows["Win-back"]
    for c in customers:
        if c.mailable and c.created_at >= welcome[0].sent_at:
            for step, offset_days in zip(welcome, (0, 2, 4)):
                at = c.created_at + timedelta(days=offset_days, minutes=rint(rng, 2, 15))
                if send_fits(at):
                    sends[c.customer_id].append(Send(step, at))
        last = c.last_order_days
        if (c.mailable and last is not None and c.archetype in PURCHASE_ARCHETYPES
                and rng.random() < WIN_BACK_SHARE):
            lapse = midnight(last - WIN_BACK_AFTER_DAYS) + timedelta(hours=9) \
                if last > WIN_BACK_AFTER_DAYS else None
            for step, offset_days in zip(win_back, (0, 7, 14)):
                if lapse is None:
                    break
                at = lapse + timedelta(days=offset_days, minutes=rint(rng, 0, 30))
                if send_fits(at) and at >= step.sent_at:
                    sends[c.customer_id].append(Send(step, at))
    order_times = order_times_by_customer(sessions)
    for session in sessions:
        customer = by_id.get(session.customer_id)
        if customer is None or not customer.mailable:
            continue
        carts = [ts for event_type, _, ts in session.events if event_type == "add_to_cart"]
        if not carts or any(event[0] == "order_completed" for event in session.events):
            continue
        if rng.random() >= ABANDONED_CART_SHARE or carts[-1] < cart[0].sent_at:
            continue
        for step, hours in zip(cart, (24, 72)):
            at = carts[-1] + timedelta(hours=hours)
            bought = any(carts[-1] < t <= at for t in order_times.get(customer.customer_id, []))
            if bought or not send_fits(at):
                break
            sends[customer.customer_id].append(Send(step, at))


def order_times_by_customer(sessions: list[Session]) -> dict[str, list[datetime]]:
    """When each customer completed an order on the site (abandoned carts stop on a purchase)."""
    times: dict[str, list[datetime]] = {}
    for session in sessions:
        for event_type, _, ts in session.events:
            if event_type == "order_completed" and session.customer_id:
                times.setdefault(session.customer_id, []).append(ts)
    return times


# --------------------------------------------------------------------------------------------
# Email: one customer's events
# --------------------------------------------------------------------------------------------

Delivery = tuple[Message, datetime]
Engagement = tuple[str, datetime]


def resolve_sends(c: Customer, sends: list[Send],
                  rng: random.Random) -> list[tuple[Send, datetime, str]]:
    """(send, outcome time, outcome) per send: "delivered", "soft", "hard" or an opt-out.

    A hard bounce, unsubscribe or spam complaint ends the customer's sends.
    """
    sends.sort(key=lambda s: (s.at, s.message.message_id))
    # One send per message and customer (a re-triggered flow is skipped), so "the delivery" of
    # an open is unambiguous for the machine-open timing rule.
    seen: set[str] = set()
    unique: list[Send] = []
    for send in sends:
        if send.message.message_id not in seen:
            seen.add(send.message.message_id)
            unique.append(send)
    sends[:] = unique
    fate_index = -1
    if c.fate and sends:
        if c.fate == "hard_bounce" and rng.random() < 0.6:
            fate_index = 0
        else:
            fate_index = rint(rng, 0, len(sends) - 1)
    outcomes: list[tuple[Send, datetime, str]] = []
    for index, send in enumerate(sends):
        at = send.at + timedelta(seconds=rint(rng, 2, 25))
        if index == fate_index:
            outcomes.append((send, at, "hard" if c.fate == "hard_bounce" else c.fate))
            break
        soft = not send.forced and rng.random() < SOFT_BOUNCE_RATE
        outcomes.append((send, at, "soft" if soft else "delivered"))
    return outcomes


def forced_send(c: Customer, sends: list[Send], campaigns: list[Message], lo: int, hi: int,
                rng: random.Random) -> Send | None:
    """Add the customer to a campaign sent `lo`..`hi` days ago (to carry an engagement)."""
    have = {s.message.message_id for s in sends}
    candidates = [m for m in campaigns
                  if lo <= days_ago(m.sent_at) <= hi and m.sent_at > c.created_at
                  + timedelta(hours=1) and m.message_id not in have and not m.ab_test_id
                  and not m.audience]
    if not candidates:
        return None
    message = rng.choice(candidates)
    send = Send(message, message.sent_at + timedelta(seconds=rint(rng, 0, 1800)), forced=True)
    sends.append(send)
    return send


def forced_windows(c: Customer) -> list[tuple[int, int, int]]:
    """(lo, hi, deliveries wanted) windows where the archetype needs engagements."""
    if c.archetype == ALMOST_THERE:
        return [(1, 85, 2)]
    if c.archetype == WAITING_FOR_WOWS:
        return [(2, 85, 1)]
    if c.archetype == ESPRESSO_SHOT:
        return [(1, 25, 1)]
    if c.archetype == FALSE_STARTS:
        return [(QUIET_DAYS + 1, c.created_days, 2)]
    return []


def delivered_in(outcomes: list[tuple[Send, datetime, str]], lo: int, hi: int) -> int:
    """How many sends were delivered `lo`..`hi` days ago."""
    return sum(1 for _, at, kind in outcomes if kind == "delivered" and lo <= days_ago(at) <= hi)


def human_open_delay(rng: random.Random) -> timedelta:
    """How long after delivery a person opens: minutes mostly, sometimes a day later."""
    bucket = rng.random()
    if bucket < 0.45:
        return timedelta(seconds=rint(rng, 60, 3600))
    if bucket < 0.85:
        return timedelta(seconds=rint(rng, 3600, 12 * 3600))
    return timedelta(seconds=rint(rng, 12 * 3600, 48 * 3600))


def free_engagements(delivered_at: datetime, p: float, rng: random.Random) -> list[Engagement]:
    """Opens (sometimes a re-open) and clicks a person may make on one delivered message."""
    if rng.random() >= p:
        return []
    opened = delivered_at + human_open_delay(rng)
    events: list[Engagement] = [("opened", opened)]
    if rng.random() < 0.35:
        events.append(("opened", opened + timedelta(seconds=rint(rng, 600, 86400))))
    if rng.random() < 0.22:
        events.append(("clicked", opened + timedelta(seconds=rint(rng, 60, 1800))))
    return sorted(events, key=lambda e: e[1])


def allowed_engagement(archetype: str) -> Callable[[datetime], bool]:
    """Which engagement instants an archetype may show without leaving its persona."""
    if archetype == UNCLASSIFIED:
        return lambda ts: False
    if archetype in (WINDOW_SHOPPERS, WAITING_FOR_WOWS, FALSE_STARTS, DEAD_WEIGHT):
        return lambda ts: days_ago(ts) >= QUIET_DAYS and clamp_latest(ts)
    return clamp_latest


def forced_open(delivered_at: datetime, rng: random.Random) -> datetime | None:
    """A human open 1 minute to 2 hours after delivery, None if that would pass the cut-off."""
    room = int((LATEST_RANDOM - delivered_at).total_seconds())
    if room < 60:
        return None
    return delivered_at + timedelta(seconds=rint(rng, 60, min(7200, room)))


def top_up(plan: list[list[Engagement]], deliveries: list[Delivery], lo: int, hi: int,
           wanted: int, rng: random.Random, counted: Callable[[datetime], bool]) -> None:
    """Add human opens (and a click now and then) until `wanted` engagements fall in `counted`."""
    pool = [i for i, (_, at) in enumerate(deliveries) if lo <= days_ago(at) <= hi]
    have = sum(1 for events in plan for _, ts in events if counted(ts))
    attempts = 0
    while pool and have < wanted and attempts < 50:
        attempts += 1
        index = rng.choice(pool)
        opened = forced_open(deliveries[index][1], rng)
        if opened is None or not counted(opened):
            continue
        plan[index].append(("opened", opened))
        have += 1
        if have < wanted and rng.random() < 0.3:
            clicked = opened + timedelta(seconds=rint(rng, 60, 900))
            if counted(clicked) and clamp_latest(clicked):
                plan[index].append(("clicked", clicked))
                have += 1


def plan_engagements(c: Customer, deliveries: list[Delivery],
                     rng: random.Random) -> list[list[Engagement]]:
    """Human opens and clicks per delivery, shaped so the archetype's persona comes true."""
    allowed = allowed_engagement(c.archetype)
    plan: list[list[Engagement]] = []
    total = 0
    cap = 2 if c.archetype == DEAD_WEIGHT else 10**6
    for message, delivered_at in deliveries:
        p = min(0.95, c.open_rate + AB_OPEN_BOOST.get((message.ab_test_id, message.variant), 0.0))
        events = [e for e in free_engagements(delivered_at, p, rng) if allowed(e[1])]
        events = events[:max(0, cap - total)]
        total += len(events)
        plan.append(events)
    if c.archetype == ALMOST_THERE:
        top_up(plan, deliveries, 1, 85, rint(rng, 3, 6), rng, lambda ts: days_ago(ts) <= 85)
    elif c.archetype == ESPRESSO_SHOT:
        top_up(plan, deliveries, 1, 25, 1, rng, lambda ts: days_ago(ts) <= 25)
    elif c.archetype == FALSE_STARTS:
        top_up(plan, deliveries, QUIET_DAYS + 1, MAX_DAYS_AGO, rint(rng, 3, 5), rng,
               lambda ts: days_ago(ts) >= QUIET_DAYS)
    elif c.archetype == WAITING_FOR_WOWS:
        plant_waiting_for_wows(plan, deliveries, rng)
    return plan


def plant_waiting_for_wows(plan: list[list[Engagement]], deliveries: list[Delivery],
                           rng: random.Random) -> None:
    """Exactly one or two engagements in the last 90 days: an open, open + click, or two opens."""
    pool = [i for i, (_, at) in enumerate(deliveries) if 2 <= days_ago(at) <= 85]
    if not pool:
        return
    index = rng.choice(pool)
    opened = forced_open(deliveries[index][1], rng)
    if opened is None:
        return
    plan[index].append(("opened", opened))
    shape = rng.choice(("open", "click", "two_opens"))
    if shape == "click":
        plan[index].append(("clicked", opened + timedelta(seconds=rint(rng, 60, 900))))
    elif shape == "two_opens":
        second_index = rng.choice(pool)
        second = forced_open(deliveries[second_index][1], rng)
        if second is not None:
            plan[second_index].append(("opened", second))


def machine_open(c: Customer, message: Message, delivered_at: datetime,
                 rng: random.Random) -> EmailEvent:
    """An Apple Mail Privacy Protection prefetch, written one of the three ways exports do."""
    at = delivered_at + timedelta(seconds=rint(rng, 0, 1))
    style = rint(rng, 0, 2)
    if style == 0:
        return EmailEvent(message.message_id, c.customer_id, "opened", at, "", MPP_FLAGGED_UA,
                          "true", c.archetype)
    if style == 1:
        return EmailEvent(message.message_id, c.customer_id, "opened", at, "", MPP_NAMED_UA, "",
                          c.archetype)
    return EmailEvent(message.message_id, c.customer_id, "opened", at, "", MPP_PLAIN_UA, "",
                      c.archetype)


def customer_email_events(c: Customer, sends: list[Send], campaigns: list[Message],
                          rng: random.Random) -> list[EmailEvent]:
    """Every email event of one generated customer."""
    outcomes = resolve_sends(c, sends, rng)
    for lo, hi, wanted in forced_windows(c):
        for _ in range(wanted):
            if delivered_in(outcomes, lo, hi) >= wanted:
                break
            send = forced_send(c, sends, campaigns, lo, hi, rng)
            if send is not None:
                outcomes.append((send, send.at + timedelta(seconds=rint(rng, 2, 25)),
                                 "delivered"))
    outcomes.sort(key=lambda o: (o[1], o[0].message.message_id))
    deliveries = [(s.message, at) for s, at, kind in outcomes if kind == "delivered"]
    plan = plan_engagements(c, deliveries, rng)
    ua = c.human_ua
    events: list[EmailEvent] = []
    delivery_index = 0
    for send, at, kind in outcomes:
        message_id = send.message.message_id
        events.append(EmailEvent(message_id, c.customer_id, "sent", send.at, owner=c.archetype))
        if kind in ("soft", "hard"):
            events.append(EmailEvent(message_id, c.customer_id, "bounced", at, kind,
                                     owner=c.archetype))
            continue
        events.append(EmailEvent(message_id, c.customer_id, "delivered", at, owner=c.archetype))
        if c.mpp:
            events.append(machine_open(c, send.message, at, rng))
        if kind == "delivered":
            for event_type, ts in plan[delivery_index]:
                events.append(human_event(c, message_id, event_type, ts, ua, rng))
            delivery_index += 1
        else:
            opt_out = at + timedelta(seconds=rint(rng, 300, 7200))
            if clamp_latest(opt_out):
                events.append(EmailEvent(message_id, c.customer_id,
                                         "unsubscribed" if kind == "unsubscribe"
                                         else "marked_as_spam", opt_out, owner=c.archetype))
    return events


def human_event(c: Customer, message_id: str, event_type: str, ts: datetime, ua: str,
                rng: random.Random) -> EmailEvent:
    """A person's open (flag false or empty, a human UA) or click (UA optional)."""
    if event_type == "opened":
        agent = ua if rng.random() < 0.85 else rng.choice(HUMAN_USER_AGENTS)
        return EmailEvent(message_id, c.customer_id, "opened", ts, "", agent,
                          "false" if rng.random() < 0.6 else "", c.archetype)
    return EmailEvent(message_id, c.customer_id, "clicked", ts, "",
                      ua if rng.random() < 0.5 else "", "", c.archetype)


def planted_email_events(campaign_on: dict[int, Message]) -> list[EmailEvent]:
    """The hand-set sends, deliveries and opens of the planted customers (10 minutes after
    delivery for human opens, 1 second for machine opens)."""
    events: list[EmailEvent] = []

    def deliver(customer_id: str, day: int) -> tuple[str, datetime]:
        message = campaign_on[day]
        sent = message.sent_at + timedelta(seconds=30)
        delivered = sent + timedelta(seconds=4)
        owner = PLANTED[customer_id].primary_persona
        events.append(EmailEvent(message.message_id, customer_id, "sent", sent, owner=owner,
                                 planted=True))
        events.append(EmailEvent(message.message_id, customer_id, "delivered", delivered,
                                 owner=owner, planted=True))
        return message.message_id, delivered

    def human_open(customer_id: str, day: int, click: bool = False) -> None:
        message_id, delivered = deliver(customer_id, day)
        owner = PLANTED[customer_id].primary_persona
        opened = delivered + timedelta(minutes=10)
        events.append(EmailEvent(message_id, customer_id, "opened", opened, "",
                                 HUMAN_USER_AGENTS[0], "false", owner, True))
        if click:
            events.append(EmailEvent(message_id, customer_id, "clicked",
                                     opened + timedelta(minutes=5), "", HUMAN_USER_AGENTS[0], "",
                                     owner, True))

    for day in (80, 50, 20):
        human_open("planted-almost-there", day)
    for day in (30, 20):
        human_open("planted-machine-opener", day)
    for day in (57, 50, 40, 12, 5):
        message_id, delivered = deliver("planted-machine-opener", day)
        events.append(EmailEvent(message_id, "planted-machine-opener", "opened",
                                 delivered + timedelta(seconds=1), "", MPP_FLAGGED_UA, "true",
                                 WAITING_FOR_WOWS, True))
    human_open("planted-waiting-for-wows", 40, click=True)
    human_open("planted-espresso", 5)
    for day in (200, 190, 180, 170):
        human_open("planted-false-start", day)
    return events


def unknown_customer_email_events(messages: list[Message],
                                  rng: random.Random) -> list[EmailEvent]:
    """Sends to recipients that are not in the customer export (deleted profiles)."""
    campaigns = [m for m in messages if m.message_type == "campaign"]
    events: list[EmailEvent] = []
    for number in rng.sample(range(800001, 899999), DIRT["email_events_unknown_customer"] // 2):
        message = rng.choice(campaigns)
        sent = message.sent_at + timedelta(seconds=rint(rng, 0, 1800))
        customer_id = f"C{number:06d}"
        events.append(EmailEvent(message.message_id, customer_id, "sent", sent))
        events.append(EmailEvent(message.message_id, customer_id, "delivered",
                                 sent + timedelta(seconds=rint(rng, 2, 25))))
    return events


def forwarded_events(events: list[EmailEvent], rng: random.Random) -> list[EmailEvent]:
    """An event type the contract does not know, on purchase customers' deliveries."""
    cutoff = LATEST_RANDOM - timedelta(days=1)
    deliveries = [e for e in events if e.event_type == "delivered" and not e.planted
                  and e.owner in PURCHASE_PERSONAS
                  and e.occurred_at < cutoff]
    extra: list[EmailEvent] = []
    for delivered in rng.sample(deliveries, DIRT["email_events_unknown_type"]):
        extra.append(EmailEvent(delivered.message_id, delivered.customer_id, "forwarded",
                                delivered.occurred_at + timedelta(seconds=rint(rng, 3600, 10800)),
                                owner=delivered.owner))
    return extra


def targeted_recipients(customers: list[Customer], message: Message) -> list[Customer]:
    """Who a targeted campaign reaches: its archetype, subscribed, no bounce or opt-out so far
    (no fate), signed up before the send."""
    return [c for c in customers if c.archetype == message.audience and not c.fate
            and c.email_consent == "subscribed" and c.created_at < message.sent_at]


def targeted_campaign_events(customers: list[Customer], messages: list[Message],
                             earlier: list[EmailEvent], rng: random.Random) -> list[EmailEvent]:
    """Sends, deliveries, opens and opt-outs of TARGETED_CAMPAIGNS.

    They use their own Random so that the rest of the data does not shift with them. Opt-outs
    are drawn among recipients with no other email after the send (nothing is sent to them
    after they opt out), and set the customer's fate and consent like assign_fates does.
    """
    last_email: dict[str, datetime] = {}
    for event in earlier:
        if event.occurred_at > last_email.get(event.customer_id, START):
            last_email[event.customer_id] = event.occurred_at
    events: list[EmailEvent] = []
    for targeted in TARGETED_CAMPAIGNS:
        message = next(m for m in messages if m.audience == targeted.archetype)
        recipients = targeted_recipients(customers, message)
        quiet = [c for c in recipients if last_email.get(c.customer_id, START) < message.sent_at]
        opt_outs = rng.sample(quiet, targeted.unsubscribes + targeted.spam_complaints)
        fates = {c.customer_id: "unsubscribe" for c in opt_outs[:targeted.unsubscribes]}
        fates.update({c.customer_id: "spam" for c in opt_outs[targeted.unsubscribes:]})
        allowed = allowed_engagement(targeted.archetype)
        for c in recipients:
            sent = message.sent_at + timedelta(seconds=rint(rng, 0, 1800))
            delivered = sent + timedelta(seconds=rint(rng, 2, 25))
            events.append(EmailEvent(message.message_id, c.customer_id, "sent", sent,
                                     owner=c.archetype))
            events.append(EmailEvent(message.message_id, c.customer_id, "delivered", delivered,
                                     owner=c.archetype))
            if c.mpp:
                events.append(machine_open(c, message, delivered, rng))
            if targeted.human_opens:
                for event_type, ts in free_engagements(delivered, c.open_rate, rng):
                    if allowed(ts):
                        events.append(human_event(c, message.message_id, event_type, ts,
                                                  c.human_ua, rng))
            fate = fates.get(c.customer_id)
            if fate is not None:
                events.append(EmailEvent(message.message_id, c.customer_id,
                                         "unsubscribed" if fate == "unsubscribe"
                                         else "marked_as_spam",
                                         delivered + timedelta(seconds=rint(rng, 300, 7200)),
                                         owner=c.archetype))
                c.fate = fate
                if fate == "unsubscribe":
                    c.email_consent = "unsubscribed"
    return events


def build_email_events(customers: list[Customer], messages: list[Message],
                       flows: dict[str, list[Message]], sessions: list[Session],
                       rng: random.Random) -> list[EmailEvent]:
    """Every email event, in time order."""
    generated = [c for c in customers if not c.planted]
    sends = campaign_sends(generated, messages, rng)
    flow_sends(generated, flows, sessions, rng, sends)
    campaigns = [m for m in messages if m.message_type == "campaign"]
    events: list[EmailEvent] = []
    for c in generated:
        events += customer_email_events(c, sends[c.customer_id], campaigns, rng)
    campaign_on = {days_ago(m.sent_at): m for m in campaigns
                   if days_ago(m.sent_at) in ANCHOR_CAMPAIGN_DAYS}
    events += planted_email_events(campaign_on)
    events += unknown_customer_email_events(messages, rng)
    events += forwarded_events(events, rng)
    events += targeted_campaign_events(generated, messages, events,
                                       random.Random(SEED + TARGETED_SEED_OFFSET))
    order = {"sent": 0, "delivered": 1, "bounced": 1, "opened": 2, "clicked": 3,
             "forwarded": 4, "unsubscribed": 5, "marked_as_spam": 5}
    keyed = [(e.occurred_at, order[e.event_type], i) for i, e in enumerate(events)]
    keyed.sort()
    return [events[i] for _, _, i in keyed]


# --------------------------------------------------------------------------------------------
# Rows and dirt
# --------------------------------------------------------------------------------------------


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
    return table


def wishlist_events(sessions: list[Session], rng: random.Random) -> None:
    """An event type the contract does not know, inside purchase customers' sessions."""
    cutoff = LATEST_RANDOM - timedelta(hours=1)
    candidates = [s for s in sessions if s.owner in PURCHASE_PERSONAS and not s.planted
                  and s.events[-1][2] < cutoff]
    for session in rng.sample(candidates, DIRT["web_events_unknown_type"]):
        product = next((p for t, p, _ in session.events if p), "SKU-0001")
        at = session.events[-1][2] + timedelta(seconds=rint(rng, 10, 120))
        session.events.append(("wishlist_add", product, at))


def unknown_customer_sessions(products: list[Product], rng: random.Random) -> list[Session]:
    """Sessions of logged-in ids that the customer export does not have."""
    sessions: list[Session] = []
    for number in rng.sample(range(700001, 799999), DIRT["web_events_unknown_customer"] // 2):
        start = day_at(rint(rng, 2, MAX_DAYS_AGO), rng)
        events = [("page_view", "", start),
                  ("product_view", rng.choice(products).product_id,
                   start + timedelta(seconds=rint(rng, 20, 200)))]
        sessions.append(Session(f"C{number:06d}", anonymous_id(rng), events, UNKNOWN_OWNER))
    return sessions


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
    return table


# --------------------------------------------------------------------------------------------
# Assembly and output
# --------------------------------------------------------------------------------------------


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
    sessions = build_sessions(customers, orders, products, rng)
    messages, flows = build_messages(rng)
    email_events = build_email_events(customers, messages, flows, sessions, rng)
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
