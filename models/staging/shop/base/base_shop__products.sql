-- Every raw product row, cast and checked (see base_shop__customers for the pattern).
-- A price is held to the bound of order amounts (max_plausible_order_value): products carry no
-- currency, so it is read in the reporting currency. A product with an implausible price is
-- quarantined like one with a negative price, not kept without one: price bands and the
-- products' journeys need a price, and its order lines (unknown_product) are lines of orders
-- whose totals still count.
-- A table: checked once, then read by the staging view, the audit models and the checked_ models.
{{ config(materialized='table') }}
with

source as (
    select * from {{ raw_table('products') }}
),

cleaned as (
    select
        {{ clean_id('product_id') }} as product_id,
        {{ clean_text('product_name') }} as product_name,
        {{ clean_code('category') }} as category,
        {{ parse_money('price') }} as price,
        {{ parse_integer('replenishment_days') }} as replenishment_days,
        {{ clean_text('price') }} as raw_price,
        {{ clean_text('replenishment_days') }} as raw_replenishment_days
    from source
),

checked as (
    select
        *,
        case
            when product_id is null then 'missing_key'
            when price is null or price < 0 then 'invalid_amount'
            when {{ is_implausible_amount('price', '1') }} then 'implausible_amount'
            when
                raw_replenishment_days is not null
                and (replenishment_days is null or replenishment_days <= 0)
                then 'invalid_amount'
        end as check_failure
    from cleaned
),

ranked as (
    select
        *,
        row_number() over (
            partition by product_id, check_failure
            order by product_name asc nulls last, price asc, category asc nulls last, replenishment_days asc nulls last
        ) as row_in_key
    from checked
)

select
    product_id,
    product_name,
    category,
    price,
    replenishment_days,
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
