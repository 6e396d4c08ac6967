"""Generate the docs/definitions.md §2 raw tables at any size, as Parquet, for `raw_source: files`.

Run ``segments generate-data --customers 1000000 --out data/L`` (or ``--scale L``). It
writes one folder of Parquet parts per table (``DIR/orders/part-00000.parquet``, ...), to be read
with ``--vars '{segments__raw_source: files, segments__raw_path: DIR, segments__raw_file_pattern: "{table}/*.parquet"}'``.

Why it is built this way: the demo generator (generate_demo_data.py) walks customers in Python,
which is right for 2,400 planted customers and far too slow for a million. Here every value is a
pure function of a row number and a salt, ``hash(row, salt)`` turned into a uniform number, so the
whole generation is DuckDB SQL over ``range()``: fast on two cores, written in parts of at most
``--customers-per-part`` customers so memory stays bounded, and the same rows whatever the number
of threads (for a given DuckDB version).

Shape (per customer, on average; ``--customers 1000000`` gives ~10M orders, ~50M email events and
~20M site events): 70% of customers buy; the number of orders of a buyer is a truncated Pareto
(most buy once, a long tail buys weekly); orders and site sessions bunch up in the holiday season;
subscribed customers receive a share of the twice-weekly campaigns and a welcome series; about
half of all opens are Apple Mail Privacy Protection prefetches (flagged, named by user agent, or
only given away by arriving within a second of delivery).

Dirt, as in the demo: repeated rows (same row twice), mixed-case codes, timestamps with ``Z`` or an
offset, unparseable timestamps, orders and events of customers not in the customer export, negative
or missing totals, unknown statuses and event types, cancelled and refunded orders.

Daily loads: ``--hold-back-days K`` keeps the rows that *arrive* in the last K days (an event
arrives on its day, 2% arrive one or two days late, and repeated rows arrive up to two days after
their original) out of the table folders and writes them to ``DIR/next/<day>/<table>/``; a test or
the benchmark delivers a day by moving those parts into the table folders (``deliver_day``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

SCALES: dict[str, int] = {"S": 2_000, "M": 100_000, "L": 1_000_000}
END = datetime(2026, 10, 31, 18, 0, 0)
HISTORY_DAYS = 730
CAMPAIGN_EVERY_HOURS = 84  # two campaigns a week
EVENT_TABLES: tuple[str, ...] = ("orders", "order_items", "email_events", "web_events")
SNAPSHOT_TABLES: tuple[str, ...] = ("customers", "products", "email_messages", "exchange_rates")
TABLES: tuple[str, ...] = SNAPSHOT_TABLES + EVENT_TABLES


@dataclass(frozen=True)
class Settings:
    """What to generate and where."""

    customers: int
    out: Path
    end: datetime = END
    history_days: int = HISTORY_DAYS
    hold_back_days: int = 0
    customers_per_part: int = 100_000
    threads: int = 2
    memory_limit: str = "4GB"

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.history_days)

    @property
    def parts(self) -> int:
        return max(1, -(-self.customers // self.customers_per_part))

    @property
    def first_held_back_day(self) -> date:
        """Rows arriving on this UTC day or later go to DIR/next/<day>/ (none when K = 0)."""
        return self.end.date() - timedelta(days=self.hold_back_days - 1)


# ------------------------------------------------------------------------------------------
# SQL building blocks (DuckDB macros): uniform numbers, picks, timestamps as exports write them
# ------------------------------------------------------------------------------------------

MACROS = """
-- hash(k, salt) combines two hashes by xor, so two salts of one k would be correlated; hashing
-- the combination again makes them independent.
create or replace macro u(k, salt) as (hash(hash(k, salt)) >> 11) / 9007199254740992.0;
create or replace macro normal(k, salt) as
    sqrt(-2 * ln(1 - u(k, salt || '-a'))) * cos(2 * pi() * u(k, salt || '-b'));
create or replace macro pick(k, salt, options) as options[1 + floor(u(k, salt) * len(options))::int];
create or replace macro money(x) as printf('%.2f', x);
-- 80% plain UTC, 10% ISO with Z, 10% the same instant written with an offset.
create or replace macro export_ts(ts, k) as case
    when u(k, 'ts-format') < 0.8 then strftime(ts, '%Y-%m-%d %H:%M:%S')
    when u(k, 'ts-format') < 0.9 then strftime(ts, '%Y-%m-%dT%H:%M:%SZ')
    else strftime(ts + to_hours([2, 1, -5, -8, 9, 10][1 + floor(u(k, 'ts-offset') * 6)::int]), '%Y-%m-%dT%H:%M:%S')
        || ['+02:00', '+01:00', '-05:00', '-08:00', '+09:00', '+10:00'][1 + floor(u(k, 'ts-offset') * 6)::int]
