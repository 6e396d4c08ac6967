-- One row: whether the store's order history is deep enough for RFM scores to mean much
-- (docs/definitions.md §4). A warn-severity test on is_ready says so in every build.
with

customer_facts as (
    select * from {{ ref('customer_facts') }}
),

orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

customer_counts as (
    select
        sum(case when valid_orders >= 1 then 1 else 0 end) as purchasers,
        sum(case when valid_orders >= {{ var('segments__purchase_frequent_min') }} then 1 else 0 end)
            as frequent_purchasers
    from customer_facts
),

order_counts as (
    select
        max(days_since_order) as days_of_order_history,
        sum(case when days_since_order <= {{ var('segments__rfm_ready_recent_order_days') }} then 1 else 0 end)
            as orders_recent
    from orders
),

measures as (
    select
        as_of_point.as_of,
        coalesce(customer_counts.purchasers, 0) as purchasers,
        coalesce(order_counts.days_of_order_history, 0) as days_of_order_history,
        coalesce(order_counts.orders_recent, 0) as orders_recent,
        coalesce(customer_counts.frequent_purchasers, 0) as frequent_purchasers
    from as_of_point
    cross join customer_counts
    cross join order_counts
)

select
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of,
    cast(purchasers as {{ dbt.type_int() }}) as purchasers,
    cast(days_of_order_history as {{ dbt.type_int() }}) as days_of_order_history,
    cast(orders_recent as {{ dbt.type_int() }}) as orders_recent,
    cast(frequent_purchasers as {{ dbt.type_int() }}) as frequent_purchasers,
    purchasers >= {{ var('segments__rfm_ready_min_purchasers') }} as has_enough_purchasers,
    days_of_order_history >= {{ var('segments__rfm_ready_min_history_days') }} as has_enough_history,
    orders_recent >= 1 as has_recent_orders,
    frequent_purchasers >= {{ var('segments__rfm_ready_min_frequent_customers') }} as has_repeat_customers,
    purchasers >= {{ var('segments__rfm_ready_min_purchasers') }}
    and days_of_order_history >= {{ var('segments__rfm_ready_min_history_days') }}
    and orders_recent >= 1
    and frequent_purchasers >= {{ var('segments__rfm_ready_min_frequent_customers') }} as is_ready
from measures
