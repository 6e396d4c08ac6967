-- One row per valid order and product at as_of (an order may hold a product on several lines):
-- units and the order's net revenue (int_orders, reporting currency) shared out over its
-- products by their share of the order's line amounts, so product revenue adds up to order
-- revenue (discounts, shipping and refunds spread pro rata) without converting any currency here.
-- A table: five product and journey models read it, and as a view each of them joined every
-- valid order with its lines again.
{{ config(materialized='table') }}
with

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

order_products as (
    select
        valid_orders.order_id,
        valid_orders.customer_id,
        valid_orders.ordered_at,
        valid_orders.days_since_order,
        valid_orders.net_revenue as order_net_revenue,
        order_items.product_id,
        sum(order_items.quantity) as units,
        sum(order_items.quantity * order_items.unit_price) as line_amount
    from valid_orders
    inner join order_items
        on valid_orders.order_id = order_items.order_id
    group by
        valid_orders.order_id,
        valid_orders.customer_id,
        valid_orders.ordered_at,
        valid_orders.days_since_order,
        valid_orders.net_revenue,
        order_items.product_id
),

with_order_amount as (
    select
        *,
        sum(line_amount) over (partition by order_id) as order_line_amount
    from order_products
)

select
    order_id,
    customer_id,
    ordered_at,
    days_since_order,
    product_id,
    cast(units as {{ dbt.type_bigint() }}) as units,
    {{ reporting_currency_column() }},
    cast(
        case
            when order_line_amount > 0
                then {{ round_half_up(
                    'cast(order_net_revenue as ' ~ type_double() ~ ') * line_amount / order_line_amount', 2
                ) }}
            else 0
        end as {{ type_money() }}
    ) as net_revenue
from with_order_amount