end;
-- Every fourth order and site session of a year falls in the holiday season of its year.
create or replace macro seasonal(ts, k, lo, hi) as case
    when u(k, 'season') < 0.2
        and make_timestamp(year(ts), 11, 15, 0, 0, 0) between lo and hi
        and make_timestamp(year(ts), 12, 24, 0, 0, 0) between lo and hi
        then make_timestamp(year(ts), 11, 15, 0, 0, 0) + to_seconds((u(k, 'season-at') * 39 * 86400)::bigint)
    else ts
end;
-- The UTC day a row reaches the export: its own day, 2% one or two days late.
create or replace macro arrival(ts, k) as
    cast(ts as date) + case when u(k, 'late') < 0.02 then 1 + floor(u(k, 'late-days') * 2)::int else 0 end;
"""


def product_count() -> int:
    return 200


def setup_sql(s: Settings) -> str:
    """Session settings and the helper tables every part joins (customers, messages, products)."""
    return f"""
set threads = {s.threads};
set memory_limit = '{s.memory_limit}';
set preserve_insertion_order = true;
set enable_progress_bar = false;
set TimeZone = 'UTC';
{MACROS}
create or replace table settings as select
    timestamp '{s.start:%Y-%m-%d %H:%M:%S}' as start_at,
    timestamp '{s.end:%Y-%m-%d %H:%M:%S}' as end_at,
    timestamp '{s.end:%Y-%m-%d %H:%M:%S}' - interval 1 day as last_random_at;
"""


CUSTOMERS_SQL = """
create or replace table customer_plan as
with base as (
    select
        i,
        'C' || lpad(i::varchar, 8, '0') as customer_id,
        -- The store grows: half the sign-ups spread evenly, half more and more lately.
        settings.start_at + to_seconds(floor(
            case when u(i, 'growth') < 0.5 then u(i, 'created') else sqrt(u(i, 'created')) end
            * (epoch(settings.last_random_at) - epoch(settings.start_at)))::bigint) as created_at,
        settings.last_random_at,
        u(i, 'buyer') < 0.7 as is_buyer,
        -- Pareto (alpha 0.65): more buyers buy once than any other number, a long tail often.
        floor(pow(1 - u(i, 'orders'), -1 / 0.65))::int as pareto_orders,
        exp(0.45 * normal(i, 'spend')) as spend_level,
        pick(i, 'country', ['US', 'US', 'US', 'US', 'US', 'GB', 'GB', 'DE', 'DE', 'FR', 'SE', 'NL', 'CA',
            'CA', 'AU', 'ES', 'IT', 'CH', 'NO', 'JP']) as country_code,
        case when u(i, 'consent') < 0.72 then 'subscribed'
             when u(i, 'consent') < 0.9 then 'never_subscribed' else 'unsubscribed' end as email_consent,
        u(i, 'tracking') < 0.75 as has_tracking_consent,
        u(i, 'mpp') < 0.2 as uses_apple_mail,
        case when u(i, 'opener') < 0.3 then 0.0 else 0.03 + 0.35 * u(i, 'open-rate') end as human_open_rate,
        0.1 + 0.4 * u(i, 'receive') as receive_share,
        least(300, floor(pow(1 - u(i, 'sessions'), -1 / 1.0)))::int as sessions,
        pick(i, 'ua', ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0',
            'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile',
            'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile',
            'Microsoft Outlook 16.0']) as human_user_agent
    from range({customers}) as r(i)
    cross join settings
)
select
    *,
    -- Nobody orders more than every other day of their tenure.
    case when is_buyer then greatest(1, least(pareto_orders,
        floor((epoch(last_random_at) - epoch(created_at)) / (2 * 86400))))::int else 0 end as planned_orders,
    -- Campaigns sent after sign-up, and how many of them reach this customer.
    greatest(0, floor((epoch(last_random_at) - epoch(created_at)) / ({campaign_hours} * 3600)))::int
        as campaigns_since_signup
