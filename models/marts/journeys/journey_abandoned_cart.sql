-- One row per abandoned cart in the flow at as_of (grain: customer_id + trigger_key, the
-- session): a session with an add to cart (or a started checkout) and no order in it. Step 1 is
-- due abandoned_cart_step_hours[0] (24 h) after the session's last cart event, step 2 after
-- [1] (72 h); any valid order at or after that event exits the flow. Statuses: macro journey_rows.
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

site_sessions as (
    select * from {{ ref('site_sessions') }}
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

step_offsets as (
    {{ journey_step_offsets(var('segments__abandoned_cart_step_hours')) }}
),

abandoned_carts as (
    {{ abandoned_carts('site_sessions') }}
),

{{ abandonment_journey_steps(
    'abandoned_carts',
    'step_offsets',
    exits=[{'events': 'valid_orders', 'at': 'ordered_at', 'reason': 'ordered_after_trigger'}],
) }},

{{ journey_rows(
    'abandoned_cart',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
