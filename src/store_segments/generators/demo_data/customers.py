"""Generated customers (archetype, behaviour plan, fate) and the planted ones."""

from __future__ import annotations

import random
from datetime import timedelta

from .constants import DEAD_WEIGHT, END_DATE, MAX_DAYS_AGO, WINDOW_SHOPPERS
from .helpers import ascii_slug, day_at, noon, rint
from .knobs import (
    ACQUISITION_SOURCES, ACQUISITION_WEIGHTS, ARCHETYPE_COUNTS, CONSENT_COUNTRIES, CREATED_RANGES,
    DEAD_WEIGHT_BUYER_PROFILE, DEAD_WEIGHT_BUYER_SHARE, FATE_ARCHETYPES, FIRST_NAMES,
    HARD_BOUNCE_CUSTOMERS, HUMAN_USER_AGENTS, LAST_NAMES, MPP_SHARE, NEEDS_EMAIL,
    NON_CONSENT_COUNTRIES, PURCHASE_PROFILES, PurchaseProfile, SPAM_CUSTOMERS,
    UNSUBSCRIBE_CUSTOMERS, UNTRACKED_BROWSERS,
)
from .planted import PLANTED, PLANTED_CUSTOMERS
from .records import Customer


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