from base;
"""

CUSTOMER_ROWS_SQL = """
select
    customer_id,
    lower(split_part(first_name, ' ', 1)) || '.' || lower(last_name) || '.' || i || '@example.com' as email,
    first_name,
    last_name,
    case when u(i, 'dirt-country') < 0.006 then lower(country_code)
         when u(i, 'dirt-country') < 0.008 then ' ' || country_code else country_code end as country_code,
    case when u(i, 'dirt-created') < 0.001 then '31/02/' || year(created_at)
         else export_ts(created_at, i) end as created_at,
    case when u(i, 'dirt-consent') < 0.005 then upper(email_consent)
         when u(i, 'dirt-consent') < 0.01 then upper(email_consent[1]) || email_consent[2:]
         else email_consent end as email_consent,
    case when u(i, 'dirt-tracking') < 0.005 then upper(has_tracking_consent::varchar)
         else has_tracking_consent::varchar end as tracking_consent,
    case when u(i, 'birth') < 0.6
         then strftime(date '1950-01-01' + (u(i, 'birth-day') * 20000)::int, '%Y-%m-%d') end as birth_date,
    pick(i, 'source', ['organic', 'organic', 'paid_social', 'paid_search', 'referral', 'email_signup'])
        as acquisition_source,
    -- 0.4% of customers are exported twice.
    case when u(i, 'dirt-dup') < 0.004 then 2 else 1 end as copies
from (
    select
        *,
        pick(i, 'first', ['Marta', 'Åsa', 'John', 'Wei', 'Fatima', 'Lars', 'Chloé', 'Mateo', 'Aiko', 'Noah'])
            as first_name,
        pick(i, 'last', ['Martínez', 'Bianchi', 'Smith', 'Chen', 'Okafor', 'Nilsson', 'Dubois', 'García',
            'Sato', 'Müller']) as last_name
    from customer_plan
)
"""

PRODUCTS_SQL = """
select
    'SKU-' || lpad(p::varchar, 4, '0') as product_id,
    pick(p, 'origin', ['Ethiopia', 'Colombia', 'Kenya', 'Brazil', 'Guatemala', 'Sumatra'])
        || ' ' || pick(p, 'kind', ['Filter Roast', 'Espresso Roast', 'Decaf', 'Cold Brew Blend'])
        || ' ' || pick(p, 'size', ['250 g', '500 g', '1 kg']) as product_name,
    case when p % 5 = 4 then 'equipment' else 'coffee' end as category,
    money(8 + u(p, 'price') * 52) as price,
    case when p % 5 <> 4 then (20 + floor(u(p, 'replenish') * 40))::int::varchar end as replenishment_days,
    1 as copies
from range({products}) as r(p)
"""

# Campaign k is sent every CAMPAIGN_EVERY_HOURS from start; every fourth is an A/B test with two
# messages. The welcome series sends three steps; its messages are per step and month.
MESSAGES_SQL = """
create or replace table message_plan as
with campaigns as (
    select
        k,
        settings.start_at + to_hours(k * {campaign_hours}) + interval 9 hour as sent_at
    from settings
    cross join range(
        (select floor((epoch(last_random_at) - epoch(start_at)) / ({campaign_hours} * 3600))::int + 1
         from settings)
    ) as r(k)
),
variants as (
    select k, sent_at, v from campaigns cross join (values ('A'), ('B')) as t(v)
    where k % 4 = 0 or v = 'A'
),
welcome as (
    select
        step,
        month_start
    from range(1, 4) as s(step)
    cross join (
        select unnest(generate_series(date_trunc('month', start_at), end_at, interval 1 month)) as month_start
        from settings
    )
)
select
    'M-C' || lpad(k::varchar, 5, '0') || case when k % 4 = 0 then '-' || v else '' end as message_id,
    'campaign' as message_type,
    'Campaign ' || strftime(sent_at, '%Y-%m-%d') as campaign_or_flow_name,
    null::varchar as flow_step,
    case when k % 4 = 0 then 'AB-' || lpad(k::varchar, 5, '0') end as ab_test_id,
    case when k % 4 = 0 then v end as variant,
    pick(k * 2 + (v = 'B')::int, 'subject', ['New roasts are in', 'Brew better at home', 'Last chance',
        'Our harvest notes', 'Free shipping this week']) as subject,
    sent_at,
    k
from variants
union all
select
    'M-W' || step || '-' || strftime(month_start, '%Y%m') as message_id,
    'flow' as message_type,
    'Welcome Series' as campaign_or_flow_name,
    step::varchar as flow_step,
    null as ab_test_id,
    null as variant,
    ['Welcome to the roastery', 'How we roast', 'Your first bag'][step] as subject,
    month_start as sent_at,
    null as k
