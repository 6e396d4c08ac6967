-- Every journey step's products are ranked 1..N without gaps, and every journey_step_products
-- row belongs to a journey_queue row. Returns what breaks either.
with

step_products as (
    select * from {{ ref('journey_step_products') }}
),

journey_queue as (
    select * from {{ ref('journey_queue') }}
),

gaps as (
    select
        customer_id,
        journey,
        trigger_key,
        'rank_gap' as problem
    from step_products
    group by customer_id, journey, trigger_key
    having min(product_rank) <> 1 or max(product_rank) <> count(*)
),

orphans as (
    select
        step_products.customer_id,
        step_products.journey,
        step_products.trigger_key,
        'no_queue_row' as problem
    from step_products
    left join journey_queue
        on step_products.customer_id = journey_queue.customer_id
        and step_products.journey = journey_queue.journey
        and step_products.trigger_key = journey_queue.trigger_key
    where journey_queue.customer_id is null
)

select * from gaps
union all
select * from orphans
