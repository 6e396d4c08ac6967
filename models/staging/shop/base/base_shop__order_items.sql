-- Every raw order line, cast and checked (see base_shop__customers for the pattern).
-- A line whose order or product was not staged has nothing to belong to. A line of an order
-- whose copies name different customers (conflicting_duplicate) is quarantined as
-- conflicting_order: the export does not say which copy it belongs to, and it must not be
-- mistaken for a line of an order the store never exported (unknown_order).
-- A table: checked once, then read by the staging view, the audit models and other base models.
{{ config(materialized='table') }}
{%- set line_amount = 'cast(cleaned.quantity as ' ~ type_double() ~ ') * cleaned.unit_price' %}
with

source as (
    select * from {{ raw_table('order_items') }}
),

orders as (
    select
        order_id,
        exchange_rate
    from {{ ref('stg_shop__orders') }}
),

products as (
    select product_id from {{ ref('stg_shop__products') }}
),

conflicting_orders as (
    select distinct order_id
    from {{ ref('base_shop__orders') }}
    where quarantine_reason = 'conflicting_duplicate'
),

cleaned as (
    select
        {{ clean_id('order_id') }} as order_id,
        {{ parse_integer('line_number') }} as line_number,
        {{ clean_id('product_id') }} as product_id,
        {{ parse_integer('quantity') }} as quantity,
        {{ parse_money('unit_price') }} as unit_price
    from source
),

checked as (
    select
        cleaned.*,
        case
            when cleaned.order_id is null or cleaned.line_number is null or cleaned.product_id is null
                then 'missing_key'
            when
                cleaned.quantity is null or cleaned.quantity <= 0
                or cleaned.unit_price is null or cleaned.unit_price < 0
                then 'invalid_amount'
            when orders.order_id is null and conflicting_orders.order_id is not null then 'conflicting_order'
            when orders.order_id is null then 'unknown_order'
            when {{ is_implausible_amount(line_amount, 'orders.exchange_rate') }} then 'implausible_amount'
            when products.product_id is null then 'unknown_product'
        end as check_failure
    from cleaned
    left join orders
        on cleaned.order_id = orders.order_id
    left join products
        on cleaned.product_id = products.product_id
    left join conflicting_orders
        on cleaned.order_id = conflicting_orders.order_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id, line_number, check_failure
            order by product_id, quantity, unit_price
        ) as row_in_key
    from checked
)

select
    order_id,
    line_number,
    product_id,
    quantity,
    unit_price,
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
