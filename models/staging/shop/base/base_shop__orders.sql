-- Every raw order row, cast and checked (see base_shop__customers for the pattern).
-- Orders of customers that are not in the customer export cannot be attributed to anyone.
-- Each order gets its exchange rate to the reporting currency here (1 when it is in it), so an
-- order whose currency has no rate is quarantined like any other unusable row.
-- Copies of one order that name different customers are all quarantined
-- (conflicting_duplicate): staging one would move the order and its revenue to a customer the
-- build cannot tell is right. Other copies follow the written rule (docs/definitions.md §2.3).
-- A table: checked once, then read by the staging view, the audit models and other base models.
{{ config(materialized='table') }}
with

source as (
    select * from {{ raw_table('orders') }}
),

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

exchange_rates as (
    select * from {{ ref('stg_finance__exchange_rates') }}
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

cleaned as (
    select
        {{ clean_id('order_id') }} as order_id,
        {{ clean_id('customer_id') }} as customer_id,
        {{ parse_utc_timestamp(clean_text('ordered_at')) }} as ordered_at,
        {{ clean_code('status') }} as order_status,
        upper({{ clean_text('currency') }}) as currency,
        {{ parse_money('subtotal') }} as subtotal,
        {{ parse_money('discount') }} as discount,
        {{ parse_money('shipping') }} as shipping,
        {{ parse_money('total') }} as total,
        -- An empty refund means nothing was refunded.
        coalesce({{ parse_money('refunded_amount') }}, 0) as refunded_amount,
        {{ clean_text('subtotal') }} as raw_subtotal,
        {{ clean_text('discount') }} as raw_discount,
        {{ clean_text('shipping') }} as raw_shipping,
        {{ clean_text('refunded_amount') }} as raw_refunded_amount
    from source
),

-- The rate of each (currency, UTC day) that has orders: a range join of a few thousand days
-- against the rate periods, then an equality join back to the orders (a range join of every
-- order would pair it with every rate of its currency first). The days come from a second,
-- two-column read of the raw orders: read from `cleaned`, the engine would keep every cleaned
-- order in memory for the second reader (at 9M orders, 1.5 GB spilled under a 4 GB cap).
order_days as (
    select distinct
        upper({{ clean_text('currency') }}) as currency,
        cast({{ parse_utc_timestamp(clean_text('ordered_at')) }} as date) as order_date
    from {{ raw_table('orders') }}
    where upper({{ clean_text('currency') }}) <> {{ string_literal(var('segments__reporting_currency')) }}
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
        cleaned.*,
        case
            when cleaned.currency = {{ string_literal(var('segments__reporting_currency')) }}
                then cast(1 as {{ type_exchange_rate() }})
            else order_day_rates.rate_to_reporting
        end as exchange_rate
    from cleaned
    left join order_day_rates
        on
        cleaned.currency = order_day_rates.currency
        and cast(cleaned.ordered_at as date) = order_day_rates.order_date
),

checked as (
    select
        rated.*,
        case
            when rated.order_id is null or rated.customer_id is null then 'missing_key'
            when rated.ordered_at is null then 'unparseable_timestamp'
            when not {{ is_plausible_timestamp('rated.ordered_at') }} then 'implausible_timestamp'
            when
                rated.total is null or rated.total < 0
                or rated.refunded_amount < 0
                or (
                    rated.raw_refunded_amount is not null
                    and {{ parse_money('rated.raw_refunded_amount') }} is null
                )
                or (rated.raw_subtotal is not null and (rated.subtotal is null or rated.subtotal < 0))
                or (rated.raw_discount is not null and (rated.discount is null or rated.discount < 0))
                or (rated.raw_shipping is not null and (rated.shipping is null or rated.shipping < 0))
                then 'invalid_amount'
            when
                rated.order_status is null
                or rated.order_status not in
                {{ sql_list(var('segments__valid_order_statuses') + var('segments__cancelled_order_statuses')) }}
                then 'unknown_status'
            when rated.exchange_rate is null then 'unknown_currency'
            when
                {{ is_implausible_amount('rated.total', 'rated.exchange_rate') }}
                or {{ is_implausible_amount('rated.subtotal', 'rated.exchange_rate') }}
                or {{ is_implausible_amount('rated.discount', 'rated.exchange_rate') }}
                or {{ is_implausible_amount('rated.shipping', 'rated.exchange_rate') }}
                or {{ is_implausible_amount('rated.refunded_amount', 'rated.exchange_rate') }}
                then 'implausible_amount'
            when customers.customer_id is null then 'unknown_customer'
        end as check_failure
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
