-- Every raw order row with its final reason: base_shop__orders' own checks, then those that
-- need another table, then the copies of one order (docs/definitions.md §2.3, §2.4).
-- Orders of customers that are not in the customer export cannot be attributed to anyone.
-- Each order gets its exchange rate to the reporting currency here (1 when it is in it), so an
-- order whose currency has no rate is quarantined like any other unusable row.
-- Copies of one order that name different customers are all quarantined
-- (conflicting_duplicate): staging one would move the order and its revenue to a customer the
-- build cannot tell is right. Other copies follow the written rule. Copies are ranked among
-- those with the same result of every check, so a copy quarantined for another reason never
-- makes the others conflict.
-- The staged customers and rates are read from their base models (quarantine_reason null, what
-- their stg views hold), so that no staging model reads a stg view and the graph stays shallow.
-- A table: checked once, then read by the staging view, the audit models and
-- checked_shop__order_items.
{{ config(materialized='table') }}
with

orders as (
    select * from {{ ref('base_shop__orders') }}
),

customers as (
    select customer_id
    from {{ ref('base_shop__customers') }}
    where quarantine_reason is null
),

exchange_rates as (
    select
        currency,
        rate_date,
        rate_to_reporting
    from {{ ref('base_finance__exchange_rates') }}
    where quarantine_reason is null
),

-- A rate applies from its date until the currency's next rate date.
rate_periods as (
    select
        currency,
        rate_date,
        lead(rate_date) over (partition by currency order by rate_date) as next_rate_date,
        rate_to_reporting
    from exchange_rates
),

-- The rate of each (currency, UTC day) that has orders: a range join of a few thousand days
-- against the rate periods, then an equality join back to the orders (a range join of every
-- order would pair it with every rate of its currency first). The days come from a second,
-- two-column read of the orders table, not from the `orders` CTE: the engine would keep every
-- order in memory for the second reader (at 9M orders, 1.5 GB spilled under a 4 GB cap).
order_days as (
    select distinct
        currency,
        cast(ordered_at as date) as order_date
    from {{ ref('base_shop__orders') }}
    where currency <> {{ string_literal(var('segments__reporting_currency')) }}
),

order_day_rates as (
    select
        order_days.currency,
        order_days.order_date,
        rate_periods.rate_to_reporting
    from order_days
    inner join rate_periods
        on
        order_days.currency = rate_periods.currency
        and order_days.order_date >= rate_periods.rate_date
        and order_days.order_date < coalesce(rate_periods.next_rate_date, cast('9999-12-31' as date))
),

rated as (
    select
        orders.*,
        case
            when orders.currency = {{ string_literal(var('segments__reporting_currency')) }}
                then cast(1 as {{ type_exchange_rate() }})
            else order_day_rates.rate_to_reporting
        end as exchange_rate
    from orders
    left join order_day_rates
        on
        orders.currency = order_day_rates.currency
        and cast(orders.ordered_at as date) = order_day_rates.order_date
),

-- base_shop__orders' reasons come first in docs/definitions.md §2.4's order.
checked as (
    select
        rated.*,
        coalesce(
            rated.quarantine_reason,
            case
                when rated.exchange_rate is null then 'unknown_currency'
                when
                    {{ is_implausible_amount('rated.total', 'rated.exchange_rate') }}
                    or {{ is_implausible_amount('rated.subtotal', 'rated.exchange_rate') }}
                    or {{ is_implausible_amount('rated.discount', 'rated.exchange_rate') }}
                    or {{ is_implausible_amount('rated.shipping', 'rated.exchange_rate') }}
                    or {{ is_implausible_amount('rated.refunded_amount', 'rated.exchange_rate') }}
                    then 'implausible_amount'
                when customers.customer_id is null then 'unknown_customer'
            end
        ) as check_failure
    from rated
    left join customers
        on rated.customer_id = customers.customer_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id, check_failure
            order by
                ordered_at desc, total desc, refunded_amount desc, order_status asc, currency asc,
                subtotal desc nulls last, discount desc nulls last, shipping desc nulls last
        ) as row_in_key,
        min(customer_id) over (partition by order_id, check_failure)
        <> max(customer_id) over (partition by order_id, check_failure) as owners_disagree
    from checked
)

select
    order_id,
    customer_id,
    ordered_at,
    order_status,
    currency,
    subtotal,
    discount,
    shipping,
    total,
    refunded_amount,
    exchange_rate,
    coalesce(
        check_failure,
        case
            when owners_disagree then 'conflicting_duplicate'
            when row_in_key > 1 then 'duplicate'
        end
    ) as quarantine_reason
from ranked