from welcome;
"""

MESSAGE_ROWS_SQL = """
select
    message_id,
    case when u(message_id, 'dirt-type') < 0.03 then upper(message_type) else message_type end as message_type,
    campaign_or_flow_name, flow_step, ab_test_id, variant, subject,
    strftime(sent_at, '%Y-%m-%d %H:%M:%S') as sent_at,
    1 as copies
from message_plan
"""

# Order lines first (1-3 lines, popular products more often), the order sums them.
ORDERS_SQL = """
create or replace temp table part_orders as
with customers as (
    select * from customer_plan where i >= {lo} and i < {hi} and planned_orders > 0
),
orders as (
    select
        c.i,
        c.customer_id,
        c.spend_level,
        c.country_code,
        n.k,
        c.i * 1000 + n.k as ok,
        seasonal(
            case
                -- The first order comes soon after sign-up; later ones anywhere since.
                when n.k = 0 then least(c.last_random_at,
                    c.created_at + to_seconds((-ln(1 - u(c.i, 'first-order')) * 10 * 86400)::bigint))
                else c.created_at + to_seconds(floor(u(c.i * 1000 + n.k, 'order-at')
                    * (epoch(c.last_random_at) - epoch(c.created_at)))::bigint)
            end,
            c.i * 1000 + n.k, c.created_at, c.last_random_at
        ) as ordered_at
    from customers as c
    cross join lateral range(c.planned_orders) as n(k)
),
lines as (
    select
        o.*,
        l.line,
        floor(pow(u(o.ok * 4 + l.line, 'product'), 2) * {products})::int as product,
        1 + floor(pow(u(o.ok * 4 + l.line, 'qty'), 3) * 3)::int as quantity
    from orders as o
    cross join range(1, 4) as l(line)
    where l.line = 1 or u(o.ok, 'lines') < case l.line when 2 then 0.35 else 0.1 end
)
select
    *,
    round((8 + u(product, 'price') * 52) * least(2.5, spend_level), 2) as unit_price
from lines
"""

ORDER_ROWS_SQL = """
with by_order as (
    select
        i, k, ok, customer_id, country_code, ordered_at,
        sum(quantity * unit_price) as subtotal
    from part_orders
    group by all
),
priced as (
    select
        *,
        case when u(ok, 'discount') < 0.2 then round(subtotal * 0.1, 2) else 0 end as discount,
        case when subtotal < 50 then 4.95 else 0 end as shipping,
        u(ok, 'status') as s
    from by_order
),
finished as (
    select
        *,
        subtotal - discount + shipping as total,
        case when s < 0.30 then 'placed' when s < 0.55 then 'fulfilled' when s < 0.70 then 'shipped'
             when s < 0.92 then 'delivered' when s < 0.96 then 'refunded' else 'cancelled' end as status
    from priced
)
select
    'O-' || lpad(i::varchar, 8, '0') || '-' || lpad(k::varchar, 3, '0') as order_id,
    case when u(ok, 'dirt-cust') < 0.0003 then 'X' || lpad(i::varchar, 8, '0')
         when u(ok, 'dirt-cust') < 0.0004 then '' else customer_id end as customer_id,
    case when u(ok, 'dirt-ts') < 0.0002 then 'yesterday' else export_ts(ordered_at, ok) end as ordered_at,
    case when u(ok, 'dirt-status') < 0.0001 then 'on_hold'
         when u(ok, 'dirt-status') < 0.006 then upper(status)
         when u(ok, 'dirt-status') < 0.008 then ' ' || status else status end as status,
    case when country_code in ('GB') then 'GBP' when country_code in ('DE', 'FR', 'NL', 'ES', 'IT')
         then 'EUR' else 'USD' end as currency,
    money(subtotal) as subtotal,
    money(discount) as discount,
    money(shipping) as shipping,
    case when u(ok, 'dirt-total') < 0.0002 then money(-total)
         when u(ok, 'dirt-total') < 0.0004 then '' else money(total) end as total,
    case when status = 'refunded' then money(case when u(ok, 'refund') < 0.5 then total else round(total * 0.3, 2) end)
         else '' end as refunded_amount,
    arrival(ordered_at, ok) as arrives_on,
    case when u(ok, 'dirt-dup') < 0.002 then 2 else 1 end as copies,
    0 as late_copy_days
