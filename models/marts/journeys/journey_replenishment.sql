-- One row per purchased replenishable product in the flow at as_of (grain: customer_id +
-- trigger_key = order_id:product_id): a reminder due the product's replenishment_days after
-- the valid order that bought it, unless the customer buys the product again first (exit).
-- Products without replenishment_days are not replenished. Statuses: macro journey_rows.
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

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
    where replenishment_days is not null
),

purchases as (
    {{ replenishable_purchases('valid_orders', 'order_items', 'products') }}
),

rebuys as (
    select
        purchases.customer_id,
        purchases.order_id,
        purchases.product_id,
        min(later_purchases.ordered_at) as rebought_at
    from purchases
    inner join purchases as later_purchases
        on purchases.customer_id = later_purchases.customer_id
        and purchases.product_id = later_purchases.product_id
        and purchases.ordered_at < later_purchases.ordered_at
    group by purchases.customer_id, purchases.order_id, purchases.product_id
),

journey_steps as (
    select
        purchases.customer_id,
        {{ dbt.concat(['purchases.order_id', "':'", 'purchases.product_id']) }} as trigger_key,
        purchases.ordered_at as trigger_at,
        purchases.product_id as branch,
        1 as step,
        {{ dbt.dateadd('day', 'purchases.replenishment_days', 'purchases.ordered_at') }} as due_at,
        rebuys.rebought_at as exited_at,
        'rebought_product' as exit_reason
    from purchases
    left join rebuys
        on purchases.customer_id = rebuys.customer_id
        and purchases.order_id = rebuys.order_id
        and purchases.product_id = rebuys.product_id
),

{{ journey_rows(
    'replenishment',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
