"""Email events: one customer's deliveries, bounces and engagements as its archetype needs them,
plus planted, unknown-customer, forwarded and targeted-campaign events.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Callable

from .constants import (
    ALMOST_THERE, DEAD_WEIGHT, ESPRESSO_SHOT, FALSE_STARTS, LATEST_RANDOM, MAX_DAYS_AGO, SEED,
    START, UNCLASSIFIED, WAITING_FOR_WOWS, WINDOW_SHOPPERS,
)
from .dirt import DIRT
from .email_sends import campaign_sends, flow_sends
from .helpers import clamp_latest, days_ago, rint
from .knobs import (
    AB_OPEN_BOOST, HUMAN_USER_AGENTS, MPP_FLAGGED_UA, MPP_NAMED_UA, MPP_PLAIN_UA,
    PURCHASE_PERSONAS, QUIET_DAYS, SOFT_BOUNCE_RATE, TARGETED_CAMPAIGNS, TARGETED_SEED_OFFSET,
)
from .planted import ANCHOR_CAMPAIGN_DAYS, PLANTED
from .records import Customer, EmailEvent, Message, Send, Session

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
    """Sends to recipients that are not in the customer export (deleted profiles).

    Only campaigns to a random audience: a targeted campaign went to one archetype of the export.
    """
    campaigns = [m for m in messages if m.message_type == "campaign" and not m.audience]
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