from finished
"""

ORDER_ITEM_ROWS_SQL = """
select
    'O-' || lpad(i::varchar, 8, '0') || '-' || lpad(k::varchar, 3, '0') as order_id,
    line::varchar as line_number,
    'SKU-' || lpad(product::varchar, 4, '0') as product_id,
    case when u(ok * 4 + line, 'dirt-qty') < 0.0003 then '0' else quantity::varchar end as quantity,
    money(unit_price) as unit_price,
    arrival(ordered_at, ok) as arrives_on,
    1 as copies,
    0 as late_copy_days
from part_orders
"""

# One row per email a customer gets: an evenly spread share of the campaigns since sign-up (its
# variant by hash) and, for new subscribers, the three welcome steps two days apart. What happens
# to the email (bounce, prefetch, opens, click, ...) is drawn once per email here.
EMAILS_SQL = """
create or replace temp table part_emails as
with customers as (
    select * from customer_plan
    where i >= {lo} and i < {hi} and email_consent = 'subscribed' and campaigns_since_signup > 0
),
campaign_emails as (
    select
        c.i, c.customer_id, c.uses_apple_mail, c.human_open_rate, c.human_user_agent, c.last_random_at,
        c.i * 10000 + j as ek,
        -- Counted back from the latest campaign, evenly spread with a phase of its own, so recent
        -- campaigns reach as many customers as older ones.
        floor((epoch(c.last_random_at) - epoch(s.start_at) - 9 * 3600) / ({campaign_hours} * 3600))::int
            - floor((j + u(c.i, 'phase')) * c.campaigns_since_signup
                / greatest(1, floor(c.campaigns_since_signup * c.receive_share)))::int as k
    from customers as c
    cross join settings as s
    cross join lateral range(floor(c.campaigns_since_signup * c.receive_share)::int) as e(j)
),
welcome_emails as (
    select
        c.i, c.customer_id, c.uses_apple_mail, c.human_open_rate, c.human_user_agent, c.last_random_at,
        c.i * 10000 + 9000 + step as ek,
        step,
        c.created_at + to_hours(1 + (step - 1) * 48) as sent_at
    from customers as c
    cross join range(1, 4) as w(step)
    where c.created_at + to_hours(1 + (step - 1) * 48) <= c.last_random_at
),
emails as (
    select
        e.i, e.customer_id, e.uses_apple_mail, e.human_open_rate, e.human_user_agent, e.ek,
        m.message_id,
        m.sent_at + to_seconds((u(e.ek, 'send-jitter') * 3600)::bigint) as sent_at
    from campaign_emails as e
    inner join message_plan as m
        on m.k = e.k
        and (m.variant is null or m.variant = case when u(e.ek, 'variant') < 0.5 then 'A' else 'B' end)
    where m.sent_at <= e.last_random_at
    union all
    select
        w.i, w.customer_id, w.uses_apple_mail, w.human_open_rate, w.human_user_agent, w.ek,
        'M-W' || w.step || '-' || strftime(w.sent_at, '%Y%m') as message_id,
        w.sent_at
    from welcome_emails as w
)
select
    *,
    u(ek, 'bounce') < 0.025 as is_bounced,
    u(ek, 'hard') < 0.2 as is_hard_bounce,
    u(ek, 'open') < human_open_rate as is_opened,
    u(ek, 'reopen') < 0.25 as is_reopened,
    u(ek, 'click') < 0.2 as is_clicked,
    u(ek, 'unsub') < 0.002 as is_unsubscribed,
    u(ek, 'spam') < 0.0002 as is_spam,
    u(ek, 'mpp-kind') as mpp_kind,
    floor(u(ek, 'mpp-delay') * 2)::int as mpp_delay_s,
    floor(-ln(1 - u(ek, 'open-delay')) * 6 * 3600)::int as open_delay_s,
    floor(u(ek, 'reopen-delay') * 86400)::int as reopen_delay_s
