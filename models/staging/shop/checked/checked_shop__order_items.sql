-- Every raw order line with its final reason: base_shop__order_items' own checks, then those
-- that need the orders and products, then the copies of one line (docs/definitions.md §2.4).
-- A line whose order or product was not staged has nothing to belong to. A line of an order
-- whose copies name different customers (conflicting_duplicate) is quarantined as
-- conflicting_order: the export does not say which copy it belongs to, and it must not be
-- mistaken for a line of an order the store never exported (unknown_order).
-- Staged orders and products are read from the models that check them (quarantine_reason
-- null, what their stg views hold), as in checked_shop__orders.
-- A table: checked once, then read by the staging view and the audit models.
{{ config(materialized='table') }}
{%- set line_amount = 'cast(lines.quantity as ' ~ type_double() ~ ') * lines.unit_price' %}
with

lines as (
    select * from {{ ref('base_shop__order_items') }}
),

checked_orders as (
    select
        order_id,
        exchange_rate,
        quarantine_reason
    from {{ ref('checked_shop__orders') }}
    where quarantine_reason is null or quarantine_reason = 'conflicting_duplicate'
),

orders as (
    select
        order_id,
        exchange_rate
    from checked_orders
    where quarantine_reason is null
),

conflicting_orders as (
    select distinct order_id
    from checked_orders
    where quarantine_reason = 'conflicting_duplicate'
),

products as (
    select product_id
    from {{ ref('base_shop__products') }}
    where quarantine_reason is null
),

-- base_shop__order_items' reasons come first in docs/definitions.md §2.4's order.
checked as (
    select
        lines.*,
        coalesce(
            lines.quarantine_reason,
            case
                when orders.order_id is null and conflicting_orders.order_id is not null then 'conflicting_order'
                when orders.order_id is null then 'unknown_order'
                when {{ is_implausible_amount(line_amount, 'orders.exchange_rate') }} then 'implausible_amount'
                when products.product_id is null then 'unknown_product'
            end
        ) as check_failure
    from lines
    left join orders
        on lines.order_id = orders.order_id
    left join products
        on lines.product_id = products.product_id
    left join conflicting_orders
        on lines.order_id = conflicting_orders.order_id
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
