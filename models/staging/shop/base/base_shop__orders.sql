-- Every raw order row, cast and checked (see base_shop__customers for the pattern).
-- Orders of customers that are not in the customer export cannot be attributed to anyone.
-- A table: checked once, then read by the staging view, the audit models and other base models.
{{ config(materialized='table') }}
with

source as (
    select * from {{ raw_table('orders') }}
),

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
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
        cleaned.*,
        case
            when cleaned.order_id is null or cleaned.customer_id is null then 'missing_key'
            when cleaned.ordered_at is null then 'unparseable_timestamp'
            when
                cleaned.total is null or cleaned.total < 0
                or cleaned.refunded_amount < 0
                or (
                    cleaned.raw_refunded_amount is not null
                    and {{ parse_money('cleaned.raw_refunded_amount') }} is null
                )
                or (cleaned.raw_subtotal is not null and (cleaned.subtotal is null or cleaned.subtotal < 0))
                or (cleaned.raw_discount is not null and (cleaned.discount is null or cleaned.discount < 0))
                or (cleaned.raw_shipping is not null and (cleaned.shipping is null or cleaned.shipping < 0))
                then 'invalid_amount'
            when
                cleaned.order_status is null
                or cleaned.order_status not in
                {{ sql_list(var('valid_order_statuses') + var('cancelled_order_statuses')) }}
                then 'unknown_status'
            when customers.customer_id is null then 'unknown_customer'
        end as check_failure
    from cleaned
    left join customers
        on cleaned.customer_id = customers.customer_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id, check_failure
            order by ordered_at desc, total desc
        ) as row_in_key
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
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
