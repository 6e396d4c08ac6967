"""The journeys' planted effects, measured by journey_lift (docs/journeys.md, "How to read a lift").

The demo's journey emails go only to the treated group (``HoldoutGroups``, the same hash as
macros/holdouts.sql). On top of the organic abandoned carts, ``plant_cart_effect`` adds abandoned
carts of mailable, tracked buyers so that the abandoned-cart journey's entries convert (a valid
order within 7 days of entering, the entry being 24 h after the cart) at ``CART_HOLDOUT_RATE``
without the email and ``CART_TREATED_RATE`` with it. It adds sessions only, never orders: a
converting cart is placed 30 h to 7 days 18 h before one of the customer's planned orders, a
non-converting one where no valid order follows within 8 days, so every persona and RFM cell stays
where it was. The organic entries (which convert at the demo's natural rate in both groups) are
counted the way journey_entries counts them, and the planted conversions make up the
difference, so that all the journey's mature entries together convert at the planted rates.
The welcome series has no effect: its emails go to the treated only and nothing else changes.
Everything draws from a generator of its own, so the rest of the demo stays where it was.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import datetime, timedelta

from .constants import BRAND_ENTHUSIASTS, END, POTENTIAL_BRAND_ENTHUSIASTS
from .helpers import clamp_latest, day_at
from .holdouts import HoldoutGroups
from .knobs import NON_CONSENT_COUNTRIES
from .records import Customer, Order, Product, Session
from .sessions import browse_events

CART_HOLDOUT_RATE = 0.10  # 7-day conversion of abandoned-cart entries without the email
CART_TREATED_RATE = 0.30  # ... and with it
CART_PLANTED_PER_ORGANIC = 1  # planted entries per organic entry in the treated group
CART_STEP = timedelta(hours=24)  # abandoned_cart_step_hours[0]: the entry is the first email due
WINDOW = timedelta(days=7)  # lift_conversion_window_days
CART_LIVE_DAYS = 680  # planted carts start after the Abandoned Cart flow went live (690 days ago)
CART_PLANTED_ARCHETYPES = (BRAND_ENTHUSIASTS, POTENTIAL_BRAND_ENTHUSIASTS)
INVALID_KINDS = ("cancelled", "full_refund")


def month_of(ts: datetime) -> tuple[int, int]:
    """The (year, month) an entry counts in."""
    return ts.year, ts.month


def is_mature(ts: datetime) -> bool:
    """Whether the entry's month is mature at END (the next month's start + 7 days)."""
    next_month = datetime(ts.year + ts.month // 12, ts.month % 12 + 1, 1)
    return next_month + WINDOW <= END


def is_tracked(c: Customer) -> bool:
    """Whether the customer's site events count (tracking consent where it is required)."""
    return c.country_code in NON_CONSENT_COUNTRIES or c.tracking_consent


def valid_order_times(orders: list[Order]) -> dict[str, list[datetime]]:
    """Each customer's valid order instants, sorted."""
    times: dict[str, list[datetime]] = {}
    for order in orders:
        if order.kind in INVALID_KINDS or order.kind == "unknown_customer" or not order.customer_id:
            continue
        times.setdefault(order.customer_id, []).append(order.ordered_at)
    for values in times.values():
        values.sort()
    return times


def any_between(times: list[datetime], start: datetime, end: datetime, end_inclusive: bool) -> bool:
    """Whether a sorted list holds an instant in [start, end] (or [start, end))."""
    index = bisect_left(times, start)
    if index == len(times):
        return False
    return times[index] <= end if end_inclusive else times[index] < end


def cart_entry(cart_at: datetime, times: list[datetime]) -> tuple[datetime, bool] | None:
    """(entered_at, converted) of a cart abandoned at `cart_at`, None when an order came first."""
    entered_at = cart_at + CART_STEP
    if any_between(times, cart_at, entered_at, end_inclusive=True):
        return None
    return entered_at, any_between(times, entered_at, entered_at + WINDOW, end_inclusive=False)


def last_cart_event(session: Session) -> datetime | None:
    """When an abandoned cart was abandoned; None when the session is no abandoned cart."""
    if any(event_type == "order_completed" for event_type, _, _ in session.events):
        return None
    carts = [ts for event_type, _, ts in session.events
             if event_type in ("add_to_cart", "checkout_started")]
    return max(carts) if carts else None


def organic_cart_entries(customers: dict[str, Customer], sessions: list[Session],
                         times: dict[str, list[datetime]],
                         ) -> dict[tuple[str, tuple[int, int]], tuple[datetime, bool]]:
    """The first abandoned-cart entry of each customer and month, as journey_lift counts them."""
    entries: dict[tuple[str, tuple[int, int]], tuple[datetime, bool]] = {}
    for session in sessions:
        c = customers.get(session.customer_id)
        cart_at = last_cart_event(session)
        if c is None or cart_at is None or not is_tracked(c):
            continue
        entry = cart_entry(cart_at, times.get(c.customer_id, []))
        if entry is None or entry[0] > END:
            continue
        key = (c.customer_id, month_of(entry[0]))
        if key not in entries or entry[0] < entries[key][0]:
            entries[key] = entry
    return entries


