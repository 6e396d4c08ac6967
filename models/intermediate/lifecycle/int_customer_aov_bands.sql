-- One row per customer with a valid order at as_of: the customer's AOV placed in the quartiles
-- of the store's order values (net revenue of every valid order), so that an offer can stay
-- within the customer's usual price range: budget <= Q1 < core <= median < premium <= Q3 < luxury
-- (macro quartile_band, the rule product price bands share).
with

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

customer_facts as (
    select
        customer_id,
        aov
    from {{ ref('int_customer_facts') }}
    where valid_orders > 0
),

store_quartiles as (
    select
        {{ percentile_cont('net_revenue', 0.25) }} as order_value_q1,
        {{ median('net_revenue') }} as order_value_median,
        {{ percentile_cont('net_revenue', 0.75) }} as order_value_q3
    from valid_orders
)

select
    customer_facts.customer_id,
    customer_facts.aov,
    store_quartiles.order_value_q1,
    store_quartiles.order_value_median,
    store_quartiles.order_value_q3,
    {{ quartile_band(
        'customer_facts.aov',
        'store_quartiles.order_value_q1',
        'store_quartiles.order_value_median',
        'store_quartiles.order_value_q3',
    ) }} as aov_band
from customer_facts
cross join store_quartiles
