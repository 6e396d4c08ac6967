-- One row per abandoned browse in the flow at as_of (grain: customer_id + trigger_key, the
-- session): a session with product views and no add to cart or order. The email is due
-- browse_abandonment_step_hours (24 h) after the session's last product view; an add to cart or
-- a valid order at or after it exits the flow. Statuses: macro journey_rows.
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

cart_events as (
    select * from {{ ref('int_site_events_counted') }}
    where is_counted and event_type in ('add_to_cart', 'checkout_started')
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

step_offsets as (
    {{ journey_step_offsets(var('segments__browse_abandonment_step_hours')) }}
),

abandoned_browses as (
    {{ abandoned_browses('site_sessions') }}
),

{{ abandonment_journey_steps(
    'abandoned_browses',
    'step_offsets',
    exits=[
        {'events': 'cart_events', 'at': 'occurred_at', 'reason': 'added_to_cart_after_trigger'},
        {'events': 'valid_orders', 'at': 'ordered_at', 'reason': 'ordered_after_trigger'},
    ],
) }},

{{ journey_rows(
    'browse_abandonment',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
