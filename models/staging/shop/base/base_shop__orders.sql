-- Every raw order row, cast and checked on its own (see base_shop__customers for the pattern).
-- The checks that need another table (the exchange rate, the customer) and the choice among
-- copies of one order are checked_shop__orders': a copy's rank depends on every check, so it
-- cannot be made before them.
-- A table: read twice by checked_shop__orders (its rows and the days that need a rate).
{{ config(materialized='table') }}
with

source as (
    select * from {{ raw_table('orders') }}
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

checked as (
    select
        *,
        case
            when order_id is null or customer_id is null then 'missing_key'
            when ordered_at is null then 'unparseable_timestamp'
            when not {{ is_plausible_timestamp('ordered_at') }} then 'implausible_timestamp'
            when
                total is null or total < 0
                or refunded_amount < 0
                or (
                    raw_refunded_amount is not null
                    and {{ parse_money('raw_refunded_amount') }} is null
                )
                or (raw_subtotal is not null and (subtotal is null or subtotal < 0))
                or (raw_discount is not null and (discount is null or discount < 0))
                or (raw_shipping is not null and (shipping is null or shipping < 0))
                then 'invalid_amount'
            when
                order_status is null
                or order_status not in
                {{ sql_list(var('segments__valid_order_statuses') + var('segments__cancelled_order_statuses')) }}
                then 'unknown_status'
        end as quarantine_reason
    from cleaned
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
    quarantine_reason
from checked
