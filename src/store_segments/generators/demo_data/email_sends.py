"""Email messages (flow steps, campaigns, A/B tests, targeted win-backs) and which customer gets
which send.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .helpers import midnight, noon, rint, send_fits
from .holdouts import HoldoutGroups
from .knobs import (
    ABANDONED_CART_SHARE, AB_TESTS, CAMPAIGN_AUDIENCE_RATE, CAMPAIGN_THEMES, COFFEE_ORIGINS, FLOWS,
    PURCHASE_ARCHETYPES, TARGETED_CAMPAIGNS, TEAS, WIN_BACK_AFTER_DAYS, WIN_BACK_SHARE,
)
from .planted import ANCHOR_CAMPAIGN_DAYS
from .records import Customer, Message, Send, Session


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
    # The held-out get none of a journey's emails; they still draw, so the other sends stay put.
    groups = HoldoutGroups()
    for c in customers:
        if c.mailable and c.created_at >= welcome[0].sent_at:
            treated = not groups.held_out("welcome", c.customer_id)
            for step, offset_days in zip(welcome, (0, 2, 4)):
                at = c.created_at + timedelta(days=offset_days, minutes=rint(rng, 2, 15))
                if send_fits(at) and treated:
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
                if send_fits(at) and at >= step.sent_at and not groups.held_out("winback", c.customer_id):
                    sends[c.customer_id].append(Send(step, at))
    order_times = order_times_by_customer(sessions)
    for session in sessions:
        customer = by_id.get(session.customer_id)
        if customer is None or not customer.mailable:
            continue
        carts = [ts for event_type, _, ts in session.events if event_type == "add_to_cart"]
        if not carts or any(event[0] == "order_completed" for event in session.events):
            continue
        if (rng.random() >= ABANDONED_CART_SHARE or carts[-1] < cart[0].sent_at
                or groups.held_out("abandoned_cart", customer.customer_id)):
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