from emails
"""

# Slots of one email: 0 sent, 1 delivered or bounced, 2 Apple MPP prefetch, 3-4 human opens,
# 5 click, 6 unsubscribe, 7 spam complaint. One uniform per row picks its dirt, if any.
EMAIL_EVENT_ROWS_SQL = """
with kept as (
    select
        e.*,
        s.slot,
        e.ek * 8 + s.slot as xk,
        u(e.ek * 8 + s.slot, 'dirt') as dirt,
        case s.slot
            when 0 then 'sent'
            when 1 then case when e.is_bounced then 'bounced' else 'delivered' end
            when 5 then 'clicked'
            when 6 then 'unsubscribed'
            when 7 then 'marked_as_spam'
            else 'opened'
        end as event_type,
        least(e.sent_at + to_seconds(case s.slot
            when 0 then 0
            when 1 then 20
            when 2 then 20 + e.mpp_delay_s
            when 3 then 120 + e.open_delay_s
            when 4 then 200 + e.open_delay_s + e.reopen_delay_s
            when 5 then 180 + e.open_delay_s
            else 600 + e.open_delay_s
        end), (select last_random_at from settings)) as occurred_at
    from part_emails as e
    cross join range(8) as s(slot)
    where s.slot <= 1
        or (not e.is_bounced and (
            (s.slot = 2 and e.uses_apple_mail)
            or (s.slot = 3 and e.is_opened)
            or (s.slot = 4 and e.is_opened and e.is_reopened)
            or (s.slot = 5 and e.is_opened and e.is_clicked)
            or (s.slot = 6 and e.is_unsubscribed)
            or (s.slot = 7 and e.is_spam)
        ))
)
select
    'E-' || lpad(i::varchar, 8, '0') || '-' || (ek % 10000) || '-' || slot as event_id,
    message_id,
    case when dirt < 0.0005 then 'X' || lpad(i::varchar, 8, '0') else customer_id end as customer_id,
    case when dirt >= 0.0005 and dirt < 0.0007 then 'forwarded'
         when dirt >= 0.0007 and dirt < 0.0025 then upper(event_type[1]) || event_type[2:]
         when dirt >= 0.0025 and dirt < 0.003 then upper(event_type) else event_type end as event_type,
    case when dirt >= 0.003 and dirt < 0.0031 then '' else export_ts(occurred_at, xk) end as occurred_at,
    case when event_type = 'bounced' then case when is_hard_bounce then 'hard' else 'soft' end end as bounce_type,
    case
        when slot = 2 and mpp_kind < 0.6 then 'Mozilla/5.0 (Macintosh) AppleWebKit Mail'
        when slot = 2 and mpp_kind < 0.8 then 'Mozilla/5.0 (Macintosh) AppleWebKit (Apple Mail Privacy Protection)'
        when slot = 2 then 'Mozilla/5.0 (iPhone) AppleWebKit Mail'
        when slot in (3, 4, 5) then human_user_agent
    end as user_agent,
    case
        when slot = 2 and mpp_kind < 0.6 then 'true'
        when slot in (2, 3, 4) then 'false'
    end as is_machine_open,
    arrival(occurred_at, xk) as arrives_on,
    case when dirt >= 0.99 then 2 else 1 end as copies,
    floor(u(xk, 'copy-late') * 3)::int as late_copy_days
from kept
"""

# Sessions of identified customers (heavy-tailed count) and anonymous visitors; slots of a
# session: 0 page view, 1 category view, 2 product view, 3 add to cart, 4 checkout, 5 order.
WEB_EVENT_ROWS_SQL = """
with customers as (
    select * from customer_plan where i >= {lo} and i < {hi}
),
sessions as (
    select
        c.i, c.customer_id,
        s.n >= c.sessions as is_anonymous,
        c.i * 1000 + s.n as sk,
        seasonal(c.created_at + to_seconds(floor(u(c.i * 1000 + s.n, 'session-at')
            * (epoch(c.last_random_at) - epoch(c.created_at)))::bigint),
            c.i * 1000 + s.n, c.created_at, c.last_random_at) as session_at
    from customers as c
    cross join lateral range(c.sessions + case when u(c.i, 'anon') < 0.6 then 2 else 0 end) as s(n)
),
events as (
    select
        s.*,
        e.slot,
        s.sk * 8 + e.slot as xk
    from sessions as s
    cross join range(6) as e(slot)
    where e.slot = 0
        or (e.slot = 1 and u(s.sk, 'cat') < 0.6)
        or (e.slot = 2 and u(s.sk, 'pv') < 0.7)
        or (e.slot = 3 and u(s.sk, 'cart') < 0.22)
        or (e.slot = 4 and u(s.sk, 'cart') < 0.1)
        or (e.slot = 5 and u(s.sk, 'cart') < 0.05)
)
select
    'W-' || lpad(i::varchar, 8, '0') || '-' || (sk % 1000) || '-' || slot as event_id,
    'S-' || lpad(i::varchar, 8, '0') || '-' || (sk % 1000) as session_id,
    case when is_anonymous then null
         when u(xk, 'dirt-cust') < 0.0001 then 'X' || lpad(i::varchar, 8, '0') else customer_id end as customer_id,
    'anon-' || (hash(i, sk, 'anon') % 10000000000) as anonymous_id,
    case when u(xk, 'dirt-type') < 0.0002 then 'wishlist_add'
         when u(xk, 'dirt-type') < 0.003 then upper(event_type) else event_type end as event_type,
    case when slot in (2, 3) then 'SKU-' || lpad(floor(pow(u(sk, 'product'), 2) * {products})::int::varchar, 4, '0')
        end as product_id,
    case when u(xk, 'dirt-ts') < 0.0001 then 'n/a' else export_ts(occurred_at, xk) end as occurred_at,
    arrival(occurred_at, xk) as arrives_on,
    case when u(xk, 'dirt-dup') < 0.01 then 2 else 1 end as copies,
    floor(u(xk, 'copy-late') * 3)::int as late_copy_days
