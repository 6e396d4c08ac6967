"""The win-back journey's planted effect, measured by journey_lift (docs/journeys.md, "How to read a lift").

A win-back entry (journey_entries) is an activity (a human email open or click, a counted site
event, a valid order, the sign-up) followed by 30 days without the next one; it converts on a valid
order within 7 days of entering. The demo's organic entries convert at about the same rate in both
groups, so ``plant_winback_effect`` shapes them, with page views only (never an order, so no persona
or RFM cell moves), until the held-out convert at ``WINBACK_HOLDOUT_RATE`` and the treated at
``WINBACK_TREATED_RATE``:

- held out, one converting entry less: a page view one hour before the quiet 30 days are over, so
  the customer never went quiet before that order (no entry, no conversion);
- treated, one converting entry more: a page view 30 days and a few hours to 7 days before an order
  that follows a longer quiet spell, so the customer goes quiet after it and comes back in time.

Every page view is more than ``RECENT_MARGIN`` before END and has a site event of the customer on
either side, so no recent window, first or last engagement of anyone changes. The counts follow
journey_entries and journey_lift (the first entry of a customer and month, mature months only)
with the generator's own records; a machine open is one written with an Apple Mail Privacy
Protection user agent. Everything draws from a generator of its own.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta

from .constants import END
from .holdouts import HoldoutGroups
from .journey_effects import WINDOW, is_mature, is_tracked, month_of, valid_order_times
from .knobs import MPP_FLAGGED_UA, MPP_NAMED_UA, MPP_PLAIN_UA
from .records import Customer, EmailEvent, Order, Session

WINBACK_HOLDOUT_RATE = 0.04  # 7-day conversion of win-back entries without the emails
WINBACK_TREATED_RATE = 0.07  # ... and with them
QUIET = timedelta(days=30)  # winback_step_days[0]: the entry is the first email due
RECENT_MARGIN = timedelta(days=100)  # beyond engaged_recent_days (90): recent windows stay as they were
MACHINE_USER_AGENTS = (MPP_FLAGGED_UA, MPP_NAMED_UA, MPP_PLAIN_UA)

Entries = dict[tuple[int, int], tuple[datetime, bool]]


def winback_entries(activity: list[datetime], orders: list[datetime]) -> Entries:
    """The counted win-back entries of one customer: the first of each month, (entered_at, converted)."""
    entries: Entries = {}
    for index, active_at in enumerate(activity):
        if index + 1 < len(activity) and activity[index + 1] <= active_at + QUIET:
            continue
        entered_at = active_at + QUIET
        if entered_at > END:
            continue
        month = month_of(entered_at)
        if month not in entries or entered_at < entries[month][0]:
            position = bisect_left(orders, entered_at)
            converted = position < len(orders) and orders[position] < entered_at + WINDOW
            entries[month] = (entered_at, converted)
    return entries


def mature_counts(entries: Entries) -> tuple[int, int]:
    """(entries, conversions) among the mature ones."""
    mature = [converted for entered_at, converted in entries.values() if is_mature(entered_at)]
    return len(mature), sum(mature)


def customer_activity(customers: list[Customer], orders: list[Order], sessions: list[Session],
                      email_events: list[EmailEvent]) -> dict[str, list[datetime]]:
    """Each customer's win-back activity instants, sorted, as journey_entries reads them."""
    by_id = {c.customer_id: c for c in customers}
    activity: dict[str, list[datetime]] = {c.customer_id: [c.created_at] for c in customers}
    for customer_id, times in valid_order_times(orders).items():
        if customer_id in activity:
            activity[customer_id] += times
    for session in sessions:
        c = by_id.get(session.customer_id)
        if c is not None and is_tracked(c):
            activity[c.customer_id] += [ts for _, _, ts in session.events]
    for event in email_events:
        human_open = event.event_type == "opened" and event.user_agent not in MACHINE_USER_AGENTS
        if event.customer_id in activity and (human_open or event.event_type == "clicked"):
            activity[event.customer_id].append(event.occurred_at)
    for times in activity.values():
        times.sort()
    return activity


def site_event_times(sessions: list[Session]) -> dict[str, list[datetime]]:
    """Each customer's site event instants, sorted."""
    times: dict[str, list[datetime]] = {}
    for session in sessions:
        if session.customer_id:
            times.setdefault(session.customer_id, []).extend(ts for _, _, ts in session.events)
    for values in times.values():
        values.sort()
    return times


