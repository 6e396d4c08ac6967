-- One row per customer with at least one valid order at as_of: the order rollup that
-- customer_facts, RFM and the personas share.
-- A table: at a million customers, computing it once beats inlining it into every
-- model and test that reads it.
{{ config(materialized='table') }}
with

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

rolled_up as (
    select
        customer_id,
        count(*) as valid_orders,
        sum(net_revenue) as lifetime_net_revenue,
        max(net_revenue) as largest_order_net_revenue,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        min(days_since_order) as days_since_last_order,
        max(days_since_order) as days_since_first_order,
        count(case when days_since_order <= 30 then 1 end) as orders_last_30d,
        count(case when days_since_order <= 90 then 1 end) as orders_last_90d,
        count(case when days_since_order <= 365 then 1 end) as orders_last_365d
    from valid_orders
    group by customer_id
)

select
    customer_id,
    valid_orders,
    lifetime_net_revenue,
    largest_order_net_revenue,
    first_order_at,
    last_order_at,
    days_since_last_order,
    orders_last_30d,
    orders_last_90d,
    orders_last_365d,
    case
        when valid_orders >= 2
            then cast(days_since_first_order - days_since_last_order as {{ type_double() }}) / (valid_orders - 1)
    end as avg_days_between_orders
from rolled_up