from (
    select
        *,
        ['page_view', 'category_view', 'product_view', 'add_to_cart', 'checkout_started', 'order_completed'][slot + 1]
            as event_type,
        least(session_at + to_seconds(slot * 45 + floor(u(xk, 'gap') * 60)::int),
            (select last_random_at from settings)) as occurred_at
    from events
)
"""


def exchange_rates_sql(s: Settings) -> str:
    """EUR and GBP -> USD (the reporting currency; orders are in EUR, GBP or USD) on every weekday
    from a week before the history to its end, drifting slowly like the demo's EUR rate."""
    first = s.start.date() - timedelta(days=7)
    return (
        "select currency, strftime(day, '%Y-%m-%d') as rate_date,"
        " printf('%.4f', base_rate + 0.04 * sin(2 * pi() * datediff('day', date '" + s.start.date().isoformat()
        + "', day) / 730)) as rate_to_reporting"
        f" from range(date '{first.isoformat()}', date '{s.end.date().isoformat()}' + 1, interval 1 day) as r(day)"
        " cross join (values ('EUR', 1.08), ('GBP', 1.27)) as currencies(currency, base_rate)"
        " where isodow(day) <= 5"
    )


def with_copies(rows_sql: str) -> str:
    """Rows of `rows_sql` repeated `copies` times; a repeated event (with `late_copy_days`, an
    `arrives_on` day) arrives that many days after the original, as re-exports do."""
    return (
        "select rows_to_write.* exclude (copies, late_copy_days, arrives_on), rows_to_write.arrives_on"
        " + case when copy_number > 0 then late_copy_days else 0 end as arrives_on"
        f" from ({rows_sql}) as rows_to_write cross join range(2) as c(copy_number) where copy_number < copies"
        if "late_copy_days" in rows_sql else
        "select rows_to_write.* exclude (copies)"
        f" from ({rows_sql}) as rows_to_write cross join range(2) as c(copy_number) where copy_number < copies"
    )


def copy_rows(con: duckdb.DuckDBPyConnection, rows_sql: str, target: Path) -> int:
    """Write `rows_sql` to one Parquet file; return its row count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({rows_sql}) to '{target}' (format parquet, compression zstd, row_group_size 200000)")
    (count,) = con.execute(f"select count(*) from read_parquet('{target}')").fetchone() or (0,)
    return int(count)


def write_event_part(con: duckdb.DuckDBPyConnection, s: Settings, table: str, rows_sql: str, part: int) -> int:
    """One part of an event table: rows arriving before the held-back days go to the table's
    folder, each held-back day's rows to DIR/next/<day>/<table>/ (without the arrival column)."""
    cutoff = s.first_held_back_day if s.hold_back_days > 0 else s.end.date() + timedelta(days=10)
    con.execute(f"create or replace temp table part_rows as {with_copies(rows_sql)}")
    written = copy_rows(
        con,
        f"select * exclude (arrives_on) from part_rows where arrives_on < date '{cutoff}'",
        s.out / table / f"part-{part:05d}.parquet",
    )
    for offset in range(s.hold_back_days):
        day = cutoff + timedelta(days=offset)
        # Rows arriving after the end (late arrivals of the last days) come with the last day.
        condition = f"arrives_on = date '{day}'" if offset < s.hold_back_days - 1 else f"arrives_on >= date '{day}'"
        written += copy_rows(
            con,
            f"select * exclude (arrives_on) from part_rows where {condition}",
            s.out / "next" / day.isoformat() / table / f"part-{part:05d}.parquet",
        )
    return written