def keeps_site_history(site_times: list[datetime], at: datetime) -> bool:
    """Whether a page view at `at` is old enough and neither the customer's first nor last site event."""
    return (at <= END - RECENT_MARGIN and bisect_left(site_times, at) > 0
            and bisect_right(site_times, at) < len(site_times))


def removal(entries: Entries, site_times: list[datetime]) -> datetime | None:
    """A page view that removes one converting mature entry: one hour before it would be entered."""
    for entered_at, converted in sorted(entries.values()):
        at = entered_at - timedelta(hours=1)
        if converted and is_mature(entered_at) and keeps_site_history(site_times, at):
            return at
    return None


def addition(activity: list[datetime], orders: list[datetime], entries: Entries,
             site_times: list[datetime], rng: random.Random) -> datetime | None:
    """A page view that adds one converting mature entry: 30 days and some hours before an order."""
    for order_at in orders:
        at = order_at - QUIET - timedelta(seconds=rng.randint(3600, 6 * 24 * 3600))
        before = bisect_left(activity, at)
        quiet_before = before == 0 or activity[before - 1] + QUIET + timedelta(hours=1) < at
        quiet_after = bisect_right(activity, at) == bisect_left(activity, order_at)
        entered_at = at + QUIET
        if (quiet_before and quiet_after and is_mature(entered_at)
                and month_of(entered_at) not in entries and keeps_site_history(site_times, at)):
            return at
    return None


def plant_winback_effect(customers: list[Customer], orders: list[Order], sessions: list[Session],
                         email_events: list[EmailEvent], seed: int) -> list[Session]:
    """The sessions with the win-back page views added, ids renumbered by start time."""
    rng = random.Random(f"{seed}:journey-effects:winback")
    groups = HoldoutGroups()
    generated = [c for c in customers if not c.planted]
    activity = customer_activity(generated, orders, sessions, email_events)
    order_times = valid_order_times(orders)
    site_times = site_event_times(sessions)
    entries = {c.customer_id: winback_entries(activity[c.customer_id], order_times.get(c.customer_id, []))
               for c in generated}
    held_out = {c.customer_id: groups.held_out("winback", c.customer_id) for c in generated}
    totals = {True: [0, 0], False: [0, 0]}  # held out -> [entries, conversions]
    for customer_id, customer_entries in entries.items():
        count, conversions = mature_counts(customer_entries)
        totals[held_out[customer_id]][0] += count
        totals[held_out[customer_id]][1] += conversions
    pool = [c for c in generated if is_tracked(c)]
    rng.shuffle(pool)
    devices = {s.customer_id: s.anonymous_id for s in sessions if s.customer_id}
    planted: list[Session] = []
    for is_held_out, rate in ((True, WINBACK_HOLDOUT_RATE), (False, WINBACK_TREATED_RATE)):
        tally = totals[is_held_out]
        members = [c for c in pool if held_out[c.customer_id] == is_held_out
                   and (is_held_out or c.mailable)]
        for c in members:
            customer_id = c.customer_id
            times = activity[customer_id]
            bought = order_times.get(customer_id, [])
            step = -1 if is_held_out else 1
            # One entry more or less at a time, while that brings the rate closer to the planted one.
            while (abs((tally[1] + step) / max(tally[0] + step, 1) - rate)
                   < abs(tally[1] / max(tally[0], 1) - rate)):
                if is_held_out:
                    at = removal(entries[customer_id], site_times.get(customer_id, []))
                else:
                    at = addition(times, bought, entries[customer_id], site_times.get(customer_id, []), rng)
                if at is None:
                    break
                before = mature_counts(entries[customer_id])
                times.insert(bisect_left(times, at), at)
                entries[customer_id] = winback_entries(times, bought)
                after = mature_counts(entries[customer_id])
                tally[0] += after[0] - before[0]
                tally[1] += after[1] - before[1]
                planted.append(Session(customer_id, devices.get(customer_id, f"anon-effect-{customer_id}"),
                                       [("page_view", "", at)], c.archetype))
    sessions = sessions + planted
    sessions.sort(key=lambda s: (s.events[0][2], s.customer_id, s.anonymous_id))
    for number, session in enumerate(sessions, start=1):
        session.session_id = f"S-{number:06d}"
    return sessions
