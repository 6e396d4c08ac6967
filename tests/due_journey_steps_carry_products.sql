-- Every due journey step whose email shows products has at least one in journey_step_products
-- (every journey but birthday). Returns the due queue rows without products.
with

journey_queue as (
    select * from {{ ref('journey_queue') }}
    where
        status = 'due'
        and journey <> 'birthday'
),

step_products as (
    select distinct
        customer_id,
        journey,
        trigger_key
    from {{ ref('journey_step_products') }}
)

select
    journey_queue.customer_id,
    journey_queue.journey,
    journey_queue.trigger_key
from journey_queue
left join step_products
    on journey_queue.customer_id = step_products.customer_id
    and journey_queue.journey = step_products.journey
    and journey_queue.trigger_key = step_products.trigger_key
where step_products.customer_id is null
