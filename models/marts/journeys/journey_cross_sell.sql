-- One row per customer in the cross-sell flow at as_of (grain: customer_id; trigger_key = the
-- trigger order's order_id): one email cross_sell_delay_days after the customer's first valid
-- order (cross_sell_first_order_only; false: the latest valid order), when that order's products
-- have bought-together partners the customer had not bought by the order (no partner left, no
-- row). Buying one of those partners later exits; another order without one does not, because
-- the email is about the partners, not about ordering again. Statuses: macro journey_rows.
with

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

send_eligibility as (
    select * from {{ ref('int_customer_send_eligibility') }}
),

journey_holdouts as (
    select * from {{ ref('int_journey_holdouts') }}
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

order_products as (
    select * from {{ ref('int_order_products') }}
),

associations as (
    select * from {{ ref('product_associations') }}
),

ranked_orders as (
    select
        customer_id,
        order_id,
        ordered_at,
        row_number() over (
            partition by customer_id
            order by
                ordered_at {{ 'asc' if var('segments__cross_sell_first_order_only') else 'desc' }},
                order_id {{ 'asc' if var('segments__cross_sell_first_order_only') else 'desc' }}
        ) as order_rank
    from valid_orders
),

trigger_orders as (
    select * from ranked_orders
    where order_rank = 1
),

{{ cross_sell_instances('trigger_orders', 'order_products', 'associations') }},

journey_steps as (
    select
        customer_id,
        order_id as trigger_key,
        ordered_at as trigger_at,
        cast(null as {{ dbt.type_string() }}) as branch,
        1 as step,
        due_at,
        exited_at,
        'bought_partner_product' as exit_reason
    from cross_sell_instances
),

{{ journey_rows(
    'cross_sell',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
