"""Web sessions: browsing and purchase sessions, anonymous and planted ones, and the session dirt
(an event type the contract does not know, logged-in ids the customer export does not have).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .constants import (
    DEAD_WEIGHT, END, FALSE_STARTS, HIGH_ROLLERS, LATEST_RANDOM, MAX_DAYS_AGO, UNCLASSIFIED,
    WAITING_FOR_WOWS, WINDOW_SHOPPERS,
)
from .dirt import DIRT, UNKNOWN_OWNER
from .helpers import clamp_latest, day_at, noon, rint
from .knobs import ANONYMOUS_SESSION_SHARE, PURCHASE_PERSONAS, QUIET_DAYS
from .planted import PLANTED
from .products import plant_view_pair, side_rng
from .records import Customer, Order, Product, Session


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
    viewed = plant_view_pair(rng.sample(products, rint(rng, 1, 3)), products,
                             side_rng("views", start.isoformat(), kind))
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