def plant_cart_effect(customers: list[Customer], orders: list[Order], sessions: list[Session],
                      products: list[Product], seed: int) -> list[Session]:
    """The sessions with the planted abandoned carts added, ids renumbered by start time."""
    rng = random.Random(f"{seed}:journey-effects:abandoned_cart")
    groups = HoldoutGroups()
    by_id = {c.customer_id: c for c in customers if not c.planted}
    times = valid_order_times(orders)
    organic = organic_cart_entries(by_id, sessions, times)
    taken = set(organic)
    counts = {True: [0, 0], False: [0, 0]}  # held out -> [entries, conversions], mature only
    for (customer_id, _), (entered_at, converted) in organic.items():
        if is_mature(entered_at):
            tally = counts[groups.held_out("abandoned_cart", customer_id)]
            tally[0] += 1
            tally[1] += converted
    pool = [c for c in by_id.values()
            if c.archetype in CART_PLANTED_ARCHETYPES and c.mailable and is_tracked(c)]
    rng.shuffle(pool)
    devices = {s.customer_id: s.anonymous_id for s in sessions if s.customer_id}
    planted: list[Session] = []
    for held_out, rate in ((False, CART_TREATED_RATE), (True, CART_HOLDOUT_RATE)):
        members = [c for c in pool if groups.held_out("abandoned_cart", c.customer_id) == held_out]
        organic_entries, organic_conversions = counts[held_out]
        wanted = CART_PLANTED_PER_ORGANIC * max(organic_entries, 1)
        if held_out:
            # As many planted entries per held-out customer as per treated one.
            treated_members = len(pool) - len(members)
            wanted = round(CART_PLANTED_PER_ORGANIC * counts[False][0] * len(members)
                           / max(treated_members, 1))
        conversions = max(0, round(rate * (organic_entries + wanted)) - organic_conversions)
        plan = [True] * min(conversions, wanted) + [False] * max(wanted - conversions, 0)
        planted += planted_carts(members, plan, times, taken, products, devices, rng)
    sessions = sessions + planted
    sessions.sort(key=lambda s: (s.events[0][2], s.customer_id, s.anonymous_id))
    for number, session in enumerate(sessions, start=1):
        session.session_id = f"S-{number:06d}"
    return sessions


def planted_carts(members: list[Customer], plan: list[bool], times: dict[str, list[datetime]],
                  taken: set[tuple[str, tuple[int, int]]], products: list[Product],
                  devices: dict[str, str], rng: random.Random) -> list[Session]:
    """One abandoned cart per planned outcome, round-robin over the members, one per month."""
    sessions: list[Session] = []
    if not members:
        return sessions
    attempts = 0
    index = 0
    while index < len(plan) and attempts < 200 * len(plan):
        attempts += 1
        c = members[attempts % len(members)]
        session = planted_cart(c, plan[index], times.get(c.customer_id, []), taken, products, rng)
        if session is not None:
            session.anonymous_id = devices.get(c.customer_id, session.anonymous_id)
            sessions.append(session)
            index += 1
    return sessions


def planted_cart(c: Customer, converts: bool, times: list[datetime],
                 taken: set[tuple[str, tuple[int, int]]], products: list[Product],
                 rng: random.Random) -> Session | None:
    """An abandoned cart of `c` whose entry converts (or not) in a month it has no entry in."""
    if converts:
        candidates = [t for t in times if t <= END - timedelta(days=40)]
        if not candidates:
            return None
        target = rng.choice(candidates)
        start = target - timedelta(seconds=rng.randint(30 * 3600, (7 * 24 + 18) * 3600))
    else:
        start = day_at(rng.randint(40, CART_LIVE_DAYS), rng)
    if start <= c.created_at + timedelta(days=1) or start < END - timedelta(days=CART_LIVE_DAYS):
        return None
    events = browse_events(start, "cart", products, rng)
    cart_at = max(ts for event_type, _, ts in events if event_type in ("add_to_cart", "checkout_started"))
    entry = cart_entry(cart_at, times)
    if entry is None or entry[1] != converts or not all(clamp_latest(ts) for _, _, ts in events):
        return None
    key = (c.customer_id, month_of(entry[0]))
    if key in taken or not is_mature(entry[0]):
        return None
    taken.add(key)
    return Session(c.customer_id, f"anon-effect-{c.customer_id}", events, c.archetype)