def generate(s: Settings, log: bool = True) -> dict[str, int]:
    """Write every table; return the rows written per table."""
    started = time.monotonic()
    counts = {table: 0 for table in TABLES}

    def progress(message: str) -> None:
        if log:
            print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)

    for stale in [s.out / t for t in TABLES] + [s.out / "next"]:
        if stale.exists():
            shutil.rmtree(stale)
    con = duckdb.connect()
    params = {"customers": s.customers, "campaign_hours": CAMPAIGN_EVERY_HOURS, "products": product_count()}
    con.execute(setup_sql(s))
    con.execute(CUSTOMERS_SQL.format(**params))
    con.execute(MESSAGES_SQL.format(**params))
    snapshots = {"customers": CUSTOMER_ROWS_SQL, "products": PRODUCTS_SQL.format(**params),
                 "email_messages": MESSAGE_ROWS_SQL}
    for table, rows_sql in snapshots.items():
        counts[table] = copy_rows(con, with_copies(rows_sql), s.out / table / "part-00000.parquet")
    counts["exchange_rates"] = copy_rows(con, exchange_rates_sql(s), s.out / "exchange_rates" / "part-00000.parquet")
    progress(f"customers {counts['customers']:,}, products {counts['products']}, "
             f"messages {counts['email_messages']}")
    for part in range(s.parts):
        bounds = {**params, "lo": part * s.customers_per_part, "hi": (part + 1) * s.customers_per_part}
        con.execute(ORDERS_SQL.format(**bounds))
        counts["orders"] += write_event_part(con, s, "orders", ORDER_ROWS_SQL, part)
        counts["order_items"] += write_event_part(con, s, "order_items", ORDER_ITEM_ROWS_SQL, part)
        progress(f"part {part + 1}/{s.parts}: orders")
        con.execute(EMAILS_SQL.format(**bounds))
        counts["email_events"] += write_event_part(con, s, "email_events", EMAIL_EVENT_ROWS_SQL, part)
        progress(f"part {part + 1}/{s.parts}: email events")
        counts["web_events"] += write_event_part(con, s, "web_events", WEB_EVENT_ROWS_SQL.format(**bounds), part)
        progress(f"part {part + 1}/{s.parts}: orders {counts['orders']:,}, email events "
                 f"{counts['email_events']:,}, site events {counts['web_events']:,}")
    con.close()
    progress("done: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    return counts


def held_back_days(out: Path) -> list[str]:
    """The days still waiting in DIR/next/, oldest first."""
    folder = out / "next"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def deliver_day(out: Path, day: str) -> None:
    """Append one held-back day: move its parts into the table folders (as new part files)."""
    source = out / "next" / day
    for table_folder in sorted(source.iterdir()):
        for part in sorted(table_folder.iterdir()):
            part.rename(out / table_folder.name / f"{day}-{part.name}")
        table_folder.rmdir()
    source.rmdir()


def withhold_delivered_days(out: Path) -> None:
    """Undo deliver_day for every delivered day (so a benchmark can append the same day again)."""
    for table in EVENT_TABLES:
        folder = out / table
        if not folder.exists():
            continue
        for part in sorted(folder.glob("????-??-??-part-*.parquet")):
            day, name = part.name[:10], part.name[11:]
            target = out / "next" / day / table
            target.mkdir(parents=True, exist_ok=True)
            part.rename(target / name)


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--customers", type=int, help="number of customers")
    size.add_argument("--scale", choices=sorted(SCALES), help="S (2k), M (100k) or L (1M customers)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (one subfolder per table)")
    parser.add_argument("--hold-back-days", type=int, default=0, help="write the last K days to OUT/next/")
    parser.add_argument("--history-days", type=int, default=HISTORY_DAYS)
    parser.add_argument("--customers-per-part", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="4GB")
    args = parser.parse_args(argv)
    customers = args.customers if args.customers is not None else SCALES[args.scale]
    return Settings(
        customers=customers, out=args.out, hold_back_days=args.hold_back_days,
        history_days=args.history_days, customers_per_part=args.customers_per_part,
        threads=args.threads, memory_limit=args.memory_limit,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    generate(settings)
    print(f"read it with: --vars '{{segments__raw_source: files, segments__raw_path: {settings.out.resolve()}, "
          f"segments__raw_file_pattern: \"{{table}}/*.parquet\"}}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
